"""The working-day clock: the ONE place deadlines are computed (DESIGN.md §4 "Time").

Every deadline in the portal is an absolute, timezone-aware datetime computed
once, here, from a :class:`DeadlinePolicy`, and stored on its row. Four kinds
of policy exist:

``calendar_hours``
    Exactly ``start + N hours`` by the clock; nights, weekends and holidays
    count. Civil Code art. 201 para. 2: "按照小时计算期间的，自法律规定或者
    当事人约定的时间开始计算。" Used for the 48-hour response pledge.

``working_days``
    N working days of the official calendar: statutory holidays are skipped
    and make-up working days (调休, e.g. a Saturday worked to bridge a holiday)
    count. The start day is not counted (art. 201 para. 1) and the period ends
    at 24:00 of the Nth working day (art. 203 para. 2).

``civil_days``
    N calendar days under the Civil Code (中华人民共和国民法典):

    * art. 201 para. 1 — "按照年、月、日计算期间的，开始的当日不计入，自下一日
      开始计算。" (the start day is not counted);
    * art. 203 para. 1 — "期间的最后一日是法定休假日的，以法定休假日结束的次日
      为期间的最后一日。" (a last day on a 法定休假日 moves to the day after it);
    * art. 203 para. 2 — "期间的最后一日的截止时间为二十四时" (the period ends
      at 24:00 of its last day).

    "法定休假日" is read as every *actual* rest day: statutory holidays and the
    ordinary Saturday/Sunday rest days, but not a weekend day that the State
    Council turned into a make-up working day. This is the settled reading
    (the former 民通意见 第198条 spelt it out: "期间的最后一天是星期日或者其他
    法定休假日，而星期日或者其他法定休假日有变通的，以实际休假日的次日为期间的
    最后一天"). So the last day moves forward to the first working day.

``hazard_days``
    N calendar days for a safety hazard: start day not counted, ends at 24:00
    of the last day, and NEVER moved past a holiday — a broken fire door does
    not wait for 国庆 to end (seed: 小区党组织服务承诺 第7条).

"24:00 of the last day" is stored as the aware datetime of local midnight
(Asia/Shanghai) that *starts the next day*: 2025-10-13 24:00 is stored as
2025-10-14 00:00+08:00. Comparisons then stay simple (``now >= deadline`` means
overdue) and :func:`format_deadline` renders such a midnight as "2025年10月13日
24:00", the way the rules and residents say it.

Where the calendar comes from
-----------------------------
1. :class:`huashan.core.models.CalendarDay` override rows, entered by staff in
   the admin, win for their date.
2. Otherwise the ``chinesecalendar`` package, which knows the State Council
   schedules up to the year it was released with (2026 for 1.11).
3. Otherwise, for a year known to neither, Monday–Friday, with a WARNING in the
   log (once per year per process). A year counts as known via overrides as
   soon as it has ONE override row, so staff must enter the whole year's
   schedule (every holiday day and every make-up working day) at once.

All override rows of the years a computation touches are loaded in one query;
nothing queries per day.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar.constants import holidays as _PACKAGE_HOLIDAYS
from chinese_calendar.constants import workdays as _PACKAGE_WORKDAYS
from django.db import models
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.functional import lazy as _lazy_str
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

#: The official calendar is China's, whatever time zone a user has activated.
CHINA_TZ = ZoneInfo("Asia/Shanghai")

#: Years the installed ``chinesecalendar`` has data for (it raises
#: NotImplementedError outside this range).
PACKAGE_YEARS = range(
    min(_PACKAGE_HOLIDAYS).year,
    max(_PACKAGE_HOLIDAYS).year + 1,
)

_ONE_DAY = dt.timedelta(days=1)

# Years already reported as unknown by this process (log once per year).
_warned_years: set[int] = set()


class DeadlineKind(models.TextChoices):
    CALENDAR_HOURS = "calendar_hours", _("calendar hours")
    WORKING_DAYS = "working_days", _("working days")
    CIVIL_DAYS = "civil_days", _("calendar days (Civil Code)")
    HAZARD_DAYS = "hazard_days", _("calendar days (safety hazard)")


@dataclass(frozen=True)
class DeadlinePolicy:
    """How a deadline is counted: a kind, an amount, a stable code and a label.

    ``code`` is what other apps store on their rows (see :func:`policy_by_code`).
    """

    kind: str
    amount: int
    code: str
    label: str | Promise

    def __post_init__(self) -> None:
        if self.kind not in DeadlineKind.values:
            raise ValueError(f"unknown deadline kind {self.kind!r}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise ValueError(f"deadline amount must be a positive integer, got {self.amount!r}")

    def describe(self) -> str:
        """A human sentence saying which counting rule applies (shown on pages)."""
        n = self.amount
        if self.kind == DeadlineKind.CALENDAR_HOURS:
            text = ngettext(
                "%(n)d hour by the clock from the moment of receipt; "
                "nights, weekends and holidays count",
                "%(n)d hours by the clock from the moment of receipt; "
                "nights, weekends and holidays count",
                n,
            )
        elif self.kind == DeadlineKind.WORKING_DAYS:
            text = ngettext(
                "%(n)d working day; statutory holidays and make-up working days per the "
                "State Council schedule; start day not counted; ends at 24:00 of the "
                "last working day",
                "%(n)d working days; statutory holidays and make-up working days per the "
                "State Council schedule; start day not counted; ends at 24:00 of the "
                "last working day",
                n,
            )
        elif self.kind == DeadlineKind.CIVIL_DAYS:
            text = ngettext(
                "%(n)d calendar day under Civil Code arts. 201–203; start day not counted; "
                "ends at 24:00 of the last day; a last day on a holiday or rest day moves "
                "to the next working day",
                "%(n)d calendar days under Civil Code arts. 201–203; start day not counted; "
                "ends at 24:00 of the last day; a last day on a holiday or rest day moves "
                "to the next working day",
                n,
            )
        else:
            text = ngettext(
                "%(n)d calendar day for a safety hazard; start day not counted; ends at "
                "24:00 of the last day; never extended for holidays",
                "%(n)d calendar days for a safety hazard; start day not counted; ends at "
                "24:00 of the last day; never extended for holidays",
                n,
            )
        return text % {"n": n}

    def __str__(self) -> str:
        return str(self.label)


#: seed: 小区党组织服务承诺 第3条 / 物业管理委员会服务承诺 第3条 — "48小时内响应".
RESPONSE_48H = DeadlinePolicy(
    kind=DeadlineKind.CALENDAR_HOURS,
    amount=48,
    code="response_48h",
    label=_("Response within 48 hours"),
)
#: seed: 小区党组织服务承诺 第3条 — "7个工作日内反馈处理进展".
FEEDBACK_7_WORKING_DAYS = DeadlinePolicy(
    kind=DeadlineKind.WORKING_DAYS,
    amount=7,
    code="feedback_7_working_days",
    label=_("Progress feedback within 7 working days"),
)
#: seed: 物业管理委员会服务承诺 第3条 — "复杂问题7日内明确解决方案".
PLAN_7_DAYS = DeadlinePolicy(
    kind=DeadlineKind.CIVIL_DAYS,
    amount=7,
    code="plan_7_days",
    label=_("Solution plan for a complex issue within 7 days"),
)
#: seed: 小区党组织服务承诺 第7条 — 安全隐患"发现问题限期3日内整改".
HAZARD_3_DAYS = DeadlinePolicy(
    kind=DeadlineKind.HAZARD_DAYS,
    amount=3,
    code="hazard_3_days",
    label=_("Safety hazard fixed within 3 days"),
)

#: 历史遗留: the periodic explanation to residents (seed: 协同联动 第五条 "三方共同向居民
#: 解释说明"). The seed sets no number: 30 days is the project's own choice.
LEGACY_EXPLANATION_30_DAYS = DeadlinePolicy(
    kind=DeadlineKind.CIVIL_DAYS,
    amount=30,
    code="legacy_explanation_30_days",
    label=_("Explanation to residents every 30 days"),
)

# --- the other complaint-process numbers (the project's own choices) ---------
#: Warn the responsible party this many hours before a complaint deadline.
WARN_BEFORE_HOURS = 12
#: A resolved complaint closes by itself after this many days without objection.
AUTO_CLOSE_DAYS = 7
#: The reporter may reopen a resolved complaint within this many days.
REOPEN_DAYS = 14

POLICIES: dict[str, DeadlinePolicy] = {
    p.code: p
    for p in (
        RESPONSE_48H,
        FEEDBACK_7_WORKING_DAYS,
        PLAN_7_DAYS,
        HAZARD_3_DAYS,
        LEGACY_EXPLANATION_30_DAYS,
    )
}


def complaint_numbers() -> dict[str, int]:
    """The complaint-clock numbers, read from their one source (the constants above) at
    call time: every label, help text, page and PDF that states one renders it from here."""
    return {
        "response_hours": RESPONSE_48H.amount,
        "feedback_working_days": FEEDBACK_7_WORKING_DAYS.amount,
        "plan_days": PLAN_7_DAYS.amount,
        "hazard_days": HAZARD_3_DAYS.amount,
        "legacy_explanation_days": LEGACY_EXPLANATION_30_DAYS.amount,
        "warn_before_hours": WARN_BEFORE_HOURS,
        "auto_close_days": AUTO_CLOSE_DAYS,
        "reopen_days": REOPEN_DAYS,
    }


def number_text(text, name: str) -> str:
    """``text`` (a lazy translation with ``%(n)d``) with the complaint number ``name`` put
    in when it is rendered: labels and help texts never copy a number."""
    return _lazy_str(lambda: str(text) % {"n": complaint_numbers()[name]}, str)()


def policy_by_code(code: str) -> DeadlinePolicy:
    """The predefined policy stored under ``code``; KeyError if there is none."""
    return POLICIES[code]


def objection_window(days: int) -> DeadlinePolicy:
    """The objection window of published preliminary evaluation results: ``days`` civil days.

    seed: 评议监督考核 第五条 — "评议考核初步结果在社区公示且无异议后，经街道党工委审定".
    The window is a period counted in days, so the Civil Code applies (``civil_days``):
    the day it opens is not counted (art. 201), a last day on a rest day moves to the
    next working day (art. 203 para. 1) — a 7-day window opened before 国庆 does not
    close while the community office is shut — and it ends at 24:00 (art. 203 para. 2).
    Use ``deadline(now, objection_window(campaign.objection_days))``.
    """
    return DeadlinePolicy(
        kind=DeadlineKind.CIVIL_DAYS,
        amount=days,
        code=f"objection_{days}_days",
        label=_("objection window (days)"),
    )


# --- the calendar ----------------------------------------------------------


class WorkCalendar:
    """The official calendar for a span of years, with overrides loaded at once.

    Build one per computation (or per batch of computations in a scan). The
    override rows of whole years are loaded in one query, so that "is this
    year known via overrides?" is answered from the same rows; a date outside
    the loaded years loads its year lazily (one more query, rare).
    """

    def __init__(self, first_year: int, last_year: int | None = None) -> None:
        self._overrides: dict[dt.date, str] = {}
        self._override_years: set[int] = set()
        self._loaded_years: set[int] = set()
        self._load(first_year, last_year if last_year is not None else first_year)

    @classmethod
    def for_dates(cls, first: dt.date, last: dt.date) -> WorkCalendar:
        return cls(first.year, max(first, last).year)

    def _load(self, first_year: int, last_year: int) -> None:
        from huashan.core.models import CalendarDay

        rows = CalendarDay.objects.filter(
            date__range=(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))
        ).values_list("date", "kind")
        for day, kind in rows:
            self._overrides[day] = kind
            self._override_years.add(day.year)
        self._loaded_years.update(range(first_year, last_year + 1))

    def _ensure(self, year: int) -> None:
        if year not in self._loaded_years:
            self._load(year, year)

    def year_is_known(self, year: int) -> bool:
        """True when the package or at least one override row covers ``year``."""
        if year in PACKAGE_YEARS:
            return True
        self._ensure(year)
        return year in self._override_years

    def is_working_day(self, day: dt.date) -> bool:
        """A day people work: Mon–Fri that is no holiday, or a make-up working day."""
        from huashan.core.models import CalendarDay

        self._ensure(day.year)
        kind = self._overrides.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKDAY
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        if day.year not in self._override_years:
            _warn_unknown_year(day.year)
        return day.weekday() < 5

    def is_holiday(self, day: dt.date) -> bool:
        """A statutory holiday day off (not an ordinary weekend)."""
        from huashan.core.models import CalendarDay

        self._ensure(day.year)
        kind = self._overrides.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.HOLIDAY
        if day.year in PACKAGE_YEARS:
            return day in _PACKAGE_HOLIDAYS and day not in _PACKAGE_WORKDAYS
        if day.year not in self._override_years:
            _warn_unknown_year(day.year)
        return False


def _warn_unknown_year(year: int) -> None:
    if year in _warned_years:
        return
    _warned_years.add(year)
    logger.warning(
        "No holiday schedule for %s: neither chinesecalendar nor a calendar override "
        "row knows it. Counting Monday to Friday as working days. Enter the State "
        "Council schedule for %s in the admin (Calendar overrides).",
        year,
        year,
    )


def is_working_day(d: dt.date) -> bool:
    """Whether people work on ``d`` (overrides, then package, then Mon–Fri)."""
    return WorkCalendar(d.year).is_working_day(d)


def is_holiday(d: dt.date) -> bool:
    """Whether ``d`` is a statutory holiday day off (weekends alone are not)."""
    return WorkCalendar(d.year).is_holiday(d)


def year_is_known(year: int) -> bool:
    """Whether the package or at least one override row covers ``year``."""
    if year in PACKAGE_YEARS:
        return True
    from huashan.core.models import CalendarDay

    return CalendarDay.objects.filter(
        date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31))
    ).exists()


# --- deadlines -------------------------------------------------------------


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 of ``day`` in China, stored as the midnight that starts the next day."""
    return dt.datetime.combine(day + _ONE_DAY, dt.time(0), tzinfo=CHINA_TZ)


def _require_aware(value: dt.datetime, name: str) -> None:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _span_days(policy: DeadlinePolicy) -> int:
    """Days after the start that a computation will most likely look at."""
    if policy.kind == DeadlineKind.WORKING_DAYS:
        return policy.amount * 2 + 30
    if policy.kind == DeadlineKind.CIVIL_DAYS:
        return policy.amount + 30
    return policy.amount + 1


def deadline(
    start: dt.datetime, policy: DeadlinePolicy, *, calendar: WorkCalendar | None = None
) -> dt.datetime:
    """The absolute deadline for something received at ``start`` under ``policy``.

    ``start`` must be aware; the result is aware, in Asia/Shanghai. Day-based
    policies count from the *local* date of ``start`` (Civil Code art. 201:
    the start day is not counted) and end at 24:00 of the last day (art. 203),
    returned as the next local midnight. Pass ``calendar`` to reuse one
    loaded :class:`WorkCalendar` for a batch.
    """
    _require_aware(start, "start")
    if policy.kind == DeadlineKind.CALENDAR_HOURS:
        # Add in UTC: wall-clock arithmetic on an aware datetime is wrong across offsets.
        utc = start.astimezone(dt.UTC) + dt.timedelta(hours=policy.amount)
        return utc.astimezone(CHINA_TZ)

    start_day = start.astimezone(CHINA_TZ).date()
    if policy.kind == DeadlineKind.HAZARD_DAYS:
        return end_of_day(start_day + dt.timedelta(days=policy.amount))

    cal = calendar or WorkCalendar.for_dates(
        start_day, start_day + dt.timedelta(days=_span_days(policy))
    )
    if policy.kind == DeadlineKind.WORKING_DAYS:
        day, counted = start_day, 0
        while counted < policy.amount:
            day += _ONE_DAY
            if cal.is_working_day(day):
                counted += 1
        return end_of_day(day)

    # civil_days: art. 203 — a last day on a rest day moves to the next working day.
    last = start_day + dt.timedelta(days=policy.amount)
    while not cal.is_working_day(last):
        last += _ONE_DAY
    return end_of_day(last)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days ``d`` with ``start < d <= end`` (start day not counted, art. 201)."""
    if end <= start:
        return 0
    cal = WorkCalendar.for_dates(start, end)
    count, day = 0, start
    while day < end:
        day += _ONE_DAY
        if cal.is_working_day(day):
            count += 1
    return count


def elapsed_working_time(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The part of ``[start, end)`` that fell on working days (China local dates).

    Used to show how much of a working-day clock has run, e.g. "3 working
    days used"; nights of working days count, holidays and weekends do not.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        return dt.timedelta(0)
    start_local, end_local = start.astimezone(CHINA_TZ), end.astimezone(CHINA_TZ)
    cal = WorkCalendar.for_dates(start_local.date(), end_local.date())
    total = dt.timedelta(0)
    day = start_local.date()
    while day <= end_local.date():
        if cal.is_working_day(day):
            day_start = dt.datetime.combine(day, dt.time(0), tzinfo=CHINA_TZ)
            lo = max(start_local, day_start)
            hi = min(end_local, day_start + _ONE_DAY)
            if hi > lo:
                total += hi - lo
        day += _ONE_DAY
    return total


def format_deadline(value: dt.datetime) -> str:
    """Render a deadline the way the rules say it, in the active language.

    A local midnight is shown as 24:00 of the previous day ("2025年10月13日
    24:00"), any other time as itself ("2025年10月3日 14:30").
    """
    _require_aware(value, "value")
    local = value.astimezone(CHINA_TZ)
    if local.time() == dt.time(0):
        return f"{date_format(local.date() - _ONE_DAY, 'DATE_FORMAT')} 24:00"
    return f"{date_format(local.date(), 'DATE_FORMAT')} {local:%H:%M}"


# --- coverage warnings -----------------------------------------------------


def unknown_years(years: list[int]) -> list[int]:
    """Those of ``years`` known to neither the package nor an override row (one query)."""
    missing = [y for y in years if y not in PACKAGE_YEARS]
    if not missing:
        return []
    from huashan.core.models import CalendarDay

    covered = {
        d.year
        for d in CalendarDay.objects.filter(
            date__range=(dt.date(min(missing), 1, 1), dt.date(max(missing), 12, 31))
        ).dates("date", "year")
    }
    return [y for y in missing if y not in covered]


def calendar_coverage_warning(today: dt.date | None = None) -> str | None:
    """A staff banner text when this or next year's holiday schedule is unknown.

    The State Council publishes next year's schedule around November; until
    staff enter it, working-day deadlines reaching into that year would count
    Monday to Friday only. Returns None when both years are known.
    """
    from django.utils import timezone

    today = today or timezone.localdate()
    missing = unknown_years([today.year, today.year + 1])
    if not missing:
        return None
    if len(missing) == 1:
        return gettext(
            "The official holiday schedule for %(year)d is not known to the portal: "
            "working-day deadlines in %(year)d count Monday to Friday only. Enter the "
            "State Council schedule for the whole year under Admin → Calendar overrides."
        ) % {"year": missing[0]}
    return gettext(
        "The official holiday schedules for %(year)d and %(next_year)d are not known to "
        "the portal: working-day deadlines in those years count Monday to Friday only. "
        "Enter the State Council schedules under Admin → Calendar overrides."
    ) % {"year": missing[0], "next_year": missing[1]}


def log_coverage_warning(message: str | None) -> None:
    """Log ``message`` (from :func:`calendar_coverage_warning`) as a WARNING, if any."""
    if message:
        logger.warning("Calendar coverage: %s", message)
