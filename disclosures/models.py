"""Disclosures (公示): what each party must publish, when, and what owners say about it.

seed: 公示承诺制度 第一—四条; 小区党组织服务承诺 2 (物业每月公开服务事项完成进度,
物管会每半年公示公共收益及维修资金); 物业管理委员会服务承诺 2 (每月公示公共收益
收支明细, 每季度公开维修资金使用台账).

* :class:`Category` — what kind of thing is published, with its minimum
  posting period (≥ 30 days for the service reports, 第三条) or long-term
  (personnel and pledges, 第四条).
* :class:`Schedule` — an obligation: organization × category × cadence.
* :class:`Disclosure` — one posting. A published disclosure is never edited in
  place; a correction is a new row (``version`` + 1, ``previous`` → the old
  one), the old one becomes ``superseded``.
* :class:`Ledger` / :class:`LedgerLine` — optional structured income/expense
  statement; totals computed and checked against the stated ones.
* :class:`Objection` (异议) — a verified owner's objection; the publisher must
  answer by ``answer_due``.
* :class:`Report` — a generated quarterly / annual PDF.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huashan import periods
from huashan.core.models import AlarmStage, Event
from huashan.directory.models import Compound, Organization


class Category(models.Model):
    """What is published (seed: 公示承诺制度 第一—三条). Rows come from a data migration."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    seed_article = models.CharField(_("rule"), max_length=100, blank=True)
    min_posting_days = models.PositiveSmallIntegerField(
        _("minimum posting days"),
        null=True,
        blank=True,
        help_text=_("Empty when the category has no minimum."),
    )
    long_term = models.BooleanField(
        _("long-term posting"),
        default=False,
        help_text=_("Stays posted until replaced (personnel, pledges)."),
    )
    has_ledger = models.BooleanField(_("usually carries a ledger"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("sort_order", "code")
        verbose_name = _("disclosure category")
        verbose_name_plural = _("disclosure categories")

    def __str__(self) -> str:
        return self.name


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


class PeriodType(models.TextChoices):
    NONE = "none", _("No period")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF_YEAR = "half_year", _("Half-year")
    YEAR = "year", _("Year")


CADENCE_PERIOD_TYPE = {
    Cadence.MONTHLY: PeriodType.MONTH,
    Cadence.QUARTERLY: PeriodType.QUARTER,
    Cadence.HALF_YEARLY: PeriodType.HALF_YEAR,
    Cadence.YEARLY: PeriodType.YEAR,
}


def period_containing(cadence: str, day: date) -> tuple[date, date]:
    """The calendar period of ``cadence`` containing ``day``: (first day, last day)."""
    period = periods.containing(CADENCE_PERIOD_TYPE[cadence], day)
    return period.start, period.end


def periods_overlapping(cadence: str, start: date, end: date) -> list[tuple[date, date]]:
    """Every period of ``cadence`` that overlaps [start, end], oldest first."""
    return [(p.start, p.end) for p in periods.overlapping(CADENCE_PERIOD_TYPE[cadence], start, end)]


def period_due(period_end: date, due_day: int) -> date:
    """``due_day`` of the month after the period ends (a day past the 28th counts as the 28th)."""
    return periods.add_months(period_end.replace(day=min(due_day, 28)), 1)


def period_label(period_type: str, start: date | None) -> str:
    """2026年7月 / 2026年第3季度 / 2026年上半年 / 2026年 (data, Chinese like the seed)."""
    if start is None or period_type == PeriodType.NONE:
        return ""
    return periods.containing(period_type, start).label


class Schedule(models.Model):
    """An obligation to publish: organization × category × cadence.

    A period's disclosure is due on ``due_day`` of the month after the period
    ends (e.g. the quarter Jul–Sep with ``due_day=10`` is due on 10 October).
    seed: 公示承诺制度 第二、三条; 物管会服务承诺 2; 小区党组织服务承诺 2.
    """

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="disclosure_schedules"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="disclosure_schedules"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="schedules")
    cadence = models.CharField(_("cadence"), max_length=16, choices=Cadence.choices)
    due_day = models.PositiveSmallIntegerField(
        _("due day"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the month after the period ends by which it must be posted."),
    )
    starts_on = models.DateField(_("first period starts on"), default=date(2026, 1, 1))
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before due"), default=3)
    active = models.BooleanField(_("active"), default=True)
    seed_article = models.CharField(_("rule"), max_length=100, blank=True)

    class Meta:
        ordering = ("compound", "organization", "category", "cadence")
        constraints = [
            models.UniqueConstraint(
                fields=("organization", "category", "cadence"), name="disclosure_schedule_unique"
            )
        ]
        verbose_name = _("disclosure schedule")
        verbose_name_plural = _("disclosure schedules")

    def __str__(self) -> str:
        return f"{self.organization} · {self.category} · {self.get_cadence_display()}"


class ScheduleAlarm(models.Model):
    """A reminder or a missed-deadline notice, written once per (schedule, period, kind)."""

    Kind = AlarmStage

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="alarms")
    period_start = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    due = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("schedule", "period_start", "kind"), name="disclosure_schedule_alarm_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period_start} {self.kind}"


class Channel(models.TextChoices):
    """Where it is posted (seed: 公示承诺制度 第四条)."""

    BOARD = "board", _("Notice board")
    SCREEN = "screen", _("Electronic screen")
    WECHAT = "wechat", _("WeChat group")
    ONLINE = "online", _("Online board")


def default_channels() -> list[str]:
    return [Channel.BOARD.value, Channel.ONLINE.value]


class Disclosure(models.Model):
    """One posting by an organization for a compound (seed: 公示承诺制度 第一—四条)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        EXPIRED = "expired", _("Posting period ended")
        ARCHIVED = "archived", _("Archived")
        SUPERSEDED = "superseded", _("Replaced by a correction")

    TRANSITIONS = {
        State.DRAFT: {State.PUBLISHED},
        State.PUBLISHED: {State.EXPIRED, State.ARCHIVED, State.SUPERSEDED},
        State.EXPIRED: {State.ARCHIVED, State.SUPERSEDED},
        State.ARCHIVED: set(),
        State.SUPERSEDED: set(),
    }
    PUBLIC_STATES = (State.PUBLISHED, State.EXPIRED, State.ARCHIVED, State.SUPERSEDED)

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="disclosures")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="disclosures"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="disclosures")
    period_type = models.CharField(
        _("period type"), max_length=16, choices=PeriodType.choices, default=PeriodType.NONE
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body_markdown = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("body (sanitized HTML)"), blank=True, editable=False)
    channels = models.JSONField(_("channels"), default=default_channels, blank=True)
    posting_start = models.DateField(_("posted from"), null=True, blank=True)
    posting_end = models.DateField(_("posted until"), null=True, blank=True)
    long_term = models.BooleanField(_("long-term"), default=False)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("First version of this disclosure; empty on the first version itself."),
    )
    correction_reason = models.TextField(_("reason for correction"), blank=True)
    source_url = models.URLField(_("source link"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-published_at", "-pk")
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        indexes = [
            models.Index(fields=("compound", "state", "category")),
            models.Index(fields=("organization", "category", "period_start")),
            models.Index(fields=("state", "posting_end")),
        ]
        constraints = [
            models.CheckConstraint(
                name="disclosure_period_order",
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
            ),
            models.CheckConstraint(
                name="disclosure_posting_order",
                condition=Q(posting_end__isnull=True)
                | Q(posting_start__isnull=True)
                | Q(posting_end__gte=models.F("posting_start")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def lineage_root_id(self) -> int:
        return self.root_id or self.pk

    @property
    def is_current(self) -> bool:
        return self.state in (self.State.PUBLISHED, self.State.EXPIRED, self.State.ARCHIVED)


class DisclosureEvent(Event):
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="events")

    # Every verb the disclosures/services/ package writes (tests/disclosures/test_event_words.py).
    VERB_LABELS: ClassVar[dict] = {
        "created": pgettext_lazy("event", "Drafted the disclosure"),
        "edited": pgettext_lazy("event", "Edited the draft"),
        "published": pgettext_lazy("event", "Published the disclosure"),
        "superseded": pgettext_lazy("event", "Replaced by a corrected version"),
        "corrected": pgettext_lazy("event", "Published a corrected version"),
        "archived": pgettext_lazy("event", "Archived the disclosure"),
        "expired": pgettext_lazy("event", "Posting period ended"),
        "attachment_added": pgettext_lazy("event", "Added an attachment"),
        "attachment_removed": pgettext_lazy("event", "Removed an attachment"),
        "ledger_set": pgettext_lazy("event", "Imported the income and expense ledger"),
        "seeded": pgettext_lazy("event", "Demo data"),
    }
    STATE_LABELS: ClassVar[dict] = dict(Disclosure.State.choices)


def attachment_upload_to(instance: DisclosureAttachment, filename: str) -> str:
    today = timezone.localdate()
    return f"disclosures/{today:%Y/%m}/{filename}"


class DisclosureAttachment(models.Model):
    """A PDF or image attached to a disclosure; type checked by magic bytes."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        IMAGE = "image", _("Image")

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("pk",)
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Ledger(models.Model):
    """Structured income/expense statement of a disclosure (seed: 公示承诺制度 第二条;
    物管会服务承诺 2). Computed totals are stored with the stated ones; services refuse
    a ledger whose stated totals differ from the computed ones."""

    disclosure = models.OneToOneField(Disclosure, on_delete=models.CASCADE, related_name="ledger")
    opening_balance = models.DecimalField(_("opening balance"), max_digits=14, decimal_places=2)
    stated_income = models.DecimalField(_("stated income total"), max_digits=14, decimal_places=2)
    stated_expense = models.DecimalField(_("stated expense total"), max_digits=14, decimal_places=2)
    stated_closing_balance = models.DecimalField(
        _("stated closing balance"), max_digits=14, decimal_places=2
    )
    income_total = models.DecimalField(
        _("income total"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    expense_total = models.DecimalField(
        _("expense total"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    closing_balance = models.DecimalField(
        _("closing balance"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    line_count = models.PositiveIntegerField(default=0)
    #: What the publisher wrote when the ledger did not continue the previous period or
    #: ended negative (``disclosures.ledger.ledger_flags``); printed with the ledger.
    check_note = models.TextField(_("publisher's note on the ledger"), blank=True, default="")

    class Meta:
        verbose_name = _("ledger")
        verbose_name_plural = _("ledgers")

    def __str__(self) -> str:
        return f"ledger of {self.disclosure_id}"


class LedgerLine(models.Model):
    class Direction(models.TextChoices):
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    ledger = models.ForeignKey(Ledger, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    date = models.DateField(_("date"))
    item = models.CharField(_("item"), max_length=200)
    counterparty = models.CharField(_("counterparty"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    category = models.CharField(_("category"), max_length=100, blank=True)

    class Meta:
        ordering = ("ledger", "line_no")
        constraints = [
            models.UniqueConstraint(fields=("ledger", "line_no"), name="ledger_line_unique_no"),
            models.CheckConstraint(name="ledger_line_amount_positive", condition=Q(amount__gt=0)),
        ]
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")

    def __str__(self) -> str:
        return f"{self.line_no} {self.item} {self.amount}"


class Objection(models.Model):
    """An owner's objection (异议) to a disclosure; the publisher must answer.

    seed: 公示承诺制度 第三条 "业主对公示内容有异议的，物业服务企业应当答复".
    """

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="objections")
    objector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disclosure_objections"
    )
    body = models.TextField(_("objection"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.OPEN, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    answer_due = models.DateTimeField(_("answer due"), db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"objection {self.pk} on {self.disclosure_id}"


class ObjectionEvent(Event):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="events")

    VERB_LABELS: ClassVar[dict] = {
        "filed": pgettext_lazy("event", "Raised an objection"),
        "answered": pgettext_lazy("event", "Answered the objection"),
        "overdue": pgettext_lazy("event", "Objection not answered in time"),
    }
    STATE_LABELS: ClassVar[dict] = dict(Objection.State.choices)


def report_upload_to(instance: Report, filename: str) -> str:
    return f"disclosure-reports/{instance.compound_id}/{filename}"


class Report(models.Model):
    """A generated quarterly (``2026Q3``) or annual (``2026``) disclosure report PDF."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Generating")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    compound = models.ForeignKey(
        Compound, on_delete=models.CASCADE, related_name="disclosure_reports"
    )
    period = models.CharField(_("period"), max_length=8, help_text=_("2026Q3 or 2026"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=report_upload_to, blank=True, max_length=255)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("disclosure report")
        verbose_name_plural = _("disclosure reports")

    def __str__(self) -> str:
        return f"{self.compound_id} {self.period} {self.status}"


# The half-yearly report on owners' assembly resolutions lives in its own module
# (物业管理委员会服务承诺 1); imported here so the app's models are all in one place.
from .resolutions import ResolutionFollowUp, ResolutionFollowUpEvent  # noqa: E402, F401
