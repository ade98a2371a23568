"""Every complaint-clock number of the seed, pinned (issue 18, "one source, pinned by tests").

One test per number or cadence: it quotes the seed sentence, asserts the configured value in
its one source (``huashan.workdays``) and its effect on a real complaint with a boundary case on
each side, and a second test changes the one source (monkeypatch) and sees the effect move — so
changing a number breaks a test, and a copy of a number elsewhere does not follow the source.

Pledge-letter and disclosure-schedule numbers are pinned in ``tests/provisioning/``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine

from huashan import workdays
from issues import selectors, services
from issues.models import Category, Issue
from issues.pledge_evidence import complaint_deadline_shares
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db

CN = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2025, 11, 3, 9, 0, tzinfo=CN)  # a Monday, no holidays nearby
S = dt.timedelta(seconds=1)
EXPLANATION = "已更换楼道灯并现场确认照明恢复正常。"

#: The seed's sentences (../shared/seeds/000_4919358bacf36891.txt, docs/rules/).
PP3 = "承诺48小时内响应业主诉求，7个工作日内反馈处理进展"  # 小区党组织服务承诺 第3条
PMC3 = "常规问题48小时内答复，复杂问题7日内明确解决方案"  # 物业管理委员会服务承诺 第3条
PP7 = "发现问题限期3日内整改"  # 小区党组织服务承诺 第7条
CL5 = "三方共同向居民解释说明"  # 协同联动 第五条 (no number: 30 days is the project's)


@pytest.fixture
def world():
    return compound_world()


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _submit(world, at=T0, **kwargs) -> Issue:
    kwargs.setdefault("category", Category.objects.get(code="environment"))
    with _at(at):
        return services.issue_submit(
            actor=world.resident,
            compound=world.compound,
            client_key=f"seed-{uuid.uuid4()}",
            description="3栋1单元楼道灯坏了一周，晚上很黑",
            building=world.building,
            **kwargs,
        ).issue


def _share(world, clock: str, now: dt.datetime):
    period = (T0 - dt.timedelta(days=1), T0 + dt.timedelta(days=60))
    return complaint_deadline_shares(compound=world.compound, periods=[period], now=now)[period][
        clock
    ]


def _patch(monkeypatch, name: str, amount: int) -> None:
    monkeypatch.setattr(workdays, name, dataclasses.replace(getattr(workdays, name), amount=amount))


def _office(world):
    return world.people.joint_meeting_office


# --- 48 hours ----------------------------------------------------------------------------


def test_48_hour_response(world):
    """小区党组织服务承诺 第3条 "承诺48小时内响应业主诉求" / 物业管理委员会服务承诺 第3条
    "常规问题48小时内答复": 48 hours by the clock from receipt."""
    assert "48小时" in PP3
    assert "48小时" in PMC3
    assert workdays.RESPONSE_48H.amount == 48
    assert workdays.RESPONSE_48H.kind == workdays.DeadlineKind.CALENDAR_HOURS
    issue = _submit(world)
    due = T0 + dt.timedelta(hours=48)
    assert issue.response_due == due
    assert not selectors.issue_is_overdue(issue, now=due - S)
    assert selectors.issue_is_overdue(issue, now=due + S)


@pytest.mark.parametrize(("answered", "in_time"), [(-S, 1), (S, 0)])
def test_48_hour_response_boundary_in_the_rate(world, answered, in_time):
    """An answer one second before the 48 hours is in time; one second after is late."""
    issue = _submit(world)
    with _at(T0 + dt.timedelta(hours=48) + answered):
        services.issue_accept(actor=_office(world), issue=issue)
    share = _share(world, "response", T0 + dt.timedelta(days=10))
    assert (share.decided, share.in_time) == (1, in_time)


def test_48_hour_response_follows_its_one_source(world, monkeypatch):
    _patch(monkeypatch, "RESPONSE_48H", 24)
    issue = _submit(world)
    assert issue.response_due == T0 + dt.timedelta(hours=24)


# --- 7 working days ----------------------------------------------------------------------


def test_7_working_day_feedback(world):
    """小区党组织服务承诺 第3条 "7个工作日内反馈处理进展" (holidays skipped, 调休 counted)."""
    assert "7个工作日" in PP3
    assert workdays.FEEDBACK_7_WORKING_DAYS.amount == 7
    assert workdays.FEEDBACK_7_WORKING_DAYS.kind == workdays.DeadlineKind.WORKING_DAYS
    issue = _submit(world)
    # Mon 3 Nov 2025 + 7 working days = Wed 12 Nov, 24:00.
    due = dt.datetime(2025, 11, 13, 0, 0, tzinfo=CN)
    assert issue.feedback_due == due
    with _at(T0 + dt.timedelta(hours=1)):
        services.issue_accept(actor=_office(world), issue=issue)
    assert _share(world, "feedback", due - S).late == 0
    assert _share(world, "feedback", due + S).late == 1


def test_7_working_day_feedback_follows_its_one_source(world, monkeypatch):
    _patch(monkeypatch, "FEEDBACK_7_WORKING_DAYS", 6)
    issue = _submit(world)
    assert issue.feedback_due == dt.datetime(2025, 11, 12, 0, 0, tzinfo=CN)


# --- 7 days for a plan -------------------------------------------------------------------


def _complex(world) -> Issue:
    issue = _submit(world)
    with _at(T0 + dt.timedelta(days=2)):
        services.issue_change_tier(actor=_office(world), issue=issue, tier="big", reason="涉及多方")
    issue.refresh_from_db()
    return issue


@pytest.mark.parametrize(("given", "in_time"), [(-S, 1), (S, 0)])
def test_7_day_plan_for_a_complex_problem(world, given, in_time):
    """物业管理委员会服务承诺 第3条 "复杂问题7日内明确解决方案": 7 calendar days from receipt
    (Civil Code arts. 201–203)."""
    assert "复杂问题7日内" in PMC3
    assert workdays.PLAN_7_DAYS.amount == 7
    assert workdays.PLAN_7_DAYS.kind == workdays.DeadlineKind.CIVIL_DAYS
    issue = _complex(world)
    due = dt.datetime(2025, 11, 11, 0, 0, tzinfo=CN)  # Mon 10 Nov, 24:00
    assert issue.plan_due == due
    with _at(due + given):
        services.issue_give_plan(actor=_office(world), issue=issue, plan="分两期维修，先做排查。")
    share = _share(world, "plan", due + dt.timedelta(days=5))
    assert (share.decided, share.in_time) == (1, in_time)


def test_7_day_plan_follows_its_one_source(world, monkeypatch):
    _patch(monkeypatch, "PLAN_7_DAYS", 3)
    issue = _complex(world)
    assert issue.plan_due == dt.datetime(2025, 11, 7, 0, 0, tzinfo=CN)  # Thu 6 Nov, 24:00


# --- 3 days for a hazard -----------------------------------------------------------------


def test_3_day_hazard_fix(world):
    """小区党组织服务承诺 第7条 "发现问题限期3日内整改": 3 calendar days, never moved past a
    holiday, never paused."""
    assert "3日内" in PP7
    assert workdays.HAZARD_3_DAYS.amount == 3
    assert workdays.HAZARD_3_DAYS.kind == workdays.DeadlineKind.HAZARD_DAYS
    issue = _submit(world, is_hazard=True)
    due = dt.datetime(2025, 11, 7, 0, 0, tzinfo=CN)  # Thu 6 Nov, 24:00
    assert issue.hazard_due == due
    with _at(T0 + dt.timedelta(hours=1)):
        services.issue_accept(actor=_office(world), issue=issue)
    issue.refresh_from_db()
    assert issue.next_deadline == due
    assert not selectors.issue_is_overdue(issue, now=due - S)
    assert selectors.issue_is_overdue(issue, now=due + S)


def test_3_day_hazard_follows_its_one_source(world, monkeypatch):
    _patch(monkeypatch, "HAZARD_3_DAYS", 2)
    issue = _submit(world, is_hazard=True)
    assert issue.hazard_due == dt.datetime(2025, 11, 6, 0, 0, tzinfo=CN)


# --- 30 days for a legacy matter (the project's own cadence) -----------------------------


def _legacy(world) -> Issue:
    issue = _submit(world)
    with _at(T0):
        services.issue_change_tier(
            actor=_office(world), issue=issue, tier="legacy", reason="开发商遗留的产权问题"
        )
    issue.refresh_from_db()
    return issue


def test_30_day_legacy_explanation(world):
    """协同联动 第五条 "三方共同向居民解释说明": the seed sets no number; every 30 days is the
    project's own cadence."""
    assert workdays.LEGACY_EXPLANATION_30_DAYS.amount == 30
    issue = _legacy(world)
    assert issue.feedback_due == dt.datetime(2025, 12, 4, 0, 0, tzinfo=CN)  # 3 Dec, 24:00


def test_30_day_legacy_explanation_follows_its_one_source(world, monkeypatch):
    _patch(monkeypatch, "LEGACY_EXPLANATION_30_DAYS", 10)
    issue = _legacy(world)
    assert issue.feedback_due == dt.datetime(2025, 11, 14, 0, 0, tzinfo=CN)


# --- reopen within 14 days, auto-close after 7 (the project's own numbers) ---------------


def _resolved(world) -> Issue:
    issue = _submit(world)
    with _at(T0 + dt.timedelta(hours=1)):
        services.issue_accept(actor=_office(world), issue=issue)
        services.issue_resolve(actor=_office(world), issue=issue, explanation=EXPLANATION)
    issue.refresh_from_db()
    return issue


def test_reopen_within_14_days(world):
    assert workdays.REOPEN_DAYS == 14
    issue = _resolved(world)
    limit = issue.resolved_at + dt.timedelta(days=14)
    assert services.reopen_refusal(issue, now=limit - S) is None
    assert services.reopen_refusal(issue, now=limit + S) is not None


def test_reopen_days_follow_their_one_source(world, monkeypatch):
    monkeypatch.setattr(workdays, "REOPEN_DAYS", 3)
    issue = _resolved(world)
    assert services.reopen_refusal(issue, now=issue.resolved_at + dt.timedelta(days=4))


def test_auto_close_after_7_days(world):
    assert workdays.AUTO_CLOSE_DAYS == 7
    issue = _resolved(world)
    limit = issue.resolved_at + dt.timedelta(days=7)
    assert services.issue_close_auto(issue=issue, now=limit - S) is None
    assert services.issue_close_auto(issue=issue, now=limit).status == Issue.Status.CLOSED


def test_auto_close_days_follow_their_one_source(world, monkeypatch):
    monkeypatch.setattr(workdays, "AUTO_CLOSE_DAYS", 2)
    issue = _resolved(world)
    closed = services.issue_close_auto(issue=issue, now=issue.resolved_at + dt.timedelta(days=2))
    assert closed.status == Issue.Status.CLOSED


# --- pages read the one source -----------------------------------------------------------


def test_the_promise_on_pages_follows_its_one_source(monkeypatch):
    from issues.templatetags.complaint_clocks import response_promise

    assert "48" in response_promise()
    assert "7" in response_promise()
    _patch(monkeypatch, "RESPONSE_48H", 36)
    _patch(monkeypatch, "FEEDBACK_7_WORKING_DAYS", 5)
    text = response_promise()
    assert "36" in text
    assert "5" in text
    assert "48" not in text
