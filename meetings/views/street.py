"""街道联席会议: the joint meeting's proposal to take a complaint to the street, the
community party organization's request (or refusal), the street joint meeting and its
outcome (seed: 协同联动 第四条).

One staff page per compound lists the referrals with the step each awaits; each step is a
small form shown only to whoever may take it (the service checks again).
"""

from __future__ import annotations

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from huashan.directory.models import Organization
from issues.models import Issue

from ..models import Meeting
from ..models.meetings import StreetReferral
from ..services.meetings import (
    PROPOSAL_MAX,
    street_joint_meeting_convene,
    street_referral_conclude,
    street_referral_propose,
    street_referral_request,
)
from ..services.street_referrals import (
    STREET_WHISTLE_DEFAULT_KINDS,
    street_whistle_organizations,
)
from ._common import _compound, _require_staff, _run

REFERRALS_SHOWN = 50


class ProposeForm(djforms.Form):
    meeting = djforms.ModelChoiceField(
        label=_("joint meeting that studied it"), queryset=Meeting.objects.none()
    )
    tracking_number = djforms.CharField(label=_("Complaint number"), max_length=32)
    proposal = djforms.CharField(
        label=_("the joint meeting's proposal"),
        max_length=PROPOSAL_MAX,
        widget=djforms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings


class RequestForm(djforms.Form):
    organizations = djforms.ModelMultipleChoiceField(
        label=_("Summon (街道吹哨、部门报到)"),
        queryset=Organization.objects.none(),
        required=False,
        widget=djforms.CheckboxSelectMultiple,
        help_text=_(
            "Asking the street blows the street whistle on the complaint: each body ticked "
            "must report in. None ticked: the street office and the street property committee."
        ),
        error_messages={"invalid_choice": _("Choose among the listed organizations.")},
    )
    request_text = djforms.CharField(
        label=_("the community party organization's request"),
        required=False,
        max_length=PROPOSAL_MAX,
        widget=djforms.Textarea(attrs={"rows": 2}),
    )
    decline_reason = djforms.CharField(
        label=_("why it is not taken to the street"),
        required=False,
        max_length=2000,
        widget=djforms.Textarea(attrs={"rows": 2}),
        help_text=_("Fill this in only to decline; leave it empty to ask the street."),
    )

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        organizations = list(organizations)
        self.fields["organizations"].queryset = Organization.objects.filter(
            pk__in=[o.pk for o in organizations]
        ).order_by("kind", "name", "pk")
        if not self.is_bound:
            self.initial.setdefault(
                "organizations",
                [o.pk for o in organizations if o.kind in STREET_WHISTLE_DEFAULT_KINDS],
            )


class ConveneForm(djforms.Form):
    title = djforms.CharField(label=_("title"), max_length=200)
    start = djforms.DateTimeField(
        label=_("starts at"), widget=djforms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = djforms.DateTimeField(
        label=_("ends at"), widget=djforms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = djforms.CharField(label=_("place"), max_length=200)


class OutcomeForm(djforms.Form):
    outcome = djforms.CharField(
        label=_("outcome of the street joint meeting"),
        max_length=PROPOSAL_MAX,
        widget=djforms.Textarea(attrs={"rows": 3}),
    )


def _held_joint_meetings(compound):
    return Meeting.objects.filter(
        compound=compound,
        kind=Meeting.Kind.JOINT,
        status__in=(Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED, Meeting.Status.CLOSED),
    ).order_by("-start")[:24]


def _url(compound) -> str:
    return f"{reverse('meetings:street_referrals')}?compound={compound.slug}"


def _page(request, compound, *, bound=None, status=200):
    bound = bound or {}
    user = request.user
    referrals = list(
        StreetReferral.objects.filter(compound=compound)
        .select_related("issue", "joint_meeting", "street_meeting", "street_whistle")
        .prefetch_related("street_whistle__summonses__organization")
        .order_by("-proposed_at", "-pk")[:REFERRALS_SHOWN]
    )
    street_bodies = street_whistle_organizations(compound)
    for r in referrals:
        r.request_form = bound.get(("request", r.pk)) or RequestForm(
            prefix=f"req-{r.pk}", organizations=street_bodies
        )
        r.convene_form = bound.get(("convene", r.pk)) or ConveneForm(prefix=f"conv-{r.pk}")
        r.outcome_form = bound.get(("outcome", r.pk)) or OutcomeForm(prefix=f"out-{r.pk}")
    meetings = _held_joint_meetings(compound)
    return render(
        request,
        "meetings/street_referrals.html",
        {
            "compound": compound,
            "referrals": referrals,
            "can_propose": user.has_perm("meetings.run_office", compound),
            "can_request": user.has_perm("meetings.refer_to_street", compound),
            "can_convene": user.has_perm("meetings.convene_street", compound),
            "propose_form": bound.get("propose")
            or ProposeForm(
                prefix="propose", meetings=Meeting.objects.filter(pk__in=[m.pk for m in meetings])
            ),
        },
        status=status,
    )


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """GET: the referrals; POST: record the joint meeting's proposal."""
    compound = _compound(request)
    _require_staff(request, compound)
    if request.method != "POST":
        return _page(request, compound)
    meetings = Meeting.objects.filter(pk__in=[m.pk for m in _held_joint_meetings(compound)])
    form = ProposeForm(request.POST, prefix="propose", meetings=meetings)
    if form.is_valid():
        issue = Issue.objects.filter(
            compound=compound, tracking_number=form.cleaned_data["tracking_number"].strip()
        ).first()
        if issue is None:
            form.add_error(
                "tracking_number", gettext("No complaint of this compound has this number.")
            )
        elif _run(
            form,
            street_referral_propose,
            actor=request.user,
            meeting=form.cleaned_data["meeting"],
            issue=issue,
            proposal=form.cleaned_data["proposal"],
        ):
            messages.success(
                request, gettext("The proposal is sent to the community party organization.")
            )
            return redirect(_url(compound))
    return _page(request, compound, bound={"propose": form}, status=400)


def _referral(request, pk) -> StreetReferral:
    referral = StreetReferral.objects.select_related("compound", "issue").filter(pk=pk).first()
    if referral is None:
        raise Http404(gettext("No such referral."))
    _require_staff(request, referral.compound)
    return referral


@login_required
@require_POST
def referral_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """``request`` (the community party organization), ``convene`` and ``conclude``
    (the street)."""
    referral = _referral(request, pk)
    compound = referral.compound
    if step == "request":
        form = RequestForm(
            request.POST,
            prefix=f"req-{pk}",
            organizations=street_whistle_organizations(compound),
        )
        ok = form.is_valid() and _run(
            form,
            street_referral_request,
            actor=request.user,
            referral=referral,
            request_text=form.cleaned_data["request_text"],
            decline_reason=form.cleaned_data["decline_reason"],
            organizations=list(form.cleaned_data["organizations"]),
        )
    elif step == "convene":
        form = ConveneForm(request.POST, prefix=f"conv-{pk}")
        ok = form.is_valid() and _run(
            form,
            street_joint_meeting_convene,
            actor=request.user,
            referral=referral,
            title=form.cleaned_data["title"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            place=form.cleaned_data["place"],
        )
    elif step == "conclude":
        form = OutcomeForm(request.POST, prefix=f"out-{pk}")
        ok = form.is_valid() and _run(
            form,
            street_referral_conclude,
            actor=request.user,
            referral=referral,
            outcome=form.cleaned_data["outcome"],
        )
    else:
        raise Http404
    if ok:
        messages.success(request, gettext("Saved."))
        return redirect(f"{_url(compound)}#referral-{pk}")
    key = {"request": "request", "convene": "convene", "conclude": "outcome"}[step]
    return _page(request, compound, bound={(key, pk): form}, status=400)
