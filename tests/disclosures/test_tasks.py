"""Beat scans: reminder before due and missed notice, each once; expiry; report task."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from disclosures import tasks
from disclosures.models import Cadence, Disclosure, Report, ScheduleAlarm
from disclosures.services import schedules_scan
from huashan.core.heartbeat import heartbeat_stamp
from huashan.notify.models import Notification
from tests.factories.disclosures import DisclosureFactory, schedule

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=TZ)


def inbox(person, text: str) -> int:
    return Notification.objects.filter(recipient=person, subject__contains=text).count()


@pytest.mark.django_db
def test_reminder_sent_once_then_missed_once(world):
    revenue = schedule(world, "public_revenue", Cadence.MONTHLY)
    # Only the monthly revenue schedule for clarity.
    for s in world.schedules:
        if s.pk != revenue.pk:
            s.active = False
            s.save()
    # October 2026 is due 10 November; reminders 3 days before.
    with time_machine.travel(at(dt.date(2026, 11, 7)), tick=False):
        first = schedules_scan()
        second = schedules_scan()
    assert first.reminders == 1
    assert second.reminders == 0
    assert inbox(world.pmc_chair, "Disclosure due") + inbox(world.pmc_chair, "待公示") >= 1
    reminders_before = Notification.objects.filter(recipient=world.pmc_chair).count()
    with time_machine.travel(at(dt.date(2026, 11, 11)), tick=False):
        missed = schedules_scan()
        again = tasks.scan_schedules.apply().get()
    assert missed.missed >= 1
    assert again == {"reminders": 0, "missed": 0}
    alarms = ScheduleAlarm.objects.filter(schedule=revenue, period_start=dt.date(2026, 10, 1))
    assert sorted(alarms.values_list("kind", flat=True)) == ["due_soon", "overdue"]
    assert Notification.objects.filter(recipient=world.party_secretary).count() >= 1
    assert Notification.objects.filter(recipient=world.pmc_chair).count() == reminders_before


@pytest.mark.django_db
def test_no_reminder_when_already_published(world):
    revenue = schedule(world, "public_revenue", Cadence.MONTHLY)
    DisclosureFactory(
        organization=world.pmc,
        category=revenue.category,
        period_type="month",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
    )
    with time_machine.travel(at(dt.date(2026, 11, 8)), tick=False):
        schedules_scan()
    assert not ScheduleAlarm.objects.filter(
        schedule=revenue, period_start=dt.date(2026, 10, 1)
    ).exists()


@pytest.mark.django_db
def test_expire_task(world):
    d = DisclosureFactory(
        organization=world.company,
        posting_start=dt.date(2026, 6, 1),
        posting_end=dt.date(2026, 7, 1),
    )
    with time_machine.travel(at(dt.date(2026, 7, 2)), tick=False):
        assert tasks.expire_postings.apply().get() == {"expired": 1}
        assert tasks.expire_postings.apply().get() == {"expired": 0}
    d.refresh_from_db()
    assert d.state == Disclosure.State.EXPIRED


@pytest.mark.django_db
def test_report_task_runs_by_id(world):
    report = Report.objects.create(compound=world.compound, period="2026Q3")
    assert tasks.disclosure_report_generate.apply(args=[report.pk]).get() == {"status": "done"}
    report.refresh_from_db()
    assert report.file.name.endswith(".pdf")


@pytest.mark.django_db
def test_report_request_validates_period_and_permission(world, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied, ValidationError

    from disclosures.services import report_request

    with pytest.raises(ValidationError):
        report_request(actor=world.party_secretary, compound=world.compound, period="2026Q9")
    with pytest.raises(PermissionDenied):
        report_request(actor=world.resident, compound=world.compound, period="2026Q3")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = report_request(
            actor=world.party_secretary, compound=world.compound, period="2026Q3"
        )
    assert report.status == Report.Status.PENDING
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_a_running_report_is_claimed_only_on_redelivery(world):
    """A worker killed mid-render leaves the report running; only a redelivered task
    (or the resume sweep) may take it over, never a second ordinary delivery."""
    from disclosures.services import report_generate

    report = Report.objects.create(
        compound=world.compound, period="2026Q3", status=Report.Status.RUNNING
    )
    assert report_generate(report_id=report.pk).status == Report.Status.RUNNING
    assert report_generate(report_id=report.pk, takeover=True).status == Report.Status.DONE


@pytest.mark.django_db
def test_resume_sweep_rerenders_orphaned_reports_and_gives_up_after_six_hours(
    world, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from disclosures.services import reports_resume_pending

    now = timezone.now()
    orphan = Report.objects.create(
        compound=world.compound, period="2026Q2", status=Report.Status.RUNNING
    )
    ancient = Report.objects.create(
        compound=world.compound, period="2026Q1", status=Report.Status.RUNNING
    )
    fresh = Report.objects.create(
        compound=world.compound, period="2026Q3", status=Report.Status.RUNNING
    )
    Report.objects.filter(pk=orphan.pk).update(created_at=now - dt.timedelta(minutes=30))
    Report.objects.filter(pk=ancient.pk).update(created_at=now - dt.timedelta(hours=7))
    heartbeat_stamp(name=f"lease:disclosures.report:{fresh.pk}")  # a live worker renders it
    with django_capture_on_commit_callbacks(execute=False):
        assert reports_resume_pending() == 2
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses[orphan.pk] == Report.Status.PENDING
    assert statuses[ancient.pk] == Report.Status.FAILED
    assert statuses[fresh.pk] == Report.Status.RUNNING


@pytest.mark.django_db
@pytest.mark.parametrize(("silent_for", "redone"), [(59, False), (61, True)])
def test_a_killed_workers_report_is_redone_a_minute_after_its_last_lease_stamp(
    world, django_capture_on_commit_callbacks, silent_for, redone
):
    """Issue 14 item 8: a killed worker left a report "running" for ~17 minutes; now the
    sweep (every minute) redoes it once the lease is 60 s old, never while it is fresh."""
    from disclosures.services import reports_resume_pending

    start = dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        report = Report.objects.create(
            compound=world.compound, period="2026Q3", status=Report.Status.RUNNING
        )
        heartbeat_stamp(name=f"lease:disclosures.report:{report.pk}")
    with (
        time_machine.travel(start + dt.timedelta(seconds=silent_for), tick=False),
        django_capture_on_commit_callbacks(execute=False),
    ):
        reports_resume_pending()
    report.refresh_from_db()
    expected = Report.Status.PENDING if redone else Report.Status.RUNNING
    assert report.status == expected
