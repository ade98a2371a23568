"""Meetings: scheduling, members, the notice (通知) and its receipts, cancelling, holding,
attendance, and the monthly reminder when no joint meeting is scheduled.

seed: 联席会议议事规则 第一—四条; 小区党组织服务承诺 1.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.directory import delegations
from huashan.directory.models import ChairDelegation, Compound, Membership, Organization, Person
from huashan.directory.selectors import compound_organizations

from ..models import (
    AgendaTopic,
    Attendance,
    Meeting,
    MeetingMember,
    ScheduleReminder,
)
from ._common import (
    MAX_MEETING_HOURS,
    MEMBER_KINDS,
    MEMBER_ROLES,
    OBSERVER_KINDS,
    OBSERVER_ROLES,
    OFFICE_KINDS,
    REASON_MAX,
    RECORD_PAST_MAX_DAYS,
    TITLE_MAX,
    Kind,
    MeetingStateError,
    MKind,
    MStatus,
    Role,
    _guard,
    _link,
    _localdate,
    _lock,
    _meeting_event,
    _notify_person,
    _orgs_of_kinds,
    _require_any,
    _sync,
    _text,
    is_last_week_of_month,
    meeting_link,
    notify_organization,
)


def _meeting_permission(kind: str) -> tuple[str, ...]:
    if kind == MKind.JOINT:
        return ("meetings.run_office", "meetings.convene")
    if kind == MKind.STREET_JOINT:
        return ("meetings.convene_street",)
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


def _default_chair(compound: Compound, on: dt.date) -> Person | None:
    """The community party head, else a compound party head entrusted on ``on``
    (联席会议议事规则 第三条 "社区党组织负责人或受其委托的小区党组织负责人")."""
    head = delegations.community_party_head(compound, on)
    if head is not None:
        return head
    delegation = (
        ChairDelegation.objects.active(on)
        .filter(compound=compound)
        .select_related("delegate")
        .order_by("-start", "-pk")
        .first()
    )
    if delegation is not None and delegations.is_compound_party_head(
        compound, delegation.delegate, on
    ):
        return delegation.delegate
    return None


def _chair_allowed(compound: Compound, person: Person, on: dt.date | None = None) -> bool:
    """May ``person`` chair the compound's joint meeting on ``on`` (第三条)?"""
    return delegations.chair_standing(compound, person, on or timezone.localdate())[0]


CHAIR_MESSAGE = _(
    "The chair must be the community party head or a compound party head entrusted by "
    "them for the meeting's date (联席会议议事规则 第三条)."
)
CONVENER_MESSAGE = _(
    "The convener must be the community party head or a compound party head entrusted by "
    "them for the meeting's date (联席会议议事规则 第三条)."
)


def _joint_chair(
    compound: Compound, start, chair: Person | None, convener: Person | None, errors: dict
) -> tuple[Person | None, ChairDelegation | None]:
    """Check the chair and convener of a joint meeting on its day; fill the default chair.

    Returns ``(chair, delegation)``, the delegation being the 委托 a compound party head
    chairs under (``None`` for the community party head). Adds errors to ``errors``.
    """
    if not isinstance(start, dt.datetime) or timezone.is_naive(start):
        return chair, None
    on = _localdate(start)
    chair = chair or _default_chair(compound, on)
    delegation = None
    if chair is None:
        errors.setdefault("chair", []).append(
            ValidationError(
                _(
                    "No one may chair this joint meeting: the community has no party head "
                    "and no compound party head is entrusted for that day."
                ),
                code="no_chair",
            )
        )
    else:
        allowed, delegation = delegations.chair_standing(compound, chair, on)
        if not allowed:
            errors.setdefault("chair", []).append(
                ValidationError(CHAIR_MESSAGE, code="invalid_chair")
            )
    if (
        convener is not None
        and convener != chair
        and not delegations.chair_standing(compound, convener, on)[0]
    ):
        errors.setdefault("convener", []).append(
            ValidationError(CONVENER_MESSAGE, code="invalid_convener")
        )
    return chair, delegation


#: 协同联动 第四条: the street joint meeting — the street office and its property
#: committee (街道物业管理专业委员会) coordinating the departments, with the community
#: party organization that asked for it as members; the compound's party head, the RC,
#: the PMC and the property company's head attend (列席).
STREET_MEMBER_KINDS = (Kind.STREET_OFFICE, Kind.STREET_PMC, Kind.DEPARTMENT, Kind.COMMUNITY_PARTY)
STREET_OBSERVER_KINDS = (
    Kind.COMPOUND_PARTY,
    Kind.RESIDENTS_COMMITTEE,
    Kind.PMC,
    Kind.PROPERTY_COMPANY,
)


def _street_meeting_rows(meeting: Meeting, current) -> list[tuple[int, int, str]]:
    orgs = compound_organizations(compound=meeting.compound).filter(
        kind__in=STREET_MEMBER_KINDS + STREET_OBSERVER_KINDS
    )
    rows = []
    for m in current.filter(organization__in=orgs).order_by("organization__kind", "pk"):
        kind = m.organization.kind
        if kind in STREET_MEMBER_KINDS and (
            m.role in MEMBER_ROLES or (kind == Kind.DEPARTMENT and m.role == Role.STAFF)
        ):
            rows.append((m.person_id, m.organization_id, MeetingMember.Role.MEMBER))
        elif kind in STREET_OBSERVER_KINDS and m.role in (Role.SECRETARY, Role.CHAIR):
            rows.append((m.person_id, m.organization_id, MeetingMember.Role.OBSERVER))
    return rows


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
    if meeting.kind == MKind.STREET_JOINT:
        rows = _street_meeting_rows(meeting, current)
    elif meeting.kind == MKind.PMC_WORKING:
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


def _clean_new_meeting(
    *,
    compound: Compound,
    kind: str,
    title: str,
    start: dt.datetime,
    end: dt.datetime,
    place: str,
    chair: Person | None,
    is_ad_hoc: bool,
    ad_hoc_reason: str,
    organization: Organization | None,
    recorded_afterwards: bool,
    record_reason: str,
    convener: Person | None = None,
) -> dict:
    """The first step of :func:`meeting_create`: clean the texts, check the schedule, the
    chair and the acting body, and raise every error at once keyed by field. Returns the
    cleaned values (the default chair of a joint meeting, the PMC of a PMC meeting filled in).
    """
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
    delegation = None
    if kind == MKind.JOINT:
        chair, delegation = _joint_chair(compound, start, chair, convener, errors)
    if organization is not None and organization not in compound_organizations(compound=compound):
        errors.setdefault("organization", []).append(
            ValidationError(_("This body does not act for the compound."), code="invalid_org")
        )
    if errors:
        raise ValidationError(errors)
    if kind == MKind.PMC_WORKING and organization is None:
        organization = (_orgs_of_kinds(compound, [Kind.PMC]) or [None])[0]
    if kind == MKind.STREET_JOINT and organization is None:
        organization = (_orgs_of_kinds(compound, [Kind.STREET_PMC, Kind.STREET_OFFICE]) or [None])[
            0
        ]
    return {
        "title": title,
        "place": place,
        "ad_hoc_reason": ad_hoc_reason,
        "recorded_afterwards": recorded_afterwards,
        "record_reason": record_reason,
        "chair": chair,
        "chair_delegation": delegation,
        "organization": organization,
    }


def _record_creation(meeting: Meeting, *, person: Person) -> None:
    """The last step of :func:`meeting_create`: its event (补录 with the reason); a new
    joint meeting takes the topics waiting for "the next joint meeting"."""
    if meeting.recorded_afterwards:
        _meeting_event(
            meeting,
            actor=person,
            verb="record_past",
            to_state=MStatus.HELD,
            note=meeting.record_reason,
        )
        return
    _meeting_event(meeting, actor=person, verb="create", to_state=MStatus.DRAFT)
    if meeting.kind == MKind.JOINT:
        AgendaTopic.objects.filter(
            compound=meeting.compound, meeting__isnull=True, status=AgendaTopic.Status.PROPOSED
        ).update(meeting=meeting)


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
    cleaned = _clean_new_meeting(
        compound=compound,
        kind=kind,
        title=title,
        start=start,
        end=end,
        place=place,
        chair=chair,
        is_ad_hoc=is_ad_hoc,
        ad_hoc_reason=ad_hoc_reason,
        organization=organization,
        recorded_afterwards=recorded_afterwards,
        record_reason=record_reason,
        convener=convener,
    )
    recorded_afterwards = cleaned["recorded_afterwards"]
    chair = cleaned["chair"]
    with transaction.atomic():
        meeting = Meeting.objects.create(
            compound=compound,
            kind=kind,
            title=cleaned["title"],
            start=start,
            end=end,
            place=cleaned["place"],
            chair=chair,
            convener=convener or chair,
            chair_delegation=cleaned["chair_delegation"],
            is_ad_hoc=bool(is_ad_hoc),
            ad_hoc_reason=cleaned["ad_hoc_reason"],
            organization=cleaned["organization"],
            summary_public=bool(summary_public),
            recorded_afterwards=recorded_afterwards,
            record_reason=cleaned["record_reason"],
            status=MStatus.HELD if recorded_afterwards else MStatus.DRAFT,
            held_at=start if recorded_afterwards else None,
            created_by=person,
        )
        meeting_members_derive(meeting=meeting)
        _record_creation(meeting, person=person)
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
    delegation = None
    if meeting.kind == MKind.JOINT:
        # The day may have moved: the standing of the (new or kept) chair is checked again.
        chair, delegation = _joint_chair(
            meeting.compound, start, chair or meeting.chair, None, errors
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
        if chair is not None and chair.pk != locked.chair_id:
            locked.chair = chair
            locked.convener = chair
        if locked.kind == MKind.JOINT:
            locked.chair_delegation = delegation
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


# --- 协同联动 第四条: beyond the compound, to the street --------------------------------

PROPOSAL_MAX = 4000
#: Tiers a joint meeting may take to the street: the seed speaks of "重大物业管理服务问题"
#: beyond the three parties and the community — 大事 / 难事 / 历史遗留, never a 小事.
STREET_TIERS = ("big", "hard", "legacy")
_HELD_STATES = (MStatus.HELD, MStatus.MINUTES_APPROVED, MStatus.CLOSED)


def _referral_issue_event(referral, *, actor, verb: str, note: str, public: bool) -> None:
    from huashan.core.state import record_event
    from issues.models import IssueEvent

    record_event(IssueEvent, issue=referral.issue, actor=actor, verb=verb, note=note, public=public)


def _referral_link(referral) -> str:
    return meeting_link(referral.street_meeting or referral.joint_meeting)


def street_referral_propose(*, actor, meeting: Meeting, issue, proposal: str):
    """The compound's joint meeting studies a problem beyond the three parties and the
    community and proposes (研究并提出建议) to take it to the street; the proposal goes
    to the community party organization (报社区党组织).

    seed: 协同联动 第四条. Only from a joint meeting that has been held, for an open
    大事 / 难事 / 历史遗留 complaint of the same compound, once per complaint at a time.
    """
    from ..models.meetings import StreetReferral

    person = _require_any(
        actor,
        ("meetings.run_office", "meetings.convene"),
        meeting,
        gettext("Only the joint-meeting office records the joint meeting's proposal."),
    )
    proposal = _text(proposal, field_name="proposal", max_length=PROPOSAL_MAX)
    if meeting.kind != MKind.JOINT or meeting.status not in _HELD_STATES:
        raise MeetingStateError(
            _("Only a joint meeting that has been held proposes taking a problem to the street."),
            code="not_held_joint",
        )
    if issue.compound_id != meeting.compound_id:
        raise ValidationError({"issue": [_("This complaint is not of this compound.")]})
    if issue.tier not in STREET_TIERS or not issue.is_open:
        raise ValidationError(
            {
                "issue": [
                    _(
                        "Only an open major, difficult or legacy matter goes to the street; "
                        "a small matter is handled in the compound."
                    )
                ]
            },
            code="tier",
        )
    with transaction.atomic():
        if StreetReferral.objects.filter(
            issue=issue,
            status__in=(
                StreetReferral.Status.PROPOSED,
                StreetReferral.Status.REQUESTED,
                StreetReferral.Status.CONVENED,
            ),
        ).exists():
            raise ValidationError(
                {"issue": [_("This complaint is already on its way to the street.")]},
                code="duplicate",
            )
        referral = StreetReferral.objects.create(
            compound=meeting.compound,
            issue=issue,
            joint_meeting=meeting,
            proposal=proposal,
            proposed_by=person,
        )
        _meeting_event(meeting, actor=person, verb="street_propose", note=proposal[:200])
        _referral_issue_event(
            referral,
            actor=person,
            verb="street_propose",
            note=gettext("The joint meeting proposes taking it to the street: %(text)s")
            % {"text": proposal},
            public=True,
        )
        for org in _orgs_of_kinds(meeting.compound, [Kind.COMMUNITY_PARTY]):
            notify_organization(
                org,
                subject=gettext("The joint meeting asks you to take %(number)s to the street")
                % {"number": issue.tracking_number},
                body=proposal,
                link=meeting_link(meeting),
            )
    return referral


def street_referral_request(*, actor, referral, request_text: str = "", decline_reason: str = ""):
    """The community party organization asks the street (提请街道) to use 街道吹哨、部门报到
    and convene a street joint meeting — or says, with a reason, why it does not.

    seed: 协同联动 第四条 "社区党组织应及时提请街道…召集街道联席会议".
    """
    from ..models.meetings import StreetReferral

    person = _require_any(
        actor,
        ("meetings.refer_to_street",),
        referral.compound,
        gettext("Only the community party organization asks the street."),
    )
    declining = bool((decline_reason or "").strip())
    if declining:
        decline_reason = _text(decline_reason, field_name="decline_reason", max_length=REASON_MAX)
        target = StreetReferral.Status.DECLINED
    else:
        request_text = _text(request_text, field_name="request_text", max_length=PROPOSAL_MAX)
        target = StreetReferral.Status.REQUESTED
    with transaction.atomic():
        locked = _lock(StreetReferral, referral.pk)
        _guard(locked, "status", target)
        locked.status = target
        locked.requested_by = person
        locked.requested_at = timezone.now()
        if declining:
            locked.decline_reason = decline_reason
        else:
            locked.request_text = request_text
        locked.save()
        _referral_issue_event(
            locked,
            actor=person,
            verb="street_decline" if declining else "street_request",
            note=decline_reason if declining else request_text,
            public=True,
        )
        if declining:
            for org in _orgs_of_kinds(locked.compound, OFFICE_KINDS):
                notify_organization(
                    org,
                    subject=gettext("%(number)s is not taken to the street")
                    % {"number": locked.issue.tracking_number},
                    body=decline_reason,
                    link=meeting_link(locked.joint_meeting),
                )
        else:
            for org in _orgs_of_kinds(locked.compound, [Kind.STREET_PMC, Kind.STREET_OFFICE]):
                notify_organization(
                    org,
                    subject=gettext(
                        "The community party organization asks for a street joint meeting "
                        "on %(number)s"
                    )
                    % {"number": locked.issue.tracking_number},
                    body="\n\n".join([request_text, locked.proposal]),
                    link=meeting_link(locked.joint_meeting),
                )
    return _sync(referral, locked)


def street_joint_meeting_convene(
    *, actor, referral, title: str, start: dt.datetime, end: dt.datetime, place: str
) -> Meeting:
    """The street convenes the street joint meeting (召集街道联席会议) on a requested
    referral: a meeting of kind ``street_joint`` for the compound, its members the street
    office, the street property committee, the departments and the community party
    organization (协同联动 第四条)."""
    from ..models.meetings import StreetReferral

    _require_any(
        actor,
        ("meetings.convene_street",),
        referral.compound,
        gettext("Only the street convenes a street joint meeting."),
    )
    if referral.status != StreetReferral.Status.REQUESTED:
        raise MeetingStateError(
            _("The community party organization has not asked the street yet."),
            code="not_requested",
        )
    with transaction.atomic():
        meeting = meeting_create(
            actor=actor,
            compound=referral.compound,
            kind=MKind.STREET_JOINT,
            title=title,
            start=start,
            end=end,
            place=place,
            is_ad_hoc=True,
            ad_hoc_reason=gettext("Street joint meeting on complaint %(number)s")
            % {"number": referral.issue.tracking_number},
        )
        locked = _lock(StreetReferral, referral.pk)
        _guard(locked, "status", StreetReferral.Status.CONVENED)
        locked.status = StreetReferral.Status.CONVENED
        locked.street_meeting = meeting
        locked.save(update_fields=["status", "street_meeting"])
        _referral_issue_event(
            locked,
            actor=actor,
            verb="street_convene",
            note=f"{meeting.title} {timezone.localtime(meeting.start):%Y-%m-%d %H:%M}",
            public=True,
        )
        for member in meeting.members.select_related("person"):
            _notify_person(
                member.person,
                subject=gettext("Street joint meeting: %(title)s") % {"title": meeting.title},
                body=locked.proposal,
                link=meeting_link(meeting),
            )
    _sync(referral, locked)
    return meeting


def street_referral_conclude(*, actor, referral, outcome: str):
    """The outcome of the street joint meeting returns to the complaint: a public step on
    its timeline, told to the compound's office, the community party organization and
    the body handling the complaint (协同联动 第四条 "积极解决物业管理服务中存在的问题")."""
    from ..models.meetings import StreetReferral

    person = _require_any(
        actor,
        ("meetings.convene_street",),
        referral.compound,
        gettext("Only the street records the street joint meeting's outcome."),
    )
    outcome = _text(outcome, field_name="outcome", max_length=PROPOSAL_MAX)
    with transaction.atomic():
        locked = _lock(StreetReferral, referral.pk)
        _guard(locked, "status", StreetReferral.Status.CONCLUDED)
        if locked.street_meeting is None or locked.street_meeting.status not in _HELD_STATES:
            raise MeetingStateError(
                _("Record the outcome once the street joint meeting has been held."),
                code="not_held",
            )
        locked.status = StreetReferral.Status.CONCLUDED
        locked.outcome = outcome
        locked.concluded_at = timezone.now()
        locked.save(update_fields=["status", "outcome", "concluded_at"])
        _referral_issue_event(
            locked, actor=person, verb="street_outcome", note=outcome, public=True
        )
        _meeting_event(
            locked.street_meeting, actor=person, verb="street_outcome", note=outcome[:200]
        )
        kinds = [*OFFICE_KINDS, Kind.COMMUNITY_PARTY]
        told = {o.pk: o for o in _orgs_of_kinds(locked.compound, kinds)}
        if locked.issue.assigned_org_id:
            told.setdefault(locked.issue.assigned_org_id, locked.issue.assigned_org)
        for org in told.values():
            notify_organization(
                org,
                subject=gettext("Outcome of the street joint meeting on %(number)s")
                % {"number": locked.issue.tracking_number},
                body=outcome,
                link=meeting_link(locked.street_meeting),
            )
    return _sync(referral, locked)
