"""Adopt a compound from the command line: place, roster, organizations, obligations.

    python manage.py setup_compound --street jiangxia-kfq --street-name 江夏经济开发区 \\
        --community puan --community-name 普安社区 \\
        --compound taohua-yuan --name 桃花苑 --roster roster.xlsx [--actor 13800000000]

Creates the street and the community when they do not exist yet, the compound,
imports the roster (households and residents from the first sheet; organizations
and their people from the optional "组织成员" sheet), instantiates this year's
obligations from the templates in force, and prints the setup checklist.
Idempotent: running it again changes nothing and prints the same checklist.
The actor (default: the first active superuser) is recorded on every change.
See docs/operations.md "Adopting a new compound".
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from huashan.core.state import record_event
from huashan.directory import services as directory_services
from huashan.directory.models import Community, Compound, Membership, Organization, Person, Street
from huashan.directory.roster import organizations_parse
from provisioning import setup
from provisioning.checklist import compound_checklist
from provisioning.models import ProvisioningEvent


def _slug(value: str, option: str) -> str:
    slug = slugify(value or "")
    if not slug or slug != value:
        raise CommandError(f"{option}: use lowercase letters, digits and dashes ({value!r}).")
    return slug


class Command(BaseCommand):
    help = "Adopt a compound: create its place, import its roster, set up its obligations."

    def add_arguments(self, parser):
        parser.add_argument("--street", required=True, help="street slug")
        parser.add_argument("--street-name", default="", help="street name (when new)")
        parser.add_argument("--community", required=True, help="community slug")
        parser.add_argument("--community-name", default="", help="community name (when new)")
        parser.add_argument("--compound", required=True, help="compound slug")
        parser.add_argument("--name", required=True, help="compound name, e.g. 江南花山郡")
        parser.add_argument("--address", default="", help="compound address")
        parser.add_argument("--roster", default="", help="path to the .xlsx roster")
        parser.add_argument("--actor", default="", help="mobile of the person doing this")

    def handle(self, *args, **o):
        actor = self._actor(o["actor"])
        street_slug = _slug(o["street"], "--street")
        community_slug = _slug(o["community"], "--community")
        compound_slug = _slug(o["compound"], "--compound")
        name = (o["name"] or "").strip()
        if not name or len(name) > 100:
            raise CommandError("--name: give the compound's name (at most 100 characters).")
        with transaction.atomic():
            street = self._street(street_slug, o["street_name"].strip())
            community = self._community(community_slug, o["community_name"].strip(), street)
            compound, created = self._compound(compound_slug, name, o["address"], community)
            if created:
                record_event(
                    ProvisioningEvent,
                    actor=actor,
                    verb="setup_compound",
                    compound=compound,
                    note=f"{street.name} / {community.name} / {compound.name}",
                )
        self.stdout.write(
            f"{'Created' if created else 'Found'} {street.name} / {community.name} / "
            f"{compound.name} ({compound.slug})"
        )
        if o["roster"]:
            self._roster(actor, compound, Path(o["roster"]))
        today = timezone.localdate()
        result = setup.provision_now(actor=actor, compound=compound)
        self.stdout.write(
            f"Obligations of {today.year}: letters +{len(result.letters_created)}, items "
            f"+{result.items_created}, schedules +{result.schedules_created}"
        )
        self._print_checklist(compound)

    # --- steps -----------------------------------------------------------------------

    def _actor(self, mobile: str) -> Person:
        if mobile:
            person = Person.objects.filter(mobile=mobile, is_active=True).first()
            if person is None:
                raise CommandError(f"No active person with mobile {mobile!r}.")
            return person
        person = Person.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if person is None:
            raise CommandError(
                "No superuser yet: create one with 'manage.py createsuperuser' or pass --actor."
            )
        return person

    def _street(self, slug: str, name: str) -> Street:
        street = Street.objects.filter(slug=slug).first()
        if street is None:
            if not name:
                raise CommandError(f"Street {slug!r} is new: give --street-name.")
            street = Street.objects.create(slug=slug, name=name[:100])
            Organization.objects.create(
                kind=Organization.Kind.STREET_OFFICE, name=f"{street.name}党工委", street=street
            )
        return street

    def _community(self, slug: str, name: str, street: Street) -> Community:
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            if not name:
                raise CommandError(f"Community {slug!r} is new: give --community-name.")
            community = Community.objects.create(slug=slug, name=name[:100], street=street)
            Organization.objects.create(
                kind=Organization.Kind.COMMUNITY_PARTY,
                name=f"中共{street.name}{community.name}支部委员会",
                community=community,
            )
            Organization.objects.create(
                kind=Organization.Kind.RESIDENTS_COMMITTEE,
                name=f"{community.name}居民委员会",
                community=community,
            )
        elif community.street_id != street.pk:
            raise CommandError(
                f"Community {slug!r} belongs to another street ({community.street.name})."
            )
        return community

    def _compound(self, slug, name, address, community) -> tuple[Compound, bool]:
        compound = Compound.objects.filter(slug=slug).select_related("community").first()
        if compound is not None:
            if compound.community_id != community.pk:
                raise CommandError(
                    f"The compound slug {slug!r} is already used in another community "
                    f"({compound.community.name}); choose another slug."
                )
            return compound, False
        compound = Compound.objects.create(
            slug=slug, name=name, community=community, address=(address or "")[:200]
        )
        return compound, True

    def _roster(self, actor: Person, compound: Compound, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as handle:
            try:
                result = directory_services.roster_import(
                    actor=actor, compound=compound, file=handle
                )
            except PermissionDenied as exc:
                raise CommandError(f"{actor.name} may not import the roster: {exc}") from exc
            if not result.ok:
                self._errors(result.errors)
                raise CommandError(
                    f"{len(result.errors)} problem(s) in the roster; nothing imported."
                )
            self.stdout.write(
                f"Roster: {result.rows} rows; households +{result.households_created}, "
                f"people +{result.people_created}"
            )
            handle.seek(0)
            organizations = organizations_parse(handle)
        if organizations.errors:
            self._errors(organizations.errors)
            raise CommandError(
                f"{len(organizations.errors)} problem(s) in the sheet 组织成员; "
                "the households were imported, the organizations were not."
            )
        self._organizations(actor, compound, organizations.rows)

    def _organizations(self, actor, compound, rows) -> None:
        done_orgs: set[str] = set()
        seated = 0
        for row in rows:
            existing = Organization.objects.filter(compound=compound, kind=row.kind).first()
            try:
                if row.kind not in done_orgs and (
                    existing is None
                    or (row.org_name and existing.name != row.org_name)
                    or (row.phone and existing.phone != row.phone)
                ):
                    setup.organization_save(
                        actor=actor,
                        compound=compound,
                        kind=row.kind,
                        name=row.org_name or (existing.name if existing else ""),
                        phone=row.phone or (existing.phone if existing else ""),
                    )
                done_orgs.add(row.kind)
                if row.has_person and not (
                    Membership.objects.current()
                    .filter(
                        person__mobile=row.mobile,
                        organization__compound=compound,
                        organization__kind=row.kind,
                        role=row.role,
                    )
                    .exists()
                ):
                    setup.member_add(
                        actor=actor,
                        compound=compound,
                        kind=row.kind,
                        name=row.name,
                        mobile=row.mobile,
                        role=row.role,
                        start=row.start,
                    )
                    seated += 1
            except ValidationError as exc:
                raise CommandError(f"组织成员 row {row.row}: {'; '.join(exc.messages)}") from exc
        self.stdout.write(f"Organizations: {len(done_orgs)} listed; people seated +{seated}")

    def _errors(self, errors) -> None:
        for error in errors:
            where = f"row {error.row}" if error.row else "file"
            column = f" [{error.column}]" if error.column else ""
            value = f" «{error.value}»" if error.value else ""
            self.stderr.write(f"{where}{column}: {error.message}{value}")

    def _print_checklist(self, compound: Compound) -> None:
        items = compound_checklist(compound)
        missing = [i for i in items if not i.ok]
        self.stdout.write(f"Setup checklist of {compound.name}: {len(missing)} open")
        for item in items:
            mark = "ok " if item.ok else "-- "
            self.stdout.write(f"  {mark}{item.label} ({item.article})")
            if not item.ok:
                self.stdout.write(f"       fix: {item.fix_url}")
