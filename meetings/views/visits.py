"""上门走访: home visits of the three parties and the opinions heard there, disposed of
like a forum's (seed: 协同联动 第六条 "…服务评议会、上门走访等多种方式，畅通沟通渠道").

One staff page per compound: record a visit, record what the residents said, and say what
became of each opinion. Only ``meetings.run_forum`` changes anything; staff of the compound
read it. Reads are flat: three queries for the visits, their bodies and their opinions.
"""

from __future__ import annotations

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from huashan.directory.models import Organization
from huashan.directory.selectors import compound_organizations

from .. import forms, services
from ..models import ForumOpinion
from ..models.forums import HomeVisit
from ..services.forums import VISIT_BODY_KINDS, home_visit_opinion_record, home_visit_record
from ._common import _compound, _error_message, _require_staff, _run

VISITS_SHOWN = 30


class HomeVisitForm(djforms.Form):
    visited_on = djforms.DateField(
        label=_("date of the visit"),
        widget=djforms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    visitors = djforms.CharField(label=_("who visited"), max_length=200)
    organizations = djforms.ModelMultipleChoiceField(
        label=_("bodies taking part"),
        queryset=Organization.objects.none(),
        widget=djforms.CheckboxSelectMultiple,
    )
    purpose = djforms.CharField(
        label=_("purpose of the visit"),
        max_length=2000,
        widget=djforms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bodies is not None:
            self.fields["organizations"].queryset = bodies


def _bodies(compound):
    return (
        compound_organizations(compound=compound)
        .filter(kind__in=VISIT_BODY_KINDS)
        .order_by("kind", "pk")
    )


def _url(compound) -> str:
    return f"{reverse('meetings:visits')}?compound={compound.slug}"


def _page(request, compound, *, visit_form=None, opinion_forms=None, status=200):
    visits = list(
        HomeVisit.objects.filter(compound=compound)
        .select_related("household__building", "recorded_by")
        .prefetch_related(
            "organizations",
            Prefetch(
                "opinions",
                queryset=ForumOpinion.objects.select_related("issue", "topic").order_by(
                    "created_at", "pk"
                ),
            ),
        )
        .order_by("-visited_on", "-pk")[:VISITS_SHOWN]
    )
    opinion_forms = opinion_forms or {}
    for visit in visits:
        visit.opinion_form = opinion_forms.get(visit.pk) or forms.OpinionForm(
            prefix=f"opinion-{visit.pk}"
        )
    can_record = request.user.has_perm("meetings.run_forum", compound)
    disposition_form = forms.DispositionForm(prefix="dispose")
    return render(
        request,
        "meetings/visits.html",
        {
            "compound": compound,
            "visits": visits,
            "can_record": can_record,
            "visit_form": visit_form or HomeVisitForm(prefix="visit", bodies=_bodies(compound)),
            "disposition_form": disposition_form,
        },
        status=status,
    )


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    """GET: the visits; POST: record a visit."""
    compound = _compound(request)
    _require_staff(request, compound)
    if request.method != "POST":
        return _page(request, compound)
    if not request.user.has_perm("meetings.run_forum", compound):
        raise PermissionDenied(gettext("You may not record home visits."))
    form = HomeVisitForm(request.POST, prefix="visit", bodies=_bodies(compound))
    if form.is_valid() and _run(
        form,
        home_visit_record,
        actor=request.user,
        compound=compound,
        visited_on=form.cleaned_data["visited_on"],
        visitors=form.cleaned_data["visitors"],
        purpose=form.cleaned_data["purpose"],
        organizations=list(form.cleaned_data["organizations"]),
    ):
        messages.success(request, gettext("The home visit is recorded."))
        return redirect(_url(compound))
    return _page(request, compound, visit_form=form, status=400)


def _visit(request, pk):
    visit = HomeVisit.objects.select_related("compound").filter(pk=pk).first()
    if visit is None:
        raise Http404(gettext("No such home visit."))
    _require_staff(request, visit.compound)
    return visit


@login_required
@require_POST
def visit_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    form = forms.OpinionForm(request.POST, prefix=f"opinion-{visit.pk}")
    if form.is_valid() and _run(
        form,
        home_visit_opinion_record,
        actor=request.user,
        visit=visit,
        raised_by_name=form.cleaned_data["raised_by_name"],
        content=form.cleaned_data["content"],
    ):
        messages.success(request, gettext("The opinion is recorded."))
        return redirect(f"{_url(visit.compound)}#visit-{visit.pk}")
    return _page(request, visit.compound, opinion_forms={visit.pk: form}, status=400)


@login_required
@require_POST
def visit_opinion_dispose(request: HttpRequest, pk: int, opinion_pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    opinion = ForumOpinion.objects.filter(pk=opinion_pk, visit=visit).first()
    if opinion is None:
        raise Http404
    back = f"{_url(visit.compound)}#visit-{visit.pk}"
    form = forms.DispositionForm(request.POST, prefix="dispose")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        services.forum_opinion_dispose(actor=request.user, opinion=opinion, **form.cleaned_data)
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, gettext("Saved."))
    return redirect(back)
