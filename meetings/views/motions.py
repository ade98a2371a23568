"""Owners' assembly motions (业主大会议案): list and create, the motion page and its steps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.directory.models import Household

from .. import forms, selectors, services
from ..models import (
    OwnersAssemblyMotion,
)
from ._common import _require_staff, _run
from .decision_reports import _list_and_create


@login_required
@require_http_methods(["GET", "POST"])
def motion_list(request: HttpRequest) -> HttpResponse:
    return _list_and_create(
        request,
        perm="meetings.manage_motion",
        refusal=gettext("Only PMC officers do this."),
        form_class=forms.MotionForm,
        create=services.motion_propose,
        created_message=gettext("The motion is proposed."),
        detail_url="meetings:motion",
        template="meetings/motions.html",
        rows=("motions", selectors.motion_list),
        can_key="can_manage",
    )


def _get_motion(request: HttpRequest, pk: int) -> OwnersAssemblyMotion:
    motion = selectors.motion_detail(pk=pk)
    if motion is None:
        raise Http404(gettext("No such motion."))
    _require_staff(request, motion)
    return motion


def _households(motion: OwnersAssemblyMotion):
    return (
        Household.objects.filter(building__compound_id=motion.compound_id)
        .select_related("building")
        .order_by("building__number", "unit", "room")
    )


def _render_motion(request: HttpRequest, motion: OwnersAssemblyMotion, status=200, **bound):
    user = request.user
    votes = list(selectors.motion_votes(motion=motion))
    voted = {v.household_id for v in votes}
    tally = None
    if motion.stage in (
        OwnersAssemblyMotion.Stage.VOTING,
        OwnersAssemblyMotion.Stage.DECIDED,
        OwnersAssemblyMotion.Stage.RESULT_PUBLISHED,
    ):
        try:
            tally = services.motion_tally(motion=motion)
        except Exception:  # a tally that does not add up is shown as missing, not a 500
            tally = None
    return render(
        request,
        "meetings/motion.html",
        {
            "motion": motion,
            "stages": [
                s for s in OwnersAssemblyMotion.Stage if s != OwnersAssemblyMotion.Stage.WITHDRAWN
            ],
            "votes": votes,
            "tally": tally,
            "can_manage": user.has_perm("meetings.manage_motion", motion),
            "can_enter_votes": user.has_perm("meetings.manage_motion", motion)
            or user.has_perm("meetings.run_office", motion),
            "can_review_compound": user.has_perm("meetings.review_motion_compound", motion),
            "can_review_community": user.has_perm("meetings.review_motion_community", motion),
            "resolution_form": bound.get("deliberate") or forms.ResolutionForm(prefix="deliberate"),
            "review_form": bound.get("review") or forms.PartyReviewForm(prefix="review"),
            "open_form": bound.get("open") or forms.OpenVoteForm(prefix="open"),
            "vote_form": bound.get("vote")
            or forms.VoteForm(prefix="vote", households=_households(motion).exclude(pk__in=voted)),
            "close_form": bound.get("close") or forms.DecisionTextForm(prefix="close"),
            "result_form": bound.get("result") or forms.ResultForm(prefix="result"),
            "withdraw_form": bound.get("withdraw") or forms.ReasonForm(prefix="withdraw"),
            "events": list(motion.events.all()),
        },
        status=status,
    )


@login_required
@require_GET
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_motion(request, _get_motion(request, pk))


@login_required
@require_POST
def motion_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """deliberate / review / open / vote / close / result / withdraw (协同联动 第二条)."""
    motion = _get_motion(request, pk)
    steps: dict[str, tuple] = {
        "deliberate": (forms.ResolutionForm, services.motion_pmc_deliberate, {}),
        "review": (forms.PartyReviewForm, services.motion_party_review, {}),
        "open": (forms.OpenVoteForm, services.motion_open_vote, {}),
        "vote": (
            forms.VoteForm,
            services.motion_vote_cast,
            {"households": _households(motion)},
        ),
        "close": (forms.DecisionTextForm, services.motion_close_vote, {}),
        "result": (forms.ResultForm, services.motion_publish_result, {}),
        "withdraw": (forms.ReasonForm, services.motion_withdraw, {}),
    }
    if step not in steps:
        raise Http404
    form_class, service, extra = steps[step]
    form = form_class(request.POST, prefix=step, **extra)
    if (
        form.is_valid()
        and _run(form, service, actor=request.user, motion=motion, **form.cleaned_data) is not None
    ):
        messages.success(request, gettext("Saved."))
        return redirect(reverse("meetings:motion", args=[motion.pk]))
    motion = selectors.motion_detail(pk=motion.pk)
    return _render_motion(request, motion, status=400, **{step: form})
