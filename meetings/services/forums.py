"""Forums and hearings (议事协商会、听证会): opinions recorded and disposed, feedback published."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.directory.models import Household, Person

from ..models import (
    AgendaTopic,
    ForumOpinion,
    Meeting,
)
from ._common import (
    TITLE_MAX,
    MeetingStateError,
    MStatus,
    _lock,
    _meeting_event,
    _sync,
    _text,
    _topic_event,
)
from .agenda import next_joint_meeting


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
