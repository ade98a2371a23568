"""Cross-cutting models: the event-row pattern, calendar overrides, heartbeats.

The event pattern (DESIGN.md §4 "Events")
-----------------------------------------
Every state change in the portal writes one immutable row: who (``actor``),
when (``at``), what (``verb``), from which state to which (``from_state`` /
``to_state``) and a free ``note``. Each app declares its own concrete event
model by subclassing :class:`Event` and adding a foreign key to its subject::

    class IssueEvent(Event):
        issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")

Services create event rows inside the same transaction as the change. Rows are
never updated or deleted from code: ``save()`` refuses an update and
``delete()`` refuses outright. Timelines shown to residents are built from
these rows, so the history cannot drift from what happened.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImmutableEventError(Exception):
    """Raised when code tries to edit or delete an event row."""


class Event(models.Model):
    """Abstract immutable event row; subclass it with a FK to the subject."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty when the system (a scheduled scan) acted."),
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    verb = models.CharField(_("action"), max_length=64)
    from_state = models.CharField(_("from state"), max_length=32, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)

    #: ``verb`` → the phrase a reader sees (gettext_lazy). Each concrete event model
    #: fills its own; a verb missing here is shown as a generic phrase, never as code
    #: (docs/glossary.md: "events are shown as Chinese phrases").
    VERB_LABELS: ClassVar[dict] = {}
    #: state value → label, for the "from → to" part of a phrase. Each concrete model
    #: points it at its subject's ``TextChoices`` (``dict(Model.State.choices)``).
    STATE_LABELS: ClassVar[dict] = {}

    class Meta:
        abstract = True
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.from_state}->{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableEventError("event rows are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEventError("event rows are immutable")

    @property
    def verb_label(self) -> str:
        """The action in words: the model's label for the verb, or a generic phrase."""
        return str(self.VERB_LABELS.get(self.verb, _("Recorded a change")))

    def state_label(self, state: str) -> str:
        return str(self.STATE_LABELS.get(state, "")) if state else ""

    @property
    def transition_label(self) -> str:
        """The state change in words ("已受理 → 已转办"), or "" when the event did not
        change the state (or a state has no label: a code is never shown)."""
        before, after = self.state_label(self.from_state), self.state_label(self.to_state)
        if not after or before == after:
            return ""
        return f"{before} → {after}" if before else after

    @property
    def phrase(self) -> str:
        """What a timeline shows: "发出会议通知（草稿 → 已发通知）"."""
        transition = self.transition_label
        return f"{self.verb_label}（{transition}）" if transition else self.verb_label


class CalendarDay(models.Model):
    """An admin-entered override of the official working-day calendar.

    The ``chinesecalendar`` package knows only the years it was released
    with; the State Council publishes the next year's schedule late in the
    year. A row here wins over the package for its date (DESIGN.md §4 "Time").
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Statutory holiday (day off)")
        WORKDAY = "workday", _("Make-up working day (调休上班)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(
        _("holiday name"), max_length=64, blank=True, help_text=_("e.g. 国庆节, 春节")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("date",)
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class Heartbeat(models.Model):
    """Last time a named periodic process proved it was alive (beat, worker)."""

    name = models.CharField(max_length=64, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"


class AlarmStage(models.TextChoices):
    """The one vocabulary of every alarm row in the portal (issue 15 item 8).

    A complaint's clock, a joint-meeting action item, a work summary, a pledge item and a
    disclosure schedule each warn once before a deadline and once when it has passed. The
    five alarm tables store the same two stages under these two values, so a dashboard,
    a digest or an export reads every alarm the same way.
    """

    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
