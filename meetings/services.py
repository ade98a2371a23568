"""Every state change of meetings, agenda, notices, minutes, summaries, agreed items,
decision reports, owners' assembly motions and forum opinions.

seed: 联席会议议事规则 第一—六条; 协同联动解决小区事务流程 第二条、第六条、第七条;
决策报告制度 第一—三条; 小区党组织服务承诺 1 (monthly joint meeting); 物业管理委员会服务承诺 10.

Shape (STYLE.md): keyword-only arguments with the actor first; permission check
(``meetings.*`` rules, see ``meetings/rules.py``) → ``transaction.atomic`` →
``select_for_update`` guard against the model's ``TRANSITIONS`` → write → one
event row → notifications (``notification_create`` inside the transaction,
delivery after commit). Bad input raises ``ValidationError`` keyed by field name
so forms can show it next to the field; a forbidden step raises
``PermissionDenied``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import acting_person as _person
from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Household, Membership, Organization, Person
from huashan.directory.selectors import compound_organizations
from huashan.notify.services import notification_create

from . import tally as tally_module
from .models import (
    ActionItem,
    ActionItemAlarm,
    ActionItemEvent,
    ActionItemUpdate,
    AgendaTopic,
    AgendaTopicEvent,
    Attendance,
    DecisionReport,
    DecisionReportEvent,
    DecisionReportRecipient,
    EarlyIntervention,
    ForumOpinion,
    Meeting,
    MeetingDocument,
    MeetingEvent,
    MeetingMember,
    Minutes,
    MinutesVersion,
    MotionEvent,
    MotionVote,
    Notice,
    NoticeReceipt,
    NoticeSequence,
    OwnersAssemblyMotion,
    ScheduleReminder,
    Summary,
    SummarySignature,
)

logger = logging.getLogger(__name__)

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
# 可列席: grid workers, sunk-down cadres, owner representatives, community lawyer, company staff.
OBSERVER_ROLES = frozenset(
    {Role.GRID_WORKER, Role.COMMUNITY_LAWYER, Role.OWNER_REPRESENTATIVE, Role.STAFF}
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


# --- helpers --------------------------------------------------------------------


def _require_any(actor, perms: Sequence[str], obj, message) -> Person:
    person = _person(actor)
    if person is None or not any(person.has_perm(p, obj) for p in perms):
        raise PermissionDenied(message)
    return person


def _text(value, *, field_name: str, max_length: int = TEXT_MAX, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not text:
        raise ValidationError({field_name: [_("This field is required.")]}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            {
                field_name: [
                    ValidationError(
                        _("At most %(limit)d characters, please (you wrote %(count)d)."),
                        params={"limit": max_length, "count": len(text)},
                        code="max_length",
                    )
                ]
            }
        )
    return text


def _guard(obj, state_attr: str, target: str, message=None) -> str:
    old = getattr(obj, state_attr)
    if target not in type(obj).TRANSITIONS.get(old, set()):
        raise MeetingStateError(
            message
            or _("This step is not possible now (current state: %(state)s).")
            % {"state": _label(obj, state_attr)},
            code="invalid_state",
        )
    return old


def _label(obj, attr: str) -> str:
    getter = getattr(obj, f"get_{attr}_display", None)
    return str(getter()) if getter else str(getattr(obj, attr))


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _sync(target, source):
    target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_state")})
    return target


def _meeting_event(meeting, *, actor, verb, from_state="", to_state="", note=""):
    return MeetingEvent.objects.create(
        meeting=meeting,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note[:4000],
    )


def _item_event(item, *, actor, verb, from_state="", to_state="", note=""):
    return ActionItemEvent.objects.create(
        item=item, actor=actor, verb=verb, from_state=from_state, to_state=to_state, note=note
    )


def _topic_event(topic, *, actor, verb, from_state="", to_state="", note=""):
    return AgendaTopicEvent.objects.create(
        topic=topic, actor=actor, verb=verb, from_state=from_state, to_state=to_state, note=note
    )


def _report_event(report, *, actor, verb, from_state="", to_state="", note=""):
    return DecisionReportEvent.objects.create(
        report=report, actor=actor, verb=verb, from_state=from_state, to_state=to_state, note=note
    )


def _motion_event(motion, *, actor, verb, from_state="", to_state="", note=""):
    return MotionEvent.objects.create(
        motion=motion, actor=actor, verb=verb, from_state=from_state, to_state=to_state, note=note
    )


def _orgs_of_kinds(compound: Compound, kinds: Iterable[str]) -> list[Organization]:
    """The compound's organizations of ``kinds`` (first of each kind), in ``kinds`` order."""
    kinds = list(kinds)
    found: dict[str, Organization] = {}
    for org in compound_organizations(compound=compound).filter(kind__in=kinds).order_by("pk"):
        found.setdefault(org.kind, org)
    return [found[k] for k in kinds if k in found]


def _org_recipients(organization: Organization) -> list[Person]:
    return [
        m.person
        for m in Membership.objects.current()
        .filter(organization=organization, role__in=MEMBER_ROLES | {Role.STAFF})
        .select_related("person")
        if m.person.is_active
    ]


def notify_organization(organization: Organization, *, subject: str, body: str, link: str = ""):
    """Inbox for each current officer/staff member; the group robot too when configured."""
    for person in _org_recipients(organization):
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body[:2000], link=link
        )
    if organization.webhook_url:
        notification_create(
            organization=organization,
            channel="webhook",
            subject=subject,
            body=body[:2000],
            link=link,
        )


def _notify_person(person: Person | None, *, subject: str, body: str, link: str = "") -> None:
    if person is not None and person.is_active:
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body[:2000], link=link
        )


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


# --- meetings -------------------------------------------------------------------


def _meeting_permission(kind: str) -> tuple[str, ...]:
    if kind == MKind.JOINT:
        return ("meetings.run_office", "meetings.convene")
    if kind == MKind.PMC_WORKING:
        return ("meetings.run_pmc_meeting", "meetings.run_office")
    return ("meetings.run_forum",)


def _validate_schedule(
    *,
    compound: Compound,
    kind: str,
    start,
    end,
    place: str,
    is_ad_hoc: bool,
    ad_hoc_reason: str,
    exclude_pk: int | None = None,
    recorded_afterwards: bool = False,
) -> dict[str, list]:
    errors: dict[str, list] = {}
    now = timezone.now()
    if not isinstance(start, dt.datetime) or timezone.is_naive(start):
        errors.setdefault("start", []).append(
            ValidationError(_("Give the date and time the meeting starts."), code="invalid")
        )
        return errors
    if not isinstance(end, dt.datetime) or timezone.is_naive(end):
        errors.setdefault("end", []).append(
            ValidationError(_("Give the time the meeting ends."), code="invalid")
        )
        return errors
    if recorded_afterwards:
        errors.update(_validate_past_start(start, now))
    elif start < now:
        errors.setdefault("start", []).append(
            ValidationError(_("A meeting cannot be scheduled in the past."), code="past")
        )
    if end <= start:
        errors.setdefault("end", []).append(
            ValidationError(_("The meeting must end after it starts."), code="end_before_start")
        )
    elif end - start > dt.timedelta(hours=MAX_MEETING_HOURS):
        errors.setdefault("end", []).append(
            ValidationError(
                _("A meeting lasts at most %(hours)d hours."),
                params={"hours": MAX_MEETING_HOURS},
                code="too_long",
            )
        )
    if kind == MKind.JOINT and not is_last_week_of_month(_localdate(start)) and not is_ad_hoc:
        errors.setdefault("is_ad_hoc", []).append(
            ValidationError(
                _(
                    "Joint meetings are held in the last week of the month; "
                    "mark this one as ad hoc and give the reason."
                ),
                code="not_last_week",
            )
        )
    if is_ad_hoc and not ad_hoc_reason:
        errors.setdefault("ad_hoc_reason", []).append(
            ValidationError(_("Say why an ad hoc meeting is needed."), code="required")
        )
    if place and not errors.get("end"):
        clash = Meeting.objects.filter(
            compound=compound, place__iexact=place, start__lt=end, end__gt=start
        ).exclude(status=MStatus.CANCELLED)
        if exclude_pk:
            clash = clash.exclude(pk=exclude_pk)
        other = clash.order_by("start").first()
        if other is not None:
            errors.setdefault("place", []).append(
                ValidationError(
                    _("%(place)s is already booked for “%(title)s” at that time."),
                    params={"place": place, "title": other.title},
                    code="overlap",
                )
            )
    return errors


def _validate_past_start(start: dt.datetime, now: dt.datetime) -> dict[str, list]:
    """补录 is for a meeting that has started: never a future one (that is planned,
    with a notice), nor one older than :data:`RECORD_PAST_MAX_DAYS`."""
    if start > now:
        return {
            "start": [
                ValidationError(
                    _(
                        "Only a meeting that has already started can be recorded afterwards; "
                        "untick “recorded afterwards” to plan this one."
                    ),
                    code="record_future",
                )
            ]
        }
    if now - start > dt.timedelta(days=RECORD_PAST_MAX_DAYS):
        return {
            "start": [
                ValidationError(
                    _("A meeting can be recorded afterwards within %(days)d days."),
                    params={"days": RECORD_PAST_MAX_DAYS},
                    code="record_too_old",
                )
            ]
        }
    return {}


def _default_chair(compound: Compound) -> Person | None:
    """The community party secretary, else the compound party secretary (第三条)."""
    for kind in (Kind.COMMUNITY_PARTY, Kind.COMPOUND_PARTY):
        membership = (
            Membership.objects.current()
            .filter(role__in=(Role.SECRETARY, Role.CHAIR), organization__kind=kind)
            .filter(
                Q(organization__compound=compound)
                | Q(organization__community_id=compound.community_id)
            )
            .select_related("person")
            .order_by("role", "pk")
            .first()
        )
        if membership is not None:
            return membership.person
    return None


def _chair_allowed(compound: Compound, person: Person) -> bool:
    return (
        Membership.objects.current()
        .filter(
            person=person,
            role__in=(Role.SECRETARY, Role.CHAIR),
            organization__kind__in=(Kind.COMMUNITY_PARTY, Kind.COMPOUND_PARTY),
        )
        .filter(
            Q(organization__compound=compound) | Q(organization__community_id=compound.community_id)
        )
        .exists()
    )


def meeting_members_derive(*, meeting: Meeting) -> list[MeetingMember]:
    """Members and observers from the directory (seed: 联席会议议事规则 第三条).

    Joint meeting: officers (书记/主任/委员) of the community party org, the compound
    party org, the RC, the PMC and the property company's head are members; grid
    workers, the community lawyer, owner representatives and company staff are
    observers. A PMC working meeting: the PMC's officers. Forums: the organizing
    body's officers. Idempotent: existing rows are kept.
    """
    on = _localdate(meeting.start)
    current = Membership.objects.current(on).select_related("organization")
    if meeting.kind == MKind.PMC_WORKING:
        org = meeting.organization or (_orgs_of_kinds(meeting.compound, [Kind.PMC]) or [None])[0]
        rows = (
            [
                (m.person_id, m.organization_id, MeetingMember.Role.MEMBER)
                for m in current.filter(organization=org, role__in=MEMBER_ROLES)
            ]
            if org
            else []
        )
    else:
        kinds = (
            MEMBER_KINDS
            if meeting.kind == MKind.JOINT
            else (
                Kind.COMPOUND_PARTY,
                Kind.RESIDENTS_COMMITTEE,
                Kind.PMC,
                Kind.PROPERTY_COMPANY,
            )
        )
        orgs = compound_organizations(compound=meeting.compound).filter(
            kind__in=set(kinds) | set(OBSERVER_KINDS)
        )
        rows = []
        for m in current.filter(organization__in=orgs).order_by("organization__kind", "pk"):
            is_member = m.organization.kind in kinds and m.role in MEMBER_ROLES
            if m.organization.kind == Kind.PROPERTY_COMPANY and m.role == Role.MEMBER:
                is_member = False  # 物业服务企业负责人 only: the head (chair / secretary)
            if is_member:
                rows.append((m.person_id, m.organization_id, MeetingMember.Role.MEMBER))
            elif m.role in OBSERVER_ROLES or m.role in MEMBER_ROLES:
                rows.append((m.person_id, m.organization_id, MeetingMember.Role.OBSERVER))
    seen: set[int] = set(meeting.members.values_list("person_id", flat=True))
    new = []
    # Members first so a person with two seats sits as a member.
    for person_id, org_id, role in sorted(rows, key=lambda r: r[2] != MeetingMember.Role.MEMBER):
        if person_id in seen:
            continue
        seen.add(person_id)
        new.append(
            MeetingMember(meeting=meeting, person_id=person_id, organization_id=org_id, role=role)
        )
    MeetingMember.objects.bulk_create(new, ignore_conflicts=True)
    return new


def meeting_create(
    *,
    actor,
    compound: Compound,
    kind: str,
    title: str,
    start: dt.datetime,
    end: dt.datetime,
    place: str,
    chair: Person | None = None,
    convener: Person | None = None,
    is_ad_hoc: bool = False,
    ad_hoc_reason: str = "",
    organization: Organization | None = None,
    summary_public: bool = False,
    recorded_afterwards: bool = False,
    record_reason: str = "",
) -> Meeting:
    """Schedule a meeting and derive its members from the directory.

    seed: 联席会议议事规则 第三条 (convened and chaired by the community party head
    or, by delegation, the compound party head; last week of the month, ad hoc
    with a reason); 协同联动 第六条 (forums, hearings, reviews).
    Refuses a start in the past, an end before the start and a place already
    booked at that time.

    ``recorded_afterwards`` (补录): a meeting already held — an emergency meeting
    called at once (第三条 "必要时可临时召开") — is entered with a required reason.
    It starts in the past (within :data:`RECORD_PAST_MAX_DAYS`), is created as
    held with no notice, takes no waiting topics, and says 补录 wherever it shows.
    """
    if kind not in MKind.values:
        raise ValidationError({"kind": [_("Choose a kind of meeting.")]}, code="invalid_kind")
    person = _require_any(
        actor, _meeting_permission(kind), compound, gettext("You may not schedule this meeting.")
    )
    title = _text(title, field_name="title", max_length=TITLE_MAX)
    place = _text(place, field_name="place", max_length=200)
    ad_hoc_reason = _text(ad_hoc_reason, field_name="ad_hoc_reason", required=False)
    recorded_afterwards = bool(recorded_afterwards)
    record_reason = _text(
        record_reason if recorded_afterwards else "",
        field_name="record_reason",
        max_length=REASON_MAX,
        required=recorded_afterwards,
    )
    errors = _validate_schedule(
        compound=compound,
        kind=kind,
        start=start,
        end=end,
        place=place,
        is_ad_hoc=is_ad_hoc,
        ad_hoc_reason=ad_hoc_reason,
        recorded_afterwards=recorded_afterwards,
    )
    if kind == MKind.JOINT:
        chair = chair or _default_chair(compound)
        if chair is not None and not _chair_allowed(compound, chair):
            errors.setdefault("chair", []).append(
                ValidationError(
                    _(
                        "The chair must be the community party secretary or, by "
                        "delegation, the compound party secretary."
                    ),
                    code="invalid_chair",
                )
            )
    if organization is not None and organization not in compound_organizations(compound=compound):
        errors.setdefault("organization", []).append(
            ValidationError(_("This body does not act for the compound."), code="invalid_org")
        )
    if errors:
        raise ValidationError(errors)
    if kind == MKind.PMC_WORKING and organization is None:
        organization = (_orgs_of_kinds(compound, [Kind.PMC]) or [None])[0]
    with transaction.atomic():
        meeting = Meeting.objects.create(
            compound=compound,
            kind=kind,
            title=title,
            start=start,
            end=end,
            place=place,
            chair=chair,
            convener=convener or chair,
            is_ad_hoc=bool(is_ad_hoc),
            ad_hoc_reason=ad_hoc_reason,
            organization=organization,
            summary_public=bool(summary_public),
            recorded_afterwards=recorded_afterwards,
            record_reason=record_reason,
            status=MStatus.HELD if recorded_afterwards else MStatus.DRAFT,
            held_at=start if recorded_afterwards else None,
            created_by=person,
        )
        meeting_members_derive(meeting=meeting)
        if recorded_afterwards:
            _meeting_event(
                meeting,
                actor=person,
                verb="record_past",
                to_state=MStatus.HELD,
                note=record_reason,
            )
            return meeting
        _meeting_event(meeting, actor=person, verb="create", to_state=MStatus.DRAFT)
        if kind == MKind.JOINT:
            # Topics waiting for "the next joint meeting" move onto this one.
            AgendaTopic.objects.filter(
                compound=compound, meeting__isnull=True, status=AgendaTopic.Status.PROPOSED
            ).update(meeting=meeting)
    return meeting


def meeting_update(
    *,
    actor,
    meeting: Meeting,
    title: str,
    start: dt.datetime,
    end: dt.datetime,
    place: str,
    chair: Person | None = None,
    is_ad_hoc: bool = False,
    ad_hoc_reason: str = "",
    summary_public: bool = False,
) -> Meeting:
    """Change a draft meeting (after the notice is sent: cancel and reschedule)."""
    person = _require_any(
        actor,
        _meeting_permission(meeting.kind),
        meeting,
        gettext("You may not change this meeting."),
    )
    title = _text(title, field_name="title", max_length=TITLE_MAX)
    place = _text(place, field_name="place", max_length=200)
    ad_hoc_reason = _text(ad_hoc_reason, field_name="ad_hoc_reason", required=False)
    errors = _validate_schedule(
        compound=meeting.compound,
        kind=meeting.kind,
        start=start,
        end=end,
        place=place,
        is_ad_hoc=is_ad_hoc,
        ad_hoc_reason=ad_hoc_reason,
        exclude_pk=meeting.pk,
    )
    if (
        chair is not None
        and meeting.kind == MKind.JOINT
        and not _chair_allowed(meeting.compound, chair)
    ):
        errors.setdefault("chair", []).append(
            ValidationError(
                _(
                    "The chair must be the community party secretary or, by "
                    "delegation, the compound party secretary."
                ),
                code="invalid_chair",
            )
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(Meeting, meeting.pk)
        if locked.status != MStatus.DRAFT:
            raise MeetingStateError(
                _("Only a draft meeting can be changed; cancel it and schedule a new one."),
                code="invalid_state",
            )
        locked.title, locked.start, locked.end, locked.place = title, start, end, place
        locked.is_ad_hoc, locked.ad_hoc_reason = bool(is_ad_hoc), ad_hoc_reason
        locked.summary_public = bool(summary_public)
        if chair is not None:
            locked.chair = chair
            locked.convener = chair
        locked.save()
        _meeting_event(locked, actor=person, verb="update")
    return _sync(meeting, locked)


def meeting_member_add(
    *, actor, meeting: Meeting, person: Person, role: str, organization: Organization | None = None
) -> MeetingMember:
    """Add a member or an observer (列席) before the notice is sent (第三条)."""
    actor_person = _require_any(
        actor, _meeting_permission(meeting.kind), meeting, gettext("You may not change members.")
    )
    if role not in MeetingMember.Role.values:
        raise ValidationError({"role": [_("Choose member or observer.")]}, code="invalid_role")
    if meeting.status not in (MStatus.DRAFT, MStatus.NOTICE_SENT):
        raise MeetingStateError(_("Members can no longer change."), code="invalid_state")
    try:
        with transaction.atomic():
            member = MeetingMember.objects.create(
                meeting=meeting, person=person, organization=organization, role=role
            )
            _meeting_event(meeting, actor=actor_person, verb="member_add", note=person.name)
    except IntegrityError:
        raise ValidationError(
            {"person": [_("This person is already on the list.")]}, code="duplicate"
        ) from None
    return member


def meeting_member_remove(*, actor, member: MeetingMember) -> None:
    """Remove someone from the list before the meeting is held."""
    meeting = member.meeting
    person = _require_any(
        actor, _meeting_permission(meeting.kind), meeting, gettext("You may not change members.")
    )
    if meeting.status not in (MStatus.DRAFT, MStatus.NOTICE_SENT):
        raise MeetingStateError(_("Members can no longer change."), code="invalid_state")
    with transaction.atomic():
        name = member.person.name
        member.delete()
        _meeting_event(meeting, actor=person, verb="member_remove", note=name)


def notice_number_allocate(*, compound: Compound, year: int) -> int:
    """Next number of 花山联〔YYYY〕N号 for the compound, under a row lock."""
    with transaction.atomic():
        NoticeSequence.objects.get_or_create(compound=compound, year=year)
        seq = NoticeSequence.objects.select_for_update().get(compound=compound, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
        return seq.last


def notice_document_number(*, year: int, number: int) -> str:
    return f"花山联〔{year}〕{number}号"


def meeting_send_notice(*, actor, meeting: Meeting, copy_to: Sequence[Organization] = ()) -> Notice:
    """Issue the 会议通知 with a document number and send it (seed: 联席会议议事规则 第四条).

    主送: the community party org, the RC, the PMC and the property company;
    抄送: the compound party org, the RC property committee and ``copy_to``.
    Every member and observer gets it in their inbox; each body signs for it.
    """
    person = _require_any(
        actor,
        _meeting_permission(meeting.kind),
        meeting,
        gettext("You may not send the notice."),
    )
    with transaction.atomic():
        locked = _lock(Meeting, meeting.pk)
        old = _guard(locked, "status", MStatus.NOTICE_SENT)
        if locked.start <= timezone.now():
            raise MeetingStateError(
                _("The meeting has already started; a notice can no longer be sent."),
                code="started",
            )
        # Numbered by the year the notice is issued, as every official document is
        # (a notice sent in December for a January meeting is still 〔this year〕).
        issued_at = timezone.now()
        year = _localdate(issued_at).year
        number = notice_number_allocate(compound=locked.compound, year=year)
        doc_number = notice_document_number(year=year, number=number)
        from .selectors import meeting_agenda, meeting_follow_up_items, meeting_members

        main = _orgs_of_kinds(locked.compound, MAIN_RECIPIENT_KINDS)
        copies = [o for o in _orgs_of_kinds(locked.compound, COPY_RECIPIENT_KINDS) if o not in main]
        copies += [o for o in copy_to if o not in main and o not in copies]
        body = render_to_string(
            "pdf/meetings/notice_body.txt",
            {
                "meeting": locked,
                "doc_number": doc_number,
                "agenda": list(meeting_agenda(meeting=locked)),
                "follow_up": list(meeting_follow_up_items(meeting=locked)),
                "members": list(meeting_members(meeting=locked)),
                "main": main,
                "copies": copies,
            },
        ).strip()
        notice = Notice.objects.create(
            meeting=locked,
            year=year,
            number=number,
            document_number=doc_number,
            body=body,
            issued_by=person,
            issued_at=issued_at,
        )
        NoticeReceipt.objects.bulk_create(
            [
                NoticeReceipt(notice=notice, organization=o, line=NoticeReceipt.Line.MAIN)
                for o in main
            ]
            + [
                NoticeReceipt(notice=notice, organization=o, line=NoticeReceipt.Line.COPY)
                for o in copies
            ]
        )
        locked.status = MStatus.NOTICE_SENT
        locked.save(update_fields=["status"])
        _meeting_event(
            locked,
            actor=person,
            verb="send_notice",
            from_state=old,
            to_state=locked.status,
            note=doc_number,
        )
        subject = gettext("Meeting notice %(number)s: %(title)s") % {
            "number": doc_number,
            "title": locked.title,
        }
        link = meeting_link(locked)
        for org in main + copies:
            notify_organization(org, subject=subject, body=body, link=link)
        for member in locked.members.select_related("person"):
            _notify_person(member.person, subject=subject, body=body, link=link)
    _sync(meeting, locked)
    return notice


def notice_sign(*, actor, receipt: NoticeReceipt) -> NoticeReceipt:
    """签收: a recipient body confirms it received the notice (第四条). Idempotent."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        receipt.organization,
        gettext("Only a member of this body can sign for it."),
    )
    with transaction.atomic():
        locked = _lock(NoticeReceipt, receipt.pk)
        if locked.signed_at is None:
            locked.signed_at = timezone.now()
            locked.signed_by = person
            locked.save(update_fields=["signed_at", "signed_by"])
            _meeting_event(
                locked.notice.meeting,
                actor=person,
                verb="notice_signed",
                note=locked.organization.name,
            )
    return _sync(receipt, locked)


def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a meeting that has not been held, with a reason told to everyone invited."""
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    person = _require_any(
        actor, _meeting_permission(meeting.kind), meeting, gettext("You may not cancel it.")
    )
    with transaction.atomic():
        locked = _lock(Meeting, meeting.pk)
        old = _guard(locked, "status", MStatus.CANCELLED)
        locked.status = MStatus.CANCELLED
        locked.cancel_reason = reason
        locked.save(update_fields=["status", "cancel_reason"])
        # Topics go back to the pool for the next meeting.
        locked.topics.filter(
            status__in=(AgendaTopic.Status.PROPOSED, AgendaTopic.Status.ACCEPTED)
        ).update(meeting=None, status=AgendaTopic.Status.PROPOSED)
        _meeting_event(
            locked,
            actor=person,
            verb="cancel",
            from_state=old,
            to_state=locked.status,
            note=reason,
        )
        subject = gettext("Meeting cancelled: %(title)s") % {"title": locked.title}
        for member in locked.members.select_related("person"):
            _notify_person(member.person, subject=subject, body=reason, link=meeting_link(locked))
    return _sync(meeting, locked)


def meeting_mark_held(*, actor, meeting: Meeting) -> Meeting:
    """The meeting took place (only once its start time has come)."""
    person = _require_any(
        actor, _meeting_permission(meeting.kind), meeting, gettext("You may not do this.")
    )
    with transaction.atomic():
        locked = _lock(Meeting, meeting.pk)
        if locked.kind == MKind.JOINT and locked.status == MStatus.DRAFT:
            raise MeetingStateError(
                _("Send the notice before the joint meeting is held."), code="no_notice"
            )
        old = _guard(locked, "status", MStatus.HELD)
        now = timezone.now()
        if locked.start > now:
            raise MeetingStateError(_("The meeting has not started yet."), code="not_started")
        locked.status = MStatus.HELD
        locked.held_at = now
        locked.save(update_fields=["status", "held_at"])
        _meeting_event(locked, actor=person, verb="held", from_state=old, to_state=locked.status)
    return _sync(meeting, locked)


def attendance_record(
    *,
    actor,
    meeting: Meeting,
    person: Person,
    status: str,
    delegate_name: str = "",
    note: str = "",
) -> Attendance:
    """Record whether a person came (present / excused / unexcused / delegate).

    Feeds PMC pledge 10 (3 consecutive unexcused absences). Only for people on the
    meeting's list, once the meeting has started; recording again overwrites.
    """
    actor_person = _require_any(
        actor,
        _meeting_permission(meeting.kind),
        meeting,
        gettext("You may not record attendance."),
    )
    if status not in Attendance.Status.values:
        raise ValidationError({"status": [_("Choose an attendance.")]}, code="invalid_status")
    delegate_name = _text(delegate_name, field_name="delegate_name", max_length=50, required=False)
    note = _text(note, field_name="note", max_length=200, required=False)
    if status == Attendance.Status.DELEGATE and not delegate_name:
        raise ValidationError({"delegate_name": [_("Name the delegate.")]}, code="required")
    if meeting.status == MStatus.CANCELLED:
        raise MeetingStateError(_("The meeting was cancelled."), code="cancelled")
    if meeting.start > timezone.now():
        raise MeetingStateError(_("The meeting has not started yet."), code="not_started")
    member = meeting.members.filter(person=person).first()
    if member is None:
        raise ValidationError(
            {"person": [_("This person is not on the meeting's list.")]}, code="not_member"
        )
    with transaction.atomic():
        attendance, created = Attendance.objects.select_for_update().get_or_create(
            meeting=meeting,
            person=person,
            defaults={
                "organization_id": member.organization_id,
                "status": status,
                "delegate_name": delegate_name,
                "note": note,
                "recorded_by": actor_person,
            },
        )
        old = "" if created else attendance.status
        if not created:
            attendance.status = status
            attendance.delegate_name = delegate_name
            attendance.note = note
            attendance.recorded_by = actor_person
            attendance.recorded_at = timezone.now()
            attendance.save()
        if created or old != status:
            _meeting_event(
                meeting,
                actor=actor_person,
                verb="attendance",
                from_state=old,
                to_state=status,
                note=person.name,
            )
    return attendance


# --- agenda ---------------------------------------------------------------------


def next_joint_meeting(*, compound: Compound, after: dt.datetime | None = None) -> Meeting | None:
    """The next joint meeting that still takes topics (draft or notice sent)."""
    after = after or timezone.now()
    return (
        Meeting.objects.filter(
            compound=compound,
            kind=MKind.JOINT,
            status__in=(MStatus.DRAFT, MStatus.NOTICE_SENT),
            start__gte=after,
        )
        .order_by("start")
        .first()
    )


def topic_propose(
    *,
    actor,
    compound: Compound,
    title: str,
    description: str = "",
    meeting: Meeting | None = None,
    proposer_organization: Organization | None = None,
) -> AgendaTopic:
    """A party proposes a topic (seed: 联席会议议事规则 第二条、第四条).

    Without ``meeting`` the topic waits for the next joint meeting (attached
    to it when one is scheduled).
    """
    person = _require(
        actor, "meetings.propose_topic", compound, gettext("You may not propose topics.")
    )
    title = _text(title, field_name="title", max_length=TITLE_MAX)
    description = _text(description, field_name="description", required=False)
    if meeting is not None and (
        meeting.compound_id != compound.pk
        or meeting.status not in (MStatus.DRAFT, MStatus.NOTICE_SENT)
    ):
        raise ValidationError(
            {"meeting": [_("This meeting no longer takes topics.")]}, code="closed_meeting"
        )
    if meeting is None:
        meeting = next_joint_meeting(compound=compound)
    with transaction.atomic():
        topic = AgendaTopic.objects.create(
            compound=compound,
            meeting=meeting,
            title=title,
            description=description,
            source=AgendaTopic.Source.MANUAL,
            proposer=person,
            proposer_organization=proposer_organization,
        )
        _topic_event(topic, actor=person, verb="propose", to_state=topic.status)
    return topic


def topic_propose_from_issue(*, issue, actor=None, reason: str = "") -> AgendaTopic | None:
    """``issues.services.AGENDA_HOOK``: a big-tier complaint proposes itself as a topic.

    seed: 协同联动 第三条 (big matters are studied jointly); 联席会议议事规则 第二条.
    Idempotent: an issue with a topic still waiting is not proposed twice.
    """
    with transaction.atomic():
        if AgendaTopic.objects.filter(
            compound_id=issue.compound_id, issue=issue, status=AgendaTopic.Status.PROPOSED
        ).exists():
            return None
        meeting = next_joint_meeting(compound=issue.compound)
        title = gettext("Complaint %(number)s: %(text)s") % {
            "number": issue.tracking_number,
            "text": issue.description[:80],
        }
        try:
            with transaction.atomic():
                topic = AgendaTopic.objects.create(
                    compound_id=issue.compound_id,
                    meeting=meeting,
                    title=title[:TITLE_MAX],
                    description=(reason or "")[:TEXT_MAX],
                    source=AgendaTopic.Source.COMPLAINT,
                    issue=issue,
                    proposer=_person(actor),
                )
        except IntegrityError:
            return None
        _topic_event(
            topic,
            actor=_person(actor),
            verb="propose",
            to_state=topic.status,
            note=issue.tracking_number,
        )
    return topic


def agenda_hook(*, issue, actor=None, reason: str = "") -> None:
    """Registered in ``MeetingsConfig.ready`` into ``issues.services.AGENDA_HOOK``."""
    topic_propose_from_issue(issue=issue, actor=actor, reason=reason)


def _topic_decide(
    *, actor, topic: AgendaTopic, target: str, reason: str = "", **changes
) -> AgendaTopic:
    person = _require(
        actor, "meetings.run_office", topic, gettext("Only the office decides topics.")
    )
    with transaction.atomic():
        locked = _lock(AgendaTopic, topic.pk)
        old = _guard(locked, "status", target)
        locked.status = target
        locked.decision_reason = reason
        locked.decided_by = person
        locked.decided_at = timezone.now()
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        _topic_event(
            locked, actor=person, verb=target, from_state=old, to_state=target, note=reason
        )
        if locked.proposer_id and locked.proposer_id != person.pk:
            _notify_person(
                locked.proposer,
                subject=gettext("Your topic “%(title)s”: %(status)s")
                % {"title": locked.title, "status": locked.get_status_display()},
                body=reason,
                link=meeting_link(locked.meeting) if locked.meeting_id else "",
            )
    return _sync(topic, locked)


def topic_accept(
    *, actor, topic: AgendaTopic, meeting: Meeting | None = None, order: int | None = None
) -> AgendaTopic:
    """The office puts the topic on a meeting's agenda (第四条), at the end unless ``order``."""
    meeting = meeting or topic.meeting
    if meeting is None or meeting.compound_id != topic.compound_id:
        raise ValidationError({"meeting": [_("Choose the meeting.")]}, code="required")
    if meeting.status not in (MStatus.DRAFT, MStatus.NOTICE_SENT):
        raise ValidationError(
            {"meeting": [_("This meeting no longer takes topics.")]}, code="closed_meeting"
        )
    if order is None:
        last = (
            meeting.topics.filter(status=AgendaTopic.Status.ACCEPTED)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
        )
        order = (last or 0) + 1
    return _topic_decide(
        actor=actor,
        topic=topic,
        target=AgendaTopic.Status.ACCEPTED,
        meeting=meeting,
        order=order,
    )


def topic_merge(*, actor, topic: AgendaTopic, into: AgendaTopic, reason: str) -> AgendaTopic:
    """Merge a topic into another one on the same compound, with a reason."""
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    if into.pk == topic.pk or into.compound_id != topic.compound_id:
        raise ValidationError({"into": [_("Choose another topic of this compound.")]})
    if into.status in (AgendaTopic.Status.MERGED, AgendaTopic.Status.REJECTED):
        raise ValidationError({"into": [_("That topic is closed.")]}, code="closed_topic")
    return _topic_decide(
        actor=actor,
        topic=topic,
        target=AgendaTopic.Status.MERGED,
        reason=reason,
        merged_into=into,
    )


def topic_defer(*, actor, topic: AgendaTopic, reason: str) -> AgendaTopic:
    """Defer a topic to a later meeting, with a reason; it leaves this meeting's agenda."""
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    return _topic_decide(
        actor=actor, topic=topic, target=AgendaTopic.Status.DEFERRED, reason=reason, meeting=None
    )


def topic_reject(*, actor, topic: AgendaTopic, reason: str) -> AgendaTopic:
    """Reject a topic with a reason told to the proposer."""
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    return _topic_decide(
        actor=actor, topic=topic, target=AgendaTopic.Status.REJECTED, reason=reason
    )


def topic_reorder(*, actor, meeting: Meeting, topic_ids: Sequence[int]) -> None:
    """Set the order of the accepted topics; ``topic_ids`` must list exactly them."""
    person = _require(
        actor, "meetings.run_office", meeting, gettext("Only the office orders topics.")
    )
    with transaction.atomic():
        accepted = {
            t.pk: t
            for t in meeting.topics.select_for_update().filter(status=AgendaTopic.Status.ACCEPTED)
        }
        try:
            ids = [int(i) for i in topic_ids]
        except (TypeError, ValueError):
            raise ValidationError({"topic_ids": [_("Invalid order.")]}, code="invalid") from None
        if sorted(ids) != sorted(accepted) or len(set(ids)) != len(ids):
            raise ValidationError(
                {"topic_ids": [_("List every accepted topic exactly once.")]}, code="invalid"
            )
        for position, pk in enumerate(ids, start=1):
            accepted[pk].order = position
        AgendaTopic.objects.bulk_update(accepted.values(), ["order"])
        # The new order in words (the history is read by people, not by the database).
        order = "、".join(f"{n}. {accepted[pk].title}" for n, pk in enumerate(ids, start=1))
        _meeting_event(meeting, actor=person, verb="reorder", note=order[:REASON_MAX])


# --- minutes --------------------------------------------------------------------


def _minutes_texts(texts: dict) -> dict[str, str]:
    unknown = set(texts) - set(Minutes.TEXT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]}, code="unknown")
    return {name: _text(texts[name], field_name=name, required=False) for name in texts}


def _summary_approved(meeting: Meeting) -> bool:
    return Summary.objects.filter(
        meeting=meeting, status__in=(Summary.Status.APPROVED, Summary.Status.DISTRIBUTED)
    ).exists()


def minutes_save_draft(
    *, actor, meeting: Meeting, topic: AgendaTopic | None = None, **texts: str
) -> Minutes:
    """Autosave the live minutes of one agenda item (seed: 联席会议议事规则 第四条 做好会议记录).

    Cheap and idempotent: one row per (meeting, topic), only the given text
    fields are written, and saving the same text again writes nothing. Not an
    event (autosave runs every few seconds); the summary approval freezes the
    text, after which :func:`minutes_revise` is the only way to change it.
    """
    person = _require_any(
        actor, _meeting_permission(meeting.kind), meeting, gettext("You may not write minutes.")
    )
    cleaned = _minutes_texts(texts)
    if topic is not None and topic.meeting_id != meeting.pk:
        raise ValidationError({"topic": [_("This topic is not on the meeting's agenda.")]})
    if meeting.status == MStatus.CANCELLED:
        raise MeetingStateError(_("The meeting was cancelled."), code="cancelled")
    if _summary_approved(meeting):
        raise MinutesLockedError(
            _("The summary is approved; record a new version with a reason instead."),
            code="locked",
        )
    with transaction.atomic():
        minutes, created = Minutes.objects.select_for_update().get_or_create(
            meeting=meeting, topic=topic, defaults={**cleaned, "updated_by": person}
        )
        if created:
            return minutes
        changed = [k for k, v in cleaned.items() if getattr(minutes, k) != v]
        if changed:
            for key in changed:
                setattr(minutes, key, cleaned[key])
            minutes.updated_by = person
            minutes.updated_at = timezone.now()
            minutes.save(update_fields=[*changed, "updated_by", "updated_at"])
    return minutes


def minutes_revise(*, actor, minutes: Minutes, reason: str, **texts: str) -> Minutes:
    """Change minutes after the summary was approved: the old text is kept as a
    :class:`MinutesVersion` with the reason, the version number goes up."""
    meeting = minutes.meeting
    person = _require_any(
        actor, _meeting_permission(meeting.kind), meeting, gettext("You may not revise minutes.")
    )
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    cleaned = _minutes_texts(texts)
    with transaction.atomic():
        locked = _lock(Minutes, minutes.pk)
        if not any(getattr(locked, k) != v for k, v in cleaned.items()):
            raise ValidationError({"discussion": [_("Nothing changed.")]}, code="unchanged")
        MinutesVersion.objects.create(
            minutes=locked,
            version=locked.version,
            reason=reason,
            created_by=person,
            **{name: getattr(locked, name) for name in Minutes.TEXT_FIELDS},
        )
        for key, value in cleaned.items():
            setattr(locked, key, value)
        locked.version += 1
        locked.updated_by = person
        locked.updated_at = timezone.now()
        locked.save()
        _meeting_event(
            meeting,
            actor=person,
            verb="minutes_revise",
            note=f"v{locked.version}: {reason}",
        )
    return _sync(minutes, locked)


# --- summary --------------------------------------------------------------------


def _summary_text_from_minutes(meeting: Meeting) -> str:
    from .selectors import meeting_minutes

    return render_to_string(
        "pdf/meetings/summary_body.txt",
        {"meeting": meeting, "minutes": list(meeting_minutes(meeting=meeting))},
    ).strip()


def summary_draft(*, actor, meeting: Meeting, body: str | None = None) -> Summary:
    """Draft the 会议纪要 from the minutes (or with ``body``) once the meeting is held.

    seed: 联席会议议事规则 第四条 (草拟会议纪要). Redrafting is allowed while it is a draft.
    """
    person = _require(actor, "meetings.run_office", meeting, gettext("Only the office drafts it."))
    if meeting.status != MStatus.HELD:
        raise MeetingStateError(_("Draft the summary after the meeting is held."), code="not_held")
    text = body if body is not None else _summary_text_from_minutes(meeting)
    text = _text(text, field_name="body")
    with transaction.atomic():
        summary, created = Summary.objects.select_for_update().get_or_create(
            meeting=meeting, defaults={"body": text, "drafted_by": person}
        )
        if not created:
            if summary.status != Summary.Status.DRAFT:
                raise MeetingStateError(
                    _("The summary is no longer a draft."), code="invalid_state"
                )
            summary.body = text
            summary.drafted_by = person
            summary.drafted_at = timezone.now()
            summary.save()
        _meeting_event(meeting, actor=person, verb="summary_draft")
    return summary


def summary_submit_for_countersign(*, actor, summary: Summary) -> Summary:
    """Send the draft to the four bodies for 会签 (第四条)."""
    meeting = summary.meeting
    person = _require(actor, "meetings.run_office", meeting, gettext("Only the office does this."))
    with transaction.atomic():
        locked = _lock(Summary, summary.pk)
        old = _guard(locked, "status", Summary.Status.COUNTERSIGNING)
        bodies = _orgs_of_kinds(meeting.compound, Summary.BODY_KINDS)
        locked.signatures.filter(kind=SummarySignature.Kind.COUNTERSIGN).delete()
        SummarySignature.objects.bulk_create(
            [
                SummarySignature(
                    summary=locked, kind=SummarySignature.Kind.COUNTERSIGN, organization=o
                )
                for o in bodies
            ]
        )
        locked.status = Summary.Status.COUNTERSIGNING
        locked.save(update_fields=["status"])
        _meeting_event(
            meeting,
            actor=person,
            verb="summary_countersign_request",
            from_state=old,
            to_state=locked.status,
        )
        for org in bodies:
            notify_organization(
                org,
                subject=gettext("Please countersign the summary of “%(title)s”")
                % {"title": meeting.title},
                body=locked.body,
                link=meeting_link(meeting),
            )
    return _sync(summary, locked)


def summary_countersign(
    *, actor, summary: Summary, organization: Organization, comment: str = ""
) -> SummarySignature:
    """会签 by one of the four bodies (a current officer/staff member of that body)."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        organization,
        gettext("Only a member of this body can countersign for it."),
    )
    comment = _text(comment, field_name="comment", max_length=REASON_MAX, required=False)
    with transaction.atomic():
        locked = _lock(Summary, summary.pk)
        if locked.status != Summary.Status.COUNTERSIGNING:
            raise MeetingStateError(_("The summary is not out for countersigning."))
        sig = (
            locked.signatures.select_for_update()
            .filter(kind=SummarySignature.Kind.COUNTERSIGN, organization=organization)
            .first()
        )
        if sig is None:
            raise PermissionDenied(gettext("This body does not countersign this summary."))
        if sig.signed_at is None:
            sig.signed_at = timezone.now()
            sig.signed_by = person
            sig.comment = comment
            sig.save()
            _meeting_event(
                locked.meeting,
                actor=person,
                verb="summary_countersigned",
                note=organization.name,
            )
    return sig


def summary_return_to_draft(*, actor, summary: Summary, reason: str) -> Summary:
    """Take the summary back for changes (countersignatures are dropped)."""
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    meeting = summary.meeting
    person = _require(actor, "meetings.run_office", meeting, gettext("Only the office does this."))
    with transaction.atomic():
        locked = _lock(Summary, summary.pk)
        old = _guard(locked, "status", Summary.Status.DRAFT)
        locked.signatures.filter(kind=SummarySignature.Kind.COUNTERSIGN).delete()
        locked.status = Summary.Status.DRAFT
        locked.save(update_fields=["status"])
        _meeting_event(
            meeting,
            actor=person,
            verb="summary_returned",
            from_state=old,
            to_state=locked.status,
            note=reason,
        )
    return _sync(summary, locked)


def summary_approve(*, actor, summary: Summary) -> Summary:
    """The chair approves the summary once all four bodies countersigned.

    The meeting moves to ``minutes_approved``; from now on minutes change only
    through :func:`minutes_revise`.
    """
    meeting = summary.meeting
    person = _person(actor)
    allowed = person is not None and (
        (meeting.chair_id and meeting.chair_id == person.pk)
        or (meeting.chair_id is None and person.has_perm("meetings.convene", meeting))
        or person.is_superuser
    )
    if not allowed:
        raise PermissionDenied(gettext("Only the chair approves the summary."))
    with transaction.atomic():
        locked = _lock(Summary, summary.pk)
        _guard(locked, "status", Summary.Status.APPROVED)
        missing = list(
            locked.signatures.filter(
                kind=SummarySignature.Kind.COUNTERSIGN, signed_at__isnull=True
            ).values_list("organization__name", flat=True)
        )
        if missing:
            raise MeetingStateError(
                _("Still waiting for the countersignature of: %(names)s")
                % {"names": "、".join(missing)},
                code="countersign_missing",
            )
        locked.status = Summary.Status.APPROVED
        locked.approved_by = person
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        m = _lock(Meeting, meeting.pk)
        m_old = _guard(m, "status", MStatus.MINUTES_APPROVED)
        m.status = MStatus.MINUTES_APPROVED
        m.save(update_fields=["status"])
        _meeting_event(m, actor=person, verb="summary_approve", from_state=m_old, to_state=m.status)
    _sync(meeting, m)
    return _sync(summary, locked)


#: Bodies in whose name the summary is posted, in order of preference: the office runs
#: the joint meeting and issues its documents (联席会议议事规则 第四条); the compound party
#: organization leads the disclosure system (公示承诺制度 第一条); the RC property
#: committee takes part in the office's work.
SUMMARY_PUBLISHER_KINDS = (
    Kind.JOINT_MEETING_OFFICE,
    Kind.COMPOUND_PARTY,
    Kind.RC_PROPERTY_COMMITTEE,
)


def _summary_publisher(person: Person, compound: Compound) -> Organization | None:
    """The office-side body that ``person`` may publish for, preferring the office."""
    from disclosures.selectors import publisher_organizations

    allowed = {o.pk: o for o in publisher_organizations(person=person, compound=compound)}
    for kind in SUMMARY_PUBLISHER_KINDS:
        for org in _orgs_of_kinds(compound, [kind]):
            if org.pk in allowed:
                return org
    return None


def _summary_disclosure_body(summary: Summary) -> str:
    """The summary as Markdown: every line of the plain-text summary stays a line; a
    first line repeating the posting's title is left out (the board shows the title)."""
    lines = [line.rstrip() for line in (summary.body or "").splitlines() if line.strip()]
    if lines and lines[0].strip() == _public_summary_title(summary.meeting):
        lines = lines[1:]
    return "\n\n".join(lines)


def _public_summary_title(meeting: Meeting) -> str:
    """The board's title, "2026年3月联席会议纪要" (the meeting's title already ends in
    会议), in the portal's language whatever the clerk's UI language: residents read it."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        pattern = gettext("Summary of the meeting “%(title)s”")
    full = pattern % {"title": meeting.title}
    if len(full) <= TITLE_MAX:  # the board's title holds as much as a meeting's
        return full
    room = TITLE_MAX - (len(full) - len(meeting.title)) - 1
    return pattern % {"title": meeting.title[:room] + "…"}


def _publish_public_summary(*, person: Person, summary: Summary):
    """Post the approved summary on the compound's disclosure board (seed: 公示承诺制度
    第一条; 联席会议议事规则 第四条 "会议纪要…分送"). Returns the disclosure.

    No source link is given: the board carries the whole summary, and the meeting page
    it would point to is for staff, so a resident would land on a refusal (the audit's
    "请填写 http(s) 链接。" came from passing that page's relative path here).
    """
    from disclosures.services import disclosure_publish_external

    meeting = summary.meeting
    publisher = _summary_publisher(person, meeting.compound)
    if publisher is None:
        raise ValidationError(
            {
                "summary": [
                    gettext(
                        "You may not publish on the disclosure board for the joint-meeting "
                        "office of this compound, so the summary cannot be posted. Ask the "
                        "office clerk to distribute it."
                    )
                ]
            },
            code="no_publisher",
        )
    day = _localdate(meeting.start)
    return disclosure_publish_external(
        actor=person,
        compound=meeting.compound,
        organization=publisher,
        category_code="meeting_summary",
        title=_public_summary_title(meeting),
        body=_summary_disclosure_body(summary),
        period_start=day,
        period_end=day,
    )


def summary_distribute(*, actor, summary: Summary) -> Summary:
    """分送: send the approved summary to the four bodies for 签收 (第四条); post it
    publicly when the meeting is marked so. The meeting is then closed."""
    meeting = summary.meeting
    person = _require(actor, "meetings.run_office", meeting, gettext("Only the office does this."))
    with transaction.atomic():
        locked = _lock(Summary, summary.pk)
        _guard(locked, "status", Summary.Status.DISTRIBUTED)
        bodies = _orgs_of_kinds(meeting.compound, Summary.BODY_KINDS)
        SummarySignature.objects.bulk_create(
            [
                SummarySignature(summary=locked, kind=SummarySignature.Kind.RECEIPT, organization=o)
                for o in bodies
            ],
            ignore_conflicts=True,
        )
        locked.status = Summary.Status.DISTRIBUTED
        locked.distributed_at = timezone.now()
        disclosure = None
        if meeting.summary_public:
            disclosure = _publish_public_summary(person=person, summary=locked)
            locked.public_disclosure_id = disclosure.pk
        locked.save()
        m = _lock(Meeting, meeting.pk)
        m_old = _guard(m, "status", MStatus.CLOSED)
        m.status = MStatus.CLOSED
        m.save(update_fields=["status"])
        _meeting_event(
            m,
            actor=person,
            verb="summary_distribute",
            from_state=m_old,
            to_state=m.status,
        )
        if disclosure is not None:
            _meeting_event(
                m,
                actor=person,
                verb="summary_publish",
                note=gettext("Posted on the disclosure board: %(title)s")
                % {"title": disclosure.title},
            )
        for org in bodies:
            notify_organization(
                org,
                subject=gettext("Meeting summary: %(title)s") % {"title": meeting.title},
                body=locked.body,
                link=meeting_link(meeting),
            )
    _sync(meeting, m)
    return _sync(summary, locked)


def summary_sign_receipt(*, actor, signature: SummarySignature) -> SummarySignature:
    """签收 of the distributed summary by a recipient body. Idempotent."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        signature.organization,
        gettext("Only a member of this body can sign for it."),
    )
    if signature.kind != SummarySignature.Kind.RECEIPT:
        raise ValidationError(_("This is not a receipt."), code="invalid")
    with transaction.atomic():
        locked = _lock(SummarySignature, signature.pk)
        if locked.signed_at is None:
            locked.signed_at = timezone.now()
            locked.signed_by = person
            locked.save(update_fields=["signed_at", "signed_by"])
            _meeting_event(
                locked.summary.meeting,
                actor=person,
                verb="summary_received",
                note=locked.organization.name,
            )
    return _sync(signature, locked)


# --- action items ---------------------------------------------------------------


def action_item_create(
    *,
    actor,
    meeting: Meeting,
    title: str,
    responsible_organization: Organization | None,
    due_date: dt.date,
    responsible_person: Person | None = None,
    description: str = "",
    topic: AgendaTopic | None = None,
    raised_by: Organization | None = None,
) -> ActionItem:
    """An agreed item (议定事项) with an owner and a due date (第五条).

    Refuses an item without a responsible organization, a due date before the
    meeting, a body that does not act for the compound, and a responsible person
    who holds no current seat in that body.
    """
    person = _require_any(
        actor,
        ("meetings.run_office", "meetings.run_pmc_meeting"),
        meeting,
        gettext("Only the office records agreed items."),
    )
    title = _text(title, field_name="title", max_length=TITLE_MAX)
    description = _text(description, field_name="description", required=False)
    errors: dict[str, list] = {}
    compound_orgs = set(
        compound_organizations(compound=meeting.compound).values_list("pk", flat=True)
    )
    if responsible_organization is None:
        errors["responsible_organization"] = [
            ValidationError(
                _("Every agreed item needs a responsible organization."), code="required"
            )
        ]
    elif responsible_organization.pk not in compound_orgs:
        errors["responsible_organization"] = [
            ValidationError(_("This body does not act for the compound."), code="invalid_org")
        ]
    elif (
        responsible_person is not None
        and not Membership.objects.current()
        .filter(person=responsible_person, organization=responsible_organization)
        .exists()
    ):
        errors["responsible_person"] = [
            ValidationError(
                _("This person holds no seat in the responsible organization."),
                code="not_member",
            )
        ]
    if raised_by is not None and raised_by.pk not in compound_orgs:
        errors["raised_by"] = [
            ValidationError(_("This body does not act for the compound."), code="invalid_org")
        ]
    if not isinstance(due_date, dt.date) or isinstance(due_date, dt.datetime):
        errors["due_date"] = [ValidationError(_("Give a due date."), code="required")]
    elif due_date < _localdate(meeting.start):
        errors["due_date"] = [
            ValidationError(_("The due date cannot be before the meeting."), code="past")
        ]
    if topic is not None and topic.meeting_id != meeting.pk:
        errors["topic"] = [ValidationError(_("This topic is not on the meeting's agenda."))]
    if meeting.status not in (MStatus.HELD, MStatus.MINUTES_APPROVED, MStatus.CLOSED):
        errors.setdefault("__all__", []).append(
            ValidationError(
                _("Agreed items are recorded once the meeting is held."), code="not_held"
            )
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = ActionItem.objects.create(
            compound=meeting.compound,
            meeting=meeting,
            topic=topic,
            title=title,
            description=description,
            responsible_organization=responsible_organization,
            responsible_person=responsible_person,
            raised_by=raised_by,
            due_date=due_date,
            due_at=workdays.end_of_day(due_date),
            created_by=person,
        )
        _item_event(item, actor=person, verb="create", to_state=item.status)
        subject = gettext("Agreed item for you: %(title)s (due %(due)s)") % {
            "title": title,
            "due": due_date.isoformat(),
        }
        notify_organization(
            responsible_organization, subject=subject, body=description, link=action_item_link(item)
        )
        if responsible_person is not None:
            _notify_person(
                responsible_person, subject=subject, body=description, link=action_item_link(item)
            )
    return item


def _can_report_progress(person: Person, item: ActionItem) -> bool:
    return (
        person.is_superuser
        or item.responsible_person_id == person.pk
        or person.has_perm("meetings.act_for_organization", item.responsible_organization)
        or person.has_perm("meetings.run_office", item)
    )


def _clean_evidence(evidence_text: str, evidence_file, *, required: bool) -> str:
    evidence_text = _text(evidence_text, field_name="evidence_text", required=False)
    if evidence_file is not None and getattr(evidence_file, "size", 0) > 10 * 1024 * 1024:
        raise ValidationError(
            {"evidence_file": [_("The file is larger than 10 MB.")]}, code="too_large"
        )
    if required and not evidence_text and not evidence_file:
        raise ValidationError(
            {"evidence_text": [_("Closing an item needs evidence (a description or a file).")]},
            code="evidence_required",
        )
    return evidence_text


def action_item_post_progress(
    *, actor, item: ActionItem, note: str, evidence_text: str = "", evidence_file=None
) -> ActionItemUpdate:
    """A progress update by the responsible body (第五条 督促落实); opens → in progress."""
    person = _person(actor)
    if person is None or not _can_report_progress(person, item):
        raise PermissionDenied(gettext("Only the responsible body reports progress."))
    note = _text(note, field_name="note")
    evidence_text = _clean_evidence(evidence_text, evidence_file, required=False)
    with transaction.atomic():
        locked = _lock(ActionItem, item.pk)
        if locked.status not in (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS):
            raise MeetingStateError(_("This item is not open for progress."), code="invalid_state")
        update = ActionItemUpdate.objects.create(
            item=locked,
            author=person,
            note=note,
            evidence_text=evidence_text,
            evidence_file=evidence_file or "",
        )
        old = locked.status
        if old == ActionItem.Status.OPEN:
            locked.status = ActionItem.Status.IN_PROGRESS
            locked.save(update_fields=["status"])
        _item_event(
            locked, actor=person, verb="progress", from_state=old, to_state=locked.status, note=note
        )
    _sync(item, locked)
    return update


def action_item_submit_done(
    *, actor, item: ActionItem, note: str, evidence_text: str = "", evidence_file=None
) -> ActionItemUpdate:
    """The responsible body reports the item done, with evidence; it waits for 验收."""
    person = _person(actor)
    if person is None or not _can_report_progress(person, item):
        raise PermissionDenied(gettext("Only the responsible body reports progress."))
    note = _text(note, field_name="note")
    evidence_text = _clean_evidence(evidence_text, evidence_file, required=True)
    with transaction.atomic():
        locked = _lock(ActionItem, item.pk)
        old = _guard(locked, "status", ActionItem.Status.SUBMITTED)
        update = ActionItemUpdate.objects.create(
            item=locked,
            author=person,
            note=note,
            evidence_text=evidence_text,
            evidence_file=evidence_file or "",
            is_completion=True,
        )
        locked.status = ActionItem.Status.SUBMITTED
        locked.completed_at = timezone.now()
        locked.save(update_fields=["status", "completed_at"])
        _item_event(
            locked,
            actor=person,
            verb="submit_done",
            from_state=old,
            to_state=locked.status,
            note=note,
        )
        for org in _orgs_of_kinds(locked.compound, [Kind.JOINT_MEETING_OFFICE]) + (
            [locked.raised_by] if locked.raised_by_id else []
        ):
            notify_organization(
                org,
                subject=gettext("Agreed item reported done, please check: %(title)s")
                % {"title": locked.title},
                body=note,
                link=action_item_link(locked),
            )
    _sync(item, locked)
    return update


def _can_accept(person: Person, item: ActionItem) -> bool:
    if person.is_superuser:
        return True
    if item.responsible_person_id == person.pk:
        return False  # not on the owner's own word
    return person.has_perm("meetings.run_office", item) or (
        item.raised_by_id is not None
        and item.raised_by_id != item.responsible_organization_id
        and person.has_perm("meetings.act_for_organization", item.raised_by)
    )


def action_item_accept(*, actor, item: ActionItem, note: str = "") -> ActionItem:
    """验收: the office or the body that raised it accepts the completion (第五条).

    Needs a completion report with evidence; the responsible person cannot accept
    their own work.
    """
    person = _person(actor)
    if person is None or not _can_accept(person, item):
        raise PermissionDenied(
            gettext("Only the meeting office or the body that raised the item can accept it.")
        )
    note = _text(note, field_name="note", max_length=REASON_MAX, required=False)
    with transaction.atomic():
        locked = _lock(ActionItem, item.pk)
        old = _guard(locked, "status", ActionItem.Status.DONE)
        completion = locked.updates.filter(is_completion=True).order_by("-created_at").first()
        if completion is None or not completion.has_evidence:
            raise ValidationError(
                {"evidence_text": [_("There is no evidence to accept.")]}, code="no_evidence"
            )
        locked.status = ActionItem.Status.DONE
        locked.accepted_by = person
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["status", "accepted_by", "accepted_at"])
        _item_event(
            locked, actor=person, verb="accept", from_state=old, to_state=locked.status, note=note
        )
        notify_organization(
            locked.responsible_organization,
            subject=gettext("Agreed item accepted: %(title)s") % {"title": locked.title},
            body=note,
            link=action_item_link(locked),
        )
    return _sync(item, locked)


def action_item_reject_completion(*, actor, item: ActionItem, reason: str) -> ActionItem:
    """Send a reported completion back: the work is not done (reason required)."""
    person = _person(actor)
    if person is None or not _can_accept(person, item):
        raise PermissionDenied(
            gettext("Only the meeting office or the body that raised the item can accept it.")
        )
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    with transaction.atomic():
        locked = _lock(ActionItem, item.pk)
        old = _guard(locked, "status", ActionItem.Status.IN_PROGRESS)
        locked.status = ActionItem.Status.IN_PROGRESS
        locked.completed_at = None
        locked.save(update_fields=["status", "completed_at"])
        _item_event(
            locked,
            actor=person,
            verb="reject_completion",
            from_state=old,
            to_state=locked.status,
            note=reason,
        )
        notify_organization(
            locked.responsible_organization,
            subject=gettext("Agreed item not accepted: %(title)s") % {"title": locked.title},
            body=reason,
            link=action_item_link(locked),
        )
    return _sync(item, locked)


def action_item_cancel(*, actor, item: ActionItem, reason: str) -> ActionItem:
    """The office cancels an item that is no longer needed (reason required)."""
    person = _require(actor, "meetings.run_office", item, gettext("Only the office does this."))
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    with transaction.atomic():
        locked = _lock(ActionItem, item.pk)
        old = _guard(locked, "status", ActionItem.Status.CANCELLED)
        locked.status = ActionItem.Status.CANCELLED
        locked.save(update_fields=["status"])
        _item_event(
            locked, actor=person, verb="cancel", from_state=old, to_state=locked.status, note=reason
        )
    return _sync(item, locked)


def _remind_days() -> int:
    return int(getattr(settings, "MEETINGS_ACTION_ITEM_REMIND_DAYS", DEFAULT_REMIND_DAYS))


def action_items_scan(*, now: dt.datetime | None = None) -> ScanReport:
    """Beat scan: a reminder before due and a 督办 notice on breach, each exactly once.

    seed: 联席会议议事规则 第四条、第五条. An alarm row with a unique constraint on
    (item, stage, due) is claimed first; only the run that inserted it notifies,
    so running the scan twice (or in two workers) sends nothing twice. A breached
    item also proposes itself as an agenda topic for the next joint meeting.
    """
    now = now or timezone.now()
    report = ScanReport()
    open_items = ActionItem.objects.filter(
        status__in=(ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)
    ).select_related("responsible_organization", "responsible_person", "compound")
    soon = now + dt.timedelta(days=_remind_days())
    reminder_q = open_items.filter(due_at__gt=now, due_at__lte=soon).exclude(
        alarms__stage=ActionItemAlarm.Stage.REMINDER
    )
    for item in reminder_q.iterator(chunk_size=200):
        with transaction.atomic():
            _, created = ActionItemAlarm.objects.get_or_create(
                item=item, stage=ActionItemAlarm.Stage.REMINDER, due=item.due_at
            )
            if not created:
                continue
            _item_event(item, actor=None, verb="reminder", note=item.due_date.isoformat())
            subject = gettext("Agreed item due on %(due)s: %(title)s") % {
                "due": item.due_date.isoformat(),
                "title": item.title,
            }
            notify_organization(
                item.responsible_organization,
                subject=subject,
                body=item.description,
                link=action_item_link(item),
            )
            _notify_person(
                item.responsible_person,
                subject=subject,
                body=item.description,
                link=action_item_link(item),
            )
        report.reminded.append(item.title)
    breach_q = open_items.filter(due_at__lte=now).exclude(
        alarms__stage=ActionItemAlarm.Stage.BREACH
    )
    for item in breach_q.iterator(chunk_size=200):
        with transaction.atomic():
            _, created = ActionItemAlarm.objects.get_or_create(
                item=item, stage=ActionItemAlarm.Stage.BREACH, due=item.due_at
            )
            if not created:
                continue
            _item_event(item, actor=None, verb="breach", note=item.due_date.isoformat())
            subject = gettext("督办: agreed item overdue since %(due)s: %(title)s") % {
                "due": item.due_date.isoformat(),
                "title": item.title,
            }
            body = gettext("Responsible: %(org)s") % {"org": item.responsible_organization.name}
            for org in [
                *_orgs_of_kinds(item.compound, SUPERVISION_KINDS),
                item.responsible_organization,
            ]:
                notify_organization(org, subject=subject, body=body, link=action_item_link(item))
            _propose_overdue_item(item)
        report.breached.append(item.title)
    return report


def _propose_overdue_item(item: ActionItem) -> AgendaTopic | None:
    if AgendaTopic.objects.filter(
        compound=item.compound, action_item=item, status=AgendaTopic.Status.PROPOSED
    ).exists():
        return None
    try:
        with transaction.atomic():
            topic = AgendaTopic.objects.create(
                compound=item.compound,
                meeting=next_joint_meeting(compound=item.compound),
                title=(gettext("Overdue agreed item: %(title)s") % {"title": item.title})[
                    :TITLE_MAX
                ],
                description=item.description,
                source=AgendaTopic.Source.ACTION_ITEM,
                action_item=item,
                proposer_organization=item.raised_by,
            )
    except IntegrityError:
        return None
    _topic_event(topic, actor=None, verb="propose", to_state=topic.status)
    return topic


def _reminder_day() -> int:
    return int(getattr(settings, "MEETINGS_SCHEDULE_REMINDER_DAY", 20))


def meeting_schedule_scan(*, today: dt.date | None = None) -> list[Compound]:
    """Beat: remind the office when no joint meeting is scheduled for this month by
    ``settings.MEETINGS_SCHEDULE_REMINDER_DAY`` (default 20). Once per compound and month.

    seed: 小区党组织服务承诺 1 (每月至少召开1次联席会议); 联席会议议事规则 第三条.
    """
    today = today or timezone.localdate()
    if today.day < _reminder_day():
        return []
    first = dt.date(today.year, today.month, 1)
    nxt = dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(nxt, dt.time.min, tzinfo=tz)
    scheduled = (
        Meeting.objects.filter(kind=MKind.JOINT, start__gte=start, start__lt=end)
        .exclude(status=MStatus.CANCELLED)
        .values("compound_id")
    )
    done = ScheduleReminder.objects.filter(year=today.year, month=today.month).values("compound_id")
    reminded = []
    for compound in (
        Compound.objects.exclude(pk__in=scheduled)
        .exclude(pk__in=done)
        .filter(organizations__kind=Kind.JOINT_MEETING_OFFICE)
        .distinct()
    ):
        with transaction.atomic():
            _, created = ScheduleReminder.objects.get_or_create(
                compound=compound, year=today.year, month=today.month
            )
            if not created:
                continue
            subject = gettext("No joint meeting is scheduled yet for %(month)s") % {
                "month": f"{today.year}-{today.month:02d}"
            }
            body = gettext(
                "The rules ask for a joint meeting every month, by default in its last week."
            )
            for org in _orgs_of_kinds(compound, OFFICE_KINDS):
                notify_organization(org, subject=subject, body=body, link=_link("meetings:list"))
        reminded.append(compound)
    return reminded


# --- decision reports -------------------------------------------------------------


def decision_report_create(
    *,
    actor,
    compound: Compound,
    matter: str,
    title: str,
    body: str,
    form: str = DecisionReport.Form.WRITTEN,
    amount: Decimal | None = None,
) -> DecisionReport:
    """Draft a decision report of the PMC (seed: 决策报告制度 第二条)."""
    person = _require(
        actor, "meetings.file_decision_report", compound, gettext("Only PMC officers file reports.")
    )
    errors: dict[str, list] = {}
    if matter not in DecisionReport.Matter.values:
        errors["matter"] = [ValidationError(_("Choose the matter."), code="invalid")]
    if form not in DecisionReport.Form.values:
        errors["form"] = [ValidationError(_("Choose written or oral."), code="invalid")]
    if amount is not None:
        try:
            amount = Decimal(amount).quantize(Decimal("0.01"))
            if amount < 0 or amount >= Decimal("1e10"):
                raise ValueError
        except (ArithmeticError, ValueError, TypeError):
            errors["amount"] = [ValidationError(_("Give a valid amount."), code="invalid")]
    title = _text(title, field_name="title", max_length=TITLE_MAX)
    body = _text(body, field_name="body")
    pmc = (_orgs_of_kinds(compound, [Kind.PMC]) or [None])[0]
    if pmc is None:
        errors["__all__"] = [ValidationError(_("The compound has no PMC."), code="no_pmc")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = DecisionReport.objects.create(
            compound=compound,
            organization=pmc,
            matter=matter,
            title=title,
            body=body,
            form=form,
            amount=amount,
        )
        _report_event(report, actor=person, verb="create", to_state=report.status)
    return report


def decision_report_file(*, actor, report: DecisionReport) -> DecisionReport:
    """Report in advance to the street, the community party org, the compound party
    org, the RC and the meeting office (决策报告制度 第二条); each acknowledges."""
    person = _require(
        actor, "meetings.file_decision_report", report, gettext("Only PMC officers file reports.")
    )
    with transaction.atomic():
        locked = _lock(DecisionReport, report.pk)
        old = _guard(locked, "status", DecisionReport.Status.FILED)
        recipients = _orgs_of_kinds(locked.compound, DecisionReport.RECIPIENT_KINDS)
        DecisionReportRecipient.objects.bulk_create(
            [DecisionReportRecipient(report=locked, organization=o) for o in recipients],
            ignore_conflicts=True,
        )
        locked.status = DecisionReport.Status.FILED
        locked.filed_by = person
        locked.filed_at = timezone.now()
        locked.save(update_fields=["status", "filed_by", "filed_at"])
        _report_event(locked, actor=person, verb="file", from_state=old, to_state=locked.status)
        subject = gettext("Decision report: %(title)s") % {"title": locked.title}
        if locked.needs_early_intervention:
            subject = gettext("[Early intervention needed] %(subject)s") % {"subject": subject}
        for org in recipients:
            notify_organization(
                org,
                subject=subject,
                body=locked.body,
                link=_link("meetings:decision_report", locked.pk),
            )
    return _sync(report, locked)


def decision_report_acknowledge(
    *, actor, recipient: DecisionReportRecipient, answer: str = ""
) -> DecisionReportRecipient:
    """A recipient body acknowledges the report and may answer (决策报告制度 第三条)."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        recipient.organization,
        gettext("Only a member of this body can answer for it."),
    )
    answer = _text(answer, field_name="answer", required=False)
    with transaction.atomic():
        locked = _lock(DecisionReportRecipient, recipient.pk)
        report = locked.report
        if report.status == DecisionReport.Status.DRAFT:
            raise MeetingStateError(_("The report has not been filed."), code="invalid_state")
        now = timezone.now()
        if locked.acknowledged_at is None:
            locked.acknowledged_at, locked.acknowledged_by = now, person
        if answer:
            locked.answer, locked.answered_at, locked.answered_by = answer, now, person
        locked.save()
        _report_event(
            report,
            actor=person,
            verb="answer" if answer else "acknowledge",
            note=f"{locked.organization.name}: {answer}",
        )
        if answer:
            notify_organization(
                report.organization,
                subject=gettext("Answer to your decision report “%(title)s”")
                % {"title": report.title},
                body=answer,
                link=_link("meetings:decision_report", report.pk),
            )
    return _sync(recipient, locked)


def decision_report_invite_intervention(
    *, actor, report: DecisionReport, note: str = ""
) -> list[EarlyIntervention]:
    """联席会议办公室 invites the street and the community party org to intervene early
    (seed: 协同联动 第七条). Idempotent per body."""
    person = _require(actor, "meetings.run_office", report, gettext("Only the office invites."))
    note = _text(note, field_name="note", required=False)
    with transaction.atomic():
        locked = _lock(DecisionReport, report.pk)
        if locked.status not in (DecisionReport.Status.DRAFT, DecisionReport.Status.FILED):
            raise MeetingStateError(_("The report is closed."), code="invalid_state")
        bodies = _orgs_of_kinds(locked.compound, DecisionReport.EARLY_INTERVENTION_KINDS)
        if len(bodies) < len(DecisionReport.EARLY_INTERVENTION_KINDS):
            raise ValidationError(
                _(
                    "The street office or the community party organization "
                    "is missing in the directory."
                ),
                code="missing_body",
            )
        created = []
        for org in bodies:
            invitation, made = EarlyIntervention.objects.get_or_create(
                report=locked, organization=org, defaults={"invited_by": person, "note": note}
            )
            if made:
                created.append(invitation)
                notify_organization(
                    org,
                    subject=gettext("Invitation to intervene early: %(title)s")
                    % {"title": locked.title},
                    body=note or locked.body,
                    link=_link("meetings:decision_report", locked.pk),
                )
        if created:
            _report_event(
                locked,
                actor=person,
                verb="invite_intervention",
                note="、".join(i.organization.name for i in created),
            )
    return created


def early_intervention_respond(
    *, actor, intervention: EarlyIntervention, response: str
) -> EarlyIntervention:
    """The invited body records its opinion (协同联动 第七条 严格把关)."""
    person = _require(
        actor,
        "meetings.act_for_organization",
        intervention.organization,
        gettext("Only a member of this body can answer for it."),
    )
    response = _text(response, field_name="response")
    with transaction.atomic():
        locked = _lock(EarlyIntervention, intervention.pk)
        locked.response, locked.responded_at, locked.responded_by = response, timezone.now(), person
        locked.save()
        _report_event(
            locked.report,
            actor=person,
            verb="intervention_response",
            note=f"{locked.organization.name}: {response}",
        )
    return _sync(intervention, locked)


def decision_report_missing_interventions(*, report: DecisionReport) -> list[str]:
    """Kinds of the bodies still to be invited before the matter may proceed (第七条)."""
    if not report.needs_early_intervention:
        return []
    invited = set(report.interventions.values_list("organization__kind", flat=True))
    return [k for k in DecisionReport.EARLY_INTERVENTION_KINDS if k not in invited]


def decision_report_proceed(*, actor, report: DecisionReport, note: str = "") -> DecisionReport:
    """The PMC may proceed with the matter once reported in advance.

    For large maintenance-fund use, change of the property company and fee
    adjustment the street and the community party org must have been invited to
    intervene early (seed: 协同联动 第七条); otherwise
    :class:`EarlyInterventionRequired` is raised.
    """
    person = _require(
        actor, "meetings.file_decision_report", report, gettext("Only PMC officers do this.")
    )
    note = _text(note, field_name="note", required=False)
    with transaction.atomic():
        locked = _lock(DecisionReport, report.pk)
        if locked.status == DecisionReport.Status.DRAFT:
            raise MeetingStateError(
                _("File the report in advance before proceeding."), code="not_filed"
            )
        old = _guard(locked, "status", DecisionReport.Status.PROCEEDING)
        missing = decision_report_missing_interventions(report=locked)
        if missing:
            raise EarlyInterventionRequired(
                _(
                    "This matter needs the street and the community party organization "
                    "invited to intervene early first (协同联动 第七条). Missing: %(names)s"
                )
                % {"names": "、".join(str(Kind(k).label) for k in missing)},
                code="early_intervention_required",
            )
        locked.status = DecisionReport.Status.PROCEEDING
        locked.proceed_at = timezone.now()
        locked.save(update_fields=["status", "proceed_at"])
        _report_event(
            locked, actor=person, verb="proceed", from_state=old, to_state=locked.status, note=note
        )
    return _sync(report, locked)


def decision_report_withdraw(*, actor, report: DecisionReport, reason: str) -> DecisionReport:
    """Withdraw a report (the matter is dropped), with a reason."""
    person = _require(
        actor, "meetings.file_decision_report", report, gettext("Only PMC officers do this.")
    )
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    with transaction.atomic():
        locked = _lock(DecisionReport, report.pk)
        old = _guard(locked, "status", DecisionReport.Status.WITHDRAWN)
        locked.status = DecisionReport.Status.WITHDRAWN
        locked.save(update_fields=["status"])
        _report_event(
            locked,
            actor=person,
            verb="withdraw",
            from_state=old,
            to_state=locked.status,
            note=reason,
        )
    return _sync(report, locked)


# --- owners' assembly motions --------------------------------------------------------


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


# --- forums and hearings ------------------------------------------------------------


def forum_opinion_record(
    *,
    actor,
    meeting: Meeting,
    raised_by_name: str,
    content: str,
    raised_by: Person | None = None,
    household: Household | None = None,
) -> ForumOpinion:
    """Record an opinion raised at a 恳谈会 / 听证会 / 评议会 (seed: 协同联动 第六条)."""
    person = _require(actor, "meetings.run_forum", meeting, gettext("You may not record opinions."))
    if not meeting.is_forum:
        raise ValidationError(_("Opinions are recorded at forums, hearings and reviews."))
    if meeting.status == MStatus.CANCELLED:
        raise MeetingStateError(_("The meeting was cancelled."), code="cancelled")
    raised_by_name = _text(raised_by_name, field_name="raised_by_name", max_length=50)
    content = _text(content, field_name="content", max_length=4000)
    if household is not None and household.building.compound_id != meeting.compound_id:
        raise ValidationError({"household": [_("This household is not in the compound.")]})
    with transaction.atomic():
        opinion = ForumOpinion.objects.create(
            meeting=meeting,
            raised_by=raised_by,
            raised_by_name=raised_by_name,
            household=household,
            content=content,
        )
        _meeting_event(meeting, actor=person, verb="opinion", note=content[:200])
    return opinion


def forum_opinion_dispose(
    *,
    actor,
    opinion: ForumOpinion,
    disposition: str,
    note: str = "",
    category=None,
) -> ForumOpinion:
    """Say what became of an opinion: adopted / explained (with a note), turned into a
    complaint (``issues.services.issue_submit`` starts the complaint clocks; needs
    ``category``) or into an agenda topic for the next joint meeting."""
    meeting = opinion.meeting
    person = _require(actor, "meetings.run_forum", meeting, gettext("You may not do this."))
    D = ForumOpinion.Disposition
    if disposition not in D.values or disposition == D.PENDING:
        raise ValidationError({"disposition": [_("Choose a disposition.")]}, code="invalid")
    note = _text(
        note,
        field_name="disposition_note",
        max_length=4000,
        required=disposition in (D.ADOPTED, D.EXPLAINED),
    )
    with transaction.atomic():
        locked = _lock(ForumOpinion, opinion.pk)
        if locked.disposition != D.PENDING:
            raise MeetingStateError(_("This opinion has already been handled."), code="handled")
        if disposition == D.COMPLAINT:
            from issues.services import issue_submit

            if category is None:
                raise ValidationError({"category": [_("Please choose a category.")]})
            result = issue_submit(
                actor=locked.raised_by or person,
                compound=meeting.compound,
                category=category,
                description=locked.content,
                building=locked.household.building if locked.household_id else None,
                unit=locked.household.unit if locked.household_id else "",
                location_text="" if locked.household_id else meeting.place,
                reporter_name=locked.raised_by_name,
                is_public=True,
            )
            locked.issue = result.issue
        elif disposition == D.AGENDA_TOPIC:
            topic = AgendaTopic.objects.create(
                compound=meeting.compound,
                meeting=next_joint_meeting(compound=meeting.compound),
                title=locked.content[:TITLE_MAX],
                description=note,
                source=AgendaTopic.Source.FORUM,
                proposer=person,
            )
            _topic_event(topic, actor=person, verb="propose", to_state=topic.status)
            locked.topic = topic
        old = locked.disposition
        locked.disposition = disposition
        locked.disposition_note = note
        locked.decided_by = person
        locked.decided_at = timezone.now()
        locked.save()
        _meeting_event(
            meeting,
            actor=person,
            verb="opinion_disposed",
            from_state=old,
            to_state=disposition,
            note=locked.content[:200],
        )
    return _sync(opinion, locked)


def meeting_publish_feedback(*, actor, meeting: Meeting, report: str) -> Meeting:
    """Publish the forum's feedback report once every opinion has a disposition
    (协同联动 第六条: 合理有序引导居民群众参与)."""
    person = _require(actor, "meetings.run_forum", meeting, gettext("You may not do this."))
    report = _text(report, field_name="report")
    with transaction.atomic():
        locked = _lock(Meeting, meeting.pk)
        if not locked.is_forum or locked.status not in (MStatus.HELD, MStatus.CLOSED):
            raise MeetingStateError(_("Publish feedback after the forum is held."))
        if locked.opinions.filter(disposition=ForumOpinion.Disposition.PENDING).exists():
            raise ValidationError(
                {"report": [_("Some opinions have no disposition yet.")]}, code="pending"
            )
        old = locked.status
        locked.feedback_report = report
        locked.feedback_published_at = timezone.now()
        locked.status = MStatus.CLOSED
        locked.save(update_fields=["feedback_report", "feedback_published_at", "status"])
        _meeting_event(
            locked, actor=person, verb="publish_feedback", from_state=old, to_state=locked.status
        )
    return _sync(meeting, locked)


# --- printable documents ----------------------------------------------------------


def meeting_document_request(*, actor, meeting: Meeting, kind: str) -> MeetingDocument:
    """Ask the worker for a PDF (notice, sign-in sheet, minutes, summary); the page
    polls the returned row. Anyone who may see the meeting's staff page may ask."""
    person = _require(actor, "meetings.view_meeting", meeting, gettext("You may not do this."))
    if kind not in MeetingDocument.Kind.values:
        raise ValidationError({"kind": [_("Choose a document.")]}, code="invalid")
    with transaction.atomic():
        document = MeetingDocument.objects.create(meeting=meeting, kind=kind, requested_by=person)

        def _dispatch() -> None:
            from .tasks import render_meeting_document

            try:
                render_meeting_document.delay(document.pk)
            except Exception:  # the broker is down: the sweep task renders it later
                logger.exception("could not dispatch rendering of document %s", document.pk)

        transaction.on_commit(_dispatch)
    return document


def meeting_document_render(*, document_id: int) -> MeetingDocument | None:
    """Render one pending document (idempotent: a ready row is left alone)."""
    from huashan.core.documents import document_store

    from .pdf import meeting_pdf

    document = (
        MeetingDocument.objects.select_related("meeting__compound").filter(pk=document_id).first()
    )
    if document is None or document.status == MeetingDocument.Status.READY:
        return document
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    return document_store(
        document,
        lambda: meeting_pdf(meeting=document.meeting, kind=document.kind),
        filename=f"{document.kind}-{stamp}.pdf",
    )


def meeting_documents_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Render documents still pending after ``older_than`` (a lost dispatch)."""
    from huashan.core.documents import documents_sweep_pending

    return documents_sweep_pending(MeetingDocument, meeting_document_render, older_than=older_than)
