"""The compound dashboard, live (:func:`compound_dashboard`): a constant number of queries
whatever the number of complaints, items or disclosures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Compound, Organization
from huashan.directory.selectors import organization_of_kind

from ..models import CompoundSnapshot
from .base import (
    FIGURE_COLUMNS,
    TREND_KEYS,
    ActionItemRow,
    CompoundDashboard,
    EvaluationRow,
    EvaluationSummary,
    Figure,
    JointMeetingStatus,
    Kind,
    RateRow,
    TierRow,
    _day_start,
    _fig,
    add_months,
    month_start,
)

# --- the compound dashboard ---------------------------------------------------------------


def _complaint_figures(compound: Compound, now: dt.datetime) -> dict[str, Any]:
    """Open complaints by tier × state, overdue, oldest (seed: 协同联动 第二条 督办).

    Counted on the compound's complaints directly (issues.selectors.issue_counts, one
    grouped query) — the same issues the compound party organization's queue holds,
    since it covers every complaint of its compound; going through the queue query
    made the page 7× slower at 1.2 M complaints (bench/results/2026-11-28.md). The
    figures are shown only where that organization exists, as before.
    """
    from issues.models import Issue
    from issues.selectors import issue_counts, issue_oldest_open, issue_overdue_oldest

    slug = compound.slug
    states = [(s.value, s.label) for s in Issue.Status if s.value in Issue.OPEN_STATES]
    party = organization_of_kind(compound=compound, kind=Kind.COMPOUND_PARTY)
    counts: dict[tuple[str, str], int] = {}
    overdue_list: list = []
    oldest = None
    overdue_total = 0
    if party is not None:
        numbers = issue_counts(compound=compound, now=now)
        counts = numbers.by_tier_status
        overdue_total = numbers.overdue
        if overdue_total:
            overdue_list = issue_overdue_oldest(compound=compound, now=now)
        oldest = issue_oldest_open(compound=compound, created_at=numbers.oldest_created_at)
    rows = []
    for tier in Issue.Tier:
        cells = [
            Figure(
                key=f"complaints_{tier.value}_{state}",
                label=label,
                value=counts.get((tier.value, state), 0),
                url_name="issues:queue",
                query={"compound": slug, "status": state},
            )
            for state, label in states
        ]
        total = sum(c.value for c in cells)
        rows.append(
            TierRow(
                tier=tier.value,
                label=tier.label,
                cells=cells,
                total=Figure(
                    key=f"complaints_{tier.value}",
                    label=tier.label,
                    value=total,
                    url_name="issues:board",
                    query={"compound": slug, "tier": tier.value},
                ),
            )
        )
    open_total = sum(counts.values())
    oldest_days = (now - oldest.created_at).days if oldest is not None else None
    figures = {
        "complaints_open": _fig("complaints_open", open_total, "issues:queue", {"compound": slug}),
        "complaints_overdue": _fig(
            "complaints_overdue", overdue_total, "issues:queue", {"compound": slug, "overdue": "on"}
        ),
        "complaints_oldest_days": _fig(
            "complaints_oldest_days",
            oldest_days,
            "issues:staff_detail" if oldest is not None else "issues:queue",
            {} if oldest is not None else {"compound": slug},
            url_args=(oldest.tracking_number,) if oldest is not None else (),
        ),
    }
    return {
        "states": states,
        "rows": rows,
        "overdue_list": overdue_list,
        "oldest": oldest,
        "figures": figures,
        "available": party is not None,
    }


RATE_KEYS = ("response_rate", "resolution_rate", "satisfaction_rate")


def _finished_month_rates(compound: Compound, month: dt.date) -> dict[str, Any] | None:
    """A finished month's three rates from its roll-up row (one indexed read), or None.

    Only a row computed after the month ended counts: it saw every complaint filed in
    the month (the beat recomputes last month's row during the first days of the next,
    for late answers). A row computed during the month, or none, → None: read live.
    """
    row = (
        CompoundSnapshot.objects.filter(
            compound=compound, month=month, computed_at__gte=_day_start(add_months(month, 1))
        )
        .values_list("figures", flat=True)
        .first()
    )
    trend = (row or {}).get("trend") or {}
    if not all(key in trend for key in RATE_KEYS):
        return None
    return {key: trend[key] for key in RATE_KEYS}


def _rates(compound: Compound, this_start: dt.date) -> list[RateRow]:
    """The three rates (三率) of this month and last month (issues.selectors.issue_rates).

    Last month's come from its roll-up row once that was computed after the month
    ended (:func:`_finished_month_rates`; the same figures the 12-month trend shows),
    else live: counting last month's complaints live made the page grow with the data
    (bench/results/2026-12-07-late-1m.md).
    """
    from issues.selectors import issue_rates

    next_start = add_months(this_start, 1)
    last_start = add_months(this_start, -1)
    now_rates = issue_rates(
        compound=compound, start=_day_start(this_start), end=_day_start(next_start)
    )
    last_rates = _finished_month_rates(compound, last_start)
    if last_rates is None:
        live = issue_rates(
            compound=compound, start=_day_start(last_start), end=_day_start(this_start)
        )
        last_rates = {key: getattr(live, key) for key in RATE_KEYS}
    out = []
    for key in RATE_KEYS:
        label = TREND_KEYS[key][0]
        query = {"compound": compound.slug}
        out.append(
            RateRow(
                key=key,
                label=label,
                this_month=_fig(key, getattr(now_rates, key), "issues:board", query),
                last_month=_fig(
                    f"{key}_last",
                    last_rates[key],
                    "issues:board",
                    query,
                    label=label,
                    kind="rate",
                ),
            )
        )
    return out


def _action_items(compound: Compound, now: dt.datetime, month_end: dt.datetime):
    """Open agreed items per responsible body: due by the end of this month (not yet late)
    and overdue (past due, still open) — meetings.selectors.action_items_due_counts, the
    one source the comparisons read too; seed: 联席会议议事规则 第五条."""
    from meetings.selectors import action_items_due_counts

    counts = action_items_due_counts(
        compounds=[compound], now=now, until=month_end, by_organization=True
    )
    rows = [{"organization_id": org_id, **row} for (_c, org_id), row in counts.items()]
    out = []
    slug = compound.slug
    for row in sorted(rows, key=lambda r: (r["kind"], r["organization_id"] or 0)):
        if not row["due"] and not row["overdue"]:
            continue
        org_id = row["organization_id"]
        org = Organization(pk=org_id, name=row["name"], kind=row["kind"])
        query = {"compound": slug, "status": "open"}
        if org_id:
            query["organization"] = org_id
        out.append(
            ActionItemRow(
                organization=org,
                due=_fig("action_items_due", row["due"], "meetings:action_items", query),
                overdue=_fig(
                    "action_items_overdue",
                    row["overdue"],
                    "meetings:action_items",
                    {**query, "overdue": "on"},
                ),
            )
        )
    total_due = sum(r["due"] for r in rows)
    total_overdue = sum(r["overdue"] for r in rows)
    figures = {
        "action_items_due": _fig(
            "action_items_due",
            total_due,
            "meetings:action_items",
            {"compound": slug, "status": "open"},
        ),
        "action_items_overdue": _fig(
            "action_items_overdue",
            total_overdue,
            "meetings:action_items",
            {"compound": slug, "status": "open", "overdue": "on"},
        ),
    }
    return out, figures


JOINT_STATUS_LABELS = {
    "held": _("Held"),
    "scheduled": _("Scheduled"),
    "cancelled": _("Cancelled"),
    "none": _("Not scheduled"),
}


def _joint_meeting(compound: Compound, start: dt.datetime, end: dt.datetime) -> JointMeetingStatus:
    """This month's joint meeting (meetings.selectors.meeting_list; 小区党组织服务承诺 1,
    联席会议议事规则 第三条 每月最后一周召开)."""
    from meetings.models import Meeting
    from meetings.selectors import HELD_STATES, meeting_list

    meetings = list(
        meeting_list(compound=compound, kinds=[Meeting.Kind.JOINT]).filter(
            start__gte=start, start__lt=end
        )
    )
    held = [m for m in meetings if m.status in HELD_STATES]
    waiting = (Meeting.Status.DRAFT, Meeting.Status.NOTICE_SENT)
    planned = [m for m in meetings if m.status in waiting]
    if held:
        status, meeting = "held", held[0]
    elif planned:
        status, meeting = "scheduled", planned[-1]
    elif meetings:
        status, meeting = "cancelled", meetings[0]
    else:
        status, meeting = "none", None
    figure = _fig(
        "joint_meeting_held",
        status == "held",
        "meetings:detail" if meeting is not None else "meetings:list",
        {} if meeting is not None else {"compound": compound.slug, "kind": Meeting.Kind.JOINT},
        url_args=(meeting.pk,) if meeting is not None else (),
        note=JOINT_STATUS_LABELS[status],
    )
    return JointMeetingStatus(
        status=status, label=JOINT_STATUS_LABELS[status], meeting=meeting, figure=figure
    )


def _disclosures(compound: Compound, today: dt.date, month_last: dt.date) -> dict[str, Figure]:
    """Scheduled disclosures due by the end of this month and not yet published, and
    periods of this year published late or missing (disclosures.selectors.schedule_compliance;
    seed: 公示承诺制度 第二、三条)."""
    from disclosures.selectors import schedule_compliance

    rows = schedule_compliance(compound=compound, start=dt.date(today.year, 1, 1), end=month_last)
    due = sum(1 for r in rows if r.status == "not_due" and r.due <= month_last)
    late = sum(1 for r in rows if r.status in ("late", "missing"))
    query = {"compound": compound.slug, "period": str(today.year)}
    return {
        "disclosures_due": _fig("disclosures_due", due, "disclosures:compliance", query),
        "disclosures_late": _fig("disclosures_late", late, "disclosures:compliance", query),
    }


def _pledges(compound: Compound, today: dt.date):
    """Pledge items at risk or missed this year (pledges.selectors.pledge_item_statuses)."""
    from pledges.selectors import pledge_item_statuses

    statuses = pledge_item_statuses(compound=compound, year=today.year, on=today)
    attention = [s for s in statuses if s.status in ("at_risk", "missed")]
    query = {"compound": compound.slug, "year": today.year}
    figures = {
        "pledges_at_risk": _fig(
            "pledges_at_risk",
            sum(1 for s in attention if s.status == "at_risk"),
            "pledges:board",
            query,
        ),
        "pledges_missed": _fig(
            "pledges_missed",
            sum(1 for s in attention if s.status == "missed"),
            "pledges:board",
            query,
        ),
    }
    return attention, figures


def _cases(compound: Compound) -> Figure:
    """Open accountability cases (pledges.selectors.cases_for; PMC pledge 问责退出)."""
    from pledges.selectors import cases_for

    return _fig(
        "cases_open",
        cases_for(compound=compound, status="open").count(),
        "pledges:case_list",
        {"compound": compound.slug},
    )


def _evaluation(compound: Compound) -> EvaluationSummary | None:
    """The latest evaluation whose results are public (evaluations.selectors.public_campaigns;
    seed: 评议监督考核制度 第五条). Score = mean weighted total of the organizations."""
    from evaluations.results import BANDS, campaign_results
    from evaluations.selectors import public_campaigns

    campaign = public_campaigns().filter(compound=compound).order_by("-year", "-pk").first()
    if campaign is None:
        return None
    rows = []
    for result in campaign_results(campaign):
        target = result.target
        name = (
            str(target.organization.name)
            if target.organization_id and not target.is_member
            else str(getattr(target.member, "name", "") or target)
        )
        if target.is_member:
            continue
        rows.append(
            EvaluationRow(
                name=name,
                total=result.weighted_total,
                band=BANDS.get(result.band, result.band),
                stars=result.stars,
            )
        )
    totals = [r.total for r in rows if r.total is not None]
    score = round(float(sum(totals) / len(totals)), 1) if totals else None
    figure = _fig(
        "evaluation_score",
        score,
        "evaluations:results",
        {},
        url_args=(campaign.pk,),
        note=str(campaign.year),
    )
    return EvaluationSummary(
        campaign=campaign, year=campaign.year, state=campaign.state, rows=rows, figure=figure
    )


def compound_dashboard(*, compound: Compound, now: dt.datetime | None = None) -> CompoundDashboard:
    """The compound dashboard (issue 8 §1), live from the apps' selectors.

    Figures: open complaints by tier and state, overdue and the oldest; the three rates
    this month vs last; agreed items due / overdue per body; this month's joint meeting;
    disclosures due / late; pledge items at risk / missed; open accountability cases;
    the latest evaluation. A constant number of queries (≈ 20) whatever the data size.
    Overdue means strictly past the stored deadline (a minute late counts).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    this_start = month_start(today)
    next_start = add_months(this_start, 1)
    complaints = _complaint_figures(compound, now)
    rates = _rates(compound, this_start)
    items, item_figures = _action_items(compound, now, _day_start(next_start))
    joint = _joint_meeting(compound, _day_start(this_start), _day_start(next_start))
    attention, pledge_figures = _pledges(compound, today)
    evaluation = _evaluation(compound)
    figures: dict[str, Figure] = {}
    figures.update(complaints["figures"])
    for row in rates:
        figures[row.key] = row.this_month
    figures.update(item_figures)
    figures["joint_meeting_held"] = joint.figure
    figures.update(_disclosures(compound, today, next_start - dt.timedelta(days=1)))
    figures.update(pledge_figures)
    figures["cases_open"] = _cases(compound)
    figures["evaluation_score"] = (
        evaluation.figure
        if evaluation is not None
        else _fig("evaluation_score", None, "evaluations:list", {})
    )
    warnings = []
    if not complaints["available"]:
        warnings.append(
            _("This compound has no compound party organization: complaints are not counted.")
        )
    return CompoundDashboard(
        compound=compound,
        now=now,
        month_start=this_start,
        last_month_start=add_months(this_start, -1),
        figures={key: figures[key] for key in FIGURE_COLUMNS},
        states=complaints["states"],
        complaints_by_tier=complaints["rows"],
        oldest_overdue=complaints["overdue_list"],
        oldest_open=complaints["oldest"],
        rates=rates,
        action_items=items,
        joint_meeting=joint,
        pledges_attention=attention,
        evaluation=evaluation,
        warnings=warnings,
    )
