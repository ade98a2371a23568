"""The owners' hearing (业主代表听证会) a public matter needs before it proceeds.

seed: 小区党组织服务承诺 8 公共事务共决策 "涉及绿化改造、停车规划等事项时，牵头组织业主代表听证会，
确保方案符合多数业主利益。"

A decision report or an owners' motion flagged with a :class:`HearingSubject` (greenery
renovation, parking planning, another public matter) may not proceed, and its vote may not
open, until a work hearing (工作听证会) of the same compound is linked to it and has been held
with owner representatives invited (its members) and, when attendance was recorded, present.
The gate is :func:`hearing_gate_problems`; ``decision_reports`` asks it on proceeding and on
opening a vote.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.directory.models import Membership

from ..models import (
    Attendance,
    DecisionReport,
    HearingSubject,
    Meeting,
    OwnersAssemblyMotion,
)
from ._common import MeetingStateError, _localdate, _lock, _report_event, _sync

HEARING_KIND = Meeting.Kind.WORK_HEARING
HELD_STATES = frozenset(
    {Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED, Meeting.Status.CLOSED}
)
#: Attendance that counts as an owner representative being there.
PRESENT_STATES = (Attendance.Status.PRESENT, Attendance.Status.DELEGATE)


def hearing_subject_checked(value) -> str:
    """The subject flag as stored ("" when the matter needs no hearing)."""
    value = "" if value is None else str(value)
    if value not in HearingSubject.values:
        raise ValidationError(
            {"hearing_subject": [_("Choose whether the matter needs an owners' hearing.")]},
            code="invalid",
        )
    return value


def hearing_choices(*, compound_id: int):
    """Work hearings of the compound that may be linked (not cancelled), latest first."""
    return (
        Meeting.objects.filter(compound_id=compound_id, kind=HEARING_KIND)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("-start", "-pk")
    )


def _owner_representatives(hearing: Meeting):
    return Membership.objects.current(_localdate(hearing.start)).filter(
        role=Membership.Role.OWNER_REPRESENTATIVE
    )


def _unfit_for(hearing: Meeting, compound_id: int) -> str:
    """Why ``hearing`` cannot be the owners' hearing of a matter of ``compound_id`` ("": it can)."""
    if hearing.compound_id != compound_id:
        return gettext("The hearing is of another compound.")
    if hearing.kind != HEARING_KIND or hearing.status == Meeting.Status.CANCELLED:
        return gettext(
            "Choose a work hearing (工作听证会) of this compound that was not cancelled."
        )
    reps = _owner_representatives(hearing).values("person_id")
    if not hearing.members.filter(person_id__in=reps).exists():
        return gettext(
            "No owner representative is invited to the hearing “%(title)s”: add owner "
            "representatives (业主代表) to its participants."
        ) % {"title": hearing.title}
    return ""


def hearing_gate_problems(*, item: DecisionReport | OwnersAssemblyMotion) -> list[str]:
    """Why a flagged matter may not proceed or go to the vote yet (empty: it may)."""
    if not item.hearing_subject:
        return []
    subject = HearingSubject(item.hearing_subject).label
    hearing = Meeting.objects.filter(pk=item.hearing_id).first() if item.hearing_id else None
    if hearing is None:
        return [
            gettext(
                "“%(subject)s” needs a hearing of owner representatives first (小区党组织服务"
                "承诺 8 公共事务共决策): hold a work hearing (工作听证会) of the compound with "
                "owner representatives invited, then link it here."
            )
            % {"subject": subject}
        ]
    unfit = _unfit_for(hearing, item.compound_id)
    if unfit:
        return [unfit]
    if hearing.status not in HELD_STATES:
        return [
            gettext(
                "The linked hearing “%(title)s” has not been held yet: the matter may go on "
                "once the hearing is marked as held."
            )
            % {"title": hearing.title}
        ]
    attendances = hearing.attendances.all()
    if (
        attendances.exists()
        and not attendances.filter(
            person_id__in=_owner_representatives(hearing).values("person_id"),
            status__in=PRESENT_STATES,
        ).exists()
    ):
        return [
            gettext(
                "No owner representative attended the hearing “%(title)s”: hold the hearing "
                "again with owner representatives and link that one."
            )
            % {"title": hearing.title}
        ]
    return []


def _check_hearing(hearing, compound_id: int) -> Meeting:
    if not isinstance(hearing, Meeting):
        raise ValidationError({"hearing": [_("Choose a hearing.")]}, code="required")
    unfit = _unfit_for(hearing, compound_id)
    if unfit:
        raise ValidationError({"hearing": [unfit]}, code="unfit_hearing")
    return hearing


def decision_report_link_hearing(
    *, actor, report: DecisionReport, hearing: Meeting
) -> DecisionReport:
    """Link the owners' hearing of a greenery, parking or other public matter (承诺 8)."""
    person = _require(
        actor, "meetings.file_decision_report", report, gettext("Only PMC officers do this.")
    )
    _check_hearing(hearing, report.compound_id)
    with transaction.atomic():
        locked = _lock(DecisionReport, report.pk)
        if locked.status not in (DecisionReport.Status.DRAFT, DecisionReport.Status.FILED):
            raise MeetingStateError(_("The report is closed."), code="invalid_state")
        locked.hearing = hearing
        locked.save(update_fields=["hearing"])
        _report_event(locked, actor=person, verb="link_hearing", note=str(hearing))
    return _sync(report, locked)


def motion_link_hearing(
    *, actor, motion: OwnersAssemblyMotion, hearing: Meeting
) -> OwnersAssemblyMotion:
    """Link the owners' hearing of the motion's public matter before the vote (承诺 8)."""
    from .motion_drafting import motion_link  # motion_drafting imports this module

    return motion_link(
        actor=actor,
        motion=motion,
        field="hearing",
        value=hearing,
        verb="link_hearing",
        check=lambda: _check_hearing(hearing, motion.compound_id),
    )
