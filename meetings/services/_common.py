"""Limits, recipient kinds, errors and the private helpers every meetings service uses."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.services import acting_person as _person
from huashan.core.state import clean_text, guard, lock, record_event, sync
from huashan.directory.models import Compound, Membership, Organization, Person
from huashan.directory.selectors import compound_organizations, organization_recipients
from huashan.notify.services import notify_organization as _notify_organization
from huashan.notify.services import notify_person

from ..models import (
    ActionItem,
    ActionItemEvent,
    AgendaTopicEvent,
    DecisionReportEvent,
    Meeting,
    MeetingEvent,
    MotionEvent,
    Summary,
)

logger = logging.getLogger("meetings.services")

Kind = Organization.Kind
Role = Membership.Role
MKind = Meeting.Kind
MStatus = Meeting.Status

TEXT_MAX = 20000
TITLE_MAX = 200
REASON_MAX = 2000
#: A meeting may not last longer than this.
MAX_MEETING_HOURS = 12
#: A meeting held earlier may be recorded (补录) up to this many days after it started.
RECORD_PAST_MAX_DAYS = 366
#: Days before ``due_at`` when the owner of an agreed item is reminded.
DEFAULT_REMIND_DAYS = 3

# 第三条: members are the community party org, the compound party org, the RC,
# the PMC and the property company's head; these roles sit as members.
MEMBER_KINDS = (
    Kind.COMMUNITY_PARTY,
    Kind.COMPOUND_PARTY,
    Kind.RESIDENTS_COMMITTEE,
    Kind.PMC,
    Kind.PROPERTY_COMPANY,
)
MEMBER_ROLES = frozenset({Role.SECRETARY, Role.CHAIR, Role.MEMBER})
# 可列席: grid workers, sunk-down cadres, owner representatives, community lawyer, company staff,
# and the company's volunteer quality supervisor (决策报告制度 第四条 "积极参与……联席会议").
OBSERVER_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_LAWYER,
        Role.OWNER_REPRESENTATIVE,
        Role.STAFF,
        Role.QUALITY_SUPERVISOR,
        Role.SENT_DOWN_CADRE,
    }
)
OBSERVER_KINDS = (
    Kind.RESIDENTS_COMMITTEE,
    Kind.RC_PROPERTY_COMMITTEE,
    Kind.COMMUNITY_PARTY,
    Kind.PROPERTY_COMPANY,
    Kind.PMC,
    Kind.COMPOUND_PARTY,
)
# 第四条: notices and summaries go to these four bodies; the office and the RC
# property committee (which supervises) receive copies.
MAIN_RECIPIENT_KINDS = Summary.BODY_KINDS
COPY_RECIPIENT_KINDS = (Kind.COMPOUND_PARTY, Kind.RC_PROPERTY_COMMITTEE)
# 督办 on a breached agreed item (联席会议议事规则 第四、五条).
SUPERVISION_KINDS = (Kind.JOINT_MEETING_OFFICE, Kind.COMPOUND_PARTY)
OFFICE_KINDS = (Kind.JOINT_MEETING_OFFICE, Kind.COMPOUND_PARTY)


class MeetingStateError(ValidationError):
    """The record is not in a state from which this step is allowed."""


class MinutesLockedError(ValidationError):
    """The summary is approved: minutes change only through a new version with a reason."""


class EarlyInterventionRequired(ValidationError):
    """协同联动 第七条: invite the street and the community party org before proceeding."""


@dataclass
class ScanReport:
    """What one scan did: one line per alarm / reminder it raised."""

    reminded: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)


def _require_any(actor, perms: Sequence[str], obj, message) -> Person:
    person = _person(actor)
    if person is None or not any(person.has_perm(p, obj) for p in perms):
        raise PermissionDenied(message)
    return person


def _meeting_permission(kind: str) -> tuple[str, ...]:
    """The permissions that run a meeting of ``kind`` (any one of them will do)."""
    if kind == MKind.JOINT:
        return ("meetings.run_office", "meetings.convene")
    if kind == MKind.STREET_JOINT:
        return ("meetings.convene_street",)
    if kind == MKind.PMC_WORKING:
        return ("meetings.run_pmc_meeting", "meetings.run_office")
    return ("meetings.run_forum",)


def _text(value, *, field_name: str, max_length: int = TEXT_MAX, required: bool = True) -> str:
    return clean_text(value, field=field_name, max_length=max_length, required=required)


def _guard(obj, state_attr: str, target: str, message=None) -> str:
    return guard(
        obj,
        target,
        state_attr=state_attr,
        error=MeetingStateError,
        message=message
        or _("This step is not possible now (current state: %(state)s).")
        % {"state": _label(obj, state_attr)},
        code="invalid_state",
    )


def _label(obj, attr: str) -> str:
    getter = getattr(obj, f"get_{attr}_display", None)
    return str(getter()) if getter else str(getattr(obj, attr))


def _lock(model, pk):
    return lock(model, pk)


def _sync(target, source):
    return sync(target, source)


def _meeting_event(meeting, *, actor, verb, from_state="", to_state="", note=""):
    return record_event(
        MeetingEvent,
        meeting=meeting,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note[:4000],
    )


def _event_writer(model, subject_field: str):
    """One event writer per meetings event model (the subject is its foreign key)."""

    def write(subject, *, actor, verb, from_state="", to_state="", note=""):
        return record_event(
            model,
            **{subject_field: subject},
            actor=actor,
            verb=verb,
            from_state=from_state,
            to_state=to_state,
            note=note,
        )

    return write


_item_event = _event_writer(ActionItemEvent, "item")
_topic_event = _event_writer(AgendaTopicEvent, "topic")
_report_event = _event_writer(DecisionReportEvent, "report")
_motion_event = _event_writer(MotionEvent, "motion")


def _orgs_of_kinds(compound: Compound, kinds: Iterable[str]) -> list[Organization]:
    """The compound's organizations of ``kinds`` (first of each kind), in ``kinds`` order."""
    kinds = list(kinds)
    found: dict[str, Organization] = {}
    for org in compound_organizations(compound=compound).filter(kind__in=kinds).order_by("pk"):
        found.setdefault(org.kind, org)
    return [found[k] for k in kinds if k in found]


def _org_recipients(organization: Organization) -> list[Person]:
    """Who hears the organization's business: the one rule in docs/roles.md "Who is told"."""
    return organization_recipients(organization=organization)


def notify_organization(organization: Organization, *, subject: str, body: str, link: str = ""):
    """``huashan.notify.services.notify_organization`` (inbox for each, plus the group robot)."""
    _notify_organization(organization=organization, subject=subject, body=body, link=link)


def _notify_person(person: Person | None, *, subject: str, body: str, link: str = "") -> None:
    notify_person(person=person, subject=subject, body=body, link=link)


def _link(name: str, *args) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def meeting_link(meeting: Meeting) -> str:
    return _link("meetings:detail", meeting.pk)


def action_item_link(item: ActionItem) -> str:
    return _link("meetings:action_item", item.pk)


def _localdate(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def is_last_week_of_month(day: dt.date) -> bool:
    """第三条 "通常于每月最后一周召开": the last seven days of the month."""
    return (day + dt.timedelta(days=7)).month != day.month
