"""The printable pledge letter with each item's current status.

seed: 公示承诺制度 第四条 (年度服务承诺 长期公示, 线上线下). Rendered with
:func:`huashan.pdf.render_pdf` (WeasyPrint, CJK font, A4, page numbers) by the
Celery task ``pledges.tasks.letter_pdf_generate``, never in a web request.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone

from huashan.pdf import render_pdf

from .models import PledgeLetter
from .selectors import letter_board


def letter_pdf(*, letter: PledgeLetter) -> bytes:
    """The letter's text verbatim, each item followed by its measures' current status."""
    rows = letter_board(letter=letter)
    return render_pdf(
        "pdf/pledges/letter.html",
        {"letter": letter, "rows": rows, "generated_at": timezone.localtime()},
    )


def letter_pdf_store(*, letter: PledgeLetter) -> PledgeLetter:
    """Render and store the PDF on the letter (``letter.pdf``); idempotent."""
    data = letter_pdf(letter=letter)
    name = f"{letter.compound.slug}-{letter.year}-{letter.pk}.pdf"
    if letter.pdf:
        letter.pdf.delete(save=False)
    letter.pdf.save(name, ContentFile(data), save=False)
    letter.pdf_generated_at = timezone.now()
    PledgeLetter.objects.filter(pk=letter.pk).update(
        pdf=letter.pdf.name, pdf_generated_at=letter.pdf_generated_at
    )
    return letter
