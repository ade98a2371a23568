"""历史遗留问题: the report upwards and the three parties' joint explanation of one
complaint (seed: 协同联动 第五条 "…积极向街道及相关部门反映，争取重视与支持；社区居民委员会、
物业管理委员会、物业服务企业'三方'需共同向居民做好解释说明工作，不得相互推诿、激化矛盾").

A staff page per complaint: the reports with the answers, the explanations with each
party's confirmation, and the forms for whoever may act. The services in
``issues.services.whistles`` check every step again.
"""

from __future__ import annotations

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from huashan.directory.models import Membership, Organization
from huashan.directory.rules import STAFF_ROLES
from huashan.directory.selectors import compound_organizations
from issues.legacy import JointExplanation, JointExplanationConfirmation, LegacyReport
from issues.models import Issue
from issues.services.whistles import (
    LEGACY_RECIPIENT_KINDS,
    LEGACY_REPORTER_KINDS,
    LEGACY_TEXT_MAX,
    joint_explanation_confirm,
    joint_explanation_draft,
    legacy_report_answer,
    legacy_report_upwards,
)

from ._common import _error_message, _require_staff, _run


class ReportForm(djforms.Form):
    reporting_organization = djforms.ModelChoiceField(
        label=_("reported by"), queryset=Organization.objects.none()
    )
    recipients = djforms.ModelMultipleChoiceField(
        label=_("reported to"),
        queryset=Organization.objects.none(),
        widget=djforms.CheckboxSelectMultiple,
    )
    content = djforms.CharField(
        label=_("what was reported"),
        max_length=LEGACY_TEXT_MAX,
        widget=djforms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, reporters=None, recipients=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reporters is not None:
            self.fields["reporting_organization"].queryset = reporters
        if recipients is not None:
            self.fields["recipients"].queryset = recipients


class ExplanationForm(djforms.Form):
    text = djforms.CharField(
        label=_("explanation to residents"),
        max_length=LEGACY_TEXT_MAX,
        widget=djforms.Textarea(attrs={"rows": 4}),
    )


class AnswerForm(djforms.Form):
    response = djforms.CharField(
        label=_("answer of the street or department"),
        max_length=LEGACY_TEXT_MAX,
        widget=djforms.Textarea(attrs={"rows": 2}),
    )


def _issue(request, tracking_number: str) -> Issue:
    issue = (
        Issue.objects.select_related("compound")
        .filter(tracking_number=tracking_number.upper())
        .first()
    )
    if issue is None:
        raise Http404(gettext("No such complaint."))
    _require_staff(request, issue.compound)
    return issue


def _url(issue: Issue) -> str:
    return reverse("meetings:legacy", args=[issue.tracking_number])


def _choices(issue: Issue):
    orgs = compound_organizations(compound=issue.compound)
    return (
        orgs.filter(kind__in=LEGACY_REPORTER_KINDS).order_by("kind", "pk"),
        orgs.filter(kind__in=LEGACY_RECIPIENT_KINDS).order_by("kind", "pk"),
    )


def _seat_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.current()
        .filter(person=user, role__in=STAFF_ROLES)
        .values_list("organization_id", flat=True)
    )


def _page(request, issue, *, report_form=None, explanation_form=None, status=200):
    reporters, recipients = _choices(issue)
    reports = list(
        LegacyReport.objects.filter(issue=issue)
        .select_related("reporting_organization")
        .prefetch_related("recipients")
    )
    explanations = list(
        JointExplanation.objects.filter(issue=issue).prefetch_related(
            Prefetch(
                "confirmations",
                queryset=JointExplanationConfirmation.objects.select_related(
                    "organization", "confirmed_by"
                ),
            )
        )
    )
    seats = _seat_ids(request.user)
    for report in reports:
        report.can_answer = report.responded_at is None and any(
            o.pk in seats for o in report.recipients.all()
        )
        report.answer_form = AnswerForm(prefix=f"answer-{report.pk}")
    for explanation in explanations:
        for c in explanation.confirmations.all():
            c.can_confirm = (
                explanation.status == JointExplanation.Status.AWAITING
                and c.confirmed_at is None
                and c.organization_id in seats
            )
    return render(
        request,
        "meetings/legacy.html",
        {
            "issue": issue,
            "is_legacy": issue.tier == Issue.Tier.LEGACY,
            "reports": reports,
            "explanations": explanations,
            "can_report": any(o.pk in seats for o in reporters) or request.user.is_superuser,
            "can_explain": request.user.has_perm("issues.work_issue", issue),
            # A party asked to confirm may not see the complaint's own page (not theirs).
            "can_open_issue": request.user.has_perm("issues.view_issue", issue),
            "report_form": report_form
            or ReportForm(prefix="report", reporters=reporters, recipients=recipients),
            "explanation_form": explanation_form or ExplanationForm(prefix="explain"),
        },
        status=status,
    )


@login_required
def legacy_page(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _page(request, _issue(request, tracking_number))


@login_required
@require_POST
def legacy_report(request: HttpRequest, tracking_number: str) -> HttpResponse:
    issue = _issue(request, tracking_number)
    reporters, recipients = _choices(issue)
    form = ReportForm(request.POST, prefix="report", reporters=reporters, recipients=recipients)
    if form.is_valid() and _run(
        form,
        legacy_report_upwards,
        actor=request.user,
        issue=issue,
        reporting_organization=form.cleaned_data["reporting_organization"],
        recipients=list(form.cleaned_data["recipients"]),
        content=form.cleaned_data["content"],
    ):
        messages.success(request, gettext("The report upwards is recorded."))
        return redirect(_url(issue))
    return _page(request, issue, report_form=form, status=400)


@login_required
@require_POST
def legacy_explain(request: HttpRequest, tracking_number: str) -> HttpResponse:
    issue = _issue(request, tracking_number)
    form = ExplanationForm(request.POST, prefix="explain")
    if form.is_valid() and _run(
        form,
        joint_explanation_draft,
        actor=request.user,
        issue=issue,
        text=form.cleaned_data["text"],
    ):
        messages.success(request, gettext("Sent to the three parties to confirm."))
        return redirect(_url(issue))
    return _page(request, issue, explanation_form=form, status=400)


@login_required
@require_POST
def legacy_step(request: HttpRequest, tracking_number: str, step: str, row_id: int) -> HttpResponse:
    """``confirm`` a joint explanation for one party, or ``answer`` a report."""
    issue = _issue(request, tracking_number)
    try:
        if step == "confirm":
            row = (
                JointExplanationConfirmation.objects.select_related("explanation", "organization")
                .filter(pk=row_id, explanation__issue=issue)
                .first()
            )
            if row is None:
                raise Http404
            joint_explanation_confirm(
                actor=request.user, explanation=row.explanation, organization=row.organization
            )
        elif step == "answer":
            report = LegacyReport.objects.filter(pk=row_id, issue=issue).first()
            if report is None:
                raise Http404
            form = AnswerForm(request.POST, prefix=f"answer-{report.pk}")
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect(_url(issue))
            legacy_report_answer(
                actor=request.user, report=report, response=form.cleaned_data["response"]
            )
        else:
            raise Http404
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, gettext("Saved."))
    return redirect(_url(issue))
