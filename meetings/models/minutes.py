"""Attendance, the minutes (会议记录) and their versions.

seed: 联席会议议事规则 第四条; 物业管理委员会服务承诺 10.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Organization

from ._common import PERSON
from .agenda import AgendaTopic
from .meetings import Meeting


class Attendance(models.Model):
    """出席情况 of one person at one meeting (PMC pledge 10 counts unexcused absences)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Excused absence")
        UNEXCUSED = "unexcused", _("Unexcused absence")
        DELEGATE = "delegate", _("Sent a delegate")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("attendance"), max_length=12, choices=Status.choices)
    delegate_name = models.CharField(_("delegate"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("meeting", "pk")
        constraints = [
            models.UniqueConstraint(fields=("meeting", "person"), name="attendance_once")
        ]
        indexes = [models.Index(fields=("person", "status"))]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.person_id} {self.status}"


class Minutes(models.Model):
    """会议记录 of one agenda item (``topic`` empty: general remarks).

    Autosaved as a draft while the meeting runs (``minutes_save_draft``); once
    the summary is approved, changes go through ``minutes_revise`` which keeps
    the old text as a :class:`MinutesVersion` with a reason.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    topic = models.ForeignKey(
        AgendaTopic, null=True, blank=True, on_delete=models.PROTECT, related_name="minutes"
    )
    discussion = models.TextField(_("discussion"), blank=True)
    position_party = models.TextField(_("position of the party organizations"), blank=True)
    position_residents_committee = models.TextField(
        _("position of the residents' committee"), blank=True
    )
    position_pmc = models.TextField(_("position of the PMC"), blank=True)
    position_property_company = models.TextField(_("position of the property company"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    TEXT_FIELDS = (
        "discussion",
        "position_party",
        "position_residents_committee",
        "position_pmc",
        "position_property_company",
        "outcome",
    )

    class Meta:
        ordering = ("meeting", "topic__order", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("meeting", "topic"),
                condition=Q(topic__isnull=False),
                name="minutes_once_per_topic",
            ),
            models.UniqueConstraint(
                fields=("meeting",),
                condition=Q(topic__isnull=True),
                name="minutes_once_general",
            ),
        ]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.topic_id} v{self.version}"


class MinutesVersion(models.Model):
    """The text of minutes as it was before a revision after approval."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    discussion = models.TextField(blank=True)
    position_party = models.TextField(blank=True)
    position_residents_committee = models.TextField(blank=True)
    position_pmc = models.TextField(blank=True)
    position_property_company = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    reason = models.TextField(_("reason for the revision"))
    created_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("minutes", "version")
        constraints = [
            models.UniqueConstraint(fields=("minutes", "version"), name="minutes_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.minutes_id} v{self.version}"
