"""The complaint clocks' rules, one at a time, on unsaved issues (no database but for the
policy lookup): fast enough to run against every mutant of ``issues/services/clocks.py``.

* 小区党组织服务承诺 第3条 "承诺48小时内响应业主诉求，7个工作日内反馈处理进展"
* 小区党组织服务承诺 第7条 "发现问题限期3日内整改，重大隐患即时上报并全程跟踪"
* 物业管理委员会服务承诺 第3条 "常规问题48小时内答复，复杂问题7日内明确解决方案"
* 协同联动 第五条 "“三方”需共同向居民做好解释说明工作，不得相互推诿"
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils.translation import gettext

from huashan import workdays
from issues.models import ClockPolicy, Issue, IssueAlarm
from issues.services import clocks
from tests.factories.directory import CompoundFactory

CN = workdays.CHINA_TZ
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CN)  # a Monday, a working day
H = dt.timedelta(hours=1)
Status = Issue.Status
Clock = IssueAlarm.Clock


def _issue(**fields) -> Issue:
    base = {"status": Status.ACCEPTED, "created_at": T0}
    base.update(fields)
    return Issue(**base)


def _own_policy(**numbers) -> ClockPolicy:
    """A compound's own row (a primary key, so "its own numbers"), never saved here."""
    values = workdays.complaint_numbers()
    values.update(numbers)
    return ClockPolicy(pk=1, **values)


# --- which numbers: the pledges' or the compound's own ---------------------------------


def test_without_a_row_the_clocks_are_the_pledges_policies():
    """第3条 "48小时内响应……7个工作日内反馈"; 第7条 "3日内整改"; 物业 第3条 "7日内"."""
    c = clocks.clocks_for(ClockPolicy())
    assert c.response is workdays.RESPONSE_48H
    assert c.feedback is workdays.FEEDBACK_7_WORKING_DAYS
    assert c.plan is workdays.PLAN_7_DAYS
    assert c.hazard is workdays.HAZARD_3_DAYS
    assert c.legacy is workdays.LEGACY_EXPLANATION_30_DAYS


def test_a_row_with_the_pledges_numbers_keeps_the_pledges_policies():
    """A compound row that keeps "48小时" and "7个工作日" uses the very same policies."""
    policy = _own_policy()
    c = clocks.clocks_for(policy)
    assert c.policy is policy
    assert c.response is workdays.RESPONSE_48H
    assert c.feedback is workdays.FEEDBACK_7_WORKING_DAYS
    assert c.plan is workdays.PLAN_7_DAYS
    assert c.hazard is workdays.HAZARD_3_DAYS
    assert c.legacy is workdays.LEGACY_EXPLANATION_30_DAYS


@pytest.mark.parametrize(
    ("clock", "field", "base", "text"),
    [
        ("response", "response_hours", workdays.RESPONSE_48H, "Response within %(n)d hours"),
        (
            "feedback",
            "feedback_working_days",
            workdays.FEEDBACK_7_WORKING_DAYS,
            "Progress feedback within %(n)d working days",
        ),
        ("plan", "plan_days", workdays.PLAN_7_DAYS, "Solution plan within %(n)d days"),
        ("hazard", "hazard_days", workdays.HAZARD_3_DAYS, "Safety hazard fixed within %(n)d days"),
        (
            "legacy",
            "legacy_explanation_days",
            workdays.LEGACY_EXPLANATION_30_DAYS,
            "Explanation to residents every %(n)d days",
        ),
    ],
)
def test_a_compound_number_rescales_the_same_kind_of_clock(clock, field, base, text):
    """第3条 "48小时内响应" counts hours, "7个工作日内" working days, "3日内"/"7日内" days: a
    compound's own number changes the amount, never the way of counting."""
    for amount in (base.amount - 1, base.amount + 1):
        c = clocks.clocks_for(_own_policy(**{field: amount}))
        scaled = getattr(c, clock)
        assert scaled.kind == base.kind
        assert scaled.amount == amount
        assert scaled.code == f"{base.code}__{amount}"
        assert str(scaled.label) == gettext(text) % {"n": amount}
        # the other clocks keep the pledges' policies
        others = {"response", "feedback", "plan", "hazard", "legacy"} - {clock}
        assert all(
            getattr(c, name).code == getattr(clocks.clocks_for(ClockPolicy()), name).code
            for name in others
        )


def test_policy_number_reads_the_source_without_a_row_and_the_row_with_one():
    """第3条 "48小时内响应": without a row the number is the pledge's, read from its source."""
    assert clocks.policy_number(ClockPolicy(), "response_hours") == 48
    assert clocks.policy_number(ClockPolicy(), "feedback_working_days") == 7
    assert clocks.policy_number(_own_policy(response_hours=24), "response_hours") == 24


@pytest.mark.django_db
def test_clock_policy_for_finds_the_row_or_returns_an_unsaved_default():
    """Without a row the compound follows the pledges ("48小时内响应"); no row is created."""
    compound = CompoundFactory()
    default = clocks.clock_policy_for(compound)
    assert default.pk is None
    assert default.compound == compound
    assert not ClockPolicy.objects.filter(compound=compound).exists()
    row = ClockPolicy.objects.create(compound=compound, response_hours=24)
    found = clocks.clock_policy_for(compound)
    assert found.pk == row.pk
    assert found.response_hours == 24


def test_legacy_issues_take_the_explanation_clock_instead_of_the_feedback_one():
    """协同联动 第五条 "共同向居民做好解释说明工作" replaces "7个工作日内反馈" for 历史遗留."""
    c = clocks.clocks_for(ClockPolicy())
    assert clocks._feedback_policy(_issue(tier=Issue.Tier.LEGACY), c) is c.legacy
    for tier in Issue.Tier:
        if tier != Issue.Tier.LEGACY:
            assert clocks._feedback_policy(_issue(tier=tier), c) is c.feedback


# --- which clocks run -----------------------------------------------------------------


def _all_dues(**fields) -> Issue:
    dues = {
        "response_due": T0 + 48 * H,
        "feedback_due": T0 + 200 * H,
        "plan_due": T0 + 168 * H,
        "hazard_due": T0 + 72 * H,
    }
    dues.update(fields)
    return _issue(**dues)


def test_every_clock_runs_on_an_open_unpaused_complex_hazard():
    """第3条 "48小时内响应……7个工作日内反馈", 物业 第3条 "复杂问题7日内", 第7条 "3日内整改"."""
    issue = _all_dues(is_complex=True, is_hazard=True)
    assert clocks.running_clocks(issue) == [
        (Clock.RESPONSE, T0 + 48 * H),
        (Clock.FEEDBACK, T0 + 200 * H),
        (Clock.PLAN, T0 + 168 * H),
        (Clock.HAZARD, T0 + 72 * H),
    ]


def test_the_response_clock_stops_once_accepted():
    """第3条 "48小时内响应业主诉求": accepting the complaint is the response."""
    issue = _all_dues(accepted_at=T0 + H)
    assert [clock for clock, _due in clocks.running_clocks(issue)] == [Clock.FEEDBACK]
    issue = _all_dues(accepted_at=None)
    assert [clock for clock, _due in clocks.running_clocks(issue)] == [
        Clock.RESPONSE,
        Clock.FEEDBACK,
    ]


def test_clocks_without_a_due_do_not_run():
    """A clock runs only once it has a deadline (第3条 "48小时内"; 第7条 "3日内")."""
    issue = _issue(is_complex=True, is_hazard=True)
    assert clocks.running_clocks(issue) == []
    issue = _issue(feedback_due=T0 + 200 * H)
    assert clocks.running_clocks(issue) == [(Clock.FEEDBACK, T0 + 200 * H)]


def test_the_plan_clock_runs_only_for_a_complex_issue_without_a_plan():
    """物业 第3条 "复杂问题7日内明确解决方案": only complex matters, until the plan is given."""
    plan = (Clock.PLAN, T0 + 168 * H)
    assert plan in clocks.running_clocks(_all_dues(is_complex=True))
    assert plan not in clocks.running_clocks(_all_dues(is_complex=False))
    assert plan not in clocks.running_clocks(_all_dues(is_complex=True, plan_given_at=T0 + H))


def test_the_hazard_clock_runs_only_on_a_hazard():
    """第7条 "发现问题限期3日内整改": the three days are a hazard's."""
    hazard = (Clock.HAZARD, T0 + 72 * H)
    assert hazard in clocks.running_clocks(_all_dues(is_hazard=True))
    assert hazard not in clocks.running_clocks(_all_dues(is_hazard=False))


def test_a_paused_issue_keeps_only_the_hazard_clock_running():
    """第7条 "发现问题限期3日内整改" allows no pause; the other clocks wait for the reporter."""
    issue = _all_dues(is_complex=True, is_hazard=True, paused_at=T0 + H)
    assert clocks.running_clocks(issue) == [(Clock.HAZARD, T0 + 72 * H)]
    issue = _all_dues(is_complex=True, is_hazard=False, paused_at=T0 + H)
    assert clocks.running_clocks(issue) == []


def test_no_clock_runs_once_the_issue_is_no_longer_open():
    """第3条 "7个工作日内反馈处理进展" is about open complaints; a closed one has no clock."""
    for status in Status:
        issue = _all_dues(status=status, is_complex=True, is_hazard=True)
        assert bool(clocks.running_clocks(issue)) == (status in Issue.OPEN_STATES)


def test_paused_clocks_are_the_response_feedback_and_plan_dues():
    """The clocks that wait while paused: "48小时内响应", "7个工作日内反馈", "7日内明确解决方案"."""
    issue = _all_dues(is_complex=True, is_hazard=True)
    assert clocks._paused_clocks(issue) == [T0 + 48 * H, T0 + 200 * H, T0 + 168 * H]
    issue = _all_dues(accepted_at=T0, is_complex=True, plan_given_at=T0)
    assert clocks._paused_clocks(issue) == [T0 + 200 * H]
    issue = _all_dues(is_complex=False)
    assert clocks._paused_clocks(issue) == [T0 + 48 * H, T0 + 200 * H]
    assert clocks._paused_clocks(_issue(is_complex=True)) == []


# --- the next deadline ------------------------------------------------------------------


def test_next_deadline_is_the_nearest_running_one_and_clears_the_recheck():
    """第3条 "48小时内响应" comes before "7个工作日内反馈": the nearest deadline leads."""
    issue = _all_dues(is_complex=True, alarm_recheck_at=T0)
    clocks._refresh_next_deadline(issue)
    assert issue.next_deadline == T0 + 48 * H
    assert issue.alarm_recheck_at is None


def test_next_deadline_of_a_paused_hazard_is_the_hazard():
    """第7条 "3日内整改" keeps running while the other clocks wait."""
    issue = _all_dues(is_hazard=True, paused_at=T0 + H, hazard_due=T0 + 300 * H)
    clocks._refresh_next_deadline(issue)
    assert issue.next_deadline == T0 + 300 * H


def test_next_deadline_of_a_paused_issue_is_its_nearest_paused_clock():
    """While waiting for the reporter the paused "48小时" / "7个工作日" order the queue."""
    issue = _all_dues(paused_at=T0 + H, status=Status.WAITING_REPORTER)
    clocks._refresh_next_deadline(issue)
    assert issue.next_deadline == T0 + 48 * H


def test_a_closed_issue_has_no_next_deadline():
    """A closed complaint has no clock left, paused or not (第3条 is about open ones)."""
    for paused_at in (None, T0 + H):
        issue = _all_dues(status=Status.CLOSED, paused_at=paused_at, next_deadline=T0)
        clocks._refresh_next_deadline(issue)
        assert issue.next_deadline is None
    issue = _issue(next_deadline=T0)
    clocks._refresh_next_deadline(issue)
    assert issue.next_deadline is None


# --- resuming ---------------------------------------------------------------------------


def test_unpause_moves_the_paused_dues_by_the_pause_and_never_the_hazard():
    """第7条 "发现问题限期3日内整改" does not pause; "48小时"/"7个工作日"/"7日内" do."""
    issue = _all_dues(is_hazard=True, is_complex=True, paused_at=T0)
    moved = clocks._unpause(issue, T0 + 5 * H)
    assert moved == 5 * H
    assert issue.paused_at is None
    assert issue.response_due == T0 + 53 * H
    assert issue.feedback_due == T0 + 205 * H
    assert issue.plan_due == T0 + 173 * H
    assert issue.hazard_due == T0 + 72 * H


def test_unpause_leaves_the_answered_clocks_alone():
    """An accepted complaint has answered "48小时内响应"; a given plan has met "7日内"."""
    issue = _all_dues(accepted_at=T0, plan_given_at=T0, paused_at=T0)
    clocks._unpause(issue, T0 + 2 * H)
    assert issue.response_due == T0 + 48 * H
    assert issue.plan_due == T0 + 168 * H
    assert issue.feedback_due == T0 + 202 * H


def test_unpause_of_an_issue_that_is_not_paused_moves_nothing():
    """Only a pause moves the "7个工作日内反馈" deadline."""
    issue = _all_dues()
    assert clocks._unpause(issue, T0 + 5 * H) == dt.timedelta(0)
    assert issue.feedback_due == T0 + 200 * H


def test_unpause_never_moves_a_deadline_backwards():
    """A pause that "ended" before it began (clock skew) moves nothing back."""
    issue = _all_dues(paused_at=T0 + 5 * H)
    assert clocks._unpause(issue, T0 + 4 * H) == dt.timedelta(0)
    assert issue.feedback_due == T0 + 200 * H
    issue = _all_dues(paused_at=T0 + 5 * H)
    assert clocks._unpause(issue, T0 + 5 * H) == dt.timedelta(0)
    assert issue.response_due == T0 + 48 * H


# --- a complex matter -------------------------------------------------------------------


@pytest.mark.django_db  # the working-day calendar
def test_a_complex_matter_counts_its_seven_days_from_the_receipt():
    """物业 第3条 "复杂问题7日内明确解决方案": from the complaint's receipt, not from today."""
    c = clocks.clocks_for(ClockPolicy())
    issue = _issue(created_at=T0)
    clocks._make_complex(issue, c, T0 + 50 * H)
    assert issue.is_complex is True
    assert issue.plan_due == workdays.deadline(T0, workdays.PLAN_7_DAYS)
    assert issue.plan_due != workdays.deadline(T0 + 50 * H, workdays.PLAN_7_DAYS)


@pytest.mark.django_db  # the working-day calendar
def test_an_unsaved_complaint_counts_from_now():
    """物业 第3条 "7日内": a complaint without a receipt time yet starts now."""
    c = clocks.clocks_for(ClockPolicy())
    issue = _issue(created_at=None)
    clocks._make_complex(issue, c, T0 + 50 * H)
    assert issue.plan_due == workdays.deadline(T0 + 50 * H, workdays.PLAN_7_DAYS)


def test_making_complex_again_keeps_the_first_plan_deadline():
    """物业 第3条 "7日内明确解决方案": found complex twice, the deadline does not restart;
    once the plan is given no new deadline is set."""
    c = clocks.clocks_for(ClockPolicy())
    issue = _issue(is_complex=True, plan_due=T0 + H)
    clocks._make_complex(issue, c, T0 + 50 * H)
    assert issue.plan_due == T0 + H
    issue = _issue(is_complex=True, plan_given_at=T0)
    clocks._make_complex(issue, c, T0 + 50 * H)
    assert issue.plan_due is None
    assert issue.is_complex is True


def test_a_compounds_clocks_cannot_be_changed_in_place():
    """The clocks are read from the policy ("48小时内响应"), never altered on the way."""
    c = clocks.clocks_for(ClockPolicy())
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.response = workdays.HAZARD_3_DAYS
