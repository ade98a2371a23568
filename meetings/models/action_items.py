"""Agreed items (议定事项), their updates, history and alarms; the monthly schedule reminder.

seed: 联席会议议事规则 第四、五条.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import AlarmStage, Event
from huashan.directory.models import Compound, Organization

from ._common import PERSON
from .agenda import AgendaTopic
from .meetings import Meeting


class ActionItem(models.Model):
    """议定事项 with an owner and a due date, followed up until accepted.

    seed: 联席会议议事规则 第五条 (the office follows up agreed items until done).
    ``due_at`` is the end of the due day, stored once (DESIGN.md §4 "Time").
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Done, waiting for acceptance")
        DONE = "done", _("Done and accepted")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATES = (Status.OPEN, Status.IN_PROGRESS, Status.SUBMITTED)
    TRANSITIONS = {
        Status.OPEN: {Status.IN_PROGRESS, Status.SUBMITTED, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.SUBMITTED, Status.CANCELLED},
        Status.SUBMITTED: {Status.DONE, Status.IN_PROGRESS},
        Status.DONE: set(),
        Status.CANCELLED: set(),
    }

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    topic = models.ForeignKey(
        AgendaTopic, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    title = models.CharField(_("agreed item"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organization"),
    )
    responsible_person = models.ForeignKey(
        PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    raised_by = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("raised by"),
        help_text=_("The body that raised the matter; it may accept the result."),
    )
    due_date = models.DateField(_("due date"))
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("due_at", "pk")
        indexes = [models.Index(fields=("compound", "status", "due_at"))]
        verbose_name = _("agreed item")
        verbose_name_plural = _("agreed items")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()


def action_item_evidence_path(instance: ActionItemUpdate, filename: str) -> str:
    return f"meetings/evidence/{instance.item_id}/{filename}"


class ActionItemUpdate(models.Model):
    """A progress update; ``is_completion`` marks the owner's report that it is done."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("progress"))
    evidence_text = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to=action_item_evidence_path, blank=True
    )
    is_completion = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("item", "created_at", "pk")

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.created_at:%Y-%m-%d}"

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_text.strip() or self.evidence_file)


class ActionItemEvent(Event):
    """A step of an agreed item, shown as a phrase."""

    VERB_LABELS = {
        "create": _("Recorded the agreed item"),
        "progress": _("Reported progress"),
        "submit_done": _("Reported the item done"),
        "accept": _("Accepted the completed item"),
        "reject_completion": _("Sent the item back as not done"),
        "cancel": _("Cancelled the agreed item"),
        "reminder": _("Reminded the responsible body"),
        "breach": _("Overdue: supervision started"),
    }
    STATE_LABELS = dict(ActionItem.Status.choices)

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="events")


class ActionItemAlarm(models.Model):
    """A reminder before due or a 督办 notice on breach, written once per (item, stage, due)."""

    Stage = AlarmStage

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="alarms")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    due = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("item", "stage", "due"), name="action_item_alarm_once")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.stage}"


class ScheduleReminder(models.Model):
    """Once per compound and month: "no joint meeting scheduled yet" (第三条; PP-1)."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("compound", "year", "month"), name="schedule_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.year}-{self.month:02d}"
