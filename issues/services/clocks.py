"""The deadline clocks of a complaint (小区党组织服务承诺 第3条 48 小时响应、7 个工作日反馈;
第7条 安全隐患 3 日内整改; 物业管理委员会服务承诺 第3条 复杂问题 7 日内明确解决方案).
Deadlines come only from ``huashan.workdays``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext

from huashan import workdays
from huashan.directory.models import (
    Compound,
)

from ..models import (
    ClockPolicy,
    Issue,
)
from ._common import Clock, Tier

# --- clocks --------------------------------------------------------------------


@dataclass(frozen=True)
class Clocks:
    """The compound's deadline policies (defaults: the pledges' numbers)."""

    policy: ClockPolicy
    response: workdays.DeadlinePolicy
    feedback: workdays.DeadlinePolicy
    plan: workdays.DeadlinePolicy
    hazard: workdays.DeadlinePolicy
    legacy: workdays.DeadlinePolicy


def _scaled(base: workdays.DeadlinePolicy, amount: int, label) -> workdays.DeadlinePolicy:
    """The base policy if the compound keeps the pledge's number, else the same kind rescaled."""
    if amount == base.amount:
        return base
    return workdays.DeadlinePolicy(
        kind=base.kind, amount=amount, code=f"{base.code}__{amount}", label=label
    )


def clock_policy_for(compound: Compound) -> ClockPolicy:
    """The compound's own policy row, or an unsaved one meaning "the pledges' numbers".

    No row is created here: a stored copy of the numbers would outlive a change of their
    one source (``huashan.workdays``).
    """
    policy = ClockPolicy.objects.filter(compound=compound).first()
    return policy if policy is not None else ClockPolicy(compound=compound)


def policy_number(policy: ClockPolicy, name: str) -> int:
    """One number of the policy: the compound's own if it has a row, else the source's."""
    if policy.pk is None:
        return workdays.complaint_numbers()[name]
    return getattr(policy, name)


def clocks_for(policy: ClockPolicy) -> Clocks:
    """seed: 小区党组织服务承诺 第3条 / 第7条; 物业管理委员会服务承诺 第3条; 协同联动 第五条."""
    if policy.pk is None:
        # The pledges' numbers, from their one source, read now.
        return Clocks(
            policy=policy,
            response=workdays.RESPONSE_48H,
            feedback=workdays.FEEDBACK_7_WORKING_DAYS,
            plan=workdays.PLAN_7_DAYS,
            hazard=workdays.HAZARD_3_DAYS,
            legacy=workdays.LEGACY_EXPLANATION_30_DAYS,
        )
    return Clocks(
        policy=policy,
        response=_scaled(
            workdays.RESPONSE_48H,
            policy.response_hours,
            gettext("Response within %(n)d hours") % {"n": policy.response_hours},
        ),
        feedback=_scaled(
            workdays.FEEDBACK_7_WORKING_DAYS,
            policy.feedback_working_days,
            gettext("Progress feedback within %(n)d working days")
            % {"n": policy.feedback_working_days},
        ),
        plan=_scaled(
            workdays.PLAN_7_DAYS,
            policy.plan_days,
            gettext("Solution plan within %(n)d days") % {"n": policy.plan_days},
        ),
        hazard=_scaled(
            workdays.HAZARD_3_DAYS,
            policy.hazard_days,
            gettext("Safety hazard fixed within %(n)d days") % {"n": policy.hazard_days},
        ),
        # 历史遗留: a periodic explanation to residents (协同联动 第五条), counted like the plan.
        legacy=_scaled(
            workdays.LEGACY_EXPLANATION_30_DAYS,
            policy.legacy_explanation_days,
            gettext("Explanation to residents every %(n)d days")
            % {"n": policy.legacy_explanation_days},
        ),
    )


def _feedback_policy(issue: Issue, clocks: Clocks) -> workdays.DeadlinePolicy:
    return clocks.legacy if issue.tier == Tier.LEGACY else clocks.feedback


def _restart_feedback_clock(issue: Issue, clocks: Clocks, now: dt.datetime) -> None:
    """A public answer by whoever works the complaint restarts its feedback clock
    (小区党组织服务承诺 第3条 7 个工作日内反馈) — but not a legacy matter's: its periodic
    explanation is given by the three parties together (协同联动 第五条 "三方需共同向居民
    做好解释说明工作，不得相互推诿"), so only a published joint explanation restarts it
    (:func:`_restart_legacy_clock`)."""
    if issue.tier == Tier.LEGACY:
        return
    issue.feedback_due = workdays.deadline(now, clocks.feedback)


def _restart_legacy_clock(issue: Issue, clocks: Clocks, now: dt.datetime) -> None:
    """The explanation confirmed by the RC, the PMC and the company is published: the next
    one is due a period later (协同联动 第五条)."""
    issue.feedback_due = workdays.deadline(now, clocks.legacy)


def running_clocks(issue: Issue) -> list[tuple[str, dt.datetime]]:
    """(clock, due) of every deadline still running on an open issue.

    While the issue waits for the reporter every clock is paused except the safety
    hazard's: 小区党组织服务承诺 第7条 "发现问题限期3日内整改" allows no pause.
    """
    if issue.status not in Issue.OPEN_STATES:
        return []
    running = []
    paused = issue.paused_at is not None
    if not paused:
        if issue.accepted_at is None and issue.response_due:
            running.append((Clock.RESPONSE, issue.response_due))
        if issue.feedback_due:
            running.append((Clock.FEEDBACK, issue.feedback_due))
        if issue.is_complex and issue.plan_given_at is None and issue.plan_due:
            running.append((Clock.PLAN, issue.plan_due))
    if issue.is_hazard and issue.hazard_due:
        running.append((Clock.HAZARD, issue.hazard_due))
    return running


def _paused_clocks(issue: Issue) -> list[dt.datetime]:
    """The paused deadlines of an issue waiting for the reporter (its place in the queue)."""
    dues = []
    if issue.accepted_at is None and issue.response_due:
        dues.append(issue.response_due)
    if issue.feedback_due:
        dues.append(issue.feedback_due)
    if issue.is_complex and issue.plan_given_at is None and issue.plan_due:
        dues.append(issue.plan_due)
    return dues


def _refresh_next_deadline(issue: Issue) -> None:
    """``next_deadline``: the nearest running deadline; while paused, the hazard's if there
    is one (it keeps running), else the nearest paused one (it only orders the queue: the
    scan and "overdue" skip paused issues without a hazard)."""
    dues = [due for _clock, due in running_clocks(issue)]
    if not dues and issue.paused_at is not None and issue.status in Issue.OPEN_STATES:
        dues = _paused_clocks(issue)
    issue.next_deadline = min(dues) if dues else None
    # The clocks may have changed: the deadline scan must look at the issue again.
    issue.alarm_recheck_at = None


def _unpause(issue: Issue, now: dt.datetime) -> dt.timedelta:
    """Resume the clocks: every paused deadline moves by the paused duration.

    The safety-hazard deadline never moves: it did not pause (小区党组织服务承诺 第7条).
    """
    if issue.paused_at is None:
        return dt.timedelta(0)
    paused = max(now - issue.paused_at, dt.timedelta(0))
    if issue.accepted_at is None and issue.response_due:
        issue.response_due += paused
    if issue.feedback_due:
        issue.feedback_due += paused
    if issue.plan_due and issue.plan_given_at is None:
        issue.plan_due += paused
    issue.paused_at = None
    return paused


def _make_complex(issue: Issue, clocks: Clocks, now: dt.datetime) -> None:
    """Big, hard and legacy matters need a solution plan (物业管理委员会服务承诺 第3条
    "复杂问题7日内明确解决方案"): the days count from the receipt of the complaint
    (``created_at``), whenever it is found complex; ``now`` is not the start."""
    if not issue.is_complex:
        issue.is_complex = True
    if issue.plan_due is None and issue.plan_given_at is None:
        issue.plan_due = workdays.deadline(issue.created_at or now, clocks.plan)
