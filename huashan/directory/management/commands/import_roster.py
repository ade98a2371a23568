"""Import an owners' roster (.xlsx) from the command line.

    python manage.py import_roster --compound jiangnan-huashan --actor 13800000301 roster.xlsx

Prints every problem with its Excel row number and exits with status 1 when
the file has errors (nothing is imported then).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from huashan.directory import selectors, services
from huashan.directory.models import Person


class Command(BaseCommand):
    help = "Import households and residents of a compound from an .xlsx roster (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the .xlsx roster")
        parser.add_argument(
            "--compound", required=True, help="compound slug, e.g. jiangnan-huashan"
        )
        parser.add_argument(
            "--actor", required=True, help="mobile number of the staff member importing"
        )

    def handle(self, *args, file: str, compound: str, actor: str, **options):
        place = selectors.compound_by_slug(slug=compound)
        if place is None:
            raise CommandError(f"No compound with slug {compound!r}.")
        person = Person.objects.filter(mobile=actor, is_active=True).first()
        if person is None:
            raise CommandError(f"No active person with mobile {actor!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            with path.open("rb") as handle:
                result = services.roster_import(actor=person, compound=place, file=handle)
        except PermissionDenied as exc:
            raise CommandError(f"{person.name} ({actor}) may not import the roster: {exc}") from exc
        if not result.ok:
            for error in result.errors:
                where = f"row {error.row}" if error.row else "file"
                column = f" [{error.column}]" if error.column else ""
                value = f" «{error.value}»" if error.value else ""
                self.stderr.write(f"{where}{column}: {error.message}{value}")
            raise CommandError(f"{len(result.errors)} problem(s) found; nothing was imported.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rows} rows read: buildings +{result.buildings_created}, "
                f"households +{result.households_created}, "
                f"people +{result.people_created} / updated {result.people_updated}, "
                f"residencies +{result.residencies_created} / updated {result.residencies_updated}."
            )
        )
