"""Opinions recorded at forums and hearings (议事协商会、听证会) and on home visits (上门走访).

seed: 协同联动解决小区事务流程 第六条 "通过民情恳谈会、工作听证会、服务评议会、上门走访等多种方式".
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event
from huashan.directory.models import Compound, Household, Organization

from ._common import PERSON
from .agenda import AgendaTopic
from .meetings import Meeting


class HomeVisit(models.Model):
    """上门走访: staff of the three parties visit a household (协同联动 第六条). What the
    residents say is recorded as :class:`ForumOpinion` rows of the visit and disposed of
    like the opinions of a forum. Not a meeting: it is never on the public meeting list."""

    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="home_visits", verbose_name=_("compound")
    )
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("household visited"),
    )
    visited_on = models.DateField(_("date of the visit"))
    visitors = models.CharField(_("who visited"), max_length=200)
    organizations = models.ManyToManyField(
        Organization, related_name="+", verbose_name=_("bodies taking part")
    )
    purpose = models.TextField(_("purpose of the visit"))
    issue = models.ForeignKey(
        "issues.Issue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("related complaint"),
    )
    recorded_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-visited_on", "-pk")
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        indexes = [models.Index(fields=("compound", "visited_on"))]

    def __str__(self) -> str:
        return f"上门走访 {self.visited_on:%Y-%m-%d}"


class HomeVisitEvent(Event):
    """A step of a home visit: recorded, an opinion recorded or disposed of."""

    VERB_LABELS = {
        "visit": _("Recorded a home visit"),
        "opinion": _("Recorded an opinion"),
        "opinion_disposed": _("Disposed of an opinion"),
    }

    visit = models.ForeignKey(HomeVisit, on_delete=models.CASCADE, related_name="events")


class ForumOpinion(models.Model):
    """An opinion raised at a 恳谈会 / 听证会 / 评议会, or on a home visit (上门走访),
    and what became of it. Exactly one of ``meeting`` and ``visit`` is set.

    seed: 协同联动 第六条.
    """

    class Disposition(models.TextChoices):
        PENDING = "pending", _("Not yet handled")
        ADOPTED = "adopted", _("Adopted")
        EXPLAINED = "explained", _("Explained")
        COMPLAINT = "complaint", _("Turned into a complaint")
        AGENDA_TOPIC = "agenda_topic", _("Turned into an agenda topic")

    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="opinions"
    )
    visit = models.ForeignKey(
        HomeVisit, null=True, blank=True, on_delete=models.CASCADE, related_name="opinions"
    )
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
        constraints = [
            models.CheckConstraint(
                name="forum_opinion_meeting_or_visit",
                condition=(
                    models.Q(meeting__isnull=False, visit__isnull=True)
                    | models.Q(meeting__isnull=True, visit__isnull=False)
                ),
            )
        ]
        verbose_name = _("forum opinion")
        verbose_name_plural = _("forum opinions")

    def __str__(self) -> str:
        return f"{self.raised_by_name}: {self.content[:20]}"

    @property
    def occasion(self):
        """The forum or the home visit the opinion was raised at (has ``compound_id``)."""
        return self.meeting if self.meeting_id else self.visit
