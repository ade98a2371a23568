"""The work summary PDF (seed: 联席会议议事规则 第六条): figures in Chinese and the same SVG
charts as the pages, rendered by ``huashan.pdf.render_pdf``."""

from __future__ import annotations

from django.utils import translation

from huashan.pdf import render_pdf

from .charts import summary_charts
from .models import WorkSummary
from .selectors import format_value

# The document itself is an official report in Chinese (like the meetings' PDFs).
KIND_TITLES = {WorkSummary.Kind.HALF_YEAR: "半年工作小结", WorkSummary.Kind.YEAR: "年度工作总结"}
STATE_TITLES = {
    WorkSummary.State.DRAFT: "草稿",
    WorkSummary.State.APPROVED: "已审定",
    WorkSummary.State.SUBMITTED: "已报社区党组织",
}
DISCLOSURE_TITLES = {
    "on_time": "按时公示",
    "late": "逾期公示",
    "missing": "未公示",
    "not_due": "未到期",
}


def work_summary_pdf_context(*, summary: WorkSummary) -> dict:
    from issues.models import Issue
    from meetings.models import Meeting
    from pledges.models import ResultStatus

    figures = summary.figures or {}
    kinds = dict(Meeting.Kind.choices)
    tiers = dict(Issue.Tier.choices)
    statuses = dict(Issue.Status.choices)
    pledge_labels = dict(ResultStatus.choices)
    complaints = figures.get("complaints", {})
    return {
        "summary": summary,
        "compound": summary.compound,
        "figures": figures,
        "meetings": [(kinds.get(k, k), n) for k, n in figures.get("meetings", {}).items()],
        "complaint_rows": [
            (tiers.get(t, t), sum(c.values()), [(statuses.get(s, s), n) for s, n in c.items()])
            for t, c in complaints.get("by_tier", {}).items()
        ],
        "pledge_rows": [
            (pledge_labels.get(s, s), n)
            for s, n in figures.get("pledges", {}).get("by_status", {}).items()
        ],
        "disclosure_rows": [
            (DISCLOSURE_TITLES.get(s, s), n)
            for s, n in figures.get("disclosures", {}).get("by_status", {}).items()
        ],
        "kind_title": KIND_TITLES.get(summary.kind, summary.kind),
        "state_title": STATE_TITLES.get(summary.state, summary.state),
        "rates": {
            key: format_value(complaints.get(key), "rate")
            for key in ("response_rate", "resolution_rate", "satisfaction_rate")
        },
        "charts": summary_charts(figures=figures),
    }


def work_summary_pdf(*, summary: WorkSummary) -> bytes:
    """The PDF, with choice labels (tiers, states, meeting kinds) in Chinese whatever the
    caller's language."""
    with translation.override("zh-hans"):
        return render_pdf(
            "pdf/dashboard/work_summary.html", work_summary_pdf_context(summary=summary)
        )
