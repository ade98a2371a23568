"""The complaint clocks read to the letter (issue 18, misreadings 1–3).

Each test quotes the article it keeps and failed before the fix:

* 小区党组织服务承诺 第7条 "安全隐患“零容忍”，……发现问题限期3日内整改，重大隐患即时上报并全程跟踪"
* 物业管理委员会服务承诺 第3条 "常规问题48小时内答复，复杂问题7日内明确解决方案"
* 小区党组织服务承诺 第3条 "承诺48小时内响应业主诉求，7个工作日内反馈处理进展"
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from huashan import workdays
from huashan.notify.models import Notification
from issues import selectors, services
from issues.models import Issue, IssueAlarm, Referral
from issues.pledge_evidence import complaint_deadline_shares
from tests.issues.helpers import CN, T0, submit

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _hazard(world) -> Issue:
    with _at(T0):
        issue = submit(world, is_hazard=True)
        services.issue_accept(actor=world.people.joint_meeting_office, issue=issue)
    return issue


# --- 第7条: the 3-day hazard deadline never pauses ------------------------------


def test_pp7_hazard_fix_deadline_never_pauses_while_waiting_for_the_reporter(world):
    """第7条 "发现问题限期3日内整改": asking the reporter a question at hour 1 and getting the
    answer on day 5 does not move the fix deadline (it moved to about day 8 before)."""
    issue = _hazard(world)
    due = workdays.deadline(T0, workdays.HAZARD_3_DAYS)
    assert issue.hazard_due == due == dt.datetime(2025, 11, 7, 0, 0, tzinfo=CN)
    office = world.people.joint_meeting_office
    with _at(T0 + H):
        services.issue_wait_for_reporter(actor=office, issue=issue, question="是哪一层的消防门？")
    issue.refresh_from_db()
    # While paused only the hazard clock runs, and the queue sees it.
    assert [c for c, _d in services.running_clocks(issue)] == [IssueAlarm.Clock.HAZARD]
    assert issue.next_deadline == due
    # One second before the deadline: not overdue; one second after: overdue and breached.
    assert not selectors.issue_is_overdue(issue, now=due - dt.timedelta(seconds=1))
    assert selectors.issue_is_overdue(issue, now=due + dt.timedelta(seconds=1))
    services.issue_scan_deadlines(now=due + dt.timedelta(seconds=1))
    assert IssueAlarm.objects.filter(
        issue=issue, clock=IssueAlarm.Clock.HAZARD, stage=IssueAlarm.Stage.OVERDUE
    ).exists()
    with _at(dt.datetime(2025, 11, 8, 10, 0, tzinfo=CN)):  # day 5
        services.issue_reporter_reply(actor=world.resident, issue=issue, note="5楼")
    issue.refresh_from_db()
    assert issue.hazard_due == due


def test_pp7_the_other_clocks_still_pause_while_waiting(world):
    """The pause itself stays for the non-hazard clocks (the feedback deadline moves)."""
    issue = _hazard(world)
    feedback_due = issue.feedback_due
    office = world.people.joint_meeting_office
    with _at(T0 + H):
        services.issue_wait_for_reporter(actor=office, issue=issue, question="是哪一层？")
    with _at(T0 + 25 * H):
        services.issue_reporter_reply(actor=world.resident, issue=issue, note="5楼")
    issue.refresh_from_db()
    assert issue.feedback_due == feedback_due + 24 * H


def test_pp7_hazard_flagged_during_a_pause_counts_from_the_flag(world):
    """A hazard flagged while the issue waits counts from the flag, not from the pause."""
    with _at(T0):
        issue = submit(world)
        office = world.people.joint_meeting_office
        services.issue_accept(actor=office, issue=issue)
        services.issue_wait_for_reporter(actor=office, issue=issue, question="具体位置？")
    with _at(T0 + 30 * H):
        services.issue_set_hazard(actor=office, issue=issue, is_hazard=True, reason="电线裸露")
    issue.refresh_from_db()
    assert issue.hazard_due == workdays.deadline(T0 + 30 * H, workdays.HAZARD_3_DAYS)


# --- 第7条: 重大隐患即时上报并全程跟踪 --------------------------------------------------


def _street_and_community(world):
    return world.orgs.street_office, world.orgs.community_party


def test_pp7_major_hazard_is_reported_at_once_to_community_party_and_street(world):
    """第7条 "重大隐患即时上报并全程跟踪": at the moment it is marked major (not after the 3 days
    lapse) the community party organization and the street are told, and each has it in its
    queue until the complaint is closed."""
    street, community = _street_and_community(world)
    with _at(T0):
        issue = submit(world)
    office = world.people.joint_meeting_office
    flagged_at = T0 + H
    with _at(flagged_at):
        services.issue_set_hazard(
            actor=office, issue=issue, is_hazard=True, major=True, reason="地下车库顶板开裂"
        )
    issue.refresh_from_db()
    assert issue.hazard_major
    assert issue.hazard_reported_at == flagged_at
    reports = Referral.objects.filter(issue=issue, purpose=Referral.Purpose.REPORT)
    assert {r.organization_id for r in reports} == {street.pk, community.pk}
    assert all(r.created_at == flagged_at for r in reports)
    for person in (world.people.street_office, world.people.community_party):
        told = Notification.objects.filter(
            recipient=person, subject__contains=issue.tracking_number, created_at=flagged_at
        )
        assert told.exists()
    for org in (street, community):
        assert issue in selectors.issue_queue_for_org(organization=org)
    # Followed to closure: still in the queue once resolved.
    with _at(T0 + 20 * H):
        services.issue_accept(actor=office, issue=issue)
        services.issue_start(actor=office, issue=issue)
        services.issue_resolve(
            actor=office, issue=issue, explanation="已加固顶板并经检测合格，现场已恢复通行。"
        )
    assert issue in selectors.issue_queue_for_org(organization=street)


def test_pp7_an_ordinary_hazard_is_not_reported_to_the_street(world):
    """The other side: a hazard not marked major stays with the compound's bodies."""
    street, _community = _street_and_community(world)
    issue = _hazard(world)
    assert not issue.hazard_major
    assert not Referral.objects.filter(issue=issue, purpose=Referral.Purpose.REPORT).exists()
    assert issue not in selectors.issue_queue_for_org(organization=street)


def test_pp7_an_existing_hazard_can_be_marked_major_and_is_reported_then(world):
    street, _community = _street_and_community(world)
    issue = _hazard(world)
    due = issue.hazard_due
    with _at(T0 + 2 * H):
        services.issue_set_hazard(
            actor=world.people.joint_meeting_office,
            issue=issue,
            is_hazard=True,
            major=True,
            reason="隐患扩大",
        )
    issue.refresh_from_db()
    assert issue.hazard_major
    assert issue.hazard_due == due
    assert issue in selectors.issue_queue_for_org(organization=street)


# --- 物业管理委员会服务承诺 第3条: the plan counts from receipt -------------------------


@pytest.mark.parametrize("retier_after_days", [1, 10])
def test_pmc3_plan_deadline_counts_from_receipt_whenever_retiered(world, retier_after_days):
    """第3条 "复杂问题7日内明确解决方案": the 7 days count from receipt of the complaint, whether
    it is re-tiered on day 1 or on day 10 (then it is already overdue)."""
    with _at(T0):
        issue = submit(world)
    with _at(T0 + dt.timedelta(days=retier_after_days)):
        services.issue_change_tier(
            actor=world.people.joint_meeting_office, issue=issue, tier="big", reason="涉及多方"
        )
    issue.refresh_from_db()
    assert issue.plan_due == workdays.deadline(T0, workdays.PLAN_7_DAYS)
    assert issue.plan_due == dt.datetime(2025, 11, 11, 0, 0, tzinfo=CN)  # 10 Nov 24:00
    overdue = selectors.issue_is_overdue(issue, now=T0 + dt.timedelta(days=retier_after_days))
    assert overdue is (retier_after_days == 10)


# --- 小区党组织服务承诺 第3条: a late answer stays late ----------------------------------


def _response_share(world):
    period = (T0 - dt.timedelta(days=1), T0 + dt.timedelta(days=30))
    shares = complaint_deadline_shares(
        compound=world.compound, periods=[period], now=T0 + dt.timedelta(days=30)
    )
    return shares[period]["response"]


@pytest.mark.parametrize(
    ("answered_after", "in_time"),
    [(dt.timedelta(hours=47, minutes=59), 1), (dt.timedelta(hours=48, minutes=1), 0)],
)
def test_pp3_late_answer_then_rejection_stays_late_in_the_48h_rate(world, answered_after, in_time):
    """第3条 "48小时内响应": an answer 1 minute after the 48 hours, then a rejection, stays
    late (it vanished from the rate before); 1 minute before stays in time."""
    office = world.people.joint_meeting_office
    with _at(T0):
        issue = submit(world)
    with _at(T0 + answered_after):
        services.issue_accept(actor=office, issue=issue)
    with _at(T0 + 50 * H):
        services.issue_reject(
            actor=office, issue=issue, explanation="经核实属于业主家中自用设施，已告知维修渠道。"
        )
    share = _response_share(world)
    assert (share.decided, share.in_time) == (1, in_time)


def test_pp3_a_rejection_is_the_answer_when_nobody_accepted(world):
    """A rejection with reasons within the 48 hours answers the reporter in time."""
    office = world.people.joint_meeting_office
    with _at(T0):
        issue = submit(world)
    with _at(T0 + 47 * H):
        services.issue_reject(
            actor=office, issue=issue, explanation="经核实属于业主家中自用设施，已告知维修渠道。"
        )
    share = _response_share(world)
    assert (share.decided, share.in_time) == (1, 1)


def test_pp3_every_share_states_its_population():
    from issues.pledge_evidence import POPULATIONS

    for clock in ("response", "feedback", "hazard", "plan"):
        assert str(POPULATIONS[clock])
    with translation.override("en"):
        assert "rejected" in str(selectors.FORMULAS["response_rate"]).lower()


def test_pp3_the_pledge_page_states_who_each_share_counts():
    """Where the 48-hour share is shown (the pledge board's figures) its population is said."""
    from issues.pledge_evidence import POPULATIONS
    from pledges.models import RuleKind
    from pledges.views.common import figures_summary

    share = {"in_time": 1, "decided": 2, "percent": 50.0}
    text = figures_summary(RuleKind.DEADLINE_RATE, {"response": share, "threshold": 90})
    assert str(POPULATIONS["response"]) in text
    assert str(POPULATIONS["plan"]) not in text
