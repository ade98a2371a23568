"""Who sees which dashboard: a compound user cannot see another compound's; the street
sees all; residents and outsiders see none. Work-summary steps by role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from dashboard import selectors
from huashan.directory.models import Membership
from tests.factories.directory import (
    CommunityFactory,
    CompoundFactory,
    MembershipFactory,
    PersonFactory,
)
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def far_world(world):
    """A compound in another community of the same street."""
    return compound_world(
        CompoundFactory(community=CommunityFactory(street=world.compound.community.street))
    )


def test_compound_party_sees_only_its_own_compound(world, other_world, far_world):
    secretary = world.people.compound_party
    office = world.people.joint_meeting_office
    for user in (secretary, office):
        assert user.has_perm("dashboard.view_compound", world.compound)
        assert not user.has_perm("dashboard.view_compound", other_world.compound)
        assert not user.has_perm("dashboard.view_compound", far_world.compound)
        assert not user.has_perm("dashboard.view_community", world.compound.community)
        assert not user.has_perm("dashboard.view_street", world.compound.community.street)
        assert list(selectors.visible_compounds(person=user)) == [world.compound]


def test_community_bodies_see_their_community_only(world, other_world, far_world):
    for user in (
        world.people.community_party,
        world.people.residents_committee,
        world.people.rc_property_committee,
    ):
        assert user.has_perm("dashboard.view_compound", world.compound)
        assert user.has_perm("dashboard.view_compound", other_world.compound)
        assert not user.has_perm("dashboard.view_compound", far_world.compound)
        assert user.has_perm("dashboard.view_community", world.compound.community)
        assert not user.has_perm("dashboard.view_community", far_world.compound.community)
        assert not user.has_perm("dashboard.view_street", world.compound.community.street)
        assert set(selectors.visible_compounds(person=user)) == {
            world.compound,
            other_world.compound,
        }


def test_street_sees_every_compound_and_community(world, other_world, far_world):
    street_user = world.people.street_office
    street = world.compound.community.street
    for compound in (world.compound, other_world.compound, far_world.compound):
        assert street_user.has_perm("dashboard.view_compound", compound)
    assert street_user.has_perm("dashboard.view_community", far_world.compound.community)
    assert street_user.has_perm("dashboard.view_street", street)
    assert set(selectors.visible_compounds(person=street_user)) == {
        world.compound,
        other_world.compound,
        far_world.compound,
    }
    assert set(selectors.visible_communities(person=street_user)) == {
        world.compound.community,
        far_world.compound.community,
    }
    assert list(selectors.visible_streets(person=street_user)) == [street]
    # Another street's office sees nothing here.
    other = compound_world()
    assert not other.people.street_office.has_perm("dashboard.view_compound", world.compound)
    assert not other.people.street_office.has_perm("dashboard.view_street", street)


@pytest.mark.parametrize("who", ["pmc", "property_company", "department", "resident"])
def test_others_see_no_dashboard(world, who):
    user = getattr(world.people, who, None) or world.resident
    assert not user.has_perm("dashboard.view_compound", world.compound)
    assert not user.has_perm("dashboard.view_community", world.compound.community)
    assert not list(selectors.visible_compounds(person=user))


def test_party_member_anonymous_and_inactive_see_nothing(world):
    member = MembershipFactory(
        organization=world.orgs.compound_party, role=Membership.Role.PARTY_MEMBER
    ).person
    assert not member.has_perm("dashboard.view_compound", world.compound)
    anonymous = AnonymousUser()
    assert not anonymous.has_perm("dashboard.view_compound", world.compound)
    assert not selectors.visible_compounds(person=anonymous).exists()
    secretary = world.people.compound_party
    secretary.is_active = False
    secretary.save()
    assert not secretary.has_perm("dashboard.view_compound", world.compound)
    assert not selectors.visible_compounds(person=secretary).exists()


def test_superuser_sees_all(world, other_world):
    admin = PersonFactory(is_superuser=True, is_staff=True)
    assert admin.has_perm("dashboard.view_street", world.compound.community.street)
    assert set(selectors.visible_compounds(person=admin)) >= {world.compound, other_world.compound}


def test_summary_permissions_by_role(world, other_world):
    compound = world.compound
    office = world.people.joint_meeting_office
    secretary = world.people.compound_party
    assert office.has_perm("dashboard.manage_summary", compound)
    assert not office.has_perm("dashboard.approve_summary", compound)
    assert secretary.has_perm("dashboard.approve_summary", compound)
    assert not secretary.has_perm("dashboard.approve_summary", other_world.compound)
    for outsider in (world.people.pmc, world.people.property_company, world.resident):
        assert not outsider.has_perm("dashboard.manage_summary", compound)
        assert not outsider.has_perm("dashboard.approve_summary", compound)
