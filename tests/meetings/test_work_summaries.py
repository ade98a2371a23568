"""联席会议议事规则 第六条: "联席会议每半年开展一次工作小结，每年开展一次工作总结…向社区党组织
报告" — each has a due date, the office is reminded (beat task), and a missing one is
flagged on the dashboards.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from dashboard.models import WorkSummary
from huashan.notify.models import Notification
from meetings.models.summaries import WorkSummaryReminder
from meetings.selectors import work_summaries_status
from meetings.services.summaries import (
    WORK_SUMMARY_DUE_MONTHS_AFTER,
    WORK_SUMMARY_REMIND_DAYS,
    work_summaries_scan,
    work_summary_due_periods,
)
from meetings.tasks import remind_work_summaries
from tests.factories.meetings import MeetingFactory

from .conftest import CN

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_use(world):
    """The portal is in use in the compound: its first joint meeting in March 2026."""
    return MeetingFactory(compound=world.compound, start=dt.datetime(2026, 3, 25, 15, 0, tzinfo=CN))


def _row(world, today, period):
    rows = work_summaries_status(compounds=[world.compound], today=today)[world.compound.pk]
    return next(r for r in rows if r["period"] == period)


def _submitted(world, period, kind, start, end):
    return WorkSummary.objects.create(
        compound=world.compound,
        kind=kind,
        period=period,
        period_start=start,
        period_end=end,
        state=WorkSummary.State.SUBMITTED,
    )


def test_every_half_year_a_brief_and_every_year_a_summary_each_with_a_due_date():
    periods = {p["period"]: p for p in work_summary_due_periods(2026)}
    assert set(periods) == {"2026H1", "2026H2", "2026"}
    assert periods["2026H1"]["kind"] == "half_year"
    assert periods["2026"]["kind"] == "year"
    assert WORK_SUMMARY_DUE_MONTHS_AFTER == 1
    assert periods["2026H1"]["due"] == dt.date(2026, 7, 31)
    assert periods["2026H2"]["due"] == dt.date(2027, 1, 31)
    assert periods["2026"]["due"] == dt.date(2027, 1, 31)


def test_missing_flag_turns_on_the_day_after_the_due_date(world, in_use):
    due = dt.date(2026, 7, 31)
    assert WORK_SUMMARY_REMIND_DAYS == 14
    before_window = _row(world, due - dt.timedelta(days=15), "2026H1")
    assert not before_window["due_soon"]
    assert not before_window["missing"]
    assert _row(world, due - dt.timedelta(days=14), "2026H1")["due_soon"]
    on_due = _row(world, due, "2026H1")
    assert on_due["due_soon"]
    assert not on_due["missing"]
    assert _row(world, due + dt.timedelta(days=1), "2026H1")["missing"]


def test_a_submitted_summary_clears_the_flag_and_the_annual_one_covers_the_second_half(
    world, in_use
):
    today = dt.date(2027, 2, 1)
    _submitted(world, "2026H1", "half_year", dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert not _row(world, today, "2026H1")["missing"]
    assert _row(world, today, "2026H2")["missing"]
    assert _row(world, today, "2026")["missing"]
    _submitted(world, "2026", "year", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert not _row(world, today, "2026H2")["missing"]
    assert not _row(world, today, "2026")["missing"]


def test_a_draft_does_not_count(world, in_use):
    WorkSummary.objects.create(
        compound=world.compound,
        kind="half_year",
        period="2026H1",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        state=WorkSummary.State.APPROVED,
    )
    assert _row(world, dt.date(2026, 8, 1), "2026H1")["missing"]


def test_periods_before_the_portal_was_in_use_are_not_flagged(world, in_use):
    rows = work_summaries_status(compounds=[world.compound], today=dt.date(2026, 8, 1))
    assert {r["period"] for r in rows[world.compound.pk]} == {"2026H1"}  # not 2025's


def test_reminder_before_due_then_overdue_each_once(world, in_use):
    office, party = world.people.joint_meeting_office, world.people.community_party
    assert work_summaries_scan(today=dt.date(2026, 7, 16)) == []
    with time_machine.travel(dt.datetime(2026, 7, 17, 8, 30, tzinfo=CN), tick=False):
        assert remind_work_summaries() == {"reminded": 1}
        assert remind_work_summaries() == {"reminded": 0}
    assert Notification.objects.filter(recipient=office, subject__contains="2026H1").count() == 1
    assert not Notification.objects.filter(recipient=party).exists()
    sent = work_summaries_scan(today=dt.date(2026, 8, 1))
    assert sent == [(world.compound.pk, "2026H1", "overdue")]
    assert work_summaries_scan(today=dt.date(2026, 8, 2)) == []
    assert Notification.objects.filter(recipient=party, subject__contains="2026H1").count() == 1
    assert WorkSummaryReminder.objects.count() == 2


def test_no_reminder_once_submitted(world, in_use):
    _submitted(world, "2026H1", "half_year", dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert work_summaries_scan(today=dt.date(2026, 8, 1)) == []


def test_the_compound_dashboard_flags_the_missing_summary(world, in_use, client):
    with time_machine.travel(dt.datetime(2026, 8, 3, 9, 0, tzinfo=CN), tick=False):
        client.force_login(world.people.compound_party)
        page = client.get(f"/dashboard/c/{world.compound.slug}/")
        assert page.status_code == 200
        body = page.content.decode()
        assert 'data-testid="work-summary-missing"' in body
        assert "2026H1" in body
        _submitted(world, "2026H1", "half_year", dt.date(2026, 1, 1), dt.date(2026, 6, 30))
        body = client.get(f"/dashboard/c/{world.compound.slug}/").content.decode()
        assert 'data-testid="work-summary-missing"' not in body
