"""Owners' assembly motions (业主大会议案): deliberation, review, the vote and its result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import acting_person as _person
from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Household

from .. import tally as tally_module
from ..models import (
    MotionVote,
    OwnersAssemblyMotion,
)
from ._common import (
    REASON_MAX,
    TITLE_MAX,
    Kind,
    MeetingStateError,
    _guard,
    _link,
    _lock,
    _motion_event,
    _orgs_of_kinds,
    _sync,
    _text,
    notify_organization,
)


def motion_propose(
    *, actor, compound: Compound, title: str, body: str, matter: str, working_group: str = ""
) -> OwnersAssemblyMotion:
    """工作小组提议 (seed: 协同联动 第二条, first step)."""
    person = _require(
        actor, "meetings.manage_motion", compound, gettext("Only PMC officers do this.")
    )
    if matter not in OwnersAssemblyMotion.Matter.values:
        raise ValidationError({"matter": [_("Choose the matter.")]}, code="invalid")
    title = _text(title, field_name="title", max_length=TITLE_MAX)
    body = _text(body, field_name="body")
    working_group = _text(working_group, field_name="working_group", max_length=100, required=False)
    with transaction.atomic():
        motion = OwnersAssemblyMotion.objects.create(
            compound=compound,
            title=title,
            body=body,
            matter=matter,
            proposed_by=person,
            working_group=working_group,
        )
        _motion_event(motion, actor=person, verb="propose", to_state=motion.stage)
    return motion


def motion_pmc_deliberate(
    *, actor, motion: OwnersAssemblyMotion, resolution: str
) -> OwnersAssemblyMotion:
    """物业管理委员会全体委员商议: record the PMC's deliberation (协同联动 第二条)."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    resolution = _text(resolution, field_name="resolution")
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.PMC_DELIBERATION)
        locked.pmc_resolution = resolution
        locked.stage = OwnersAssemblyMotion.Stage.PMC_DELIBERATION
        locked.save(update_fields=["pmc_resolution", "stage"])
        _motion_event(
            locked,
            actor=person,
            verb="pmc_deliberate",
            from_state=old,
            to_state=locked.stage,
            note=resolution,
        )
        for org in _orgs_of_kinds(locked.compound, [Kind.COMPOUND_PARTY, Kind.COMMUNITY_PARTY]):
            notify_organization(
                org,
                subject=gettext("Owners' assembly motion for party review: %(title)s")
                % {"title": locked.title},
                body=resolution,
                link=_link("meetings:motion", locked.pk),
            )
    return _sync(motion, locked)


def motion_party_review(
    *, actor, motion: OwnersAssemblyMotion, level: str, opinion: str, approve: bool = True
) -> OwnersAssemblyMotion:
    """小区及社区党组织审议: ``level`` is ``compound`` or ``community``. When both have
    approved, the motion is ready for the owners' vote; a refusal withdraws it."""
    if level not in ("compound", "community"):
        raise ValidationError({"level": [_("Choose compound or community.")]}, code="invalid")
    perm = f"meetings.review_motion_{level}"
    person = _require(actor, perm, motion, gettext("You may not review this motion."))
    opinion = _text(opinion, field_name="opinion")
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        if locked.stage != OwnersAssemblyMotion.Stage.PMC_DELIBERATION:
            raise MeetingStateError(
                _("The motion is not waiting for party review."), code="invalid_state"
            )
        now = timezone.now()
        setattr(locked, f"{level}_party_review", opinion)
        setattr(locked, f"{level}_party_reviewed_at", now)
        old = locked.stage
        if not approve:
            locked.stage = OwnersAssemblyMotion.Stage.WITHDRAWN
        elif locked.compound_party_reviewed_at and locked.community_party_reviewed_at:
            locked.stage = OwnersAssemblyMotion.Stage.PARTY_REVIEW
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb=f"review_{level}",
            from_state=old,
            to_state=locked.stage,
            note=opinion,
        )
    return _sync(motion, locked)


def compound_owner_totals(*, compound: Compound) -> tuple[Decimal, int]:
    """Total exclusive area and number of owners (households) of the compound."""
    agg = Household.objects.filter(building__compound=compound).aggregate(
        area=Sum("area"), n=Count("pk")
    )
    return (agg["area"] or Decimal("0"), agg["n"] or 0)


def motion_open_vote(
    *,
    actor,
    motion: OwnersAssemblyMotion,
    closes_at: dt.datetime,
    declared_total_area: Decimal | None = None,
    declared_total_owners: int | None = None,
) -> OwnersAssemblyMotion:
    """Open the owners' vote. Totals are snapshot from the household register; when
    the PMC declares totals (from the property register) they must match it —
    areas that do not add up are refused."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    now = timezone.now()
    if not isinstance(closes_at, dt.datetime) or closes_at <= now:
        raise ValidationError({"closes_at": [_("The vote must close in the future.")]})
    total_area, total_owners = compound_owner_totals(compound=motion.compound)
    errors = {}
    if total_owners == 0:
        errors["__all__"] = [ValidationError(_("The compound has no households on record."))]
    if declared_total_area is not None and Decimal(declared_total_area) != total_area:
        errors["declared_total_area"] = [
            ValidationError(
                _(
                    "The declared total area %(declared)s m² does not match "
                    "the register (%(actual)s m²)."
                ),
                params={"declared": declared_total_area, "actual": total_area},
                code="area_mismatch",
            )
        ]
    if declared_total_owners is not None and int(declared_total_owners) != total_owners:
        errors["declared_total_owners"] = [
            ValidationError(
                _(
                    "The declared number of owners %(declared)s does not match "
                    "the register (%(actual)s)."
                ),
                params={"declared": declared_total_owners, "actual": total_owners},
                code="owners_mismatch",
            )
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.VOTING)
        locked.stage = OwnersAssemblyMotion.Stage.VOTING
        locked.vote_opens_at = now
        locked.vote_closes_at = closes_at
        locked.total_area = total_area
        locked.total_owners = total_owners
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb="open_vote",
            from_state=old,
            to_state=locked.stage,
            note=f"{total_area} m² / {total_owners}",
        )
    return _sync(motion, locked)


def motion_vote_cast(
    *, actor, motion: OwnersAssemblyMotion, household: Household, choice: str
) -> MotionVote:
    """One vote per household of the compound, weighted by its area.

    The actor is a verified owner of the household, or a PMC officer / the office
    recording a paper ballot. Refuses households of other compounds and a second vote.
    """
    person = _person(actor)
    if person is None:
        raise PermissionDenied(gettext("Log in to vote."))
    if choice not in MotionVote.Choice.values:
        raise ValidationError({"choice": [_("Choose for, against or abstain.")]}, code="invalid")
    if household.building.compound_id != motion.compound_id:
        raise ValidationError(
            {"household": [_("This household is not in the compound.")]}, code="foreign_household"
        )
    is_owner = household.residencies.filter(
        person=person, status="verified", relation="owner"
    ).exists()
    is_clerk = person.has_perm("meetings.manage_motion", motion) or person.has_perm(
        "meetings.run_office", motion
    )
    if not (is_owner or is_clerk):
        raise PermissionDenied(gettext("Only an owner of this household can vote for it."))
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        now = timezone.now()
        if locked.stage != OwnersAssemblyMotion.Stage.VOTING or (
            locked.vote_closes_at and now > locked.vote_closes_at
        ):
            raise MeetingStateError(_("The vote is not open."), code="not_open")
        try:
            with transaction.atomic():
                vote = MotionVote.objects.create(
                    motion=locked,
                    household=household,
                    choice=choice,
                    area=household.area,
                    voter=person if is_owner else None,
                    recorded_by=person,
                )
        except IntegrityError:
            raise ValidationError(
                {"household": [_("This household has already voted.")]}, code="duplicate_vote"
            ) from None
        _motion_event(locked, actor=person, verb="vote", note=str(household))
    return vote


def motion_tally(*, motion: OwnersAssemblyMotion) -> tally_module.TallyResult:
    """Count the votes under Civil Code art. 278 (see ``meetings/tally.py``)."""
    votes = motion.votes.values_list("area", "choice")
    return tally_module.tally_votes(
        matter=motion.matter,
        votes=list(votes),
        total_area=motion.total_area or Decimal("0"),
        total_owners=motion.total_owners or 0,
    )


def motion_close_vote(
    *, actor, motion: OwnersAssemblyMotion, decision_text: str = ""
) -> OwnersAssemblyMotion:
    """Close the vote, store the tally and publish the decision (业主大会决议 公开)."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    decision_text = _text(decision_text, field_name="decision_text", required=False)
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.DECIDED)
        try:
            result = motion_tally(motion=locked)
        except tally_module.TallyInputError as exc:
            raise ValidationError(
                _("The votes do not add up: %(error)s") % {"error": exc}, code="bad_tally"
            ) from None
        locked.tally = result.as_dict()
        locked.passed = result.passed
        verdict = gettext("Passed") if result.passed else gettext("Not passed")
        locked.decision_text = decision_text or f"{verdict}. " + "；".join(result.reasons)
        locked.stage = OwnersAssemblyMotion.Stage.DECIDED
        now = timezone.now()
        locked.decided_at = now
        if locked.vote_closes_at is None or locked.vote_closes_at > now:
            locked.vote_closes_at = now
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb="decide",
            from_state=old,
            to_state=locked.stage,
            note=locked.decision_text,
        )
    return _sync(motion, locked)


def motion_publish_result(
    *, actor, motion: OwnersAssemblyMotion, result_text: str
) -> OwnersAssemblyMotion:
    """Publish the implementation result (实施结果予以公开, 协同联动 第二条)."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    result_text = _text(result_text, field_name="result_text")
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.RESULT_PUBLISHED)
        locked.result_text = result_text
        locked.result_published_at = timezone.now()
        locked.stage = OwnersAssemblyMotion.Stage.RESULT_PUBLISHED
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb="publish_result",
            from_state=old,
            to_state=locked.stage,
            note=result_text,
        )
    return _sync(motion, locked)


def motion_withdraw(*, actor, motion: OwnersAssemblyMotion, reason: str) -> OwnersAssemblyMotion:
    """Withdraw a motion before the vote, with a reason."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.WITHDRAWN)
        locked.stage = OwnersAssemblyMotion.Stage.WITHDRAWN
        locked.save(update_fields=["stage"])
        _motion_event(
            locked,
            actor=person,
            verb="withdraw",
            from_state=old,
            to_state=locked.stage,
            note=reason,
        )
    return _sync(motion, locked)
