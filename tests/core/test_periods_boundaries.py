"""The reporting periods at their edges: pure, fast unit tests of ``huashan/periods.py``
(its direct tests in the mutation run; no database, no generated examples).

The cadences they serve — 公示承诺制度 第二条 "每季度公示1次工作事务，每半年公布1次小区
公共收益收支明细，每年至少公布1次履职情况及工作经费使用情况"; 物业管理委员会服务承诺
"每月公示小区公共收益收支明细" — and the month arithmetic of 民法典 第二百零二条 "到期月的
对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日。"
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils.translation import gettext

from huashan import periods
from huashan.periods import HALF_YEAR, MONTH, QUARTER, YEAR, Period, PeriodError
from huashan.workdays import CHINA_TZ

D = dt.date
UTC = dt.UTC


# --- the kinds ---------------------------------------------------------------------------


def test_months_per_kind_are_the_seeds_cadences():
    """ "每年至少公布1次", "每半年公布1次", "每季度公示1次", "每月公示": 12, 6, 3 and 1 months."""
    assert periods.MONTHS == {YEAR: 12, HALF_YEAR: 6, QUARTER: 3, MONTH: 1}
    assert periods.KINDS == (YEAR, HALF_YEAR, QUARTER, MONTH)
    assert (YEAR, HALF_YEAR, QUARTER, MONTH) == ("year", "half_year", "quarter", "month")


@pytest.mark.parametrize(("kind", "last"), [(YEAR, 1), (HALF_YEAR, 2), (QUARTER, 4), (MONTH, 12)])
def test_a_period_number_runs_from_one_to_the_periods_in_a_year(kind, last):
    """ "每季度" has four quarters, "每半年" two halves, "每月" twelve months, a year one."""
    assert Period(kind, 2026, 1).index == 1
    assert Period(kind, 2026, last).index == last
    with pytest.raises(ValueError, match=rf"^{kind} number out of range: 0$"):
        Period(kind, 2026, 0)
    with pytest.raises(ValueError, match=rf"^{kind} number out of range: {last + 1}$"):
        Period(kind, 2026, last + 1)


def test_a_period_is_a_value_that_cannot_change():
    """A period is a key (the "每季度" 红黑榜 of 2026Q3 is one row): frozen and hashable."""
    q = Period(QUARTER, 2026, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.index = 4
    assert {q: 1}[Period(QUARTER, 2026, 3)] == 1


def test_a_year_is_number_one_by_default_and_an_unknown_kind_is_refused():
    """ "每年至少公布1次": a year has one period."""
    assert Period(YEAR, 2026) == Period(YEAR, 2026, 1)
    with pytest.raises(ValueError, match=r"^unknown period kind 'week'$"):
        Period("week", 2026, 1)


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "code", "label"),
    [
        (Period(YEAR, 2026), "2026", "2026年"),
        (Period(HALF_YEAR, 2026, 1), "2026H1", "2026年上半年"),
        (Period(HALF_YEAR, 2026, 2), "2026H2", "2026年下半年"),
        (Period(QUARTER, 2026, 3), "2026Q3", "2026年第3季度"),
        (Period(MONTH, 2026, 7), "2026-07", "2026年7月"),
        (Period(MONTH, 2026, 12), "2026-12", "2026年12月"),
    ],
)
def test_codes_and_chinese_labels(period, code, label):
    """ "每半年" is 上半年 / 下半年, "每季度" 第N季度, "每月" N月 — as the seed writes them."""
    assert period.code == code
    assert str(period) == code
    assert period.label == label
    assert periods.parse(code) == period


# --- bounds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (Period(YEAR, 2026), D(2026, 1, 1), D(2026, 12, 31)),
        (Period(HALF_YEAR, 2026, 1), D(2026, 1, 1), D(2026, 6, 30)),
        (Period(HALF_YEAR, 2026, 2), D(2026, 7, 1), D(2026, 12, 31)),
        (Period(QUARTER, 2026, 1), D(2026, 1, 1), D(2026, 3, 31)),
        (Period(QUARTER, 2026, 2), D(2026, 4, 1), D(2026, 6, 30)),
        (Period(QUARTER, 2026, 4), D(2026, 10, 1), D(2026, 12, 31)),
        (Period(MONTH, 2026, 2), D(2026, 2, 1), D(2026, 2, 28)),
        (Period(MONTH, 2024, 2), D(2024, 2, 1), D(2024, 2, 29)),
        (Period(MONTH, 2026, 12), D(2026, 12, 1), D(2026, 12, 31)),
    ],
)
def test_first_and_last_day(period, start, end):
    """ "每季度公示1次": a quarter is three whole months, first day to last day."""
    assert period.months == periods.MONTHS[period.kind]
    assert period.first_month == start.month
    assert period.start == start
    assert period.end == end


def test_china_time_bounds_end_at_2400_of_the_last_day():
    """A quarter "每季度" ends at 24:00 of its last day, China time: the next one's 00:00."""
    q = Period(QUARTER, 2026, 3)
    assert q.start_dt == dt.datetime(2026, 7, 1, 0, 0, tzinfo=CHINA_TZ)
    assert q.end_dt == dt.datetime(2026, 10, 1, 0, 0, tzinfo=CHINA_TZ)
    assert q.end_dt == q.next().start_dt
    assert q.start_dt.tzinfo is CHINA_TZ
    assert q.end_dt.tzinfo is CHINA_TZ


def test_contains_its_first_and_last_day_and_not_the_days_beside():
    """ "每季度公示1次": the quarter's first and last days are in it, their neighbours not."""
    q = Period(QUARTER, 2026, 3)
    assert q.contains(D(2026, 7, 1))
    assert q.contains(D(2026, 9, 30))
    assert not q.contains(D(2026, 6, 30))
    assert not q.contains(D(2026, 10, 1))


def test_a_datetime_is_read_in_china_time():
    """The seed's quarters are Wuhan's: 30 Sep 17:00 UTC is already 1 Oct in China."""
    q3 = Period(QUARTER, 2026, 3)
    late = dt.datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
    early = dt.datetime(2026, 9, 30, 15, 59, tzinfo=UTC)
    assert not q3.contains(late)
    assert q3.contains(early)
    assert periods.containing(QUARTER, late) == Period(QUARTER, 2026, 4)
    with pytest.raises(ValueError, match=r"^a datetime must be timezone-aware$"):
        q3.contains(dt.datetime(2026, 8, 1, 12, 0))  # noqa: DTZ001 (naive on purpose)


def test_a_datetime_whose_zone_gives_no_offset_is_refused():
    """An aware-looking datetime without an offset cannot be placed in China time."""

    class NoOffset(dt.tzinfo):
        def utcoffset(self, _value):
            return None

    with pytest.raises(ValueError, match="timezone-aware"):
        periods.containing(MONTH, dt.datetime(2026, 8, 1, tzinfo=NoOffset()))


# --- stepping and order -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "before", "after"),
    [
        (Period(QUARTER, 2026, 1), Period(QUARTER, 2025, 4), Period(QUARTER, 2026, 2)),
        (Period(QUARTER, 2026, 4), Period(QUARTER, 2026, 3), Period(QUARTER, 2027, 1)),
        (Period(HALF_YEAR, 2026, 1), Period(HALF_YEAR, 2025, 2), Period(HALF_YEAR, 2026, 2)),
        (Period(MONTH, 2026, 1), Period(MONTH, 2025, 12), Period(MONTH, 2026, 2)),
        (Period(MONTH, 2026, 12), Period(MONTH, 2026, 11), Period(MONTH, 2027, 1)),
        (Period(YEAR, 2026), Period(YEAR, 2025), Period(YEAR, 2027)),
    ],
)
def test_previous_and_next_cross_the_year(period, before, after):
    """ "每季度" after 第4季度 comes next year's 第1季度 (the quarterly 红黑榜 steps back)."""
    assert period.previous() == before
    assert period.next() == after
    assert period.shift(0) == period
    assert period.shift(-2) == before.previous()
    assert period.shift(5) == after.shift(4)


def test_order_is_by_time_and_strict():
    """Periods order by time; a period is not before itself."""
    q1, q2 = Period(QUARTER, 2026, 1), Period(QUARTER, 2026, 2)
    assert q1 < q2
    assert not q2 < q1
    assert not q1 < q1
    assert q1 <= q1
    assert Period(QUARTER, 2026, 1) < Period(YEAR, 2026)  # same start, earlier end
    assert Period(YEAR, 2025) < Period(MONTH, 2026, 1)
    assert Period.__lt__(q1, "2026Q2") is NotImplemented
    with pytest.raises(TypeError):
        assert q1 < "2026Q2"


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "period"),
    [
        ("2026", Period(YEAR, 2026)),
        ("2026H1", Period(HALF_YEAR, 2026, 1)),
        ("2026h2", Period(HALF_YEAR, 2026, 2)),
        ("2026Q1", Period(QUARTER, 2026, 1)),
        ("2026q4", Period(QUARTER, 2026, 4)),
        ("2026-7", Period(MONTH, 2026, 7)),
        ("2026-01", Period(MONTH, 2026, 1)),
        ("2026-12", Period(MONTH, 2026, 12)),
        ("  2026Q3 \n", Period(QUARTER, 2026, 3)),
        ("2000", Period(YEAR, 2000)),
        ("2100Q4", Period(QUARTER, 2100, 4)),
    ],
)
def test_parse_accepts(code, period):
    """The codes of "每年", "每半年", "每季度" and "每月" periods, case and spaces forgiven."""
    assert periods.parse(code) == period


@pytest.mark.parametrize(
    "bad",
    [
        "1999",
        "2101",
        "0226",
        "20266",
        "2026Q0",
        "2026Q5",
        "2026H0",
        "2026H3",
        "2026-0",
        "2026-00",
        "2026-13",
        "2026-123",
        "2026Q",
        "x2026",
        "2026 Q3",
        "Q3",
    ],
)
def test_parse_refuses_with_the_default_sentence_and_the_text(bad):
    """A typo is refused with a sentence a form can show, not stored as a period."""
    with pytest.raises(PeriodError) as error:
        periods.parse(bad)
    assert str(error.value) == gettext("Write the period as 2026, 2026H1, 2026Q3 or 2026-07.")
    assert error.value.code == bad


def test_parse_of_nothing_is_refused_with_an_empty_code():
    """Nothing given is refused, and the error names no text."""
    for empty in (None, "", "   "):
        with pytest.raises(PeriodError) as error:
            periods.parse(empty)
        assert error.value.code == ""


def test_parse_narrowed_to_some_kinds_with_its_own_message():
    """A report takes "每季度" and "每年" periods only; its own sentence replaces the default."""
    kinds = (QUARTER, YEAR)
    assert periods.parse("2026Q2", kinds=kinds) == Period(QUARTER, 2026, 2)
    assert periods.parse("2026", kinds=kinds) == Period(YEAR, 2026)
    for refused in ("2026-07", "2026H1", "2026-13", "abc"):
        with pytest.raises(PeriodError) as error:
            periods.parse(refused, kinds=kinds, message="quarters only")
        assert str(error.value) == "quarters only"
        assert error.value.code == refused
    with pytest.raises(PeriodError) as error:
        periods.parse("2026-07", kinds=(YEAR,))
    assert str(error.value) == gettext("Write the period as 2026, 2026H1, 2026Q3 or 2026-07.")


def test_period_error_defaults():
    """The error is a ValueError with the default sentence and no code unless given."""
    error = PeriodError()
    assert isinstance(error, ValueError)
    assert error.code == ""
    assert str(error) == gettext("Write the period as 2026, 2026H1, 2026Q3 or 2026-07.")
    assert PeriodError("own", "x").code == "x"


# --- containing and overlapping -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "period"),
    [
        (QUARTER, D(2026, 3, 31), Period(QUARTER, 2026, 1)),
        (QUARTER, D(2026, 4, 1), Period(QUARTER, 2026, 2)),
        (QUARTER, D(2026, 12, 31), Period(QUARTER, 2026, 4)),
        (HALF_YEAR, D(2026, 6, 30), Period(HALF_YEAR, 2026, 1)),
        (HALF_YEAR, D(2026, 7, 1), Period(HALF_YEAR, 2026, 2)),
        (MONTH, D(2026, 1, 31), Period(MONTH, 2026, 1)),
        (MONTH, D(2026, 12, 1), Period(MONTH, 2026, 12)),
        (YEAR, D(2026, 12, 31), Period(YEAR, 2026)),
    ],
)
def test_containing_on_each_side_of_a_boundary(kind, day, period):
    """The last day of a quarter ("每季度") is in it; the next day starts the next one."""
    assert periods.containing(kind, day) == period


def test_overlapping_includes_a_period_that_starts_on_the_last_day():
    """Every quarter touching [start, end] is listed, one that begins on ``end`` too."""
    assert periods.overlapping(QUARTER, D(2026, 2, 15), D(2026, 7, 1)) == [
        Period(QUARTER, 2026, 1),
        Period(QUARTER, 2026, 2),
        Period(QUARTER, 2026, 3),
    ]
    assert periods.overlapping(QUARTER, D(2026, 2, 15), D(2026, 6, 30)) == [
        Period(QUARTER, 2026, 1),
        Period(QUARTER, 2026, 2),
    ]
    assert periods.overlapping(MONTH, D(2026, 2, 1), D(2026, 2, 1)) == [Period(MONTH, 2026, 2)]


def test_month_start():
    """ "每月公示": a month begins on its first day."""
    assert periods.month_start(D(2026, 2, 28)) == D(2026, 2, 1)
    assert periods.month_start(D(2026, 2, 1)) == D(2026, 2, 1)


# --- adding months (民法典 第二百零二条) ------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 2, 28), 1, D(2026, 3, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 30), 1, D(2026, 2, 28)),
        (D(2026, 1, 28), 1, D(2026, 2, 28)),
        (D(2026, 1, 27), 1, D(2026, 2, 27)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 5, 31), 0, D(2026, 5, 31)),
        (D(2026, 3, 31), 12, D(2027, 3, 31)),
    ],
)
def test_add_months_corresponding_day_or_month_end(day, months, expected):
    """民法典 第二百零二条 "到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的
    最后一日"."""
    assert periods.add_months(day, months) == expected
