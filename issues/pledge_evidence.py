"""Read-only complaint figures the pledge engine needs (owned by the pledges module).

seed: 小区党组织服务承诺 第3条 (48 小时内响应, 7 个工作日内反馈处理进展), 第7条
(发现问题限期3日内整改); 物业管理委员会服务承诺 第3条 (48 小时内答复, 复杂问题 7 日内
明确解决方案), 第7条 (上任3个月内推动解决1-2项业主集中诉求).

Each function is one query for any number of periods: the pledge engine asks
for all periods of a compound at once (no query per item per period).
A complaint counts in the period it was filed in (see :data:`POPULATIONS`: who each
share counts). A clock counts only once it
is *decided*: the deadline has passed, or the thing was done; a complaint
whose 48 hours are still running is neither in time nor late yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.directory.models import Compound

from .models import Issue, IssueAlarm

Status = Issue.Status
CLOSED_STATES = (Status.RESOLVED, Status.CLOSED)
CLOCKS = ("response", "feedback", "hazard", "plan")


@dataclass
class Share:
    """``in_time`` of ``decided`` complaints met the clock; ``pending`` are still running."""

    decided: int = 0
    in_time: int = 0
    pending: int = 0

    @property
    def late(self) -> int:
        return self.decided - self.in_time

    @property
    def percent(self) -> float | None:
        return round(100 * self.in_time / self.decided, 1) if self.decided else None


Period = tuple[dt.datetime, dt.datetime]

#: The clocks' names on the pledge pages, their numbers from the one source.
CLOCK_LABELS = {
    "response": workdays.number_text(_("answered within %(n)d hours"), "response_hours"),
    "feedback": workdays.number_text(
        _("feedback within %(n)d working days"), "feedback_working_days"
    ),
    "hazard": workdays.number_text(_("hazards fixed within %(n)d days"), "hazard_days"),
    "plan": workdays.number_text(_("plan within %(n)d days"), "plan_days"),
}
CLOCK_CHOICES = (
    ("response", workdays.number_text(_("Answered within %(n)d hours"), "response_hours")),
    (
        "feedback",
        workdays.number_text(
            _("Progress feedback within %(n)d working days"), "feedback_working_days"
        ),
    ),
    ("hazard", workdays.number_text(_("Hazard fixed within %(n)d days"), "hazard_days")),
    ("plan", workdays.number_text(_("Plan for a complex issue within %(n)d days"), "plan_days")),
)

#: Who each share counts, said on the page that shows it (issue 18: "state each rate's
#: population"). Numbers are not repeated here: the clocks' labels carry them.
POPULATIONS = {
    "response": _(
        "Counts every complaint filed in the period except those merged into another; a "
        "complaint answered late stays late whatever happens to it afterwards, rejected "
        "ones included."
    ),
    "feedback": _(
        "Counts complaints filed in the period that were not merged or rejected, once their "
        "feedback deadline has passed or they were resolved."
    ),
    "hazard": _(
        "Counts complaints flagged as a safety hazard, filed in the period and not merged or "
        "rejected; the deadline never pauses."
    ),
    "plan": _(
        "Counts complex complaints (big, hard or legacy) filed in the period and not merged "
        "or rejected; the days count from receipt."
    ),
}


NOT_APPLICABLE = "n/a"


def _classify(row: dict, clock: str, now: dt.datetime) -> bool | str | None:
    """True in time, False late, None not decided yet, NOT_APPLICABLE.

    A rejected complaint counts for the response clock only: its answer was on time or
    late, and a later rejection does not change that (小区党组织服务承诺 第3条 "48小时内
    响应"); its other clocks stopped with the rejection.
    """
    if row["status"] == Status.REJECTED and clock != "response":
        return NOT_APPLICABLE
    if clock == "response":
        due = row["response_due"]
        if due is None:
            return NOT_APPLICABLE
        if row["accepted_at"] is not None:
            return row["accepted_at"] <= due
        return False if due < now else None
    if clock == "feedback":
        if row["feedback_breached"]:
            return False
        due = row["feedback_due"]
        if row["status"] in CLOSED_STATES:
            return True
        if due is not None and due < now:
            return False
        return True if row["accepted_at"] is not None and due is None else None
    if clock == "hazard":
        if not row["is_hazard"] or row["hazard_due"] is None:
            return NOT_APPLICABLE
        due = row["hazard_due"]
        if row["resolved_at"] is not None:
            return row["resolved_at"] <= due
        return False if due < now else None
    if clock == "plan":
        if not row["is_complex"] or row["plan_due"] is None:
            return NOT_APPLICABLE
        due = row["plan_due"]
        if row["plan_given_at"] is not None:
            return row["plan_given_at"] <= due
        return False if due < now else None
    raise ValueError(f"unknown clock {clock!r}")


def complaint_deadline_shares(
    *, compound: Compound, periods: Iterable[Period], now: dt.datetime
) -> dict[Period, dict[str, Share]]:
    """For each ``[start, end)`` period: per clock, how many decided complaints met it.

    One query for all periods. Merged complaints are counted under the survivor.
    """
    periods = list(periods)
    result: dict[Period, dict[str, Share]] = {p: {c: Share() for c in CLOCKS} for p in periods}
    if not periods:
        return result
    low = min(p[0] for p in periods)
    high = max(p[1] for p in periods)
    breached = IssueAlarm.objects.filter(
        issue=OuterRef("pk"), clock=IssueAlarm.Clock.FEEDBACK, stage=IssueAlarm.Stage.OVERDUE
    )
    rows = (
        Issue.objects.filter(compound=compound, created_at__gte=low, created_at__lt=high)
        .exclude(status=Status.MERGED)
        .annotate(feedback_breached=Exists(breached))
        .values(
            "created_at",
            "status",
            "accepted_at",
            "resolved_at",
            "response_due",
            "feedback_due",
            "hazard_due",
            "plan_due",
            "plan_given_at",
            "is_hazard",
            "is_complex",
            "feedback_breached",
        )
    )
    for row in rows:
        for period in periods:
            if not (period[0] <= row["created_at"] < period[1]):
                continue
            for clock in CLOCKS:
                verdict = _classify(row, clock, now)
                share = result[period][clock]
                if verdict == NOT_APPLICABLE:
                    continue
                if verdict is None:
                    share.pending += 1
                    continue
                share.decided += 1
                share.in_time += int(verdict)
    return result


def concentrated_demands_resolved(
    *, compound: Compound, start: dt.datetime, end: dt.datetime, min_reporters: int
) -> list[dict]:
    """Complaints raised by at least ``min_reporters`` people (reporter + 我也遇到) that were
    resolved in ``[start, end)``: the 业主集中诉求 of 物业管理委员会服务承诺 第7条.
    """
    return list(
        Issue.objects.filter(
            compound=compound,
            status__in=CLOSED_STATES,
            resolved_at__gte=start,
            resolved_at__lt=end,
        )
        .annotate(reporters=Count("me_toos") + 1)
        .filter(reporters__gte=min_reporters)
        .order_by("resolved_at")
        .values("pk", "tracking_number", "resolved_at", "reporters")
    )
