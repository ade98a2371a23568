"""Directory selectors: who is staff, which compounds they cover; constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from huashan.directory import selectors
from huashan.directory.models import Membership, Organization, Residency
from tests.factories.directory import (
    BuildingFactory,
    CommunityFactory,
    CompoundFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ResidencyFactory,
)

Kind = Organization.Kind
Role = Membership.Role


@pytest.fixture
def places(db):
    """Street with two communities; community A has compounds A1, A2; community B has B1."""
    community_a = CommunityFactory()
    street = community_a.street
    community_b = CommunityFactory(street=street)
    return {
        "street": street,
        "community_a": community_a,
        "community_b": community_b,
        "a1": CompoundFactory(community=community_a),
        "a2": CompoundFactory(community=community_a),
        "b1": CompoundFactory(community=community_b),
        "elsewhere": CompoundFactory(),
    }


def seat(role=Role.STAFF, person=None, **scope):
    kind = scope.pop("kind", Kind.PMC)
    organization = OrganizationFactory(kind=kind, **{"compound": None, **scope})
    kwargs = {"person": person} if person else {}
    return MembershipFactory(organization=organization, role=role, **kwargs)


def test_compound_seat_covers_only_its_compound(places):
    person = seat(compound=places["a1"]).person

    assert list(selectors.person_staff_compounds(person=person)) == [places["a1"]]
    assert selectors.person_is_staff(person=person)


def test_community_seat_covers_its_compounds(places):
    person = seat(kind=Kind.RESIDENTS_COMMITTEE, community=places["community_a"]).person

    assert set(selectors.person_staff_compounds(person=person)) == {places["a1"], places["a2"]}


def test_street_seat_covers_every_compound_of_the_street(places):
    person = seat(kind=Kind.STREET_OFFICE, street=places["street"]).person

    assert set(selectors.person_staff_compounds(person=person)) == {
        places["a1"],
        places["a2"],
        places["b1"],
    }


def test_several_seats_give_each_compound_once(places):
    person = seat(compound=places["a1"]).person
    seat(kind=Kind.RESIDENTS_COMMITTEE, community=places["community_a"], person=person)

    assert sorted(c.pk for c in selectors.person_staff_compounds(person=person)) == sorted(
        [places["a1"].pk, places["a2"].pk]
    )


@pytest.mark.parametrize(
    "role", [Role.PARTY_MEMBER, Role.OWNER_REPRESENTATIVE, Role.RESIDENT_GROUP_LEADER]
)
def test_attendee_roles_are_not_staff(places, role):
    person = seat(role=role, compound=places["a1"]).person

    assert not selectors.person_is_staff(person=person)
    assert not selectors.person_staff_compounds(person=person).exists()
    assert selectors.person_memberships_current(person=person).count() == 1


def test_ended_and_future_memberships_do_not_count(places):
    ended = seat(compound=places["a1"])
    ended.end = datetime.date(2021, 1, 1)
    ended.save()
    future = seat(compound=places["a1"])
    future.start = datetime.date(2999, 1, 1)
    future.save()

    for person in (ended.person, future.person):
        assert not selectors.person_is_staff(person=person)
        assert not selectors.person_memberships_current(person=person).exists()


def test_superuser_is_staff_everywhere_and_inactive_or_anonymous_nowhere(places):
    admin = PersonFactory(is_superuser=True)
    inactive = seat(compound=places["a1"], person=PersonFactory(is_active=False)).person

    assert selectors.person_is_staff(person=admin)
    assert selectors.person_staff_compounds(person=admin).count() == 4
    assert not selectors.person_is_staff(person=inactive)
    assert not selectors.person_is_staff(person=AnonymousUser())
    assert not selectors.person_is_staff(person=None)
    assert not selectors.person_staff_compounds(person=AnonymousUser()).exists()


def test_compound_organizations_include_community_and_street_bodies(places):
    own = OrganizationFactory(kind=Kind.PMC, compound=places["a1"])
    rc = OrganizationFactory(
        kind=Kind.RESIDENTS_COMMITTEE, compound=None, community=places["community_a"]
    )
    office = OrganizationFactory(kind=Kind.STREET_OFFICE, compound=None, street=places["street"])
    OrganizationFactory(kind=Kind.PMC, compound=places["a2"])
    OrganizationFactory(
        kind=Kind.RESIDENTS_COMMITTEE, compound=None, community=places["community_b"]
    )
    OrganizationFactory(
        kind=Kind.STREET_OFFICE, compound=None, street=places["elsewhere"].community.street
    )

    found = set(selectors.compound_organizations(compound=places["a1"]))

    assert found == {own, rc, office}
    assert selectors.organization_of_kind(compound=places["a1"], kind=Kind.PMC) == own
    assert selectors.organization_of_kind(compound=places["a1"], kind=Kind.STREET_OFFICE) == office
    assert selectors.organization_of_kind(compound=places["a1"], kind=Kind.DEPARTMENT) is None


def test_compound_by_slug(places):
    assert selectors.compound_by_slug(slug=places["a1"].slug) == places["a1"]
    assert selectors.compound_by_slug(slug="nope") is None


def test_households_are_in_natural_order(places):
    compound = places["a1"]
    b10 = BuildingFactory(compound=compound, number="10栋")
    b2 = BuildingFactory(compound=compound, number="2栋")
    for building, unit, room in [
        (b10, "1单元", "101"),
        (b2, "2单元", "101"),
        (b2, "1单元", "1001"),
        (b2, "1单元", "902"),
    ]:
        HouseholdFactory(building=building, unit=unit, room=room)

    rows = [str(h) for h in selectors.compound_households(compound=compound)]

    assert rows == ["2栋1单元902", "2栋1单元1001", "2栋2单元101", "10栋1单元101"]


def _populate(places, size: int):
    person = PersonFactory()
    for n in range(size):
        compound = CompoundFactory(community=places["community_a"])
        seat(compound=compound, person=person)
        seat(
            kind=Kind.RESIDENTS_COMMITTEE,
            community=CommunityFactory(street=places["street"]),
            person=person,
        )
        household = HouseholdFactory(building__compound=places["a1"], room=f"{n + 1}01")
        ResidencyFactory(household=household, status=Residency.Status.PENDING)
        ResidencyFactory(person=person, household=HouseholdFactory(building__compound=compound))
    return person


@pytest.mark.parametrize("size", [2, 12])
def test_query_counts_do_not_grow_with_data(places, size, django_assert_num_queries):
    person = _populate(places, size)

    with django_assert_num_queries(1):
        for membership in selectors.person_memberships_current(person=person):
            str(membership.organization.scope)
    with django_assert_num_queries(1):
        for compound in selectors.person_staff_compounds(person=person):
            str(compound.community.street)
    with django_assert_num_queries(1):
        assert selectors.person_is_staff(person=person)
    with django_assert_num_queries(1):
        for organization in selectors.compound_organizations(compound=places["a1"]):
            str(organization.scope)
    with django_assert_num_queries(1):
        for household in selectors.compound_households(compound=places["a1"]):
            str(household)
    with django_assert_num_queries(1):
        pending = list(selectors.compound_residencies_pending(compound=places["a1"]))
        for residency in pending:
            str(residency)
    assert len(pending) == size
    with django_assert_num_queries(1):
        for residency in selectors.person_residencies(person=person):
            str(residency.household.building.compound)
