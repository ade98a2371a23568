"""Reporting periods, written once: ``2026``, ``2026H1``, ``2026Q3``, ``2026-07`` (issue 15 item 6).

The portal speaks of four kinds of period — the seed's cadences (公示承诺制度 第二条
"每季度公示1次工作事务，每半年公布1次小区公共收益收支明细，每年至少公布1次履职情况";
物管会服务承诺 "每月公示小区公共收益收支明细"; 小区党组织服务承诺 第10条 the quarterly
红黑榜; the half-year brief and the annual summary). Every code path that parses,
formats, bounds or steps through one goes through this module, beside
:mod:`huashan.workdays` (the one place deadlines are counted).

* :func:`parse` turns a code into a :class:`Period`; bad input raises
  :class:`PeriodError` (a ``ValueError`` whose ``str`` is a translated message a
  form can show as is).
* ``str(period)`` / :attr:`Period.code` is the canonical code (``2026Q3``,
  ``2026-07``); ``parse(str(p)) == p``.
* :attr:`Period.start` / :attr:`Period.end` are the first and last day;
  :attr:`Period.start_dt` / :attr:`Period.end_dt` are aware datetimes in China
  time (Asia/Shanghai), ``end_dt`` *exclusive* — 24:00 of the last day, stored as
  the next midnight, the same convention as :func:`huashan.workdays.end_of_day`.
* :func:`containing` gives the period of a kind that contains a date (or an
  aware datetime, read in China time); :meth:`Period.next` / :meth:`Period.previous`
  step.
* :func:`add_months` adds calendar months to a date the Civil Code way.

Adding months (民法典 第二百零二条)
----------------------------------
"按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间
的最后一日。" So one month after 31 January is 28 (or 29) February — the month's
last day, never 2 or 3 March — and one month after 28 February is 28 March (the
corresponding day exists). :func:`add_months` returns exactly that day; art. 201
(the start day not counted) and art. 203 (a last day on a rest day moves on; the
period ends at 24:00) are :mod:`huashan.workdays`' business.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

from django.utils.translation import gettext

from .workdays import CHINA_TZ

YEAR = "year"
HALF_YEAR = "half_year"
QUARTER = "quarter"
MONTH = "month"

#: Months per period kind; the values match ``disclosures.models.PeriodType`` and
#: ``dashboard.models.WorkSummary.Kind``.
MONTHS = {YEAR: 12, HALF_YEAR: 6, QUARTER: 3, MONTH: 1}
KINDS = tuple(MONTHS)

#: Years a code may name (a typo like ``0226`` or ``20266`` is refused, not stored).
MIN_YEAR, MAX_YEAR = 2000, 2100

_CODE_RE = re.compile(r"^(\d{4})(?:Q([1-4])|H([12])|-(\d{1,2}))?$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period code that is not ``2026``, ``2026H1``, ``2026Q3`` or ``2026-07``.

    ``str(error)`` is a translated sentence; forms raise
    ``ValidationError(str(error), code="period")``.
    """

    def __init__(self, message: str | None = None, code: str = "") -> None:
        self.code = code
        super().__init__(message or gettext("Write the period as 2026, 2026H1, 2026Q3 or 2026-07."))


@total_ordering
@dataclass(frozen=True)
class Period:
    """One period: its kind, its year and its 1-based number within the year.

    ``index`` is the half (1–2), quarter (1–4) or month (1–12); 1 for a year.
    Periods of one kind order by time.
    """

    kind: str
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        if self.kind not in MONTHS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if not 1 <= self.index <= 12 // MONTHS[self.kind]:
            raise ValueError(f"{self.kind} number out of range: {self.index!r}")

    # --- naming ---------------------------------------------------------------------

    @property
    def code(self) -> str:
        if self.kind == HALF_YEAR:
            return f"{self.year}H{self.index}"
        if self.kind == QUARTER:
            return f"{self.year}Q{self.index}"
        if self.kind == MONTH:
            return f"{self.year}-{self.index:02d}"
        return str(self.year)

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        """2026年7月 / 2026年第3季度 / 2026年上半年 / 2026年 — Chinese like the seed (data)."""
        if self.kind == MONTH:
            return f"{self.year}年{self.index}月"
        if self.kind == QUARTER:
            return f"{self.year}年第{self.index}季度"
        if self.kind == HALF_YEAR:
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.year}年"

    # --- bounds ---------------------------------------------------------------------

    @property
    def months(self) -> int:
        return MONTHS[self.kind]

    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.months + 1

    @property
    def start(self) -> dt.date:
        """The first day."""
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        """The last day (inclusive)."""
        last_month = self.first_month + self.months - 1
        return dt.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def start_dt(self) -> dt.datetime:
        """00:00 of the first day, China time."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=CHINA_TZ)

    @property
    def end_dt(self) -> dt.datetime:
        """24:00 of the last day, China time — the next period's ``start_dt`` (exclusive)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=CHINA_TZ)

    def contains(self, value: dt.date | dt.datetime) -> bool:
        return self.start <= _china_date(value) <= self.end

    # --- stepping -------------------------------------------------------------------

    def shift(self, n: int) -> Period:
        """The period ``n`` periods of the same kind later (earlier when negative)."""
        per_year = 12 // self.months
        year, index0 = divmod(self.year * per_year + self.index - 1 + n, per_year)
        return Period(self.kind, year, index0 + 1)

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.start, self.end) < (other.start, other.end)


def _china_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("a datetime must be timezone-aware")
        return value.astimezone(CHINA_TZ).date()
    return value


def parse(code: str, *, kinds: tuple[str, ...] = KINDS, message: str | None = None) -> Period:
    """``2026`` / ``2026H1`` / ``2026Q3`` / ``2026-07`` (also ``2026q3``, ``2026-7``) → Period.

    ``kinds`` narrows what is accepted (a report takes only quarters and years);
    ``message`` replaces the default error sentence. Raises :class:`PeriodError`.
    """
    text = str(code or "").strip()
    match = _CODE_RE.match(text)
    if not match or not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
        raise PeriodError(message, text)
    year = int(match[1])
    if match[2]:
        kind, index = QUARTER, int(match[2])
    elif match[3]:
        kind, index = HALF_YEAR, int(match[3])
    elif match[4]:
        kind, index = MONTH, int(match[4])
        if not 1 <= index <= 12:
            raise PeriodError(message, text)
    else:
        kind, index = YEAR, 1
    if kind not in kinds:
        raise PeriodError(message, text)
    return Period(kind, year, index)


def containing(kind: str, value: dt.date | dt.datetime) -> Period:
    """The period of ``kind`` that contains ``value`` (an aware datetime is read in China time)."""
    day = _china_date(value)
    return Period(kind, day.year, (day.month - 1) // MONTHS[kind] + 1)


def overlapping(kind: str, start: dt.date, end: dt.date) -> list[Period]:
    """Every period of ``kind`` that overlaps [start, end] (inclusive), oldest first."""
    periods = []
    period = containing(kind, start)
    while period.start <= end:
        periods.append(period)
        period = period.next()
    return periods


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months: the corresponding day, or the month's last.

    民法典 第二百零二条: "到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的
    最后一日。" — 2026-01-31 + 1 month = 2026-02-28; 2024-01-31 + 1 = 2024-02-29;
    2026-02-28 + 1 = 2026-03-28; 2026-03-31 - 1 = 2026-02-28.
    """
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month0 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
