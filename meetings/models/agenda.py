"""Agenda topics proposed for a meeting, and their history.

seed: 联席会议议事规则 第二条.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event
from huashan.directory.models import Compound, Organization

from ._common import PERSON
from .meetings import Meeting


class AgendaTopic(models.Model):
    """议题: proposed by a party or arising from a big complaint / overdue item.

    seed: 联席会议议事规则 第二条 (what the meeting studies) and 第四条 (the office
    collects topics). A topic without a meeting waits for the next joint meeting.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Proposed by a party")
        COMPLAINT = "complaint", _("Big-tier complaint")
        ACTION_ITEM = "action_item", _("Overdue agreed item")
        FORUM = "forum", _("Opinion raised at a forum")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        MERGED = "merged", _("Merged")
        DEFERRED = "deferred", _("Deferred")
        REJECTED = "rejected", _("Rejected")

    TRANSITIONS = {
        Status.PROPOSED: {Status.ACCEPTED, Status.MERGED, Status.DEFERRED, Status.REJECTED},
        Status.ACCEPTED: {Status.DEFERRED, Status.MERGED},
        Status.DEFERRED: {Status.PROPOSED, Status.ACCEPTED, Status.REJECTED},
        Status.MERGED: set(),
        Status.REJECTED: set(),
    }

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="topics"
    )
    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    issue = models.ForeignKey(
        "issues.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_item = models.ForeignKey(
        "ActionItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposer = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposer_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_topics"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    decided_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("order", "created_at", "pk")
        verbose_name = _("agenda topic")
        verbose_name_plural = _("agenda topics")
        constraints = [
            # A complaint / an agreed item proposes itself at most once while waiting.
            models.UniqueConstraint(
                fields=("compound", "issue"),
                condition=Q(issue__isnull=False, status="proposed"),
                name="agenda_topic_issue_once",
            ),
            models.UniqueConstraint(
                fields=("compound", "action_item"),
                condition=Q(action_item__isnull=False, status="proposed"),
                name="agenda_topic_action_item_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaTopicEvent(Event):
    """A step of an agenda topic, shown as a phrase."""

    VERB_LABELS = {
        "propose": _("Proposed the topic"),
        AgendaTopic.Status.ACCEPTED: _("Put the topic on the agenda"),
        AgendaTopic.Status.MERGED: _("Merged the topic into another"),
        AgendaTopic.Status.DEFERRED: _("Deferred the topic"),
        AgendaTopic.Status.REJECTED: _("Turned the topic down"),
    }
    STATE_LABELS = dict(AgendaTopic.Status.choices)

    topic = models.ForeignKey(AgendaTopic, on_delete=models.CASCADE, related_name="events")
