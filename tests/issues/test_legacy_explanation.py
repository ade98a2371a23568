"""Legacy matters (历史遗留问题): the periodic explanation to residents is required, warned,
breached and satisfied by a public note.

seed: 协同联动解决小区事务流程 第五条.

Split out of the former tests/issues/test_gaps.py ("gaps closed after issue 3", issue 15
item 9); shared fixtures in tests/issues/conftest.py, helpers in tests/issues/helpers.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from huashan.notify.models import Notification
from huashan.workdays import deadline
from issues import services
from issues.models import IssueAlarm
from tests.factories.issues import IssueFactory
from tests.issues.helpers import CN, T0, category, submit, zh

pytestmark = pytest.mark.django_db


def test_legacy_explanation_is_required_warned_breached_and_satisfied_by_a_public_note(world):
    """seed: 协同联动 第五条 — 历史遗留问题 are explained to residents periodically."""
    office = world.people.joint_meeting_office
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.issue_accept(actor=office, issue=issue)
        services.issue_give_plan(actor=office, issue=issue, plan="分三步处理，先确权再维修")
        services.issue_change_tier(
            actor=office, issue=issue, tier="legacy", reason="开发商遗留的产权问题"
        )
    legacy = services.clocks_for(services.clock_policy_for(world.compound)).legacy
    assert issue.feedback_due == deadline(T0, legacy)
    assert issue.feedback_due == dt.datetime(2025, 12, 4, 0, 0, tzinfo=CN)  # 30 days
    due = issue.feedback_due
    # Nothing before the warning window, a warning inside it, a breach after it — once each.
    assert services.issue_scan_deadlines(now=due - dt.timedelta(days=2)).warned == []
    for _ in range(2):
        services.issue_scan_deadlines(now=due - dt.timedelta(hours=1))
    for _ in range(2):
        services.issue_scan_deadlines(now=due + dt.timedelta(minutes=1))
    alarms = IssueAlarm.objects.filter(issue=issue, clock="feedback", due=due)
    assert sorted(alarms.values_list("stage", flat=True)) == ["due_soon", "overdue"]
    breach = issue.events.get(verb="deadline_breached")
    assert breach.public  # residents see the missed explanation
    assert str(services.LEGACY_CLOCK_LABEL) in breach.note
    supervisor = world.people.compound_party
    assert Notification.objects.filter(
        recipient=supervisor, subject__contains=str(services.LEGACY_CLOCK_LABEL)
    ).exists()
    # A public note is the explanation: the clock restarts for another period.
    later = due + dt.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        services.issue_post_progress(
            actor=office, issue=issue, note="产权确认材料已报街道，等待答复", public=True
        )
    issue.refresh_from_db()
    assert issue.feedback_due == deadline(later, legacy)
    report = services.issue_scan_deadlines(now=later + dt.timedelta(days=1))
    assert report.breached == []
    assert report.warned == []
    # An internal note is not an explanation to residents.
    with time_machine.travel(later + dt.timedelta(days=2), tick=False):
        services.issue_post_progress(actor=office, issue=issue, note="内部：催街道", public=False)
    issue.refresh_from_db()
    assert issue.feedback_due == deadline(later, legacy)


def test_legacy_timeline_says_explanation_due(client, world):
    issue = IssueFactory(
        compound=world.compound, category=category(), reporter=world.resident, tier="legacy"
    )
    client.force_login(world.resident)
    body = client.get(reverse("issues:detail", args=[issue.tracking_number])).content.decode()
    assert zh("Next explanation to residents due by") in body
