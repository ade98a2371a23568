"""The disclosure schedules and their scan (``disclosures/services/schedules.py``), each
boundary on both sides: the direct tests of that module in the mutation run.

seed (公示承诺制度 第二条): "物业管理委员会…每半年公布1次小区公共收益收支明细"; 物业管理委员会
服务承诺 第2条 "每月公示小区公共收益收支明细". A period is due on ``due_day`` (10) of the
month after it ends; the publisher is reminded ``remind_days_before`` (3) days ahead, and a
period still unpublished after its due day is reported to the compound party organization.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from disclosures.models import Cadence, Disclosure, Schedule, ScheduleAlarm
from disclosures.services import schedules as schedules_module
from disclosures.services import schedules_scan, schedules_seed_for_compound
from provisioning.templates import schedule_specs
from tests.factories.disclosures import DisclosureFactory, schedule

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture
def revenue(world):
    """The PMC's monthly public-revenue schedule alone (物业管理委员会服务承诺 第2条), owed from
    October 2026."""
    monthly = schedule(world, "public_revenue", Cadence.MONTHLY)
    Schedule.objects.exclude(pk=monthly.pk).update(active=False)
    Schedule.objects.filter(pk=monthly.pk).update(starts_on=OCTOBER)
    monthly.refresh_from_db()
    return monthly


@pytest.fixture
def sent(monkeypatch):
    """The notices the scan sends: (organization, subject, body), in English."""
    out = []
    monkeypatch.setattr(
        schedules_module,
        "_notify_org",
        lambda org, *, subject, body: out.append((org, str(subject), str(body))),
    )
    with translation.override("en"):
        yield out


def _alarms(revenue):
    return sorted(
        ScheduleAlarm.objects.filter(schedule=revenue).values_list("period_start", "kind", "due")
    )


def test_the_reminder_comes_remind_days_before_the_due_day_not_earlier(revenue, sent):
    """ "每月公示": October is due 10 November; 7 November (3 days ahead) reminds, 6 November
    does not; the reminder goes to the publishing PMC, once."""
    early = schedules_scan(today=dt.date(2026, 11, 6))
    assert (early.reminders, early.missed, early.details) == (0, 0, [])
    assert sent == []
    first = schedules_scan(today=dt.date(2026, 11, 7))
    assert (first.reminders, first.missed) == (1, 0)
    assert first.details == [f"{revenue.pk}:{OCTOBER}:due_soon"]
    assert _alarms(revenue) == [(OCTOBER, "due_soon", dt.date(2026, 11, 10))]
    assert sent == [
        (
            revenue.organization,
            f"Disclosure due: {revenue.category.name} 2026年10月",
            f"Please publish “{revenue.category.name}” for 2026年10月 by 2026-11-10.",
        )
    ]
    again = schedules_scan(today=dt.date(2026, 11, 8))
    assert (again.reminders, again.missed, again.details) == (0, 0, [])
    assert len(sent) == 1


def test_the_due_day_itself_is_still_a_reminder_and_the_day_after_a_miss(revenue, world, sent):
    """ "每月公示": published on 10 November is on time; from 11 November October is missed and
    the compound party organization is told who did not publish what."""
    on_due_day = schedules_scan(today=dt.date(2026, 11, 10))
    assert (on_due_day.reminders, on_due_day.missed) == (1, 0)
    missed = schedules_scan(today=dt.date(2026, 11, 11))
    assert (missed.reminders, missed.missed) == (0, 1)
    assert missed.details == [f"{revenue.pk}:{OCTOBER}:overdue"]
    assert _alarms(revenue) == [
        (OCTOBER, "due_soon", dt.date(2026, 11, 10)),
        (OCTOBER, "overdue", dt.date(2026, 11, 10)),
    ]
    name = revenue.category.name
    assert sent[-1] == (
        world.party,
        f"Disclosure missed: {name} 2026年10月",
        f"{revenue.organization.name} did not publish “{name}” for 2026年10月, due 2026-11-10.",
    )
    assert schedules_scan(today=dt.date(2026, 11, 12)).missed == 0


def test_a_running_period_is_not_reminded_even_inside_the_lead_days(revenue, sent):
    """A month is reminded only once it has ended: with 40 days' lead, November (due 10
    December) is not reminded on 30 November, its last day, and is on 1 December."""
    Schedule.objects.filter(pk=revenue.pk).update(remind_days_before=40)
    last_day = schedules_scan(today=dt.date(2026, 11, 30))
    assert f"{revenue.pk}:2026-11-01:due_soon" not in last_day.details
    next_day = schedules_scan(today=dt.date(2026, 12, 1))
    assert next_day.details == [f"{revenue.pk}:2026-11-01:due_soon"]


def test_without_a_date_the_scan_runs_for_today_in_china_time(revenue, sent):
    """The scan's day is the Asia/Shanghai date: 16:30 UTC on 6 November is 7 November."""
    with time_machine.travel(dt.datetime(2026, 11, 6, 16, 30, tzinfo=dt.UTC), tick=False):
        result = schedules_scan()
    assert result.details == [f"{revenue.pk}:{OCTOBER}:due_soon"]


def test_periods_before_the_schedule_starts_are_not_owed(revenue, sent):
    """An obligation starting 1 October owes October, not September; one starting
    2 October does not owe October either."""
    Schedule.objects.filter(pk=revenue.pk).update(starts_on=OCTOBER)
    owed = schedules_scan(today=dt.date(2026, 11, 11))
    assert owed.details == [f"{revenue.pk}:{OCTOBER}:overdue"]
    ScheduleAlarm.objects.all().delete()
    Schedule.objects.filter(pk=revenue.pk).update(starts_on=dt.date(2026, 10, 2))
    assert schedules_scan(today=dt.date(2026, 11, 11)).details == []


def test_the_scan_looks_back_400_days_for_missed_periods(revenue, sent):
    """A long-standing obligation: on 11 November 2026 the scan looks back to 7 October
    2025, so October 2025 (the month containing it) is reported and September 2025 is not."""
    Schedule.objects.filter(pk=revenue.pk).update(starts_on=dt.date(2024, 1, 1))
    result = schedules_scan(today=dt.date(2026, 11, 11))
    months = [d.split(":")[1] for d in result.details]
    assert months[0] == "2025-10-01"
    assert months[-1] == "2026-10-01"
    assert result.missed == 13
    assert result.reminders == 0


def test_an_inactive_schedule_is_not_scanned(revenue, sent):
    Schedule.objects.filter(pk=revenue.pk).update(active=False)
    result = schedules_scan(today=dt.date(2026, 11, 11))
    assert (result.reminders, result.missed, result.details) == (0, 0, [])


def test_only_a_public_disclosure_of_that_period_and_kind_settles_it(revenue, world, sent):
    """ "每月公示": October is settled by the PMC's published October revenue disclosure;
    a draft, another month, another organization or a quarterly one settles nothing."""

    def disclose(**kwargs):
        fields = {
            "organization": world.pmc,
            "category": revenue.category,
            "period_type": "month",
            "period_start": OCTOBER,
            "period_end": dt.date(2026, 10, 31),
            **kwargs,
        }
        return DisclosureFactory(**fields)

    disclose(state=Disclosure.State.DRAFT)
    disclose(period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 9, 30))
    disclose(organization=world.company)
    disclose(period_type="quarter", period_end=dt.date(2026, 12, 31))
    assert schedules_scan(today=dt.date(2026, 11, 7)).details == [
        f"{revenue.pk}:{OCTOBER}:due_soon"
    ]
    ScheduleAlarm.objects.all().delete()
    disclose()
    assert schedules_scan(today=dt.date(2026, 11, 7)).details == []
    assert schedules_scan(today=dt.date(2026, 11, 11)).details == []


def test_the_rules_schedules_are_made_once_for_each_party_present(world):
    """公示承诺制度 第二、三条: each obligation in force is one schedule of the organization
    that owes it, with its article; made twice, nothing is doubled."""
    made = world.schedules
    specs = schedule_specs(2026)
    owed = {(kind, code, cadence, article) for _c, kind, code, cadence, article in specs}
    assert {(s.organization.kind, s.category.code, s.cadence, s.seed_article) for s in made} == owed
    assert all(s.compound == world.compound for s in made)
    again = schedules_seed_for_compound(compound=world.compound, year=2026)
    assert sorted(s.pk for s in again) == sorted(s.pk for s in made)
    assert Schedule.objects.filter(compound=world.compound).count() == len(made)


def test_no_schedule_for_a_party_the_compound_lacks(world):
    """A compound without a property company yet owes only the PMC's and the party's."""
    Schedule.objects.filter(organization=world.company).delete()
    world.company.kind = "department"  # no longer the compound's property company
    world.company.save(update_fields=["kind"])
    made = schedules_seed_for_compound(compound=world.compound, year=2026)
    assert made
    assert all(s.organization.kind != "property_company" for s in made)
    assert not Schedule.objects.filter(organization=world.company).exists()


def test_a_schedule_starting_mid_month_owes_the_following_months(revenue, sent):
    """An obligation starting 2 October does not owe October but does owe November (due
    10 December): the months after the start are still scanned."""
    Schedule.objects.filter(pk=revenue.pk).update(starts_on=dt.date(2026, 10, 2))
    result = schedules_scan(today=dt.date(2026, 12, 11))
    assert result.details == [f"{revenue.pk}:2026-11-01:overdue"]


def test_a_published_month_does_not_stop_the_scan_of_the_next(revenue, world, sent):
    """ "每月公示": September published, October not: October is still reported."""
    Schedule.objects.filter(pk=revenue.pk).update(starts_on=dt.date(2026, 9, 1))
    DisclosureFactory(
        organization=world.pmc,
        category=revenue.category,
        period_type="month",
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 9, 30),
    )
    result = schedules_scan(today=dt.date(2026, 11, 11))
    assert result.details == [f"{revenue.pk}:{OCTOBER}:overdue"]


def test_a_period_another_scan_just_alarmed_is_skipped_and_the_scan_goes_on(
    revenue, monkeypatch, sent
):
    """Two scans at once: when the other one writes September's alarm first, this one
    leaves September to it and still reports August and October, each once."""
    Schedule.objects.filter(pk=revenue.pk).update(starts_on=dt.date(2026, 8, 1))
    notify = schedules_module._alarm_notify

    def other_scan_first(schedule, *, start, due, kind):
        if start == dt.date(2026, 8, 1):  # meanwhile the other scan alarms September
            ScheduleAlarm.objects.create(
                schedule=schedule, period_start=dt.date(2026, 9, 1), kind=kind, due=due
            )
        notify(schedule, start=start, due=due, kind=kind)

    monkeypatch.setattr(schedules_module, "_alarm_notify", other_scan_first)
    result = schedules_scan(today=dt.date(2026, 11, 11))
    assert result.details == [
        f"{revenue.pk}:2026-08-01:overdue",
        f"{revenue.pk}:{OCTOBER}:overdue",
    ]
    assert result.missed == 2
    assert ScheduleAlarm.objects.filter(schedule=revenue).count() == 3


def test_every_reminder_of_a_scan_is_counted(revenue, world, sent):
    """The PMC's revenue and the company's monthly service progress (小区党组织服务承诺 第2条),
    both due 10 November: one scan on 7 November sends and counts two reminders."""
    progress = schedule(world, "company_service_progress", Cadence.MONTHLY)
    Schedule.objects.filter(pk=progress.pk).update(active=True, starts_on=OCTOBER)
    result = schedules_scan(today=dt.date(2026, 11, 7))
    assert (result.reminders, result.missed) == (2, 0)
    assert sorted(result.details) == sorted(
        [f"{revenue.pk}:{OCTOBER}:due_soon", f"{progress.pk}:{OCTOBER}:due_soon"]
    )


def test_a_second_scan_the_same_day_only_reads(revenue, sent, django_assert_num_queries):
    """The beat scans often: once a period is alarmed, a later scan reads the schedules and
    the alarms already sent and stops there (no lookup of disclosures, no write)."""
    schedules_scan(today=dt.date(2026, 11, 7))
    with django_assert_num_queries(2):
        again = schedules_scan(today=dt.date(2026, 11, 8))
    assert again.details == []
