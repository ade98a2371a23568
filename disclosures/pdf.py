"""Printable disclosures: the quarterly / annual report and the sunshine-code poster.

seed: 公示承诺制度 第一—四条 (what was posted), 第二条 ("阳光码"). Rendered with
:func:`huashan.pdf.render_pdf` (WeasyPrint, CJK font embedded, A4, page numbers).
Long reports run in the Celery worker (``disclosures.tasks.disclosure_report_generate``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import markdown
import nh3
from django.conf import settings
from django.utils import timezone

from huashan.directory.models import Compound
from huashan.pdf import render_pdf

from .ledger import ledger_flags
from .models import period_label
from .qr import compound_board_path, qr_png
from .sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES
from .selectors import compliance_status_label, period_bounds, report_content


def report_title(compound: Compound, period: str) -> str:
    start, _end, kind = period_bounds(period)
    label = period_label("quarter" if kind == "quarter" else "year", start)
    return f"{compound.name}{label}公示报告"


def printed_url(path: str) -> str:
    """An address printed on paper: the configured public address (``SITE_URL``), never
    the host of whatever request happened to render the document (issue 19)."""
    return settings.SITE_URL.rstrip("/") + path


def compound_board_url(compound: Compound) -> str:
    return printed_url(compound_board_path(compound))


def print_html(body_markdown: str) -> str:
    """A disclosure body for paper: as on the board, but every line break kept, so a
    pledge letter's numbered items ("1.…", "2.…") each start their own line."""
    html = markdown.markdown(
        body_markdown or "", extensions=["tables", "sane_lists", "nl2br"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _prepare_for_print(content) -> None:
    """Per disclosure: the body with its line breaks; per ledger: its category printed
    once (above the lines when they share one, else only where it changes), and the
    flags and the publisher's note (continuity, negative balance)."""
    for section in content.sections:
        for _category, items in section.categories:
            for d in items:
                d.print_html = print_html(d.body_markdown) if d.body_markdown else d.body_html
                ledger = getattr(d, "report_ledger", None)
                if ledger is None:
                    continue
                lines = list(ledger.lines.all())
                categories = {line.category for line in lines}
                ledger.single_category = categories.pop() if len(categories) == 1 else None
                previous = None
                for line in lines:
                    line.print_category = "" if line.category == previous else line.category
                    previous = line.category
                ledger.print_lines = lines
                ledger.flags = ledger_flags(d)


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
    _prepare_for_print(content)
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
