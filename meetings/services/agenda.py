"""Agenda: topics proposed for the next joint meeting and the office's decision on each.

seed: 联席会议议事规则 第二条; 协同联动解决小区事务流程 第三条.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import acting_person as _person
from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Organization

from ..models import (
    AgendaTopic,
    Meeting,
)
from ._common import (
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    MKind,
    MStatus,
    _guard,
    _lock,
    _meeting_event,
    _notify_person,
    _sync,
    _text,
    _topic_event,
    meeting_link,
)


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
