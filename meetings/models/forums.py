"""Opinions recorded at forums and hearings (议事协商会、听证会).

seed: 协同联动解决小区事务流程 第六条.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Household

from ._common import PERSON
from .agenda import AgendaTopic
from .meetings import Meeting


class ForumOpinion(models.Model):
    """An opinion raised at a 恳谈会 / 听证会 / 评议会 and what became of it.

    seed: 协同联动 第六条.
    """

    class Disposition(models.TextChoices):
        PENDING = "pending", _("Not yet handled")
        ADOPTED = "adopted", _("Adopted")
        EXPLAINED = "explained", _("Explained")
        COMPLAINT = "complaint", _("Turned into a complaint")
        AGENDA_TOPIC = "agenda_topic", _("Turned into an agenda topic")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="opinions")
    raised_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by_name = models.CharField(_("raised by"), max_length=50)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.TextField(_("opinion"))
    disposition = models.CharField(
        _("disposition"),
        max_length=16,
        choices=Disposition.choices,
        default=Disposition.PENDING,
        db_index=True,
    )
    disposition_note = models.TextField(_("explanation"), blank=True)
    issue = models.ForeignKey(
        "issues.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.ForeignKey(
        AgendaTopic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("meeting", "created_at", "pk")
        verbose_name = _("forum opinion")
        verbose_name_plural = _("forum opinions")

    def __str__(self) -> str:
        return f"{self.raised_by_name}: {self.content[:20]}"
