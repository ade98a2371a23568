"""Printable disclosures: the quarterly / annual report and the sunshine-code poster.

seed: 公示承诺制度 第一—四条 (what was posted), 第二条 ("阳光码"). Rendered with
:func:`huashan.pdf.render_pdf` (WeasyPrint, CJK font embedded, A4, page numbers).
Long reports run in the Celery worker (``disclosures.tasks.disclosure_report_generate``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable

from django.utils import timezone

from huashan.directory.models import Compound
from huashan.pdf import render_pdf

from .models import period_label
from .qr import compound_board_url, qr_png
from .selectors import compliance_status_label, period_bounds, report_content


def report_title(compound: Compound, period: str) -> str:
    start, _end, kind = period_bounds(period)
    label = period_label("quarter" if kind == "quarter" else "year", start)
    return f"{compound.name}{label}公示报告"


def report_pdf(
    *, compound: Compound, period: str, progress: Callable[[int], None] | None = None
) -> bytes:
    """The quarterly (``2026Q3``) or annual (``2026``) disclosure report as PDF bytes."""
    start, end, kind = period_bounds(period)
    if progress:
        progress(10)
    content = report_content(compound=compound, start=start, end=end)
    if progress:
        progress(40)
    compliance = [
        {"row": row, "label": compliance_status_label(row.status)} for row in content.compliance
    ]
    counts = {status: 0 for status in ("on_time", "late", "missing", "not_due")}
    for row in content.compliance:
        counts[row.status] += 1
    data = render_pdf(
        "pdf/disclosures/report.html",
        {
            "title": report_title(compound, period),
            "compound": compound,
            "content": content,
            "compliance": compliance,
            "counts": counts,
            "period_kind": kind,
            "start": start,
            "end": end,
            "generated_at": timezone.localtime(),
            "board_url": compound_board_url(compound),
        },
    )
    if progress:
        progress(95)
    return data


def qr_data_uri(url: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii")


def poster_pdf(*, compound: Compound) -> bytes:
    """A4 poster with the compound's sunshine code for the notice board (三栏一箱)."""
    url = compound_board_url(compound)
    return render_pdf(
        "pdf/disclosures/poster.html",
        {"compound": compound, "url": url, "qr": qr_data_uri(url)},
    )
