"""Charts are valid SVG with <title>/<desc>, escape hostile text, and carry a data table."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from dashboard import charts, selectors

SVG = "{http://www.w3.org/2000/svg}"


def _parse(chart):
    root = ET.fromstring(str(chart.svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root, title.text, desc.text


def test_line_chart_twelve_months_with_gap():
    months = [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
    values = [3, 5, None, 8, 2, 0, 4, 6, 9, 1, 2, 7]
    chart = charts.line_chart(
        title="投诉量", desc="近12个月", labels=months, series=[("江南花山郡", values)]
    )
    root, title, desc = _parse(chart)
    assert (title, desc) == ("投诉量", "近12个月")
    # The missing month splits the line in two; every known point has a dot.
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert len(root.findall(f"{SVG}circle")) == 11
    assert chart.headers[1:] == ["江南花山郡"]
    assert chart.rows[2] == ["2025-06", "—"]
    assert len(chart.rows) == 12
    assert root.get("viewBox") == "0 0 360 220"  # scales down to 390 px phones


def test_rate_line_chart_formats_percentages():
    chart = charts.line_chart(
        title="三率",
        desc="d",
        labels=["2026-02", "2026-03"],
        series=[("响应率", [0.5, 1.0]), ("满意率", [None, 0.25])],
        kind="rate",
    )
    _parse(chart)
    assert chart.rows == [["2026-02", "50.0%", "—"], ["2026-03", "100.0%", "25.0%"]]


def test_hostile_labels_are_escaped():
    evil = '<script>alert(1)</script>"&'
    chart = charts.bar_chart(
        title=evil, desc=evil, labels=[evil, "B"], values=[3, None], chart_id='x"><svg'
    )
    root, title, _desc = _parse(chart)
    assert title == evil
    assert "<script>" not in str(chart.svg)
    assert "<script>" not in str(chart.html)
    assert len(root.findall(f"{SVG}rect")) == 2  # background + one bar (None skipped)


def test_stacked_bar_chart_totals_and_table():
    chart = charts.stacked_bar_chart(
        title="未办结投诉",
        desc="按类别和状态",
        labels=["小事", "大事"],
        stacks=[("已提交", [2, 1]), ("办理中", [3, 0])],
    )
    root, _t, _d = _parse(chart)
    bars = [r for r in root.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 3  # zero segments are not drawn
    assert chart.rows == [["小事", "2", "3", "5"], ["大事", "1", "0", "1"]]
    html = str(chart.html)
    assert "<table" in html
    assert "<caption>未办结投诉</caption>" in html
    assert "cdn" not in html.lower()
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_empty_data_still_valid():
    for chart in (
        charts.bar_chart(title="t", desc="d", labels=[], values=[]),
        charts.line_chart(title="t", desc="d", labels=[], series=[]),
        charts.stacked_bar_chart(title="t", desc="d", labels=[], stacks=[]),
    ):
        _parse(chart)


@pytest.mark.django_db
def test_dashboard_and_summary_charts_are_valid(world):
    board = selectors.compound_dashboard(compound=world.compound)
    months, trend = selectors.compound_trend(compound=world.compound)
    built = charts.compound_charts(dashboard=board, months=months, trend=trend)
    assert len(built) == 3
    for chart in built:
        _parse(chart)
    period = selectors.period_parse("2026H1")
    figures = selectors.summary_figures(compound=world.compound, period=period)
    for chart in charts.summary_charts(figures=figures):
        _parse(chart)
    comparison = selectors.group_comparison(compounds=[world.compound])
    for chart in charts.comparison_charts(comparison=comparison):
        _parse(chart)
    assert months[-1] == dt.date(2026, 3, 1)
