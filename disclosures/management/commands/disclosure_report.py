"""Write the quarterly or annual disclosure report PDF (same as the page's download).

python manage.py disclosure_report --compound jiangnan-huashan --period 2026Q3 --output report.pdf
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from disclosures.pdf import report_pdf
from disclosures.selectors import period_bounds
from huashan.directory.models import Compound


class Command(BaseCommand):
    help = "Render the disclosure report of a compound for a quarter (2026Q3) or year (2026)."

    def add_arguments(self, parser):
        parser.add_argument("--compound", required=True, help="compound slug")
        parser.add_argument("--period", required=True, help="2026Q3 or 2026")
        parser.add_argument("--output", required=True, help="PDF file to write")

    def handle(self, *args, compound, period, output, **options):
        try:
            period_bounds(period)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        found = Compound.objects.filter(slug=compound).select_related("community").first()
        if found is None:
            raise CommandError(f"no compound with slug {compound!r}")
        data = report_pdf(compound=found, period=period)
        path = Path(output)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc}") from exc
        self.stdout.write(f"wrote {path} ({len(data)} bytes)")
