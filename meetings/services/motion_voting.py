"""The owners' vote on a motion: opening it on a snapshot of the register, ballots cast by the
owners themselves online (one per exclusive unit, with a receipt number to check against the
published list) or on paper (entered by one clerk, confirmed by another), and extending it
with a reason and a notice to the owners.

seed: 协同联动解决小区事务流程 第二条 ("业主大会决议的程序"); 民法典 第二百七十八条;
司法解释 第九条 (one owner's units vote one way).
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import acting_person as _person
from huashan.core.services import require_perm as _require
from huashan.directory.models import Household, Residency
from huashan.notify.services import notify_persons

from ..models import MotionVote, OwnersAssemblyMotion
from ._common import (
    REASON_MAX,
    MeetingStateError,
    _guard,
    _link,
    _lock,
    _motion_event,
    _sync,
    _text,
)
from .owner_register import owner_register, owners_to_tell

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_receipt() -> str:
    """A receipt number the voter can read out and check (no 0/O, 1/I)."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _register_totals_checked(
    register: dict, declared_total_area, declared_total_owners
) -> tuple[Decimal, int]:
    """Total area and owners of the register snapshot; totals the PMC declares must match
    them, and a compound without households cannot vote. Raises every error at once."""
    total_area = sum((a for _k, a in register.values()), Decimal("0"))
    total_owners = len({k for k, _a in register.values()})
    errors = {}
    if not register:
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
    return total_area, total_owners


def _tell_owners_vote_open(motion: OwnersAssemblyMotion) -> None:
    notify_persons(
        persons=owners_to_tell(motion),
        subject=gettext("Owners' vote open until %(when)s: %(title)s")
        % {
            "when": timezone.localtime(motion.vote_closes_at).strftime("%Y-%m-%d %H:%M"),
            "title": motion.title,
        },
        body=motion.body[:500],
        link=_link("meetings:motion", motion.pk),
    )


def motion_open_vote(
    *,
    actor,
    motion: OwnersAssemblyMotion,
    closes_at: dt.datetime,
    declared_total_area: Decimal | None = None,
    declared_total_owners: int | None = None,
) -> OwnersAssemblyMotion:
    """Open the owners' vote. The register is snapshot (area, owners as 第九条 counts them,
    units); totals the PMC declares must match it. A matter that needs an advance decision
    report opens only once its gate is open (``decision_report_gate_problems``)."""
    from .decision_reports import motion_gate_problems

    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    now = timezone.now()
    if not isinstance(closes_at, dt.datetime) or closes_at <= now:
        raise ValidationError({"closes_at": [_("The vote must close in the future.")]})
    problems = motion_gate_problems(motion=motion)
    if problems:
        raise MeetingStateError("；".join(problems), code="gate_shut")
    register = owner_register(compound=motion.compound_id)
    total_area, total_owners = _register_totals_checked(
        register, declared_total_area, declared_total_owners
    )
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.VOTING)
        locked.stage = OwnersAssemblyMotion.Stage.VOTING
        locked.vote_opens_at = now
        locked.vote_closes_at = closes_at
        locked.total_area = total_area
        locked.total_owners = total_owners
        locked.total_units = len(register)
        locked.owner_keys = {str(pk): key for pk, (key, _a) in register.items()}
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb="open_vote",
            from_state=old,
            to_state=locked.stage,
            note=f"{total_area} m² / {total_owners} / {len(register)}",
        )
    _tell_owners_vote_open(locked)
    return _sync(motion, locked)


def _vote_checks(locked: OwnersAssemblyMotion, household: Household, choice: str) -> str:
    """Common refusals of a ballot; returns the unit's owner key."""
    if choice not in MotionVote.Choice.values:
        raise ValidationError({"choice": [_("Choose for, against or abstain.")]}, code="invalid")
    if household.building.compound_id != locked.compound_id:
        raise ValidationError(
            {
                "household": ValidationError(
                    _("This household is not in the compound."), code="foreign_household"
                )
            }
        )
    now = timezone.now()
    if locked.stage != OwnersAssemblyMotion.Stage.VOTING or (
        locked.vote_closes_at and now >= locked.vote_closes_at
    ):
        raise MeetingStateError(_("The vote is not open."), code="not_open")
    key = (locked.owner_keys or {}).get(str(household.pk)) or f"unit:{household.pk}"
    other = (
        MotionVote.objects.filter(motion=locked, owner_key=key)
        .exclude(choice=choice)
        .exclude(household=household)
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                "choice": ValidationError(
                    _(
                        "The same owner's units count as one owner (司法解释 第九条) and must "
                        "vote the same way: another unit of this owner voted “%(choice)s”."
                    )
                    % {"choice": other.get_choice_display()},
                    code="owner_split",
                )
            }
        )
    return key


def _create_vote(**fields) -> MotionVote:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return MotionVote.objects.create(receipt=_new_receipt(), **fields)
        except IntegrityError as exc:
            if "motion_vote_once" in str(exc):
                raise ValidationError(
                    {
                        "household": ValidationError(
                            _("This unit has already voted (online or on paper)."),
                            code="duplicate_vote",
                        )
                    }
                ) from None
    raise ValidationError(_("Please try again."), code="receipt")  # pragma: no cover


def motion_vote_cast(
    *, actor, motion: OwnersAssemblyMotion, household: Household, choice: str
) -> MotionVote:
    """An owner votes online for one exclusive unit they own: once, before the close, with a
    receipt number. Officers do not type online votes (paper ballots: :func:`motion_paper_enter`).
    Refuses a unit of another compound, a unit the person does not own, a second ballot and
    a ballot after the close."""
    person = _person(actor)
    if person is None:
        raise PermissionDenied(gettext("Log in to vote."))
    if not household.residencies.filter(
        person=person, status=Residency.Status.VERIFIED, relation=Residency.Relation.OWNER
    ).exists():
        raise PermissionDenied(gettext("Only a verified owner of this unit can vote for it."))
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        key = _vote_checks(locked, household, choice)
        now = timezone.now()
        vote = _create_vote(
            motion=locked,
            household=household,
            choice=choice,
            area=household.area,
            voter=person,
            recorded_by=person,
            channel=MotionVote.Channel.ONLINE,
            owner_key=key,
            confirmed_by=person,
            confirmed_at=now,
            cast_at=now,
        )
        _motion_event(locked, actor=person, verb="vote", note=vote.receipt)
    return vote


def motion_paper_enter(
    *, actor, motion: OwnersAssemblyMotion, household: Household, choice: str
) -> MotionVote:
    """A clerk enters a paper ballot; it counts once a second clerk confirms it (as the
    evaluation ballots are). A unit that already voted (online or paper) is refused."""
    person = _require(
        actor,
        "meetings.enter_paper_ballot",
        motion,
        gettext("Only PMC officers and the meeting office enter paper ballots."),
    )
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        key = _vote_checks(locked, household, choice)
        vote = _create_vote(
            motion=locked,
            household=household,
            choice=choice,
            area=household.area,
            voter=None,
            recorded_by=person,
            channel=MotionVote.Channel.PAPER,
            owner_key=key,
        )
        _motion_event(locked, actor=person, verb="paper_vote", note=f"{household} {vote.receipt}")
    return vote


def motion_paper_confirm(*, actor, vote: MotionVote) -> MotionVote:
    """A second clerk — not the one who entered it — confirms a paper ballot."""
    person = _require(
        actor,
        "meetings.enter_paper_ballot",
        vote.motion,
        gettext("Only PMC officers and the meeting office confirm paper ballots."),
    )
    with transaction.atomic():
        locked = _lock(MotionVote, vote.pk)
        if locked.channel != MotionVote.Channel.PAPER or locked.confirmed_at:
            raise MeetingStateError(
                _("This ballot does not wait for confirmation."), code="not_pending"
            )
        if locked.recorded_by_id == person.pk:
            raise PermissionDenied(
                gettext("A second person confirms the paper ballot, not the one who entered it.")
            )
        if locked.motion.stage != OwnersAssemblyMotion.Stage.VOTING:
            raise MeetingStateError(_("The vote is already counted."), code="counted")
        locked.confirmed_by, locked.confirmed_at = person, timezone.now()
        locked.save(update_fields=["confirmed_by", "confirmed_at"])
        _motion_event(locked.motion, actor=person, verb="confirm_paper", note=locked.receipt or "")
    return _sync(vote, locked)


def motion_extend_vote(
    *, actor, motion: OwnersAssemblyMotion, closes_at: dt.datetime, reason: str
) -> OwnersAssemblyMotion:
    """Extend the vote before it closes, with a reason; every owner is told."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        now = timezone.now()
        if locked.stage != OwnersAssemblyMotion.Stage.VOTING or now >= locked.vote_closes_at:
            raise MeetingStateError(_("The vote is not open."), code="not_open")
        if not isinstance(closes_at, dt.datetime) or closes_at <= locked.vote_closes_at:
            raise ValidationError(
                {"closes_at": [_("The new closing time must be later than the announced one.")]},
                code="not_later",
            )
        old_close = locked.vote_closes_at
        locked.vote_closes_at = closes_at
        locked.save(update_fields=["vote_closes_at"])
        when = timezone.localtime(closes_at).strftime("%Y-%m-%d %H:%M")
        _motion_event(
            locked,
            actor=person,
            verb="extend",
            note=f"{timezone.localtime(old_close):%Y-%m-%d %H:%M} → {when}: {reason}",
        )
    notify_persons(
        persons=owners_to_tell(locked),
        subject=gettext("The owners' vote is extended to %(when)s: %(title)s")
        % {"when": when, "title": locked.title},
        body=reason,
        link=_link("meetings:motion", locked.pk),
    )
    return _sync(motion, locked)
