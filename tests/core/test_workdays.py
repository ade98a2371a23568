"""The working-day clock (huashan/workdays.py; DESIGN.md §4 "Time").

Dates used (from chinesecalendar 1.11 data, State Council schedules):
- 2025 国庆+中秋: 10-01..10-08 off; make-up working days Sun 09-28 and Sat 10-11.
- 2026 中秋 09-25..09-27 and 国庆 10-01..10-07 off; make-up Sun 09-20 and Sat 10-10.
- 2026 春节: 02-15..02-23 off; make-up Sat 02-14 and Sat 02-28.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from huashan import workdays
from huashan.core.models import CalendarDay
from huashan.workdays import (
    CHINA_TZ,
    FEEDBACK_7_WORKING_DAYS,
    HAZARD_3_DAYS,
    PLAN_7_DAYS,
    RESPONSE_48H,
    DeadlineKind,
    DeadlinePolicy,
    calendar_coverage_warning,
    deadline,
    elapsed_working_time,
    format_deadline,
    is_holiday,
    is_working_day,
    log_coverage_warning,
    policy_by_code,
    working_days_between,
    year_is_known,
)

LOGGER = "huashan.workdays"


def at(*args: int) -> dt.datetime:
    """An aware Asia/Shanghai datetime."""
    return dt.datetime(*args, tzinfo=CHINA_TZ)


def midnight(y: int, m: int, d: int) -> dt.datetime:
    return at(y, m, d, 0, 0)


@pytest.fixture(autouse=True)
def _fresh_unknown_year_log():
    """The unknown-year warning is logged once per process: reset it per test."""
    workdays._warned_years.clear()
    yield
    workdays._warned_years.clear()


def overrides(kind: str, *days: dt.date, name: str = "") -> None:
    CalendarDay.objects.bulk_create(CalendarDay(date=d, kind=kind, name=name) for d in days)


def date_range(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# --- calendar_hours ----------------------------------------------------------


def test_48h_runs_through_the_weekend_by_the_clock():
    # Friday evening → Sunday evening: nights and weekend days all count.
    assert deadline(at(2025, 11, 14, 18, 30), RESPONSE_48H) == at(2025, 11, 16, 18, 30)


def test_48h_through_national_day_is_not_extended():
    # No django_db mark: any query would raise, so this also proves it needs none.
    assert deadline(at(2025, 9, 30, 9, 0), RESPONSE_48H) == at(2025, 10, 2, 9, 0)


def test_48h_from_a_utc_start_returns_the_same_instant_in_china_time():
    start = dt.datetime(2025, 11, 14, 10, 30, tzinfo=dt.UTC)  # 18:30 in Shanghai
    result = deadline(start, RESPONSE_48H)
    assert result == at(2025, 11, 16, 18, 30)
    assert result.utcoffset() == dt.timedelta(hours=8)


# --- working_days ------------------------------------------------------------


@pytest.mark.django_db
def test_7_working_days_across_2025_national_day_count_both_make_up_days():
    # Fri 09-26 (not counted) → 09-28 Sun make-up (1), 09-29 (2), 09-30 (3),
    # 10-01..08 off, 10-09 (4), 10-10 (5), 10-11 Sat make-up (6), 10-13 Mon (7).
    result = deadline(at(2025, 9, 26, 10, 0), FEEDBACK_7_WORKING_DAYS)
    assert result == midnight(2025, 10, 14)
    assert format_deadline(result) == "2025年10月13日 24:00"


@pytest.mark.django_db
def test_7_working_days_across_2026_mid_autumn_and_national_day():
    # Thu 09-24 → 09-25..27 off, 09-28 (1), 09-29 (2), 09-30 (3), 10-01..07 off,
    # 10-08 (4), 10-09 (5), 10-10 Sat make-up (6), 10-12 Mon (7).
    assert deadline(at(2026, 9, 24, 9, 0), FEEDBACK_7_WORKING_DAYS) == midnight(2026, 10, 13)


@pytest.mark.django_db
def test_7_working_days_across_2026_spring_festival_ends_on_a_make_up_saturday():
    # Thu 02-12 → 02-13 (1), 02-14 Sat make-up (2), 02-15..23 off, 02-24..27 (3–6),
    # 02-28 Sat make-up (7): the period ends at 24:00 of that Saturday.
    result = deadline(at(2026, 2, 12, 15, 0), FEEDBACK_7_WORKING_DAYS)
    assert result == midnight(2026, 3, 1)
    assert format_deadline(result) == "2026年2月28日 24:00"


@pytest.mark.django_db
def test_make_up_saturday_is_a_working_day_and_holiday_saturday_is_a_holiday():
    assert is_working_day(dt.date(2025, 10, 11)) is True  # Sat, 调休上班
    assert is_working_day(dt.date(2025, 9, 28)) is True  # Sun, 调休上班
    assert is_holiday(dt.date(2025, 10, 11)) is False
    assert is_working_day(dt.date(2025, 10, 4)) is False  # Sat inside 国庆
    assert is_holiday(dt.date(2025, 10, 4)) is True
    assert is_working_day(dt.date(2025, 10, 18)) is False  # ordinary Saturday
    assert is_holiday(dt.date(2025, 10, 18)) is False  # a weekend is no statutory holiday
    assert is_working_day(dt.date(2025, 10, 9)) is True


@pytest.mark.django_db
def test_start_day_is_not_counted_23_59_versus_00_01():
    # Mon 23:59 counts from Tuesday; Tue 00:01 counts from Wednesday.
    late_monday = deadline(at(2025, 11, 17, 23, 59), FEEDBACK_7_WORKING_DAYS)
    early_tuesday = deadline(at(2025, 11, 18, 0, 1), FEEDBACK_7_WORKING_DAYS)
    assert late_monday == midnight(2025, 11, 27)  # 24:00 of Wed 11-26
    assert early_tuesday == midnight(2025, 11, 28)  # 24:00 of Thu 11-27
    # The same instants given in UTC give the same answers (local date counts).
    utc_early_tuesday = dt.datetime(2025, 11, 17, 16, 1, tzinfo=dt.UTC)
    assert deadline(utc_early_tuesday, FEEDBACK_7_WORKING_DAYS) == early_tuesday
    assert deadline(at(2025, 11, 17, 23, 59), HAZARD_3_DAYS) == midnight(2025, 11, 21)
    assert deadline(at(2025, 11, 18, 0, 1), HAZARD_3_DAYS) == midnight(2025, 11, 22)


@pytest.mark.django_db
def test_start_in_another_time_zone_uses_the_china_date():
    # 2025-11-17 20:00 in New York is already Tuesday 09:00 in Shanghai.
    ny = dt.datetime(2025, 11, 17, 20, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    assert deadline(ny, FEEDBACK_7_WORKING_DAYS) == midnight(2025, 11, 28)


# --- civil_days (Civil Code arts. 201–203) -----------------------------------


@pytest.mark.django_db
def test_civil_days_last_day_on_national_day_moves_to_the_day_after_the_holiday():
    # Wed 09-24 + 7 days = 10-01, inside 10-01..08 → last day 10-09 (art. 203).
    result = deadline(at(2025, 9, 24, 16, 0), PLAN_7_DAYS)
    assert result == midnight(2025, 10, 10)
    assert format_deadline(result) == "2025年10月9日 24:00"


@pytest.mark.django_db
def test_civil_days_last_day_on_an_ordinary_sunday_moves_to_monday():
    # Sun 11-09 + 7 = Sun 11-16, a rest day → Mon 11-17.
    assert deadline(at(2025, 11, 9, 8, 0), PLAN_7_DAYS) == midnight(2025, 11, 18)


@pytest.mark.django_db
def test_civil_days_last_day_on_a_make_up_sunday_does_not_move():
    # Sun 09-21 + 7 = Sun 09-28, a make-up working day: no rest day, no move.
    assert deadline(at(2025, 9, 21, 8, 0), PLAN_7_DAYS) == midnight(2025, 9, 29)


@pytest.mark.django_db
def test_civil_days_on_an_ordinary_weekday_end_at_24_00_of_the_last_day():
    assert deadline(at(2025, 11, 11, 8, 0), PLAN_7_DAYS) == midnight(2025, 11, 19)


# --- hazard_days -------------------------------------------------------------


def test_hazard_3_days_spanning_national_day_is_not_moved():
    # 09-30 + 3 = 10-03, in the middle of 国庆: a fire door does not wait.
    # No django_db mark: the hazard clock needs no calendar, hence no query.
    result = deadline(at(2025, 9, 30, 10, 0), HAZARD_3_DAYS)
    assert result == midnight(2025, 10, 4)
    assert format_deadline(result) == "2025年10月3日 24:00"


# --- years unknown to the package -------------------------------------------


@pytest.mark.django_db
def test_2027_without_overrides_falls_back_to_monday_to_friday_with_one_warning(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    # Tue 09-28 → 09-29, 09-30, 10-01 Fri, 10-04..07 → 7th is Thu 10-07.
    assert deadline(at(2027, 9, 28, 10, 0), FEEDBACK_7_WORKING_DAYS) == midnight(2027, 10, 8)
    warnings = [r for r in caplog.records if r.name == LOGGER]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "2027" in warnings[0].getMessage()
    # Once per year per process.
    deadline(at(2027, 3, 1, 10, 0), FEEDBACK_7_WORKING_DAYS)
    assert len([r for r in caplog.records if r.name == LOGGER]) == 1
    assert year_is_known(2027) is False
    assert is_working_day(dt.date(2027, 10, 1)) is True  # Mon–Fri fallback
    assert is_holiday(dt.date(2027, 10, 1)) is False


@pytest.mark.django_db
def test_2027_after_overrides_are_entered_uses_them_without_warning(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    overrides(
        CalendarDay.Kind.HOLIDAY,
        *date_range(dt.date(2027, 10, 1), dt.date(2027, 10, 7)),
        name="国庆节",
    )
    overrides(CalendarDay.Kind.WORKDAY, dt.date(2027, 10, 9), name="国庆节")
    # Tue 09-28 → 09-29 (1), 09-30 (2), 10-01..07 off, 10-08 Fri (3),
    # 10-09 Sat make-up (4), 10-11 (5), 10-12 (6), 10-13 (7).
    assert deadline(at(2027, 9, 28, 10, 0), FEEDBACK_7_WORKING_DAYS) == midnight(2027, 10, 14)
    assert year_is_known(2027) is True
    assert is_holiday(dt.date(2027, 10, 4)) is True
    assert is_working_day(dt.date(2027, 10, 9)) is True
    # Days without a row in a known override year follow Mon–Fri, silently.
    assert is_working_day(dt.date(2027, 10, 16)) is False
    assert [r for r in caplog.records if r.name == LOGGER] == []


@pytest.mark.django_db
def test_year_before_the_package_range_does_not_crash(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    assert workdays.PACKAGE_YEARS.start > 2003
    # Mon 2003-06-02 → 7 weekdays later is Wed 06-11.
    assert deadline(at(2003, 6, 2, 9, 0), FEEDBACK_7_WORKING_DAYS) == midnight(2003, 6, 12)
    assert any("2003" in r.getMessage() for r in caplog.records if r.name == LOGGER)


@pytest.mark.django_db
def test_working_days_crossing_into_an_unknown_year():
    # 2026-12-28 Mon → 12-29, 12-30, 12-31, 2027-01-01 Fri (fallback: a weekday),
    # 01-04, 01-05, 01-06 → 7th working day Wed 2027-01-06.
    assert deadline(at(2026, 12, 28, 9, 0), FEEDBACK_7_WORKING_DAYS) == midnight(2027, 1, 7)
    overrides(CalendarDay.Kind.HOLIDAY, dt.date(2027, 1, 1), name="元旦")
    assert deadline(at(2026, 12, 28, 9, 0), FEEDBACK_7_WORKING_DAYS) == midnight(2027, 1, 8)


# --- overrides win over the package -----------------------------------------


@pytest.mark.django_db
def test_override_turning_a_package_holiday_into_a_workday_wins():
    start = at(2025, 9, 30, 9, 0)
    # Without the override: 10-09 (1) … 10-11 Sat make-up (3) … 10-16 (7).
    assert deadline(start, FEEDBACK_7_WORKING_DAYS) == midnight(2025, 10, 17)
    overrides(CalendarDay.Kind.WORKDAY, dt.date(2025, 10, 8), name="国庆节")
    assert is_working_day(dt.date(2025, 10, 8)) is True
    assert is_holiday(dt.date(2025, 10, 8)) is False
    assert deadline(start, FEEDBACK_7_WORKING_DAYS) == midnight(2025, 10, 16)


@pytest.mark.django_db
def test_override_turning_a_package_workday_into_a_holiday_wins():
    overrides(CalendarDay.Kind.HOLIDAY, dt.date(2025, 10, 11), name="国庆节")
    assert is_working_day(dt.date(2025, 10, 11)) is False
    assert is_holiday(dt.date(2025, 10, 11)) is True
    # 09-26 → 09-28 (1), 09-29, 09-30, 10-09, 10-10 (5), 10-13 (6), 10-14 (7).
    assert deadline(at(2025, 9, 26, 10, 0), FEEDBACK_7_WORKING_DAYS) == midnight(2025, 10, 15)


# --- efficiency ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [0, 60])
def test_one_deadline_costs_one_query_whatever_the_number_of_overrides(
    rows, django_assert_max_num_queries
):
    if rows:
        # Two whole "years" of rows in and around the window.
        days = date_range(dt.date(2027, 1, 1), dt.date(2027, 12, 31))[::6][:rows]
        overrides(CalendarDay.Kind.HOLIDAY, *days)
    with django_assert_max_num_queries(1):
        deadline(at(2027, 9, 28, 10, 0), FEEDBACK_7_WORKING_DAYS)
    with django_assert_max_num_queries(1):
        deadline(at(2027, 12, 20, 10, 0), FEEDBACK_7_WORKING_DAYS)  # into 2028
    with django_assert_max_num_queries(1):
        deadline(at(2027, 9, 24, 10, 0), PLAN_7_DAYS)
    with django_assert_max_num_queries(1):
        elapsed_working_time(at(2027, 1, 1, 0, 0), at(2027, 12, 31, 0, 0))


@pytest.mark.django_db
def test_a_shared_calendar_serves_a_batch_with_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        cal = workdays.WorkCalendar(2025, 2026)
        results = [
            deadline(at(2025, 9, 26, 10, 0), FEEDBACK_7_WORKING_DAYS, calendar=cal),
            deadline(at(2026, 9, 24, 9, 0), FEEDBACK_7_WORKING_DAYS, calendar=cal),
            deadline(at(2025, 9, 24, 9, 0), PLAN_7_DAYS, calendar=cal),
        ]
    assert results == [midnight(2025, 10, 14), midnight(2026, 10, 13), midnight(2025, 10, 10)]


# --- elapsed time -------------------------------------------------------------


@pytest.mark.django_db
def test_elapsed_working_time_skips_the_holiday():
    # 09-30 12:00 → 10-09 12:00: half of 09-30 + half of 10-09; 10-01..08 are off.
    assert elapsed_working_time(at(2025, 9, 30, 12, 0), at(2025, 10, 9, 12, 0)) == dt.timedelta(
        hours=24
    )


@pytest.mark.django_db
def test_elapsed_working_time_counts_a_make_up_saturday_and_skips_a_weekend():
    # Fri 10-10 18:00 → Mon 10-13 06:00: 6 h Fri + 24 h Sat (make-up) + 0 Sun + 6 h Mon.
    elapsed = elapsed_working_time(at(2025, 10, 10, 18, 0), at(2025, 10, 13, 6, 0))
    assert elapsed == dt.timedelta(hours=36)
    # An ordinary weekend: Fri 11-14 18:00 → Mon 11-17 06:00 = 6 h + 6 h.
    elapsed = elapsed_working_time(at(2025, 11, 14, 18, 0), at(2025, 11, 17, 6, 0))
    assert elapsed == dt.timedelta(hours=12)


@pytest.mark.django_db
def test_elapsed_working_time_of_an_empty_or_reversed_span_is_zero():
    assert elapsed_working_time(at(2025, 10, 9, 12, 0), at(2025, 10, 9, 12, 0)) == dt.timedelta(0)
    assert elapsed_working_time(at(2025, 10, 9, 12, 0), at(2025, 10, 1, 12, 0)) == dt.timedelta(0)


@pytest.mark.django_db
def test_working_days_between_excludes_the_start_day():
    assert working_days_between(dt.date(2025, 9, 26), dt.date(2025, 10, 13)) == 7
    assert working_days_between(dt.date(2025, 10, 1), dt.date(2025, 10, 8)) == 0
    assert working_days_between(dt.date(2025, 10, 13), dt.date(2025, 10, 1)) == 0


# --- policies -----------------------------------------------------------------


def test_predefined_policies_and_their_codes():
    assert RESPONSE_48H.kind == DeadlineKind.CALENDAR_HOURS
    assert RESPONSE_48H.amount == 48
    assert FEEDBACK_7_WORKING_DAYS.kind == DeadlineKind.WORKING_DAYS
    assert PLAN_7_DAYS.kind == DeadlineKind.CIVIL_DAYS
    assert HAZARD_3_DAYS.kind == DeadlineKind.HAZARD_DAYS
    assert policy_by_code("hazard_3_days") is HAZARD_3_DAYS
    with pytest.raises(KeyError):
        policy_by_code("nope")


def test_policies_are_frozen():
    with pytest.raises(AttributeError):
        RESPONSE_48H.amount = 24  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kind", "amount"),
    [
        ("weeks", 1),
        ("working_days", 0),
        ("working_days", -3),
        ("working_days", 1.5),
        ("working_days", True),
        ("working_days", "7"),
    ],
)
def test_bad_policy_is_refused(kind, amount):
    with pytest.raises(ValueError):  # noqa: PT011
        DeadlinePolicy(kind=kind, amount=amount, code="x", label="x")


def test_describe_says_which_rule_applies():
    with translation.override("en"):
        assert RESPONSE_48H.describe().startswith("48 hours by the clock")
        text = FEEDBACK_7_WORKING_DAYS.describe()
        assert text.startswith("7 working days; statutory holidays and make-up working days")
        assert "start day not counted" in text
        assert "Civil Code arts. 201–203" in PLAN_7_DAYS.describe()
        assert "never extended for holidays" in HAZARD_3_DAYS.describe()
        one = DeadlinePolicy(kind="working_days", amount=1, code="x", label="x")
        assert one.describe().startswith("1 working day;")


def test_naive_or_non_datetime_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline(dt.datetime(2025, 10, 1, 9, 0), RESPONSE_48H)  # noqa: DTZ001
    with pytest.raises(TypeError):
        deadline(dt.date(2025, 10, 1), RESPONSE_48H)  # type: ignore[arg-type]


# --- formatting ---------------------------------------------------------------


def test_format_deadline_renders_midnight_as_24_00_of_the_previous_day():
    with translation.override("zh-hans"):
        assert format_deadline(midnight(2025, 10, 14)) == "2025年10月13日 24:00"
        assert format_deadline(midnight(2026, 1, 1)) == "2025年12月31日 24:00"
        assert format_deadline(at(2025, 10, 3, 14, 30)) == "2025年10月3日 14:30"
        # A UTC value is shown in China time.
        utc = dt.datetime(2025, 10, 13, 16, 0, tzinfo=dt.UTC)
        assert format_deadline(utc) == "2025年10月13日 24:00"
    with translation.override("en"):
        assert format_deadline(midnight(2025, 10, 14)).endswith("13, 2025 24:00")


# --- coverage warnings ------------------------------------------------------


@pytest.mark.django_db
def test_coverage_warning_on_2026_11_28_mentions_2027():
    with time_machine.travel(at(2026, 11, 28, 9, 0), tick=False), translation.override("en"):
        message = calendar_coverage_warning()
    assert message is not None
    assert "2027" in message
    assert "2026" not in message


@pytest.mark.django_db
def test_coverage_warning_disappears_once_2027_is_entered():
    overrides(CalendarDay.Kind.HOLIDAY, dt.date(2027, 1, 1), name="元旦")
    with time_machine.travel(at(2026, 11, 28, 9, 0), tick=False):
        assert calendar_coverage_warning() is None


@pytest.mark.django_db
def test_coverage_warning_in_an_unknown_year_names_both_years():
    with translation.override("en"):
        message = calendar_coverage_warning(today=dt.date(2027, 6, 1))
    assert message is not None
    assert "2027" in message
    assert "2028" in message


@pytest.mark.django_db
def test_coverage_warning_is_silent_when_both_years_are_known():
    assert calendar_coverage_warning(today=dt.date(2025, 3, 1)) is None


def test_log_coverage_warning(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)
    log_coverage_warning(None)
    assert caplog.records == []
    log_coverage_warning("schedule for 2027 unknown")
    assert len(caplog.records) == 1
    assert caplog.records[0].levelno == logging.WARNING
    assert "2027" in caplog.records[0].getMessage()
