"""Server-side SVG charts: the same markup in pages and in PDFs (DESIGN.md §4 "Charts").

No JavaScript, no outside CDN. Each chart is an inline ``<svg role="img">`` with
``<title>`` and ``<desc>`` (named by ``aria-labelledby``) and a data table alternative
(:attr:`Chart.html` puts both in a ``<figure>``). The viewBox is 360 units wide and
the SVG scales to its container (``width="100%"``), so it stays readable at 390 px;
labels use at least 11 px type.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .selectors import FIGURE_COLUMNS, TREND_KEYS, format_value

WIDTH = 360
HEIGHT = 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 10, 14, 58
# Colour-blind-safe palette (Okabe–Ito), dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_ids = itertools.count(1)


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    desc: str
    svg: SafeString
    caption: str
    headers: list[str]
    rows: list[list[str]]

    @property
    def html(self) -> SafeString:
        """``<figure>`` with the SVG, a caption and the data table (in ``<details>``)."""
        head = format_html_join("", "<th scope='col'>{}</th>", ((h,) for h in self.headers))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (
                    format_html(
                        "<th scope='row'>{}</th>{}",
                        row[0],
                        format_html_join("", "<td class='num'>{}</td>", ((c,) for c in row[1:])),
                    ),
                )
                for row in self.rows
            ),
        )
        return format_html(
            '<figure class="chart" id="{}">{}<figcaption>{}</figcaption>'
            '<details class="chart-data"><summary>{}</summary>'
            '<table class="table"><caption>{}</caption><thead><tr>{}</tr></thead>'
            "<tbody>{}</tbody></table></details></figure>",
            self.chart_id,
            self.svg,
            self.caption,
            _("Data table"),
            self.title,
            head,
            body,
        )

    def __html__(self) -> str:
        return str(self.html)


def _new_id(chart_id: str) -> str:
    return _e(chart_id) if chart_id else f"chart-{next(_ids)}"


def _e(text) -> str:
    return escape(str(text), {'"': "&quot;"})


def _scale_max(values: list[float], kind: str) -> float:
    if kind == "rate":
        return 1.0
    top = max([v for v in values if v is not None] or [0])
    if top <= 0:
        return 1.0
    # Round up to a "nice" number so the axis labels are whole.
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return float(step * 4)
    return float(top)


def _axis(kind: str, top: float) -> str:
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    parts = []
    for i in range(5):
        value = top * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        label = f"{value * 100:.0f}%" if kind == "rate" else f"{value:g}"
        parts.append(
            f'<line x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{PAD_LEFT - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#333">{_e(label)}</text>'
        )
    return "".join(parts)


def _x_labels(labels: list[str], step_x: float, offset: float) -> str:
    # At most ~6 labels so they stay readable at 390 px; rotated for long ones.
    every = max(1, -(-len(labels) // 6))
    parts = []
    base_y = HEIGHT - PAD_BOTTOM + 14
    for i, label in enumerate(labels):
        if i % every and i != len(labels) - 1:
            continue
        x = PAD_LEFT + offset + step_x * i
        text = str(label)[:8]
        parts.append(
            f'<text x="{x:.1f}" y="{base_y}" font-size="11" text-anchor="end" fill="#333" '
            f'transform="rotate(-35 {x:.1f} {base_y})">{_e(text)}</text>'
        )
    return "".join(parts)


def _legend(names: list[str]) -> str:
    parts = []
    y = HEIGHT - 10
    x = PAD_LEFT
    for i, name in enumerate(names[: len(PALETTE)]):
        colour = PALETTE[i % len(PALETTE)]
        text = str(name)[:10]
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 13}" y="{y}" font-size="11" fill="#333">{_e(text)}</text>'
        )
        x += 20 + 11 * len(text)
        if x > WIDTH - 60:
            break
    return "".join(parts)


def _svg(chart_id: str, title: str, desc: str, inner: str) -> SafeString:
    # Every text piece and attribute value is escaped by _e (titles, labels, names).
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif" '
        f'preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-title">{_e(title)}</title>'
        f'<desc id="{chart_id}-desc">{_e(desc)}</desc>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>'
        f"{inner}</svg>"
    )


def _fmt(value, kind: str) -> str:
    return format_value(value, kind)


def line_chart(
    *,
    title: str,
    desc: str,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    kind: str = "count",
    chart_id: str = "",
) -> Chart:
    """Trend lines (e.g. 12 months); a None value breaks the line (no data that month)."""
    chart_id = _new_id(chart_id)
    top = _scale_max([v for _n, vals in series for v in vals if v is not None], kind)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(labels) - 1, 1)
    inner = [_axis(kind, top)]
    for index, (name, values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        runs: list[list[str]] = [[]]
        dots = []
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            x = PAD_LEFT + step * i
            y = PAD_TOP + plot_h - plot_h * min(float(value), top) / top
            runs[-1].append(f"{x:.1f},{y:.1f}")
            dots.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}">'
                f"<title>{_e(name)} {_e(labels[i])}: {_e(_fmt(value, kind))}</title></circle>"
            )
        for run in runs:
            if len(run) > 1:
                inner.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"/>'
                )
        inner.extend(dots)
    inner.append(_x_labels(labels, step, 0))
    if len(series) > 1:
        inner.append(_legend([n for n, _v in series]))
    return Chart(
        chart_id=chart_id,
        title=title,
        desc=desc,
        svg=_svg(chart_id, title, desc, "".join(inner)),
        caption=title,
        headers=[_("Month"), *[str(n) for n, _v in series]],
        rows=[
            [str(label), *[_fmt(vals[i] if i < len(vals) else None, kind) for _n, vals in series]]
            for i, label in enumerate(labels)
        ],
    )


def bar_chart(
    *,
    title: str,
    desc: str,
    labels: list[str],
    values: list[float | None],
    kind: str = "count",
    chart_id: str = "",
) -> Chart:
    """One bar per label (e.g. compounds side by side)."""
    chart_id = _new_id(chart_id)
    top = _scale_max([v for v in values if v is not None], kind)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = max(min(slot * 0.7, 40), 2)
    inner = [_axis(kind, top)]
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        if value is None:
            continue
        h = plot_h * min(float(value), top) / top
        x = PAD_LEFT + slot * i + (slot - bar_w) / 2
        y = PAD_TOP + plot_h - h
        inner.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{PALETTE[0]}"><title>{_e(label)}: {_e(_fmt(value, kind))}</title></rect>'
        )
        if len(labels) <= 12:
            inner.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="11" '
                f'text-anchor="middle" fill="#111">{_e(_fmt(value, kind))}</text>'
            )
    inner.append(_x_labels(labels, slot, slot / 2))
    return Chart(
        chart_id=chart_id,
        title=title,
        desc=desc,
        svg=_svg(chart_id, title, desc, "".join(inner)),
        caption=title,
        headers=["", title],
        rows=[
            [str(label), _fmt(value, kind)] for label, value in zip(labels, values, strict=False)
        ],
    )


def stacked_bar_chart(
    *,
    title: str,
    desc: str,
    labels: list[str],
    stacks: list[tuple[str, list[int]]],
    chart_id: str = "",
) -> Chart:
    """One bar per label, split into ``stacks`` (e.g. open complaints per tier by state)."""
    chart_id = _new_id(chart_id)
    totals = [sum(vals[i] or 0 for _n, vals in stacks) for i in range(len(labels))]
    top = _scale_max(totals, "count")
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar_w = max(min(slot * 0.7, 48), 2)
    inner = [_axis("count", top)]
    for i, label in enumerate(labels):
        x = PAD_LEFT + slot * i + (slot - bar_w) / 2
        y_base = PAD_TOP + plot_h
        for index, (name, vals) in enumerate(stacks):
            value = vals[i] or 0
            if not value:
                continue
            h = plot_h * value / top
            y_base -= h
            inner.append(
                f'<rect x="{x:.1f}" y="{y_base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[index % len(PALETTE)]}" stroke="#fff" stroke-width="0.5">'
                f"<title>{_e(label)} {_e(name)}: {value}</title></rect>"
            )
        inner.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y_base - 3:.1f}" font-size="11" '
            f'text-anchor="middle" fill="#111">{totals[i]}</text>'
        )
    inner.append(_x_labels(labels, slot, slot / 2))
    inner.append(_legend([n for n, _v in stacks]))
    return Chart(
        chart_id=chart_id,
        title=title,
        desc=desc,
        svg=_svg(chart_id, title, desc, "".join(inner)),
        caption=title,
        headers=["", *[str(n) for n, _v in stacks], pgettext("sum of counts", "Total")],
        rows=[
            [str(label), *[str(vals[i] or 0) for _n, vals in stacks], str(totals[i])]
            for i, label in enumerate(labels)
        ],
    )


# --- the dashboard's charts ---------------------------------------------------------------


def _month_labels(months) -> list[str]:
    return [f"{m:%Y-%m}" for m in months]


def compound_charts(*, dashboard, months, trend: dict) -> list[Chart]:
    """Open complaints by tier and state (stacked), and the 12-month trends of the
    complaints filed and the three rates."""
    slug = dashboard.compound.slug
    charts = [
        stacked_bar_chart(
            title=pgettext("dashboard", "Open complaints by tier and state"),
            desc=pgettext(
                "dashboard", "Open complaints of %(compound)s, one bar per tier, split by state."
            )
            % {"compound": dashboard.compound.name},
            labels=[str(row.label).split(" (")[0][:8] for row in dashboard.complaints_by_tier],
            stacks=[
                (
                    str(label),
                    [row.cells[i].value for row in dashboard.complaints_by_tier],
                )
                for i, (_state, label) in enumerate(dashboard.states)
            ],
            chart_id=f"{slug}-complaints",
        ),
        line_chart(
            title=str(TREND_KEYS["complaints_filed"][0]),
            desc=pgettext("dashboard", "Complaints filed per month over the last 12 months."),
            labels=_month_labels(months),
            series=[(str(TREND_KEYS["complaints_filed"][0]), trend.get("complaints_filed", []))],
            chart_id=f"{slug}-filed",
        ),
        line_chart(
            title=_("The three rates"),
            desc=_("Response, resolution and satisfaction rates per month over 12 months."),
            labels=_month_labels(months),
            series=[
                (str(TREND_KEYS[key][0]), trend.get(key, []))
                for key in ("response_rate", "resolution_rate", "satisfaction_rate")
            ],
            kind="rate",
            chart_id=f"{slug}-rates",
        ),
    ]
    return charts


def comparison_charts(*, comparison, keys: list[str] | None = None) -> list[Chart]:
    """A bar chart per figure (compounds side by side) and a 12-month line chart per trend
    (one line per compound, the first seven compounds — the table has them all)."""
    keys = keys or ["complaints_open", "complaints_overdue", "action_items_overdue"]
    names = [row.compound.name for row in comparison.rows]
    charts = []
    for key in keys:
        label, kind = FIGURE_COLUMNS[key]
        charts.append(
            bar_chart(
                title=str(label),
                desc=_("%(figure)s per compound.") % {"figure": label},
                labels=names,
                values=[row.values.get(key) for row in comparison.rows],
                kind=kind,
                chart_id=f"cmp-{key}",
            )
        )
    for key in ("complaints_filed", "satisfaction_rate"):
        label, kind = TREND_KEYS[key]
        series = comparison.trends.get(key, [])[: len(PALETTE)]
        charts.append(
            line_chart(
                title=_("%(figure)s, last 12 months") % {"figure": label},
                desc=_("%(figure)s per month, one line per compound.") % {"figure": label},
                labels=_month_labels(comparison.months),
                series=[(s.compound.name, s.values) for s in series],
                kind=kind,
                chart_id=f"trend-{key}",
            )
        )
    return charts


def summary_charts(*, figures: dict) -> list[Chart]:
    """Charts of a work summary: meetings held by kind, complaints by tier and outcome."""
    from issues.models import Issue
    from meetings.models import Meeting

    kinds = dict(Meeting.Kind.choices)
    meetings = figures.get("meetings", {})
    charts = [
        bar_chart(
            title=_("Meetings held"),
            desc=_("Meetings held in the period, by kind."),
            labels=[str(kinds.get(k, k)).split(" (")[0][:8] for k in meetings],
            values=list(meetings.values()),
            chart_id="summary-meetings",
        )
    ]
    by_tier = figures.get("complaints", {}).get("by_tier", {})
    tiers = dict(Issue.Tier.choices)
    statuses = dict(Issue.Status.choices)
    used = sorted({s for counts in by_tier.values() for s in counts})
    charts.append(
        stacked_bar_chart(
            title=pgettext("dashboard", "Complaints by tier and outcome"),
            desc=pgettext(
                "dashboard", "Complaints filed in the period, one bar per tier, split by status."
            ),
            labels=[str(tiers.get(t, t)).split(" (")[0][:8] for t in by_tier],
            stacks=[
                (str(statuses.get(s, s)), [by_tier[t].get(s, 0) for t in by_tier]) for s in used
            ],
            chart_id="summary-complaints",
        )
    )
    return charts
