"""The monthly roll-up (:func:`snapshot_figures`) and the side-by-side comparison of a
community's or a street's compounds (:func:`group_comparison`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from huashan.directory.models import Compound

from ..models import CompoundSnapshot
from .base import (
    FIGURE_COLUMNS,
    TREND_KEYS,
    TREND_MONTHS,
    Column,
    Comparison,
    ComparisonRow,
    TrendSeries,
    _day_start,
    add_months,
    month_start,
    trend_months,
)
from .compound import compound_dashboard

# --- monthly roll-up ----------------------------------------------------------------------


def month_figures(*, compound: Compound, month: dt.date) -> dict[str, Any]:
    """The TREND_KEYS values of one compound for one calendar month (period figures:
    complaints filed and the three rates, joint meetings held, agreed items due that
    month completed, disclosures due that month published on time)."""
    from disclosures.selectors import schedule_compliance
    from issues.selectors import issue_rates
    from meetings.models import Meeting
    from meetings.selectors import action_item_stats, meeting_count

    start = month_start(month)
    end = add_months(start, 1)
    rates = issue_rates(compound=compound, start=_day_start(start), end=_day_start(end))
    stats = action_item_stats(compound=compound, start=_day_start(start), end=_day_start(end))
    total = sum(s.total for s in stats)
    done = sum(s.done_on_time + s.done_late for s in stats)
    rows = schedule_compliance(compound=compound, start=start, end=end - dt.timedelta(days=1))
    due_rows = [r for r in rows if start <= r.due < end and r.status != "not_due"]
    on_time = sum(1 for r in due_rows if r.status == "on_time")
    return {
        "complaints_filed": rates.total,
        "response_rate": rates.response_rate,
        "resolution_rate": rates.resolution_rate,
        "satisfaction_rate": rates.satisfaction_rate,
        "joint_meetings_held": meeting_count(
            compound=compound, kinds=[Meeting.Kind.JOINT], start=start, end=end
        ),
        "action_items_completion": round(done / total, 4) if total else None,
        "disclosures_on_time": round(on_time / len(due_rows), 4) if due_rows else None,
    }


def snapshot_figures(
    *, compound: Compound, month: dt.date, now: dt.datetime | None = None
) -> dict[str, Any]:
    """What the roll-up stores for (compound, month): ``{"trend": {...}}`` and, for the
    current month, ``{"current": {FIGURE_COLUMNS values}}`` from :func:`compound_dashboard`."""
    now = now or timezone.now()
    data: dict[str, Any] = {"trend": month_figures(compound=compound, month=month)}
    if month_start(month) == month_start(timezone.localdate(now)):
        data["current"] = compound_dashboard(compound=compound, now=now).values()
    return data


def compound_trend(
    *, compound: Compound, now: dt.datetime | None = None, months: int = TREND_MONTHS
) -> tuple[list[dt.date], dict[str, list[Any]]]:
    """12-month series of one compound from the roll-up (one query):
    ``(months, {TREND_KEYS key: [value per month]})``; a month without a row gives None."""
    axis = trend_months(now=now, months=months)
    rows = {
        s.month: s.figures.get("trend", {})
        for s in CompoundSnapshot.objects.filter(compound=compound, month__gte=axis[0])
    }
    return axis, {key: [rows.get(m, {}).get(key) for m in axis] for key in TREND_KEYS}


# Figures that move with the clock and with every meeting held or item closed: the
# comparison reads them live from the same meetings selectors the compound dashboard
# uses, so both show the same number at the same moment (issue 13 item 7). Two queries
# whatever the number of compounds; the other figures come from the roll-up.
LIVE_KEYS = ("action_items_due", "action_items_overdue", "joint_meeting_held")


def _overlay_live(rows: list[ComparisonRow], *, now: dt.datetime | None) -> None:
    from meetings.models import Meeting
    from meetings.selectors import action_items_due_counts, meetings_held_counts

    if not rows:
        return
    now = now or timezone.now()
    this_start = month_start(timezone.localdate(now))
    start, end = _day_start(this_start), _day_start(add_months(this_start, 1))
    compounds = [row.compound for row in rows]
    items = action_items_due_counts(compounds=compounds, now=now, until=end)
    held = meetings_held_counts(
        compounds=compounds, kinds=[Meeting.Kind.JOINT], start=start, end=end
    )
    for row in rows:
        counts = items.get(row.compound.pk, {})
        row.values["action_items_due"] = counts.get("due", 0)
        row.values["action_items_overdue"] = counts.get("overdue", 0)
        row.values["joint_meeting_held"] = held.get(row.compound.pk, 0) > 0


def group_comparison(
    *,
    compounds: Iterable[Compound],
    now: dt.datetime | None = None,
    sort: str = "",
    descending: bool = False,
) -> Comparison:
    """The figures per compound side by side and the 12-month trends (issue 8 §2).

    Four queries whatever the number of compounds (the compounds, if a queryset, the
    roll-up rows, and the two ``LIVE_KEYS`` reads). Figures other than ``LIVE_KEYS`` are
    as of each row's ``computed_at`` (refreshed by the beat task
    ``dashboard.snapshots_refresh``); compounds without a current row are listed in
    ``missing`` and show "—". ``sort`` is a FIGURE_COLUMNS key (unknown → by name);
    unknown values sort last.
    """
    compounds = list(compounds)
    axis = trend_months(now=now)
    current_month = axis[-1]
    by_compound: dict[int, dict[dt.date, CompoundSnapshot]] = defaultdict(dict)
    for snap in CompoundSnapshot.objects.filter(
        compound__in=[c.pk for c in compounds], month__gte=axis[0]
    ).only("compound_id", "month", "figures", "computed_at"):
        by_compound[snap.compound_id][snap.month] = snap
    rows, missing = [], []
    trends: dict[str, list[TrendSeries]] = {key: [] for key in TREND_KEYS}
    for compound in compounds:
        snaps = by_compound.get(compound.pk, {})
        current = snaps.get(current_month)
        values = (current.figures.get("current") if current else None) or {}
        if not values:
            missing.append(compound)
        rows.append(
            ComparisonRow(
                compound=compound,
                values={key: values.get(key) for key in FIGURE_COLUMNS},
                computed_at=current.computed_at if current else None,
            )
        )
        for key in TREND_KEYS:
            trends[key].append(
                TrendSeries(
                    compound=compound,
                    key=key,
                    values=[
                        (snaps[m].figures.get("trend", {}).get(key) if m in snaps else None)
                        for m in axis
                    ],
                )
            )
    _overlay_live(rows, now=now)
    if sort in FIGURE_COLUMNS:

        def sort_key(row: ComparisonRow):
            value = row.values.get(sort)
            if value is None:
                return (1, 0)
            number = float(value)
            return (0, -number if descending else number)

        rows.sort(key=lambda r: (sort_key(r), r.compound.name))
    else:
        sort = ""
        rows.sort(key=lambda r: r.compound.name, reverse=descending)
    return Comparison(
        columns=[Column(key, label, kind) for key, (label, kind) in FIGURE_COLUMNS.items()],
        rows=rows,
        months=axis,
        trends=trends,
        missing=missing,
        sort=sort,
        descending=descending,
    )
