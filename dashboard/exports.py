"""Every dashboard table as an ``.xlsx`` workbook (openpyxl).

Issue 8 §5 ("every dashboard table to .xlsx"). The tables are built from the same
selector objects the pages show (:class:`~dashboard.selectors.CompoundDashboard`,
:class:`~dashboard.selectors.Comparison`, a work summary's stored figures), so a
number in the workbook is the number on the page. Numbers stay numbers (rates as
fractions formatted ``0.0%``) so the office can sum and chart them in a spreadsheet.

Cells are written by :mod:`huashan.core.xlsx` (issue 14 item 8): text that starts like a
formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading ``'``, so a compound or
organization named ``=HYPERLINK(…)`` never becomes a formula; times are China time without
microseconds; columns fit their content (Chinese characters count double).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font

from huashan.core import xlsx
from huashan.core.xlsx import XLSX_CONTENT_TYPE

from .selectors import TREND_KEYS, Comparison, CompoundDashboard, Figure

NUMBER_FORMATS = {"rate": "0.0%", "score": "0.0", "days": "0", "count": "0"}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Value:
    """A typed cell: ``kind`` is a figure kind (count | rate | days | score | bool)."""

    value: Any
    kind: str = "count"
    link: str = ""


@dataclass
class Table:
    """One sheet: a title, a header row and data rows (plain values or :class:`Value`)."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


# --- writing ----------------------------------------------------------------------------


def _sheet_title(title: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", str(title)).strip().strip("'")[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name.lower())
    return name


def _put(cell: Cell, raw: Any, link_for: Callable[[str], str]) -> None:
    kind, link = "", ""
    if isinstance(raw, Figure):
        raw = Value(raw.value, raw.kind, raw.url)
    if isinstance(raw, Value):
        kind, link, raw = raw.kind, raw.link, raw.value
    if raw is None:
        cell.value = None
    elif isinstance(raw, bool) or kind == "bool":
        cell.value = _("Yes") if raw else _("No")
        cell.data_type = "s"
    else:
        # Numbers stay numbers, times become China-time dates, text is formula-safe.
        xlsx.put(cell, raw, number_format=NUMBER_FORMATS.get(kind, ""))
    if link and cell.value is not None:
        # (openpyxl would write the URL itself into an empty cell.)
        cell.hyperlink = link_for(link)


def workbook_bytes(tables: Iterable[Table], *, link_for: Callable[[str], str] = str) -> bytes:
    """Write the tables, one sheet each, header row bold and frozen; returns the file."""
    book = xlsx.new_workbook()
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        for col, header in enumerate(table.headers, start=1):
            cell = sheet.cell(row=1, column=col)
            _put(cell, str(header), link_for)
            cell.font = bold
        for r, row in enumerate(table.rows, start=2):
            for col, raw in enumerate(row, start=1):
                _put(sheet.cell(row=r, column=col), raw, link_for)
        sheet.freeze_panes = "A2"
        xlsx.fit_columns(sheet)
    return xlsx.workbook_bytes(book)


def xlsx_response(
    tables: Iterable[Table], *, filename: str, link_for: Callable[[str], str] = str
) -> HttpResponse:
    response = HttpResponse(
        workbook_bytes(tables, link_for=link_for), content_type=XLSX_CONTENT_TYPE
    )
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", filename)[:120] or "dashboard.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the compound dashboard ---------------------------------------------------------------


def _month_labels(months: list[dt.date]) -> list[str]:
    return [f"{m:%Y-%m}" for m in months]


def compound_tables(
    *, dashboard: CompoundDashboard, months: list[dt.date], trend: dict[str, list]
) -> dict[str, Table]:
    """The compound dashboard's tables by key (the page's ``.xlsx`` links use these keys)."""
    tables: dict[str, Table] = {}
    tables["figures"] = Table(
        "figures",
        _("Key figures"),
        [_("Figure"), _("Value"), _("Note")],
        [[str(f.label), f, str(f.note or "")] for f in dashboard.figures.values()],
    )
    tables.update(_complaint_tables(dashboard))
    tables.update(_work_tables(dashboard))
    tables["trends"] = Table(
        "trends",
        _("Last 12 months"),
        [_("Month"), *[str(label) for label, _k in TREND_KEYS.values()]],
        [
            [
                label,
                *[Value(_at(trend.get(key), i), kind) for key, (_l, kind) in TREND_KEYS.items()],
            ]
            for i, label in enumerate(_month_labels(months))
        ],
    )
    return tables


def _complaint_tables(dashboard: CompoundDashboard) -> dict[str, Table]:
    """Open complaints by tier and state, the overdue list and the three rates."""
    tables: dict[str, Table] = {}
    tables["complaints"] = Table(
        "complaints",
        _("Open complaints by tier and state"),
        [_("Tier"), *[str(label) for _s, label in dashboard.states], _("Total")],
        [[str(row.label), *row.cells, row.total] for row in dashboard.complaints_by_tier],
    )
    tables["overdue"] = Table(
        "overdue",
        _("Overdue complaints, longest past deadline first"),
        [_("Tracking number"), _("Category"), _("Tier"), _("Status"), _("Filed"), _("Deadline")],
        [
            [
                issue.tracking_number,
                str(getattr(issue.category, "name", "") or ""),
                issue.get_tier_display(),
                issue.get_status_display(),
                issue.created_at,
                issue.next_deadline,
            ]
            for issue in dashboard.oldest_overdue
        ],
    )
    tables["rates"] = Table(
        "rates",
        _("The three rates"),
        [_("Rate"), _("This month"), _("Last month"), _("Change")],
        [
            [str(row.label), row.this_month, row.last_month, Value(row.change, "rate")]
            for row in dashboard.rates
        ],
    )
    return tables


def _work_tables(dashboard: CompoundDashboard) -> dict[str, Table]:
    """Agreed items, pledge items at risk and the latest evaluation."""
    tables: dict[str, Table] = {}
    tables["action_items"] = Table(
        "action_items",
        _("Agreed items by responsible organization"),
        [_("Organization"), _("Due this month"), _("Overdue")],
        [
            [str(row.organization.name or _("No organization")), row.due, row.overdue]
            for row in dashboard.action_items
        ],
    )
    tables["pledges"] = Table(
        "pledges",
        _("Pledge items at risk or missed"),
        [_("Organization"), _("Item"), _("Status"), _("Period")],
        [
            [
                str(s.organization.name),
                f"{s.item.number}. {s.item.heading or s.item.text[:60]}",
                s.current.get_status_display() if s.current is not None else "",
                (
                    f"{s.current.period_start:%Y-%m-%d} – {s.current.period_end:%Y-%m-%d}"
                    if s.current is not None
                    else ""
                ),
            ]
            for s in dashboard.pledges_attention
        ],
    )
    evaluation = dashboard.evaluation
    tables["evaluation"] = Table(
        "evaluation",
        _("Latest evaluation result"),
        [_("Organization"), _("Score"), _("Band"), _("Stars")],
        [
            [row.name, Value(row.total, "score"), str(row.band), row.stars]
            for row in (evaluation.rows if evaluation is not None else [])
        ],
    )
    return tables


def _at(values: list | None, index: int) -> Any:
    if not values or index >= len(values):
        return None
    return values[index]


# --- community and street comparisons -------------------------------------------------------


def comparison_tables(*, comparison: Comparison, with_community: bool = False) -> dict[str, Table]:
    """The side-by-side table (in the page's sort order) and one sheet per 12-month trend."""
    headers = [_("Compound")]
    if with_community:
        headers.append(_("Community"))
    headers += [str(c.label) for c in comparison.columns]
    headers.append(_("Figures as of"))
    rows = []
    for row in comparison.rows:
        line: list[Any] = [row.compound.name]
        if with_community:
            line.append(row.compound.community.name)
        line += [Value(row.values.get(c.key), c.kind) for c in comparison.columns]
        line.append(row.computed_at)
        rows.append(line)
    tables = {"figures": Table("figures", _("Compounds side by side"), headers, rows)}
    labels = _month_labels(comparison.months)
    for key, (label, kind) in TREND_KEYS.items():
        series = comparison.trends.get(key, [])
        tables[f"trend-{key}"] = Table(
            f"trend-{key}",
            str(label),
            [_("Compound"), *labels],
            [[s.compound.name, *[Value(v, kind) for v in s.values]] for s in series],
        )
    return tables


# --- work summaries -------------------------------------------------------------------------


def summary_list_table(*, summaries: Iterable[Any]) -> Table:
    return Table(
        "summaries",
        _("Work summaries"),
        [
            _("Compound"),
            _("Kind"),
            _("Period"),
            _("State"),
            _("Figures generated at"),
            _("Submitted at"),
        ],
        [
            [
                s.compound.name,
                s.get_kind_display(),
                s.period,
                s.get_state_display(),
                s.generated_at,
                s.submitted_at,
            ]
            for s in summaries
        ],
    )


def _compliance_label(label_for: Callable[[str], str], status: str) -> str:
    try:
        return str(label_for(status))
    except KeyError:
        return str(status)


def _summary_overview(figures: dict) -> Table:
    """The first sheet: the period's headline counts and the three rates."""
    complaints = figures.get("complaints") or {}
    items = figures.get("action_items") or {}
    topics = figures.get("topics") or {}
    return Table(
        "overview",
        _("Overview"),
        [_("Figure"), _("Value")],
        [
            [_("Period"), figures.get("period", "")],
            [_("Topics handled"), topics.get("total")],
            [_("Topics accepted on an agenda"), topics.get("accepted")],
            [_("Agreed items due in the period"), items.get("total")],
            [_("Agreed items done on time"), items.get("done_on_time")],
            [_("Agreed items done late"), items.get("done_late")],
            [_("Agreed items open and overdue"), items.get("open_overdue")],
            [_("Complaints filed"), complaints.get("filed")],
            *[
                [str(TREND_KEYS[key][0]), Value(complaints.get(key), "rate")]
                for key in ("response_rate", "resolution_rate", "satisfaction_rate")
            ],
        ],
    )


def summary_tables(*, context: dict) -> list[Table]:
    """A work summary's figures (from :func:`dashboard.pdf.work_summary_pdf_context`,
    so the workbook says what the PDF says)."""
    figures = context.get("figures") or {}
    items = figures.get("action_items") or {}
    overview = _summary_overview(figures)
    from disclosures.selectors import compliance_status_label

    tables = [
        overview,
        Table(
            "meetings",
            _("Meetings held"),
            [_("Kind"), _("Held")],
            [[str(label), n] for label, n in context.get("meetings", [])],
        ),
        Table(
            "complaints",
            _("Complaints by tier and outcome"),
            [_("Tier"), _("Total"), _("Status"), _("Count")],
            [
                [str(tier), total, str(status), n]
                for tier, total, cells in context.get("complaint_rows", [])
                for status, n in (cells or [("", 0)])
            ],
        ),
        Table(
            "items",
            _("Agreed items by responsible organization"),
            [_("Organization"), _("Due"), _("Done on time"), _("Done late"), _("Open and overdue")],
            [
                [
                    r.get("organization", ""),
                    r.get("total"),
                    r.get("done_on_time"),
                    r.get("done_late"),
                    r.get("open_overdue"),
                ]
                for r in items.get("by_organization", [])
            ],
        ),
        Table(
            "pledges",
            _("Pledge items"),
            [_("Status"), _("Count")],
            [[str(label), n] for label, n in context.get("pledge_rows", [])],
        ),
        Table(
            "disclosures",
            _("Scheduled disclosures"),
            [_("Status"), _("Count")],
            [
                [_compliance_label(compliance_status_label, status), n]
                for status, n in context.get("disclosure_rows", [])
            ],
        ),
    ]
    evaluation = _summary_evaluation_table(figures.get("evaluation") or {})
    if evaluation is not None:
        tables.append(evaluation)
    return tables


def _summary_evaluation_table(evaluation: dict) -> Table | None:
    """The year's evaluation results, when the summary carries them."""
    if not evaluation:
        return None
    return Table(
        "evaluation",
        _("Evaluation %(year)s") % {"year": evaluation.get("year", "")},
        [_("Organization"), _("Score"), _("Band"), _("Stars")],
        [
            [
                r.get("name", ""),
                Value(r.get("total"), "score"),
                r.get("band", ""),
                r.get("stars"),
            ]
            for r in evaluation.get("rows", [])
        ],
    )
