"""Decision reports (决策报告): list and create, the report page, its steps, answers and
early intervention (提前介入).

seed: 决策报告制度 第二、三条; 协同联动 第七条.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.directory.models import Organization

from .. import forms, selectors, services
from ..models import (
    DecisionReport,
    DecisionReportRecipient,
    EarlyIntervention,
    MeetingsPolicy,
)
from ..services import decision_reports as report_services
from ..services import hearings as hearing_services
from ._common import _acting_org_ids, _acts_for, _compound, _require_staff, _run, _simple_action


def _officer_org_ids(person) -> set[int] | None:
    """Organizations the person is an officer of (one query); None means all (superuser)."""
    from huashan.directory.models import Membership
    from huashan.directory.rules import OFFICER_ROLES

    if not person.is_authenticated:
        return set()
    if person.is_superuser:
        return None
    return set(
        Membership.objects.current()
        .filter(person=person, role__in=OFFICER_ROLES)
        .values_list("organization_id", flat=True)
    )


@login_required
@require_POST
def meetings_policy(request: HttpRequest) -> HttpResponse:
    """The compound's participation settings (visitors, the large amount of fund use)."""
    compound = _compound(request)
    form = forms.PolicyForm(request.POST, prefix="policy")
    url = reverse("meetings:decision_reports") + f"?compound={compound.slug}"
    if not request.user.has_perm("meetings.set_policy", compound):
        raise PermissionDenied(
            gettext("Only officers of the community party organization set this.")
        )
    if form.is_valid() and _run(
        form,
        report_services.meetings_policy_update,
        actor=request.user,
        compound=compound,
        **form.cleaned_data,
    ):
        messages.success(request, gettext("Saved."))
        return redirect(url)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def decision_report_list(request: HttpRequest) -> HttpResponse:
    compound = _compound(request)
    policy = MeetingsPolicy.for_compound(compound)
    request.meetings_policy_form = (
        forms.PolicyForm(
            prefix="policy",
            initial={
                "public_to_visitors": policy.public_to_visitors,
                "large_fund_amount": policy.large_fund_amount,
            },
        )
        if request.user.has_perm("meetings.set_policy", compound)
        else None
    )
    return _list_and_create(
        request,
        perm="meetings.file_decision_report",
        refusal=gettext("Only PMC officers file reports."),
        form_class=forms.DecisionReportForm,
        create=services.decision_report_create,
        created_message=gettext("The report is drafted."),
        detail_url="meetings:decision_report",
        template="meetings/decision_reports.html",
        rows=("reports", selectors.decision_report_list),
        can_key="can_file",
    )


def _list_and_create(
    request: HttpRequest,
    *,
    perm: str,
    refusal: str,
    form_class,
    create,
    created_message: str,
    detail_url: str,
    template: str,
    rows: tuple[str, object],
    can_key: str,
) -> HttpResponse:
    """A compound's list page with a create form for those holding ``perm``:
    the shape shared by decision reports and owners' assembly motions."""
    compound = _compound(request)
    _require_staff(request, compound)
    can_create = request.user.has_perm(perm, compound)
    form = form_class(request.POST or None)
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied(refusal)
        if form.is_valid():
            created = _run(form, create, actor=request.user, compound=compound, **form.cleaned_data)
            if created is not None:
                messages.success(request, created_message)
                return redirect(reverse(detail_url, args=[created.pk]))
    rows_key, rows_selector = rows
    return render(
        request,
        template,
        {
            "compound": compound,
            rows_key: rows_selector(compound=compound)[:200],
            "form": form,
            can_key: can_create,
            "policy_form": getattr(request, "meetings_policy_form", None),
        },
        status=400 if form.errors else 200,
    )


def _get_report(request: HttpRequest, pk: int) -> DecisionReport:
    report = selectors.decision_report_detail(pk=pk)
    if report is None:
        raise Http404(gettext("No such report."))
    _require_staff(request, report)
    return report


def _render_report(request: HttpRequest, report: DecisionReport, status: int = 200, **bound):
    org_ids = _acting_org_ids(request.user)
    recipients = list(report.recipients.all())
    for r in recipients:
        r.can_answer = _acts_for(org_ids, r.organization_id)
        r.form = bound.get(f"answer-{r.pk}") or forms.AnswerForm(prefix=f"r{r.pk}")
    user = request.user
    officer_orgs = _officer_org_ids(user)
    can_resolve = user.has_perm("meetings.resolve_objection", report)
    interventions = list(report.interventions.select_related("organization"))
    for i in interventions:
        i.can_answer = not i.answer and _acts_for(officer_orgs, i.organization_id)
        i.form = bound.get(f"respond-{i.pk}") or forms.InterventionResponseForm(prefix=f"i{i.pk}")
        i.can_resolve = can_resolve and i.answer == "object" and i.resolved_at is None
        i.resolve_form = bound.get(f"resolve-{i.pk}") or forms.ResolutionRecordForm(
            prefix=f"x{i.pk}"
        )
    return render(
        request,
        "meetings/decision_report.html",
        {
            "report": report,
            "recipients": recipients,
            "interventions": interventions,
            "missing": [
                Organization.Kind(k).label
                for k in services.decision_report_missing_interventions(report=report)
            ],
            "needs_intervention": report_services.needs_early_intervention(
                matter=report.matter, amount=report.amount, compound=report.compound_id
            ),
            "gate_problems": report_services.decision_report_gate_problems(report=report),
            "can_file": user.has_perm("meetings.file_decision_report", report),
            "can_link_hearing": report.status in ("draft", "filed")
            and user.has_perm("meetings.file_decision_report", report),
            "run_office": user.has_perm("meetings.run_office", report),
            "invite_form": bound.get("invite") or forms.InviteForm(prefix="invite"),
            "proceed_form": bound.get("proceed") or forms.NoteForm(prefix="proceed"),
            "hearing_form": bound.get("hearing") or _hearing_form(report),
            "withdraw_form": bound.get("withdraw") or forms.ReasonForm(prefix="withdraw"),
            "events": list(report.events.all()),
        },
        status=status,
    )


def _hearing_form(report: DecisionReport, data=None) -> forms.HearingLinkForm:
    return forms.HearingLinkForm(
        data,
        prefix="hearing",
        hearings=hearing_services.hearing_choices(compound_id=report.compound_id),
    )


@login_required
@require_GET
def decision_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_report(request, _get_report(request, pk))


@login_required
@require_POST
def decision_report_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """file / invite / hearing / proceed / withdraw (协同联动 第七条 and 小区党组织服务承诺 8
    gate on proceed)."""
    report = _get_report(request, pk)
    url = reverse("meetings:decision_report", args=[report.pk])
    if step == "file":
        return _simple_action(request, url, services.decision_report_file, report=report)
    steps = {
        "invite": (forms.InviteForm, services.decision_report_invite_intervention),
        "hearing": (forms.HearingLinkForm, hearing_services.decision_report_link_hearing),
        "proceed": (forms.NoteForm, services.decision_report_proceed),
        "withdraw": (forms.ReasonForm, services.decision_report_withdraw),
    }
    if step not in steps:
        raise Http404
    form_class, service = steps[step]
    form = (
        _hearing_form(report, request.POST)
        if step == "hearing"
        else form_class(request.POST, prefix=step)
    )
    if (
        form.is_valid()
        and _run(form, service, actor=request.user, report=report, **form.cleaned_data) is not None
    ):
        messages.success(request, gettext("Done."))
        return redirect(url)
    return _render_report(request, report, status=400, **{step: form})


@login_required
@require_POST
def decision_report_answer(request: HttpRequest, pk: int, recipient_pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    recipient = DecisionReportRecipient.objects.filter(pk=recipient_pk, report=report).first()
    if recipient is None:
        raise Http404
    form = forms.AnswerForm(request.POST, prefix=f"r{recipient.pk}")
    if form.is_valid() and _run(
        form,
        services.decision_report_acknowledge,
        actor=request.user,
        recipient=recipient,
        answer=form.cleaned_data["answer"],
    ):
        messages.success(request, gettext("Acknowledged."))
        return redirect(reverse("meetings:decision_report", args=[report.pk]))
    return _render_report(request, report, status=400, **{f"answer-{recipient.pk}": form})


@login_required
@require_POST
def intervention_respond(request: HttpRequest, pk: int, intervention_pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    intervention = EarlyIntervention.objects.filter(pk=intervention_pk, report=report).first()
    if intervention is None:
        raise Http404
    form = forms.InterventionResponseForm(request.POST, prefix=f"i{intervention.pk}")
    if form.is_valid() and _run(
        form,
        services.early_intervention_respond,
        actor=request.user,
        intervention=intervention,
        answer=form.cleaned_data["answer"],
        response=form.cleaned_data["response"],
    ):
        messages.success(request, gettext("Saved."))
        return redirect(reverse("meetings:decision_report", args=[report.pk]))
    return _render_report(request, report, status=400, **{f"respond-{intervention.pk}": form})


@login_required
@require_POST
def intervention_resolve(request: HttpRequest, pk: int, intervention_pk: int) -> HttpResponse:
    """The community party organization records how an objection was resolved (第七条)."""
    report = _get_report(request, pk)
    intervention = EarlyIntervention.objects.filter(pk=intervention_pk, report=report).first()
    if intervention is None:
        raise Http404
    form = forms.ResolutionRecordForm(request.POST, prefix=f"x{intervention.pk}")
    if form.is_valid() and _run(
        form,
        report_services.early_intervention_resolve,
        actor=request.user,
        intervention=intervention,
        resolution=form.cleaned_data["resolution"],
    ):
        messages.success(request, gettext("Saved."))
        return redirect(reverse("meetings:decision_report", args=[report.pk]))
    return _render_report(request, report, status=400, **{f"resolve-{intervention.pk}": form})
