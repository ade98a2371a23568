"""Deadline scans, auto-close, the beat tasks and the management commands.

seed: 协同联动 第二条 (督办 by 小区党组织 and 环境和物业管理委员会); 小区党组织服务承诺 第3条.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from huashan.notify.models import Notification
from issues import services, tasks
from issues.models import Category, Issue, IssueAlarm, IssueEvent, Whistle
from tests.factories.directory import PersonFactory
from tests.factories.world import compound_world

CN = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2025, 11, 3, 9, 0, tzinfo=CN)  # a Monday, no holidays nearby


@pytest.fixture
def world(db):
    return compound_world()


def submit(world, **kwargs):
    kwargs.setdefault("category", Category.objects.get(code="environment"))
    return services.issue_submit(
        actor=world.resident,
        compound=world.compound,
        description="楼道灯坏了",
        building=world.building,
        client_key=str(uuid.uuid4()),
        **kwargs,
    ).issue


def inbox(person) -> int:
    return Notification.objects.filter(recipient=person).count()


def test_scan_three_times_warns_once_and_breaches_once(world):
    """The beat scan notifies once, not on every run; a breach is recorded once."""
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
    office = world.people.joint_meeting_office
    supervisor = world.people.compound_party
    rc_committee = world.people.rc_property_committee
    before_office, before_supervisor = inbox(office), inbox(supervisor)

    # 48 h response due at T0+48h; warning window 12 h.
    warn_time = T0 + dt.timedelta(hours=40)
    for _ in range(3):
        report = services.issue_scan_deadlines(now=warn_time)
    first = services.issue_scan_deadlines(now=warn_time)
    assert first.warned == []
    assert IssueAlarm.objects.filter(issue=issue, stage="due_soon").count() == 1
    assert inbox(office) == before_office + 1
    assert inbox(supervisor) == before_supervisor  # warnings go to the responsible party

    breach_time = T0 + dt.timedelta(hours=49)
    reports = [services.issue_scan_deadlines(now=breach_time) for _ in range(3)]
    assert [len(r.breached) for r in reports] == [1, 0, 0]
    assert reports[0].breached[0].startswith(issue.tracking_number)
    assert IssueAlarm.objects.filter(issue=issue, stage="overdue", clock="response").count() == 1
    assert IssueEvent.objects.filter(issue=issue, verb="deadline_breached").count() == 1
    assert inbox(supervisor) == before_supervisor + 1
    assert inbox(rc_committee) >= 1
    assert report.warned == []  # the third warning run already found nothing new


def test_scan_warning_goes_to_assigned_company_and_breach_to_supervisors(world):
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.issue_accept(actor=world.people.joint_meeting_office, issue=issue)
        services.issue_transfer(
            actor=world.people.joint_meeting_office,
            issue=issue,
            organization=world.orgs.property_company,
        )
        services.issue_start(actor=world.people.property_company, issue=issue)
    company = world.people.property_company
    # feedback due: 7 working days → 2025-11-12 24:00.
    assert issue.feedback_due == dt.datetime(2025, 11, 13, 0, 0, tzinfo=CN)
    before = inbox(company)
    report = services.issue_scan_deadlines(now=dt.datetime(2025, 11, 12, 18, 0, tzinfo=CN))
    assert len(report.warned) == 1
    assert inbox(company) == before + 1
    supervisor_before = inbox(world.people.compound_party)
    report = services.issue_scan_deadlines(now=dt.datetime(2025, 11, 13, 0, 1, tzinfo=CN))
    assert len(report.breached) == 1
    assert inbox(world.people.compound_party) == supervisor_before + 1
    breach = IssueEvent.objects.get(issue=issue, verb="deadline_breached", public=True)
    assert "2025" in breach.note


def test_scan_skips_paused_issue(world):
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.issue_wait_for_reporter(
            actor=world.people.joint_meeting_office, issue=issue, question="几楼？"
        )
    report = services.issue_scan_deadlines(now=T0 + dt.timedelta(days=30))
    assert report.breached == []
    assert not IssueAlarm.objects.filter(issue=issue).exists()


def test_scan_alarms_unreported_whistle_summons_once(world):
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.issue_accept(actor=world.people.joint_meeting_office, issue=issue)
        member = PersonFactory()
        services.whistle_blow(
            actor=world.people.community_party,
            issue=issue,
            level="community",
            organizations=[world.orgs.pmc],
            persons=[member],
            reason="多方协调",
            report_due=T0 + dt.timedelta(days=1),
        )
    before_pmc, before_member = inbox(world.people.pmc), inbox(member)
    later = T0 + dt.timedelta(days=1, minutes=1)
    services.issue_scan_deadlines(now=later)
    services.issue_scan_deadlines(now=later)
    assert IssueAlarm.objects.filter(issue=issue, clock="whistle", stage="overdue").count() == 1
    assert inbox(world.people.pmc) == before_pmc + 1
    assert inbox(member) == before_member + 1


def test_scan_alarms_unacknowledged_referral(world):
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.issue_accept(actor=world.people.joint_meeting_office, issue=issue)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        services.issue_transfer(
            actor=world.people.joint_meeting_office, issue=issue, organization=world.orgs.pmc
        )
    services.issue_scan_deadlines(now=T0 + dt.timedelta(hours=50))
    assert IssueAlarm.objects.filter(issue=issue, clock="referral", stage="overdue").exists()


def test_scan_alarms_overdue_supervision_order(world):
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.supervision_order_issue(
            actor=world.people.compound_party,
            issue=issue,
            organization=world.orgs.property_company,
            due=T0 + dt.timedelta(hours=5),
            instruction="立即处理",
        )
    services.issue_scan_deadlines(now=T0 + dt.timedelta(hours=6))
    assert IssueAlarm.objects.filter(issue=issue, clock="supervision", stage="overdue").exists()


def test_auto_close_after_policy_days_and_only_once(world):
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.issue_accept(actor=world.people.joint_meeting_office, issue=issue)
        services.issue_resolve(
            actor=world.people.joint_meeting_office,
            issue=issue,
            explanation="已经修好，照明恢复正常",
        )
    assert services.issue_auto_close_scan(now=T0 + dt.timedelta(days=6)) == []
    closed = services.issue_auto_close_scan(now=T0 + dt.timedelta(days=7, minutes=1))
    assert closed == [issue.tracking_number]
    assert services.issue_auto_close_scan(now=T0 + dt.timedelta(days=8)) == []
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CLOSED
    assert issue.events.filter(verb="auto_close").count() == 1


def test_beat_tasks_are_thin_and_idempotent(world):
    with time_machine.travel(T0, tick=False):
        submit(world)
    with time_machine.travel(T0 + dt.timedelta(hours=49), tick=False):
        assert tasks.scan_deadlines() == {"warned": 0, "breached": 1}
        assert tasks.scan_deadlines() == {"warned": 0, "breached": 0}
        assert tasks.auto_close() == {"closed": 0}


def test_issues_scan_deadlines_command_prints_what_it_did(world):
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
    out = io.StringIO()
    with time_machine.travel(T0 + dt.timedelta(hours=40), tick=False):
        call_command("issues_scan_deadlines", stdout=out)
    assert f"warned   {issue.tracking_number} response" in out.getvalue()
    assert "1 warned, 0 breached" in out.getvalue()
    out = io.StringIO()
    with time_machine.travel(T0 + dt.timedelta(hours=40), tick=False):
        call_command("issues_scan_deadlines", "--auto-close", stdout=out)
    assert "0 warned, 0 breached, 0 closed" in out.getvalue()


def test_seed_issues_creates_a_realistic_mix_once(db):
    """Demo data: ≈200 issues across tiers and states, deterministic and idempotent."""
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_issues", stdout=out)
    issues = Issue.objects.filter(compound__slug="jiangnan-huashan")
    assert issues.count() == 200
    assert set(issues.values_list("status", flat=True)) == set(Issue.Status.values)
    assert set(issues.values_list("tier", flat=True)) == set(Issue.Tier.values)
    assert not issues.filter(status__in=Issue.OPEN_STATES, next_deadline__isnull=True).exists()
    closing = issues.filter(status__in=["resolved", "closed", "rejected", "merged"])
    assert not closing.filter(public_explanation="").exists()
    # Every issue has a submit event; resolved hard matters have every summons reported.
    assert IssueEvent.objects.filter(issue__in=issues, verb="submit").count() == 200
    assert not issues.filter(
        status__in=["resolved", "closed"],
        whistles__summonses__pk__isnull=False,
        whistles__summonses__reported_at__isnull=True,
    ).exists()
    assert Whistle.objects.filter(issue__in=issues).exists()
    snapshot = sorted(issues.values_list("tracking_number", "status", "tier"))
    call_command("seed_issues", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert sorted(issues.values_list("tracking_number", "status", "tier")) == snapshot
    services.issue_scan_deadlines()  # the scan copes with the seeded history
