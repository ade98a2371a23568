"""huashan.periods: periods parsed, formatted, bounded and stepped in one place (issue 15)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluations.models import QuarterRating
from huashan import periods, workdays
from huashan.periods import Period, PeriodError
from huashan.workdays import CHINA_TZ, end_of_day

KINDS = st.sampled_from(periods.KINDS)
DAYS = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))


@st.composite
def any_period(draw):
    kind = draw(KINDS)
    year = draw(st.integers(periods.MIN_YEAR, periods.MAX_YEAR))
    return Period(kind, year, draw(st.integers(1, 12 // periods.MONTHS[kind])))


@pytest.mark.parametrize(
    ("code", "kind", "start", "end"),
    [
        ("2026", "year", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026H1", "half_year", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        ("2026H2", "half_year", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        ("2026Q1", "quarter", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2026Q3", "quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026q4", "quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2026-07", "month", dt.date(2026, 7, 1), dt.date(2026, 7, 31)),
        (" 2024-2 ", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026-02", "month", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    ],
)
def test_parse_gives_kind_and_bounds(code, kind, start, end):
    period = periods.parse(code)
    assert (period.kind, period.start, period.end) == (kind, start, end)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        None,
        "26",
        "20266",
        "1999",
        "2101",
        "2026Q5",
        "2026Q0",
        "2026H3",
        "2026-13",
        "2026-00",
        "2026-7-1",
        "2026 Q3",
        "Q3",
        "abc",
        "2026Q3x",
    ],
)
def test_parse_refuses_with_a_sentence_a_form_can_show(bad):
    with pytest.raises(PeriodError) as info:
        periods.parse(bad)
    assert isinstance(info.value, ValueError)
    assert "2026Q3" in str(info.value)


def test_parse_narrowed_to_kinds_and_custom_message():
    assert periods.parse("2026Q3", kinds=("quarter", "year")).code == "2026Q3"
    with pytest.raises(PeriodError, match="quarter only"):
        periods.parse("2026H1", kinds=("quarter",), message="quarter only")


def test_codes_and_labels():
    assert [str(periods.parse(c)) for c in ("2026", "2026h2", "2026q3", "2026-7")] == [
        "2026",
        "2026H2",
        "2026Q3",
        "2026-07",
    ]
    assert [periods.parse(c).label for c in ("2026", "2026H1", "2026H2", "2026Q3", "2026-07")] == [
        "2026年",
        "2026年上半年",
        "2026年下半年",
        "2026年第3季度",
        "2026年7月",
    ]


def test_bounds_in_china_time():
    q3 = periods.parse("2026Q3")
    assert q3.start_dt == dt.datetime(2026, 7, 1, tzinfo=CHINA_TZ)
    assert q3.end_dt == dt.datetime(2026, 10, 1, tzinfo=CHINA_TZ)
    assert q3.end_dt == end_of_day(q3.end)  # "24:00 of the last day", as workdays stores it
    # 2026-09-30 20:00 UTC is already 1 October in Wuhan.
    assert not q3.contains(dt.datetime(2026, 9, 30, 20, tzinfo=dt.UTC))
    assert (
        periods.containing("quarter", dt.datetime(2026, 9, 30, 20, tzinfo=dt.UTC)).code == "2026Q4"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        periods.containing("month", dt.datetime(2026, 9, 30, 20))  # noqa: DTZ001 (naive on purpose)


def test_previous_and_next_cross_the_year():
    assert periods.parse("2026Q1").previous().code == "2025Q4"
    assert periods.parse("2025Q4").next().code == "2026Q1"
    assert periods.parse("2026H1").previous().code == "2025H2"
    assert periods.parse("2026-01").previous().code == "2025-12"
    assert periods.parse("2026").next().code == "2027"
    assert periods.parse("2026-03").shift(-14).code == "2025-01"


def test_overlapping_lists_every_period_touching_the_range():
    codes = [
        p.code for p in periods.overlapping("quarter", dt.date(2026, 3, 31), dt.date(2026, 7, 1))
    ]
    assert codes == ["2026Q1", "2026Q2", "2026Q3"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        # 民法典 第二百零二条: 到期月的对应日为期间的最后一日；
        # 没有对应日的，月末日为期间的最后一日。
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2026, 1, 30), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 28), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 2, 28), 1, dt.date(2026, 3, 28)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 1, 15), -1, dt.date(2025, 12, 15)),
        (dt.date(2026, 5, 10), 0, dt.date(2026, 5, 10)),
    ],
)
def test_add_months_civil_code_art_202_corresponding_day_or_month_end(day, months, expected):
    assert periods.add_months(day, months) == expected


@given(any_period())
def test_parse_of_format_is_identity(period):
    assert periods.parse(str(period)) == period
    assert periods.parse(str(period).lower()) == period


@given(any_period())
def test_bounds_are_contiguous(period):
    following = period.next()
    assert following.start == period.end + dt.timedelta(days=1)
    assert following.start_dt == period.end_dt
    assert following.previous() == period
    assert period < following
    assert period.start <= period.end


@given(KINDS, DAYS)
def test_containing_contains_the_day(kind, day):
    period = periods.containing(kind, day)
    assert period.contains(day)
    assert period.start <= day <= period.end
    assert period.start_dt <= dt.datetime.combine(day, dt.time(12), tzinfo=CHINA_TZ) < period.end_dt
    assert not period.next().contains(day)
    assert not period.previous().contains(day)


@given(DAYS, st.integers(-240, 240))
def test_add_months_lands_on_the_corresponding_day_or_the_month_end(day, months):
    result = periods.add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or (
        result.day < day.day and (result + dt.timedelta(days=1)).day == 1
    )


# --- the evaluation objection window on the working-day clock -------------------------------


@pytest.mark.django_db
def test_objection_window_civil_code_art_201_203_start_day_not_counted_ends_2400():
    """评议监督考核 第五条 公示: opened Mon 2026-06-08 15:00, 7 days end Mon 06-15 at 24:00."""
    opened = dt.datetime(2026, 6, 8, 15, tzinfo=CHINA_TZ)
    policy = workdays.objection_window(7)
    assert policy.kind == workdays.DeadlineKind.CIVIL_DAYS
    assert workdays.deadline(opened, policy) == end_of_day(dt.date(2026, 6, 15))


@pytest.mark.django_db
def test_objection_window_last_day_in_national_day_holiday_moves_on_art_203():
    """A window whose 7th day falls in 国庆 (2026-10-01..07) closes after the holiday ends."""
    opened = dt.datetime(2026, 9, 28, 10, tzinfo=CHINA_TZ)
    ends = workdays.deadline(opened, workdays.objection_window(7))
    assert ends == end_of_day(dt.date(2026, 10, 8))
    assert workdays.is_working_day(dt.date(2026, 10, 8))


def test_quarter_rating_period_steps_back_across_the_year():
    """小区党组织服务承诺 第10条 红黑榜: the quarter before 2026Q1 is 2025Q4."""
    rating = QuarterRating(year=2026, quarter=1)
    assert rating.period.code == "2026Q1"
    assert (rating.period.previous().year, rating.period.previous().index) == (2025, 4)
    assert rating.period.start_dt == dt.datetime(2026, 1, 1, tzinfo=CHINA_TZ)
    assert rating.period.end_dt == dt.datetime(2026, 4, 1, tzinfo=CHINA_TZ)
