"""Fill the dashboard roll-ups for the demo, so comparisons are not empty on first start."""

from django.core.management.base import BaseCommand

from dashboard.services import snapshots_refresh_all


class Command(BaseCommand):
    help = "Compute 12 months of dashboard roll-ups for every compound (idempotent)."

    def handle(self, *args, **options):
        rows = snapshots_refresh_all(backfill_months=12)
        self.stdout.write(self.style.SUCCESS(f"Dashboard roll-ups written: {rows}."))
