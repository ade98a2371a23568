"""What a work summary prints for a period (:func:`summary_figures`; seed: 联席会议议事规则
第六条) and the summary list / detail reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from huashan.directory.models import Compound

from ..models import WorkSummary
from .base import Period, _json_value
from .compound import _evaluation

# --- work summaries ---------------------------------------------------------------------


def summary_figures(*, compound: Compound, period: Period) -> dict[str, Any]:
    """The figures a work summary reports for a period (seed: 联席会议议事规则 第六条):
    meetings held by kind, topics handled, agreed items done, complaints by tier and
    outcome with the three rates, pledge items met, disclosures on time, the evaluation.
    JSON-safe; stored in ``WorkSummary.figures``."""
    from disclosures.selectors import schedule_compliance
    from pledges.selectors import pledge_item_statuses

    start, end = period.start_dt, period.end_dt
    meetings, topics = _summary_meetings(compound, start, end)
    items = _summary_action_items(compound, start, end)
    complaints = _summary_complaints(compound, start, end)
    statuses = pledge_item_statuses(
        compound=compound, year=period.start.year, on=min(period.end, timezone.localdate())
    )
    pledge_counts: dict[str, int] = defaultdict(int)
    for s in statuses:
        pledge_counts[str(s.status)] += 1
    rows = schedule_compliance(compound=compound, start=period.start, end=period.end)
    disclosure_counts: dict[str, int] = defaultdict(int)
    for r in rows:
        disclosure_counts[r.status] += 1
    return {
        "period": period.code,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "meetings": meetings,
        "topics": topics,
        "action_items": items,
        "complaints": complaints,
        "pledges": {"total": len(statuses), "by_status": dict(pledge_counts)},
        "disclosures": {"total": len(rows), "by_status": dict(disclosure_counts)},
        "evaluation": _summary_evaluation(compound, period),
    }


def _summary_meetings(compound: Compound, start, end) -> tuple[dict, dict]:
    """Meetings held in [start, end) by kind, and the agenda topics of the period by status."""
    from meetings.models import AgendaTopic, Meeting
    from meetings.selectors import compound_topics, meeting_count

    meetings = {
        kind: meeting_count(compound=compound, kinds=[kind], start=start, end=end)
        for kind in Meeting.Kind.values
    }
    topics = compound_topics(compound=compound).filter(
        Q(meeting__start__gte=start, meeting__start__lt=end)
        | Q(meeting__isnull=True, created_at__gte=start, created_at__lt=end)
    )
    topic_counts = {
        row["status"]: row["n"]
        for row in topics.order_by().values("status").annotate(n=Count("pk"))
    }
    return meetings, {
        "total": sum(topic_counts.values()),
        "accepted": topic_counts.get(AgendaTopic.Status.ACCEPTED, 0),
        "by_status": topic_counts,
    }


def _summary_action_items(compound: Compound, start, end) -> dict[str, Any]:
    """Agreed items of the period: totals and one row per responsible organization."""
    from meetings.selectors import action_item_stats

    stats = action_item_stats(compound=compound, start=start, end=end)
    return {
        "total": sum(s.total for s in stats),
        "done_on_time": sum(s.done_on_time for s in stats),
        "done_late": sum(s.done_late for s in stats),
        "open_overdue": sum(s.open_overdue for s in stats),
        "by_organization": [
            {
                "organization": str(s.organization.name),
                "total": s.total,
                "done_on_time": s.done_on_time,
                "done_late": s.done_late,
                "open_overdue": s.open_overdue,
            }
            for s in stats
        ],
    }


def _summary_complaints(compound: Compound, start, end) -> dict[str, Any]:
    """Complaints filed in the period by tier and status, with the three rates."""
    from issues.models import Issue
    from issues.selectors import issue_rates

    rates = issue_rates(compound=compound, start=start, end=end)
    by_tier: dict[str, dict[str, int]] = {t.value: {} for t in Issue.Tier}
    for row in _period_issue_counts(compound, start, end):
        by_tier[row["tier"]][row["status"]] = row["n"]
    return {
        "filed": rates.total,
        "by_tier": by_tier,
        "response_rate": rates.response_rate,
        "resolution_rate": rates.resolution_rate,
        "satisfaction_rate": rates.satisfaction_rate,
        "rated": rates.rated,
        "solved": rates.solved,
    }


def _summary_evaluation(compound: Compound, period: Period) -> dict[str, Any] | None:
    """The year's evaluation results, for an annual summary (or one ending in December)."""
    if not (period.kind == WorkSummary.Kind.YEAR or period.end.month == 12):
        return None
    summary = _evaluation(compound)
    if summary is None or summary.year != period.start.year:
        return None
    return {
        "year": summary.year,
        "score": summary.figure.value,
        "rows": [
            {
                "name": r.name,
                "total": _json_value(r.total),
                "band": str(r.band),
                "stars": r.stars,
            }
            for r in summary.rows
        ],
    }


def _period_issue_counts(compound: Compound, start, end) -> list[dict]:
    """Complaints of the compound filed in [start, end) by tier and status (all statuses,
    merged ones left out like ``issue_rates`` does).

    Adapter: issues.selectors has no count by tier and outcome for a period (its queues
    hide finished issues); this one read of ``issues.models`` stays here until issues
    offers it (integration request in docs/dashboard.md).
    """
    from issues.models import Issue

    return list(
        Issue.objects.filter(compound=compound, created_at__gte=start, created_at__lt=end)
        .exclude(status=Issue.Status.MERGED)
        .order_by()
        .values("tier", "status")
        .annotate(n=Count("pk"))
    )


def work_summary_list(*, compounds: Iterable[Compound]) -> QuerySet[WorkSummary]:
    """Work summaries of these compounds, newest period first."""
    return (
        WorkSummary.objects.filter(compound__in=compounds)
        .select_related("compound", "submitted_to")
        .order_by("-period_start", "compound__name", "kind")
    )


def work_summary_detail(*, pk: int) -> WorkSummary | None:
    return (
        WorkSummary.objects.select_related(
            "compound__community__street", "submitted_to", "created_by", "approved_by"
        )
        .filter(pk=pk)
        .first()
    )


def work_summary_events(*, summary: WorkSummary) -> QuerySet:
    return summary.events.select_related("actor").order_by("at", "pk")
