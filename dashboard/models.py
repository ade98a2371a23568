"""Dashboards and work summaries.

``WorkSummary`` is the joint meeting's half-year work brief (工作小结) and annual
summary (工作总结), reported to the community party organization (seed: 联席会议议事规则
第六条). ``CompoundSnapshot`` is a monthly roll-up of one compound's dashboard figures,
written by a beat task from the apps' selectors, so the community and street
comparisons and the 12-month trends read one table instead of looping over compounds.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huashan.core.models import Event
from huashan.directory.models import Compound, Organization


class WorkSummary(models.Model):
    """A half-year brief or an annual summary of one compound's joint meeting.

    seed: 联席会议议事规则 第六条 (每半年开展一次工作小结，每年开展一次工作总结 … 提出改进完善的
    意见和建议，向社区党组织报告). Generated as a draft from the period's records, edited by
    the joint-meeting office, approved, then submitted to the community party organization.
    """

    class Kind(models.TextChoices):
        HALF_YEAR = "half_year", _("Half-year work brief")
        YEAR = "year", _("Annual work summary")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SUBMITTED = "submitted", _("Submitted to the community party organization")

    # One service per arrow (dashboard/services.py).
    TRANSITIONS = {
        State.DRAFT: {State.APPROVED},
        State.APPROVED: {State.DRAFT, State.SUBMITTED},
        State.SUBMITTED: set(),
    }

    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        related_name="work_summaries",
        verbose_name=_("compound"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period = models.CharField(
        _("period"), max_length=8, help_text=_("2026H1, 2026H2 or 2026 (the whole year).")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (inclusive)"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    narrative = models.TextField(_("work narrative"), blank=True)
    suggestions = models.TextField(_("improvement suggestions"), blank=True)
    generated_at = models.DateTimeField(_("figures generated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_to = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted to"),
    )
    pdf = models.FileField(_("PDF"), upload_to="dashboard/summaries/%Y/", blank=True)
    pdf_rendered_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("work summary")
        verbose_name_plural = _("work summaries")
        ordering = ("-period_start", "compound_id", "kind")
        constraints = [
            models.UniqueConstraint(
                fields=("compound", "period"), name="dashboard_summary_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound} {self.period} ({self.get_kind_display()})"


class WorkSummaryEvent(Event):
    summary = models.ForeignKey(WorkSummary, on_delete=models.CASCADE, related_name="events")

    # Every verb dashboard/services.py writes.
    VERB_LABELS: ClassVar[dict] = {
        "created": pgettext_lazy("event", "Started the work summary"),
        "generation_requested": pgettext_lazy("event", "Asked for the figures"),
        "generated": pgettext_lazy("event", "Figures generated"),
        "edited": pgettext_lazy("event", "Edited the narrative"),
        "approved": pgettext_lazy("event", "Approved"),
        "reopened": pgettext_lazy("event", "Returned for changes"),
        "submitted": pgettext_lazy("event", "Submitted to the community party organization"),
    }
    STATE_LABELS: ClassVar[dict] = dict(WorkSummary.State.choices)


class CompoundSnapshot(models.Model):
    """One compound's dashboard figures for one calendar month (roll-up).

    ``month`` is the first day of the month. The current month's row is refreshed by
    the beat task; past months are final once the month is over (refreshed once after).
    """

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="+", verbose_name=_("compound")
    )
    month = models.DateField(_("month"))
    figures = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        ordering = ("compound_id", "month")
        constraints = [
            models.UniqueConstraint(
                fields=("compound", "month"), name="dashboard_snapshot_one_per_month"
            ),
        ]
        indexes = [models.Index(fields=("month", "compound"))]

    def __str__(self) -> str:
        return f"{self.compound} {self.month:%Y-%m}"
