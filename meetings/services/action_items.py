"""Agreed items (议定事项): creation, progress, completion, inspection, and the scan that
reminds owners and raises breaches.

seed: 联席会议议事规则 第四、五条.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import acting_person as _person
from huashan.core.services import require_perm as _require
from huashan.directory.models import Membership, Organization, Person
from huashan.directory.selectors import compound_organizations

from ..models import (
    ActionItem,
    ActionItemAlarm,
    ActionItemUpdate,
    AgendaTopic,
    Meeting,
)
from ._common import (
    DEFAULT_REMIND_DAYS,
    REASON_MAX,
    SUPERVISION_KINDS,
    TITLE_MAX,
    Kind,
    MeetingStateError,
    MStatus,
    ScanReport,
    _guard,
    _item_event,
    _localdate,
    _lock,
    _notify_person,
    _orgs_of_kinds,
    _require_any,
    _sync,
    _text,
    _topic_event,
    action_item_link,
    notify_organization,
)
from .agenda import next_joint_meeting


def _action_item_errors(
    *,
    meeting: Meeting,
    responsible_organization: Organization | None,
    responsible_person: Person | None,
    raised_by: Organization | None,
    due_date,
    topic: AgendaTopic | None,
) -> dict[str, list]:
    """The checks of :func:`action_item_create`, every error keyed by its field (第五条)."""
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
    return errors


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
    errors = _action_item_errors(
        meeting=meeting,
        responsible_organization=responsible_organization,
        responsible_person=responsible_person,
        raised_by=raised_by,
        due_date=due_date,
        topic=topic,
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
        alarms__stage=ActionItemAlarm.Stage.DUE_SOON
    )
    for item in reminder_q.iterator(chunk_size=200):
        with transaction.atomic():
            _, created = ActionItemAlarm.objects.get_or_create(
                item=item, stage=ActionItemAlarm.Stage.DUE_SOON, due=item.due_at
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
        alarms__stage=ActionItemAlarm.Stage.OVERDUE
    )
    for item in breach_q.iterator(chunk_size=200):
        with transaction.atomic():
            _, created = ActionItemAlarm.objects.get_or_create(
                item=item, stage=ActionItemAlarm.Stage.OVERDUE, due=item.due_at
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
