"""Who sits at a meeting and who came: members and observers (列席) derived from the
directory, added or removed by hand before the meeting is held, and attendance.

seed: 联席会议议事规则 第三条; 协同联动解决小区事务流程 第四条 (the street joint meeting);
attendance feeds 物业管理委员会服务承诺 10 (three unexcused absences in a row).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Membership, Organization, Person
from huashan.directory.selectors import compound_organizations

from ..models import (
    Attendance,
    Meeting,
    MeetingMember,
)
from ._common import (
    MEMBER_KINDS,
    MEMBER_ROLES,
    OBSERVER_KINDS,
    OBSERVER_ROLES,
    Kind,
    MeetingStateError,
    MKind,
    MStatus,
    Role,
    _localdate,
    _meeting_event,
    _meeting_permission,
    _orgs_of_kinds,
    _require_any,
    _text,
)

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
    workers, cadres sent down to the community (下沉党员干部), the community lawyer,
    owner representatives, company staff and the quality supervisor are observers. A PMC
    working meeting: the PMC's officers. Forums: the organizing body's officers.
    Idempotent: existing rows are kept.
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
