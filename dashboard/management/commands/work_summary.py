"""``python manage.py work_summary --compound <slug> --period 2026H2 --output brief.pdf``.

Generates (or refreshes the figures of) the draft work summary for the period and writes
its PDF (seed: 联席会议议事规则 第六条). ``--period 2026`` gives the annual summary. An
approved or submitted summary keeps its figures; the PDF is written from them.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dashboard.models import WorkSummary
from dashboard.pdf import work_summary_pdf
from dashboard.selectors import period_parse
from dashboard.services import work_summary_generate
from huashan.directory.selectors import compound_by_slug


class Command(BaseCommand):
    help = "Generate a half-year brief (2026H1/2026H2) or annual summary (2026) and write its PDF."

    def add_arguments(self, parser):
        parser.add_argument("--compound", required=True, help="compound slug")
        parser.add_argument("--period", required=True, help="2026H1, 2026H2 or 2026")
        parser.add_argument("--output", required=True, help="PDF file to write")

    def handle(self, *args, **options):
        compound = compound_by_slug(slug=options["compound"])
        if compound is None:
            raise CommandError(f"unknown compound {options['compound']!r}")
        try:
            period = period_parse(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc.args[0])) from exc
        summary = WorkSummary.objects.filter(compound=compound, period=period.code).first()
        if summary is None or summary.state == WorkSummary.State.DRAFT:
            try:
                summary = work_summary_generate(actor=None, compound=compound, period=period.code)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        output = Path(options["output"])
        output.write_bytes(work_summary_pdf(summary=summary))
        self.stdout.write(f"{summary} ({summary.get_state_display()}) -> {output}")
