"""Legacy matters (历史遗留问题): the periodic explanation to residents is required, warned and
breached; only the explanation the three parties give together restarts it, never a public
note by one party.

seed: 协同联动解决小区事务流程 第五条 "社区居民委员会、物业管理委员会、物业服务企业'三方'需共同
向居民做好解释说明工作，不得相互推诿、激化矛盾".

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
from issues.services.whistles import joint_explanation_confirm, joint_explanation_draft
from tests.factories.issues import IssueFactory
from tests.issues.helpers import CN, T0, category, submit, zh

pytestmark = pytest.mark.django_db

EXPLANATION = "该问题系开发商遗留的产权问题，已报街道确权，三方将每月向居民通报进展。"


def _legacy(world):
    """A legacy matter the property company works (transferred to it)."""
    office = world.people.joint_meeting_office
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.issue_accept(actor=office, issue=issue)
        services.issue_change_tier(
            actor=office, issue=issue, tier="legacy", reason="开发商遗留的产权问题"
        )
        services.issue_transfer(
            actor=office, issue=issue, organization=world.orgs.property_company, note="请处理"
        )
        services.referral_acknowledge(
            actor=world.people.property_company, referral=issue.referrals.get()
        )
        services.issue_give_plan(actor=office, issue=issue, plan="分三步处理，先确权再维修")
    return issue


def _legacy_policy(world):
    return services.clocks_for(services.clock_policy_for(world.compound)).legacy


def _explain_jointly(world, issue, *, parties=("residents_committee", "pmc", "property_company")):
    explanation = joint_explanation_draft(
        actor=world.people.joint_meeting_office, issue=issue, text=EXPLANATION
    )
    for name in parties:
        joint_explanation_confirm(
            actor=getattr(world.people, name),
            explanation=explanation,
            organization=getattr(world.orgs, name),
        )
    return explanation


def test_legacy_explanation_is_required_warned_breached_and_not_restarted_by_one_party(world):
    """seed: 协同联动 第五条 — 历史遗留问题 are explained to residents by the three parties
    together: a public note, or a plan, by one of them just before the due time leaves the
    clock where it was, and the breach comes all the same."""
    office = world.people.joint_meeting_office
    issue = _legacy(world)
    legacy = _legacy_policy(world)
    assert issue.feedback_due == deadline(T0, legacy)
    assert issue.feedback_due == dt.datetime(2025, 12, 4, 0, 0, tzinfo=CN)  # 30 days
    due = issue.feedback_due
    # Nothing before the warning window, a warning inside it — once each.
    assert services.issue_scan_deadlines(now=due - dt.timedelta(days=2)).warned == []
    for _ in range(2):
        services.issue_scan_deadlines(now=due - dt.timedelta(hours=1))
    # One party's public note and plan a minute before the due time are not the explanation.
    with time_machine.travel(due - dt.timedelta(minutes=1), tick=False):
        company = world.people.property_company
        services.issue_post_progress(
            actor=company, issue=issue, note="产权确认材料已报街道，等待答复", public=True
        )
        services.issue_give_plan(actor=company, issue=issue, plan="先确权，再分期维修")
        services.issue_post_progress(actor=office, issue=issue, note="内部：催街道", public=False)
    issue.refresh_from_db()
    assert issue.feedback_due == due
    assert issue.last_public_update_at == due - dt.timedelta(minutes=1)
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
    # After the breach, one party's public note still restarts nothing.
    with time_machine.travel(due + dt.timedelta(days=1), tick=False):
        services.issue_post_progress(actor=office, issue=issue, note="已催办街道", public=True)
    issue.refresh_from_db()
    assert issue.feedback_due == due


def test_a_consultation_result_recorded_by_one_manager_does_not_restart_the_legacy_clock(world):
    """seed: 协同联动 第五条 "三方需共同向居民做好解释说明工作，不得相互推诿" — recording the
    consultation result (三方协商落实意见) is public, but it is one manager's act, not the three
    parties' explanation: a minute before the due time it leaves the clock where it was; on
    a small complaint the same act restarts the 7-working-day feedback clock."""
    issue = _legacy(world)
    due = issue.feedback_due
    office = world.people.joint_meeting_office
    with time_machine.travel(due - dt.timedelta(minutes=1), tick=False):
        services.issue_record_consultation(actor=office, issue=issue, result="三方商定先行确权")
    issue.refresh_from_db()
    assert issue.feedback_due == due
    assert issue.consultation_result == "三方商定先行确权"
    small = submit(world)
    services.issue_accept(actor=office, issue=small)
    small.refresh_from_db()
    at = small.feedback_due - dt.timedelta(minutes=1)
    with time_machine.travel(at, tick=False):
        services.issue_record_consultation(actor=office, issue=small, result="三方商定本周维修")
    small.refresh_from_db()
    assert small.feedback_due > at + dt.timedelta(days=6)


def test_legacy_clock_restarts_when_the_three_parties_explain_jointly(world):
    """seed: 协同联动 第五条 "三方需共同向居民做好解释说明工作" — the explanation confirmed by the
    RC, the PMC and the company, published a minute before the due time, restarts the clock
    for another period: no breach at the old due time."""
    issue = _legacy(world)
    legacy = _legacy_policy(world)
    due = issue.feedback_due
    published = due - dt.timedelta(minutes=1)
    with time_machine.travel(published, tick=False):
        _explain_jointly(world, issue)
    issue.refresh_from_db()
    assert issue.feedback_due == deadline(published, legacy)
    report = services.issue_scan_deadlines(now=due + dt.timedelta(minutes=1))
    assert report.breached == []
    assert not IssueAlarm.objects.filter(issue=issue, stage="overdue").exists()


def test_two_of_the_three_parties_do_not_restart_the_legacy_clock(world):
    """The boundary on the other side: with the company's confirmation missing nothing is
    published, the clock stays, and the breach comes at the due time."""
    issue = _legacy(world)
    due = issue.feedback_due
    with time_machine.travel(due - dt.timedelta(minutes=1), tick=False):
        _explain_jointly(world, issue, parties=("residents_committee", "pmc"))
    issue.refresh_from_db()
    assert issue.feedback_due == due
    assert not issue.events.filter(verb="joint_explanation").exists()
    report = services.issue_scan_deadlines(now=due + dt.timedelta(minutes=1))
    assert [line.split()[:2] for line in report.breached] == [[issue.tracking_number, "feedback"]]


def test_legacy_timeline_says_explanation_due(client, world):
    issue = IssueFactory(
        compound=world.compound, category=category(), reporter=world.resident, tier="legacy"
    )
    client.force_login(world.resident)
    body = client.get(reverse("issues:detail", args=[issue.tracking_number])).content.decode()
    assert zh("Next explanation to residents due by") in body


def test_legacy_page_links_the_complaint_only_for_who_may_open_it(client, world):
    """The PMC confirms the joint explanation on this page (三方共同解释) although the complaint
    is the company's: it reads the number, not a link to a page it may not open."""
    issue = _legacy(world)
    manage = reverse("issues:staff_detail", args=[issue.tracking_number])
    page = reverse("meetings:legacy", args=[issue.tracking_number])
    client.force_login(world.people.pmc)
    body = client.get(page).content.decode()
    assert issue.tracking_number in body
    assert manage not in body
    assert client.get(manage).status_code == 404
    client.force_login(world.people.joint_meeting_office)
    assert manage in client.get(page).content.decode()


def test_the_explanation_due_soon_warns_each_of_the_three_parties_not_only_the_assigned_one(world):
    """seed: 协同联动 第五条 "'三方'需共同向居民做好解释说明工作" — the explanation is confirmed by
    the RC, the PMC and the company together, so the warning before it is due reaches all
    three (the complaint is assigned to the company alone), and the breach names all three."""
    issue = _legacy(world)
    due = issue.feedback_due
    services.issue_scan_deadlines(now=due - dt.timedelta(hours=1))
    label = str(services.LEGACY_CLOCK_LABEL)
    for name in ("residents_committee", "pmc", "property_company"):
        assert Notification.objects.filter(
            recipient=getattr(world.people, name), subject__contains=label
        ).exists(), name
    services.issue_scan_deadlines(now=due + dt.timedelta(minutes=1))
    breach = Notification.objects.filter(
        recipient=world.people.compound_party, subject__contains=label
    ).latest("pk")
    for name in ("residents_committee", "pmc", "property_company"):
        assert getattr(world.orgs, name).name in breach.body, name


def test_an_ordinary_feedback_warning_still_goes_to_the_assigned_body_alone(world):
    """The three parties are added for the legacy explanation only: a small matter's
    feedback clock warns the body it is assigned to, as before."""
    office = world.people.joint_meeting_office
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.issue_accept(actor=office, issue=issue)
        services.issue_transfer(
            actor=office, issue=issue, organization=world.orgs.property_company, note="请处理"
        )
    issue.refresh_from_db()
    services.issue_scan_deadlines(now=issue.feedback_due - dt.timedelta(hours=1))
    feedback = str(services.Clock.FEEDBACK.label)
    assert Notification.objects.filter(
        recipient=world.people.property_company, subject__contains=feedback
    ).exists()
    assert not Notification.objects.filter(
        recipient=world.people.pmc, subject__contains=feedback
    ).exists()
