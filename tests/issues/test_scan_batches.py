"""The deadline scan at scale: set-based batches, the per-issue bookmark, exactly once.

seed: 协同联动 第二条 (督办 on breach); 小区党组织服务承诺 第3条 (48 h / 7 working days), 第7条
(hazards within 3 days). Issue 9 item 2: the scan over 1 M open clocks must stay within
2× a bare indexed UPDATE, so its query count must not grow with the number of alarms.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huashan.notify.models import Notification
from issues import services
from issues.models import ALARMS_SETTLED, Issue, IssueAlarm, IssueEvent
from issues.services import scan as scan_services
from tests.factories.issues import CategoryFactory, IssueFactory
from tests.factories.world import compound_world

CN = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2025, 11, 3, 9, 0, tzinfo=CN)  # a Monday, no holidays nearby


@pytest.fixture
def world(db):
    return compound_world()


def overdue(world, count: int, *, now: dt.datetime, first: int = 0) -> list[Issue]:
    """Submitted issues whose response and feedback deadlines have both passed."""
    category = CategoryFactory()
    return Issue.objects.bulk_create(
        IssueFactory.build(
            compound=world.compound,
            category=category,
            reporter=world.resident,
            tracking_number=f"HS-2097-{n:06d}",
            created_at=now - dt.timedelta(days=20),
            response_due=now - dt.timedelta(days=18),
            feedback_due=now - dt.timedelta(days=10),
            next_deadline=now - dt.timedelta(days=18),
        )
        for n in range(first, first + count)
    )


def scan_queries(now: dt.datetime) -> tuple[services.ScanReport, int]:
    """The scan's statements, without the savepoints its transactions make inside a test's."""
    with CaptureQueriesContext(connection) as queries:
        report = services.issue_scan_deadlines(now=now)
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    return report, len(statements)


def test_query_count_does_not_grow_with_the_number_of_alarms(world):
    now = T0 + dt.timedelta(days=30)
    overdue(world, 5, now=now)
    small, small_queries = scan_queries(now)
    overdue(world, 50, now=now, first=100)
    large, large_queries = scan_queries(now)

    assert (len(small.breached), len(large.breached)) == (10, 100)  # two clocks each
    assert large_queries == small_queries
    assert IssueAlarm.objects.count() == 110
    assert IssueEvent.objects.filter(verb="deadline_breached").count() == 110
    # Each breach reaches the supervisors and the intake office, once.
    supervisor = world.people.compound_party
    assert Notification.objects.filter(recipient=supervisor).count() == 110


def test_idle_rerun_selects_nothing_and_notifies_nobody(world):
    now = T0 + dt.timedelta(days=30)
    issues = overdue(world, 20, now=now)
    services.issue_scan_deadlines(now=now)
    assert set(Issue.objects.values_list("alarm_recheck_at", flat=True)) == {ALARMS_SETTLED}
    notifications = Notification.objects.count()

    report, queries = scan_queries(now + dt.timedelta(minutes=5))
    assert (report.warned, report.breached) == ([], [])
    # The policies, the bookmarked issues, referrals, whistle report-ins, orders.
    assert queries == 5
    assert Notification.objects.count() == notifications
    assert IssueAlarm.objects.filter(issue__in=issues).count() == 40


def test_alarms_raised_before_the_bookmark_existed_are_not_raised_again(world):
    """What migration 0005 relies on: a NULL bookmark with the alarm already written."""
    now = T0 + dt.timedelta(days=30)
    (issue,) = overdue(world, 1, now=now)
    IssueAlarm.objects.create(
        issue=issue, clock="response", stage="overdue", due=issue.response_due, created_at=now
    )
    report = services.issue_scan_deadlines(now=now)
    assert [line.split()[:2] for line in report.breached] == [[issue.tracking_number, "feedback"]]
    assert IssueAlarm.objects.filter(issue=issue).count() == 2
    issue.refresh_from_db()
    assert issue.alarm_recheck_at == ALARMS_SETTLED


def submit(world) -> Issue:
    return services.issue_submit(
        actor=world.resident,
        compound=world.compound,
        category=CategoryFactory(code="environment"),
        description="楼道灯坏了",
        building=world.building,
        client_key=str(uuid.uuid4()),
    ).issue


def test_bookmark_follows_each_clock_and_is_cleared_when_the_clocks_change(world):
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
    response_due = issue.response_due  # T0 + 48 h

    # Warned 12 h before the response deadline; next look: the breach.
    services.issue_scan_deadlines(now=response_due - dt.timedelta(hours=8))
    issue.refresh_from_db()
    assert issue.alarm_recheck_at == response_due
    # Nothing new before then: the issue is not even selected.
    assert services.issue_scan_deadlines(now=response_due - dt.timedelta(hours=1)).warned == []

    # A hazard flagged now starts a 3-day clock: the flag clears the bookmark.
    flagged_at = response_due - dt.timedelta(hours=1)
    with time_machine.travel(flagged_at, tick=False):
        services.issue_set_hazard(
            actor=world.people.joint_meeting_office, issue=issue, is_hazard=True, reason="电线外露"
        )
    issue.refresh_from_db()
    assert issue.alarm_recheck_at is None
    hazard_due = issue.hazard_due

    report = services.issue_scan_deadlines(now=response_due + dt.timedelta(minutes=1))
    assert [line.split()[1] for line in report.breached] == ["response"]
    issue.refresh_from_db()
    assert issue.alarm_recheck_at == hazard_due - dt.timedelta(hours=12)

    report = services.issue_scan_deadlines(now=hazard_due - dt.timedelta(hours=2))
    assert [line.split()[1] for line in report.warned] == ["hazard"]
    assert IssueAlarm.objects.filter(issue=issue, clock="hazard", stage="due_soon").count() == 1


def test_webhook_rows_of_a_batch_are_written_once_and_dispatched_after_commit(
    world, django_capture_on_commit_callbacks
):
    office = world.orgs.joint_meeting_office
    office.webhook_url = "https://robot.example.invalid/hook"
    office.save(update_fields=["webhook_url"])
    now = T0 + dt.timedelta(days=30)
    overdue(world, 3, now=now)
    with django_capture_on_commit_callbacks() as first:
        services.issue_scan_deadlines(now=now)
    with django_capture_on_commit_callbacks() as second:
        services.issue_scan_deadlines(now=now)
    hooks = Notification.objects.filter(channel="webhook", organization=office)
    assert hooks.count() == 6  # 3 issues × (response, feedback) breaches
    assert set(hooks.values_list("status", flat=True)) == {"pending"}  # the sweep's too
    assert (len(first), len(second)) == (1, 0)  # one dispatch of the batch, after commit


def test_changing_the_warning_window_in_admin_clears_the_compounds_bookmarks(world, admin_client):
    """小区党组织服务承诺 第3条 clocks: a new warning window applies to scheduled warnings too."""
    from django.urls import reverse

    from issues.models import ClockPolicy

    now = T0 + dt.timedelta(days=30)
    overdue(world, 3, now=now)
    services.issue_scan_deadlines(now=now)
    assert not Issue.objects.filter(alarm_recheck_at__isnull=True).exists()
    policy, _ = ClockPolicy.objects.get_or_create(compound=world.compound)
    url = reverse("admin:issues_clockpolicy_change", args=[policy.pk])
    form = {
        field.name: getattr(policy, field.attname)
        for field in ClockPolicy._meta.concrete_fields
        if field.editable and not field.primary_key
    }
    unchanged = admin_client.post(url, form)
    assert unchanged.status_code == 302
    assert not Issue.objects.filter(alarm_recheck_at__isnull=True).exists()

    form["warn_before_hours"] = policy.warn_before_hours + 12
    assert admin_client.post(url, form).status_code == 302
    assert (
        Issue.objects.filter(compound=world.compound, alarm_recheck_at__isnull=False).count() == 0
    )


def test_the_portable_path_used_on_sqlite_alarms_once_too(world, monkeypatch):
    """`make run` uses SQLite: the scan's row-by-row path has the same outcome."""
    from huashan.notify import services as notify_services

    monkeypatch.setattr(scan_services, "_set_based", lambda: False)
    monkeypatch.setattr(notify_services, "_set_based", lambda: False)
    now = T0 + dt.timedelta(days=30)
    issues = overdue(world, 3, now=now)

    first = services.issue_scan_deadlines(now=now)
    notifications = Notification.objects.count()
    again = services.issue_scan_deadlines(now=now + dt.timedelta(minutes=5))

    assert len(first.breached) == 6  # two clocks each
    assert (again.warned, again.breached) == ([], [])
    assert Notification.objects.count() == notifications > 0
    assert IssueAlarm.objects.filter(issue__in=issues).count() == 6
    assert IssueEvent.objects.filter(verb="deadline_breached", issue__in=issues).count() == 6
    assert set(
        Issue.objects.filter(pk__in=[i.pk for i in issues]).values_list(
            "alarm_recheck_at", flat=True
        )
    ) == {ALARMS_SETTLED}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_deadline_texts_are_those_of_format_deadline_even_within_one_minute(world, language):
    """The scan renders each deadline once per minute; a deadline exactly at midnight reads
    24:00 of the day before, one 30 s later reads 00:00 of its own day — both as
    ``workdays.format_deadline`` writes them, in either language."""
    from django.utils import translation

    from huashan import workdays

    now = T0 + dt.timedelta(days=30)
    midnight = dt.datetime(2025, 11, 20, 0, 0, tzinfo=CN)
    dues = [midnight, midnight + dt.timedelta(seconds=30), midnight + dt.timedelta(minutes=1)]
    category = CategoryFactory()
    Issue.objects.bulk_create(
        IssueFactory.build(
            compound=world.compound,
            category=category,
            reporter=world.resident,
            tracking_number=f"HS-2098-{n:06d}",
            created_at=now - dt.timedelta(days=20),
            accepted_at=now - dt.timedelta(days=19),
            feedback_due=due,
            next_deadline=due,
        )
        for n, due in enumerate(dues)
    )
    with translation.override(language):
        services.issue_scan_deadlines(now=now)
        expected = [workdays.format_deadline(due) for due in dues]
    assert expected[0] != expected[1] != expected[2]
    notes = {
        e.issue.tracking_number: e.note
        for e in IssueEvent.objects.filter(verb="deadline_breached").select_related("issue")
    }
    for n, text in enumerate(expected):
        assert text in notes[f"HS-2098-{n:06d}"]
        bodies = set(
            Notification.objects.filter(
                link__contains=f"HS-2098-{n:06d}", channel="inbox"
            ).values_list("body", flat=True)
        )
        assert len(bodies) == 1
        assert text in bodies.pop()
