"""Read queries for the directory: who holds which seat, which places they cover.

Every function returns a queryset (or one row) whose query count does not grow
with the data: related rows a caller will touch are joined with
``select_related``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Length

from .models import (
    Community,
    Compound,
    Household,
    Membership,
    Organization,
    Person,
    Residency,
)

# Seats that give a voice but no staff powers (seed: 联席会议议事规则 第三条 lists
# owner representatives and party members as people who may *attend*).
NON_STAFF_ROLES = frozenset(
    {
        Membership.Role.PARTY_MEMBER,
        Membership.Role.OWNER_REPRESENTATIVE,
        Membership.Role.RESIDENT_GROUP_LEADER,
        Membership.Role.SENT_DOWN_CADRE,
    }
)


# Who hears an organization's business — the one rule (docs/roles.md "Who is told").
# Officers and staff seats act for the organization, and so do the community's grid
# workers and lawyer who serve it (联席会议议事规则 第三条 lists them beside its
# members); voice-only seats attend but do not act, and the volunteer quality
# supervisor is engaged by the property company to watch it and reports on his own
# (决策报告制度 第四条), so the company's business is not addressed to him.
NOTIFIED_ROLES = frozenset(Membership.Role) - NON_STAFF_ROLES - {Membership.Role.QUALITY_SUPERVISOR}


def _is_real_person(person) -> bool:
    return (
        person is not None
        and getattr(person, "pk", None) is not None
        and getattr(person, "is_active", False)
    )


def person_memberships_current(*, person) -> QuerySet[Membership]:
    """The person's memberships whose term covers today, with their organization and place."""
    if not _is_real_person(person):
        return Membership.objects.none()
    return (
        Membership.objects.current()
        .filter(person=person)
        .select_related(
            "organization__street",
            "organization__community__street",
            "organization__compound__community__street",
        )
        .order_by("organization__kind", "organization__name", "role")
    )


def _staff_memberships(*, person) -> QuerySet[Membership]:
    return Membership.objects.current().filter(person=person).exclude(role__in=NON_STAFF_ROLES)


def person_is_staff(*, person) -> bool:
    """True for a superuser or anyone with a current seat that is not a mere attendee role."""
    if not _is_real_person(person):
        return False
    if person.is_superuser:
        return True
    return _staff_memberships(person=person).exists()


def person_staff_compounds(*, person) -> QuerySet[Compound]:
    """Compounds covered by the person's current staff seats.

    A compound-level organization covers its compound, a community-level one
    every compound of its community, a street-level one every compound of the
    street. Attendee-only roles (see ``NON_STAFF_ROLES``) cover nothing, so
    this is empty exactly when :func:`person_is_staff` is False. Superusers
    cover every compound.
    """
    compounds = Compound.objects.select_related("community__street").order_by("name")
    if not _is_real_person(person):
        return compounds.none()
    if person.is_superuser:
        return compounds
    organizations = Organization.objects.filter(memberships__in=_staff_memberships(person=person))
    return compounds.filter(
        Q(pk__in=organizations.filter(compound__isnull=False).values("compound"))
        | Q(community__in=organizations.filter(community__isnull=False).values("community"))
        | Q(community__street__in=organizations.filter(street__isnull=False).values("street"))
    )


def compound_by_slug(*, slug: str) -> Compound | None:
    """The compound with this slug (its community and street joined), or None."""
    return Compound.objects.select_related("community__street").filter(slug=slug).first()


def compound_organizations(*, compound: Compound) -> QuerySet[Organization]:
    """Organizations that act for the compound: its own, its community's and its street's."""
    street_id = Community.objects.filter(pk=compound.community_id).values("street_id")[:1]
    return Organization.objects.filter(
        Q(compound=compound) | Q(community_id=compound.community_id) | Q(street_id=street_id)
    ).select_related("street", "community", "compound")


def organization_of_kind(*, compound: Compound, kind: str) -> Organization | None:
    """The (first) organization of ``kind`` acting for the compound, e.g. its PMC."""
    return compound_organizations(compound=compound).filter(kind=kind).order_by("pk").first()


def compound_households(*, compound: Compound) -> QuerySet[Household]:
    """Households of the compound for a registration picker, in building/unit/room order.

    Rooms sort by length first so "902" comes before "1001".
    """
    return (
        Household.objects.filter(building__compound=compound)
        .select_related("building")
        .order_by(
            "building__sort_key",
            "building__number",
            Length("unit"),
            "unit",
            Length("room"),
            "room",
        )
    )


def compound_residencies_pending(*, compound: Compound) -> QuerySet[Residency]:
    """Registrations waiting for staff verification in the compound, oldest first."""
    return (
        Residency.objects.filter(
            household__building__compound=compound, status=Residency.Status.PENDING
        )
        .select_related("person", "household__building")
        .order_by("created_at", "pk")
    )


def person_residencies(*, person) -> QuerySet[Residency]:
    """The person's claims on households, with the place joined."""
    if not _is_real_person(person):
        return Residency.objects.none()
    return (
        Residency.objects.filter(person=person)
        .select_related("household__building__compound")
        .order_by("household__building__sort_key", "household__unit", "household__room")
    )


def organization_recipients(*, organization: Organization) -> list[Person]:
    """Active people holding a current :data:`NOTIFIED_ROLES` seat in ``organization``.

    One row per person (a person with two seats is told once), in id order; one query.
    """
    return list(
        Person.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.current().filter(
                organization=organization, role__in=NOTIFIED_ROLES
            ),
        )
        .distinct()
        .order_by("pk")
    )
