"""The half-yearly report on owners' assembly resolutions (决议执行情况).

seed: 物业管理委员会服务承诺 1 严格执行业主大会决议 — "每半年通过线上线下渠道向全体业主
汇报决议执行情况，对未落实事项公开说明原因并制定整改计划。"

* :class:`ResolutionFollowUp` — for one passed resolution (``meetings``'
  ``OwnersAssemblyMotion`` with ``passed=True``) and one half-year (``2026H1``, see
  :mod:`huashan.periods`): implemented, in progress or not implemented; for what is
  not implemented the reason and the rectification plan with its target date. One row
  per resolution and half-year; recording again in the same half-year updates it and
  writes an event.
* :class:`ResolutionFollowUpEvent` — each recording, shown as a phrase.

Imported by :mod:`disclosures.models`, so Django finds both models there.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huashan import periods
from huashan.core.models import Event
from huashan.directory.models import Compound


class ResolutionFollowUp(models.Model):
    """How one passed resolution stands in one half-year (物管会服务承诺 1)."""

    class Status(models.TextChoices):
        IMPLEMENTED = "implemented", _("Implemented")
        IN_PROGRESS = "in_progress", _("In progress")
        NOT_IMPLEMENTED = "not_implemented", _("Not implemented")

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="resolution_followups"
    )
    motion = models.ForeignKey(
        "meetings.OwnersAssemblyMotion",
        on_delete=models.PROTECT,
        related_name="resolution_followups",
        verbose_name=_("resolution"),
    )
    #: A half-year code of :mod:`huashan.periods` (``2026H1``); codes sort by time.
    period = models.CharField(_("half-year"), max_length=8, help_text=_("2026H1 or 2026H2"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    reason = models.TextField(_("reason not implemented"), blank=True)
    plan = models.TextField(_("rectification plan"), blank=True)
    plan_due = models.DateField(_("target date"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("last updated"), default=timezone.now)

    class Meta:
        ordering = ("motion", "period")
        constraints = [
            models.UniqueConstraint(
                fields=("motion", "period"), name="resolution_followup_once_per_period"
            )
        ]
        indexes = [models.Index(fields=("compound", "period"), name="resolution_fu_compound")]
        verbose_name = _("resolution follow-up")
        verbose_name_plural = _("resolution follow-ups")

    def __str__(self) -> str:
        return f"{self.motion_id} {self.period} {self.status}"

    @property
    def period_label(self) -> str:
        """2026年上半年 — what a reader sees instead of the code."""
        return periods.parse(self.period).label


class ResolutionFollowUpEvent(Event):
    followup = models.ForeignKey(
        ResolutionFollowUp, on_delete=models.CASCADE, related_name="events"
    )

    # Every verb disclosures/services/resolutions.py writes (tests/disclosures/
    # test_resolution_followups.py records both and reads the phrases back).
    VERB_LABELS: ClassVar[dict] = {
        "recorded": pgettext_lazy("event", "Reported how the resolution is carried out"),
        "updated": pgettext_lazy("event", "Updated the report on the resolution"),
    }
    STATE_LABELS: ClassVar[dict] = dict(ResolutionFollowUp.Status.choices)
