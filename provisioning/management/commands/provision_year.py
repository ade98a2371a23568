"""Set up every compound's obligations of a year (the 1 January rollover, for cron).

    python manage.py provision_year            # this year
    python manage.py provision_year --year 2027

Idempotent: a second or late run creates nothing new. The beat task
``provisioning.tasks.year_rollover`` runs the same service on 1 January.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huashan.directory.models import Compound
from provisioning.services import provision_compound


class Command(BaseCommand):
    help = "Create each compound's letters and disclosure schedules of a year from the templates."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, year=None, **options):
        this_year = timezone.localdate().year
        year = year or this_year
        if not this_year - 1 <= year <= this_year + 1:
            raise CommandError(f"--year must be {this_year - 1}, {this_year} or {this_year + 1}.")
        letters = schedules = 0
        for compound in Compound.objects.select_related("community").order_by("pk"):
            try:
                result = provision_compound(compound=compound, year=year, verb="rollover")
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            letters += len(result.letters_created)
            schedules += result.schedules_created
            if result.pending:
                self.stdout.write(f"{compound.name}: pending {', '.join(result.pending)}")
        self.stdout.write(f"{year}: letters +{letters}, schedules +{schedules}")
