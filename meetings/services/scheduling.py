"""Scheduling a meeting and what becomes of its date: checked (last week of the month or
ad hoc with a reason, no clash of place), changed while a draft, cancelled with a reason,
held once it has started, or recorded afterwards (补录); and the monthly reminder when no
joint meeting is scheduled.

seed: 联席会议议事规则 第三条; 协同联动解决小区事务流程 第六条; 小区党组织服务承诺 1.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Compound, Organization, Person
from huashan.directory.selectors import compound_organizations

from ..models import (
    AgendaTopic,
    Meeting,
    ScheduleReminder,
)
from ._common import (
    MAX_MEETING_HOURS,
    OFFICE_KINDS,
    REASON_MAX,
    RECORD_PAST_MAX_DAYS,
    TITLE_MAX,
    Kind,
    MeetingStateError,
    MKind,
    MStatus,
    _guard,
    _link,
    _localdate,
    _lock,
    _meeting_event,
    _meeting_permission,
    _notify_person,
    _orgs_of_kinds,
    _require_any,
    _sync,
    _text,
    is_last_week_of_month,
    meeting_link,
    notify_organization,
)
from .chairing import _joint_chair
from .members import meeting_members_derive


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
