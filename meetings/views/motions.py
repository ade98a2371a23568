"""Owners' assembly motions (业主大会议案): list and create, the motion page and its steps.

Owners (verified residency as 产权人) see their compound's motions once the vote opens,
the matter, the threshold in words, and vote online for each exclusive unit they own; staff
run the stages, enter paper ballots (a second person confirms) and may extend the vote.

seed: 协同联动 第二条; 物业管理委员会服务承诺 第6条; 民法典 第二百七十八条; 司法解释 第九条.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.directory.models import Household, mask_name

from .. import forms, selectors, services, tally
from ..models import DecisionReport, MotionVote, OwnersAssemblyMotion
from ..services import decision_reports as report_services
from ..services import hearings, motion_drafting, motion_results, motion_voting, owner_register
from ._common import _compound, _run
from .decision_reports import _list_and_create

#: What owners see of a motion: from the opening of the vote on.
PUBLIC_STAGES = (
    OwnersAssemblyMotion.Stage.VOTING,
    OwnersAssemblyMotion.Stage.DECIDED,
    OwnersAssemblyMotion.Stage.RESULT_PUBLISHED,
)


@login_required
@require_http_methods(["GET", "POST"])
def motion_list(request: HttpRequest) -> HttpResponse:
    compound = _compound(request)
    user = request.user
    if not user.has_perm("meetings.view_meeting", compound) and user.has_perm(
        "meetings.view_motion", compound
    ):
        if request.method == "POST":
            raise PermissionDenied(gettext("Only PMC officers do this."))
        return render(
            request,
            "meetings/motions.html",
            {
                "compound": compound,
                "motions": selectors.motion_list(compound=compound).filter(stage__in=PUBLIC_STAGES)[
                    :200
                ],
                "owner_view": True,
            },
        )
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
    user = request.user
    if not user.has_perm("meetings.view_motion", motion):
        raise PermissionDenied(
            gettext("This page is for the owners and the staff of the compound.")
        )
    if not user.has_perm("meetings.view_meeting", motion) and motion.stage not in PUBLIC_STAGES:
        raise PermissionDenied(gettext("The motion is not yet put to the owners' vote."))
    return motion


def _households(motion: OwnersAssemblyMotion):
    return (
        Household.objects.filter(building__compound_id=motion.compound_id)
        .select_related("building")
        .order_by("building__sort_key", "unit", "room")
    )


def _reports(motion: OwnersAssemblyMotion):
    return DecisionReport.objects.filter(compound_id=motion.compound_id).exclude(
        status=DecisionReport.Status.WITHDRAWN
    )


PRE_VOTE_STAGES = (
    OwnersAssemblyMotion.Stage.PROPOSAL,
    OwnersAssemblyMotion.Stage.PMC_DELIBERATION,
    OwnersAssemblyMotion.Stage.PARTY_REVIEW,
)


def _hearings(motion: OwnersAssemblyMotion):
    return hearings.hearing_choices(compound_id=motion.compound_id)


def _tally(motion: OwnersAssemblyMotion):
    if motion.stage not in PUBLIC_STAGES:
        return None
    try:
        return services.motion_tally(motion=motion)
    except Exception:  # a tally that does not add up is shown as missing, not a 500
        return None


def _owner_ballots(user, motion: OwnersAssemblyMotion, bound: dict) -> list[dict]:
    """One row per exclusive unit the user owns: its ballot if cast, else a ballot form."""
    my_units = owner_register.owned_units(person=user, motion=motion)
    my_votes = {
        v.household_id: v for v in MotionVote.objects.filter(motion=motion, household__in=my_units)
    }
    ballots = []
    for unit in my_units:
        vote = my_votes.get(unit.pk)
        form = None
        if vote is None:
            form = bound.get(f"ballot-{unit.pk}") or forms.OwnerBallotForm(
                prefix=f"u{unit.pk}",
                initial={"household": unit.pk},
                households=Household.objects.filter(pk=unit.pk),
            )
        ballots.append({"unit": unit, "vote": vote, "form": form})
    return ballots


def _receipt_check(request: HttpRequest, motion: OwnersAssemblyMotion) -> dict:
    """The published receipt numbers of a decided vote, and the answer to "was my ballot
    counted?" for the number typed in (``False`` when it is not on the list)."""
    decided = motion.stage in (
        OwnersAssemblyMotion.Stage.DECIDED,
        OwnersAssemblyMotion.Stage.RESULT_PUBLISHED,
    )
    receipts = []
    if decided:
        receipts = list(
            motion_results.counted_votes(motion)
            .order_by("receipt")
            .values_list("receipt", "choice")
        )
    receipt_query = str(request.GET.get("receipt", ""))[:20].strip().upper()
    receipt_found = None
    if decided and receipt_query:
        receipt_found = next(
            (MotionVote.Choice(c).label for r, c in receipts if r == receipt_query), False
        )
    return {
        "receipts": [(r, MotionVote.Choice(c).label) for r, c in receipts],
        "receipt_query": receipt_query,
        "receipt_found": receipt_found,
    }


def _step_forms(motion: OwnersAssemblyMotion, bound: dict, *, can_enter: bool, voted: set) -> dict:
    """The form of every staff step, bound (with its errors) when that step was just posted."""
    return {
        "resolution_form": bound.get("deliberate") or forms.ResolutionForm(prefix="deliberate"),
        "review_form": bound.get("review") or forms.PartyReviewForm(prefix="review"),
        "open_form": bound.get("open") or forms.OpenVoteForm(prefix="open"),
        "link_form": bound.get("link")
        or forms.LinkReportForm(prefix="link", reports=_reports(motion)),
        "hearing_form": bound.get("hearing")
        or forms.HearingLinkForm(prefix="hearing", hearings=_hearings(motion)),
        "vote_form": bound.get("paper")
        or (
            forms.VoteForm(prefix="paper", households=_households(motion).exclude(pk__in=voted))
            if can_enter and motion.stage == OwnersAssemblyMotion.Stage.VOTING
            else None
        ),
        "extend_form": bound.get("extend") or forms.ExtendVoteForm(prefix="extend"),
        "close_form": bound.get("close") or forms.DecisionTextForm(prefix="close"),
        "result_form": bound.get("result") or forms.ResultForm(prefix="result"),
        "withdraw_form": bound.get("withdraw") or forms.ReasonForm(prefix="withdraw"),
    }


def _render_motion(request: HttpRequest, motion: OwnersAssemblyMotion, status=200, **bound):
    user = request.user
    is_staff = user.has_perm("meetings.view_meeting", motion)
    votes = (
        list(selectors.motion_votes(motion=motion).select_related("recorded_by", "confirmed_by"))
        if is_staff
        else []
    )
    ballots = _owner_ballots(user, motion, bound)
    receipt_check = _receipt_check(request, motion)
    can_enter = user.has_perm("meetings.enter_paper_ballot", motion)
    return render(
        request,
        "meetings/motion.html",
        {
            "motion": motion,
            "stages": [
                s for s in OwnersAssemblyMotion.Stage if s != OwnersAssemblyMotion.Stage.WITHDRAWN
            ],
            "is_staff": is_staff,
            "votes": votes,
            "pending": [v for v in votes if v.confirmed_at is None],
            "ballots": ballots,
            **receipt_check,
            "tally": _tally(motion),
            "threshold_words": tally.threshold_in_words(motion.matter),
            "gate_problems": report_services.motion_gate_problems(motion=motion)
            if is_staff and motion.stage not in PUBLIC_STAGES
            else [],
            "can_manage": user.has_perm("meetings.manage_motion", motion),
            "can_link_hearing": motion.stage in PRE_VOTE_STAGES
            and user.has_perm("meetings.manage_motion", motion),
            "can_enter_votes": can_enter,
            "can_review_compound": user.has_perm("meetings.review_motion_compound", motion),
            "can_review_community": user.has_perm("meetings.review_motion_community", motion),
            **_step_forms(
                motion, bound, can_enter=can_enter, voted={v.household_id for v in votes}
            ),
            "events": list(motion.events.all()) if is_staff else [],
        },
        status=status,
    )


@login_required
@require_GET
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_motion(request, _get_motion(request, pk))


def _ballot(request: HttpRequest, motion: OwnersAssemblyMotion) -> HttpResponse:
    """An owner's online ballot for one unit (form prefix ``u<household pk>``)."""
    units = owner_register.owned_units(person=request.user, motion=motion)
    raw = str(request.POST.get("unit", ""))
    unit = next((u for u in units if str(u.pk) == raw), None)
    if unit is None:
        raise PermissionDenied(gettext("You can vote only for a unit of this compound you own."))
    form = forms.OwnerBallotForm(
        request.POST,
        prefix=f"u{unit.pk}",
        households=Household.objects.filter(pk=unit.pk).select_related("building"),
    )
    if form.is_valid():
        vote = _run(
            form,
            services.motion_vote_cast,
            actor=request.user,
            motion=motion,
            household=form.cleaned_data["household"],
            choice=form.cleaned_data["choice"],
        )
        if vote is not None:
            messages.success(
                request,
                gettext("Your vote for %(unit)s is recorded. Receipt number: %(receipt)s")
                % {"unit": unit, "receipt": vote.receipt},
            )
            return redirect(reverse("meetings:motion", args=[motion.pk]) + "#my-ballots")
    motion = selectors.motion_detail(pk=motion.pk)
    return _render_motion(request, motion, status=400, **{f"ballot-{unit.pk}": form})


@login_required
@require_POST
def motion_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """vote (the owner, online) / deliberate / review / link / hearing / open / paper / confirm /
    extend / close / result / withdraw (协同联动 第二条)."""
    motion = _get_motion(request, pk)
    if step == "vote":
        return _ballot(request, motion)
    if step == "confirm":
        raw = str(request.POST.get("vote", ""))
        vote = (
            MotionVote.objects.filter(motion=motion, pk=int(raw)).first()
            if raw.isdigit() and len(raw) < 12
            else None
        )
        if vote is None:
            raise Http404
        try:
            motion_voting.motion_paper_confirm(actor=request.user, vote=vote)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, gettext("The paper ballot is confirmed."))
        return redirect(reverse("meetings:motion", args=[motion.pk]) + "#paper")
    steps: dict[str, tuple] = {
        "deliberate": (forms.ResolutionForm, services.motion_pmc_deliberate, {}),
        "review": (forms.PartyReviewForm, services.motion_party_review, {}),
        "link": (
            forms.LinkReportForm,
            motion_drafting.motion_link_report,
            {"reports": _reports(motion)},
        ),
        "hearing": (
            forms.HearingLinkForm,
            hearings.motion_link_hearing,
            {"hearings": _hearings(motion)},
        ),
        "open": (forms.OpenVoteForm, services.motion_open_vote, {}),
        "paper": (
            forms.VoteForm,
            motion_voting.motion_paper_enter,
            {"households": _households(motion)},
        ),
        "extend": (forms.ExtendVoteForm, motion_voting.motion_extend_vote, {}),
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


@login_required
@require_http_methods(["GET", "POST"])
def unit_register(request: HttpRequest) -> HttpResponse:
    """The register of exclusive units (司法解释 第九条): who owns each unit, developer stock;
    the totals an owners' vote opens with. PMC officers and the meeting office keep it."""
    compound = _compound(request)
    user = request.user
    if not user.has_perm("meetings.view_meeting", compound):
        raise PermissionDenied(gettext("This page is for the staff of the compound's bodies."))
    can_edit = user.has_perm("meetings.enter_paper_ballot", compound)
    units = (
        Household.objects.filter(building__compound=compound)
        .select_related("building", "ownership__owner")
        .order_by("building__sort_key", "unit", "room")
    )
    form = forms.UnitOwnershipForm(request.POST or None, prefix="unit", households=units)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(
                gettext("Only PMC officers and the meeting office keep the register.")
            )
        if form.is_valid():
            data = form.cleaned_data
            line = _run(
                form,
                owner_register.register_set_unit,
                actor=user,
                household=data["household"],
                owner=data["owner"],
                holder_name=data["holder_name"],
                holder_ref=data["holder_ref"],
                developer_stock=data["developer_stock"],
            )
            if line is not None:
                messages.success(request, gettext("Saved."))
                return redirect(reverse("meetings:unit_register") + f"?compound={compound.slug}")
        status = 400
    register = owner_register.owner_register(compound=compound)
    area = sum((a for _k, a in register.values()), Decimal("0"))
    owners = len({k for k, _a in register.values()})
    from django.core.paginator import Paginator

    page = Paginator(units, 100).get_page(request.GET.get("page"))
    from huashan.directory.models import Person

    keys = {u.pk: register.get(u.pk, ("", None))[0] for u in page.object_list}
    person_pks = [int(k.split(":", 1)[1]) for k in keys.values() if k.startswith("person:")]
    names = dict(Person.objects.filter(pk__in=person_pks).values_list("pk", "name"))
    rows = []
    for u in page.object_list:
        key = keys[u.pk]
        if key == "developer":
            label = gettext("The developer (all its unsold or undelivered units count as one)")
        elif key.startswith("person:"):
            label = mask_name(names.get(int(key.split(":", 1)[1]), ""))
        elif key.startswith("ref:"):
            line = getattr(u, "ownership", None)
            label = (line.holder_name if line else "") or key.split(":", 1)[1]
        else:
            label = gettext("Counted as an owner of its own")
        rows.append({"unit": u, "label": label})
    return render(
        request,
        "meetings/motion_register.html",
        {
            "compound": compound,
            "rows": rows,
            "page": page,
            "totals": {"area": area, "owners": owners, "units": len(register)},
            "form": form if can_edit else None,
        },
        status=status,
    )
