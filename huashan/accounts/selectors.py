"""Read queries for accounts: a person's residencies, the verification queue."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from huashan.directory.models import Building, Compound, Household, Person, Residency


def person_residencies(*, person: Person) -> QuerySet[Residency]:
    return (
        Residency.objects.filter(person=person)
        .select_related("household__building__compound")
        .order_by("created_at", "pk")
    )


def residencies_pending(*, compounds: Iterable[Compound]) -> QuerySet[Residency]:
    """Claims waiting for verification in the given compounds, oldest first."""
    return (
        Residency.objects.filter(
            status=Residency.Status.PENDING,
            household__building__compound__in=list(compounds),
        )
        .select_related("person", "household__building__compound")
        .order_by("created_at", "pk")
    )


def compounds_for_registration() -> QuerySet[Compound]:
    return Compound.objects.select_related("community").order_by("name")


def buildings_grouped() -> list[tuple[str, list[tuple[str, str]]]]:
    """Building choices grouped by compound name, for an ``<optgroup>`` select."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for building in Building.objects.select_related("compound").order_by(
        "compound__name", "sort_key", "number"
    ):
        groups.setdefault(building.compound.name, []).append((str(building.pk), building.number))
    return list(groups.items())


def household_find(*, building: Building, unit: str, room: str) -> Household | None:
    """The household a resident typed; tolerant of "1" vs "1单元" and "1502" vs "1502室"."""
    unit = unit.strip()
    room = room.strip()
    units = {unit}
    if unit.isdigit():
        units.add(f"{unit}单元")
    if unit.endswith("单元"):
        units.add(unit.removesuffix("单元"))
    rooms = {room, room.removesuffix("室")}
    return (
        Household.objects.filter(building=building, unit__in=units, room__in=rooms)
        .select_related("building__compound")
        .first()
    )
