"""Role × action matrix for the meetings permissions (meetings/rules.py)."""

from __future__ import annotations

import pytest

from tests.factories.meetings import meeting_world

pytestmark = pytest.mark.django_db

# permission -> people (attribute paths on the world) who have it
EXPECTED = {
    "meetings.view_meeting": {
        "community_party",
        "residents_committee",
        "rc_property_committee",
        "compound_party",
        "joint_meeting_office",
        "pmc",
        "property_company",
        "street_office",
        "department",
    },
    "meetings.run_office": {"joint_meeting_office", "rc_property_committee", "compound_party"},
    "meetings.convene": {"community_party", "compound_party"},
    "meetings.propose_topic": {
        "community_party",
        "residents_committee",
        "rc_property_committee",
        "compound_party",
        "joint_meeting_office",
        "pmc",
        "property_company",
    },
    "meetings.file_decision_report": {"pmc"},
    "meetings.manage_motion": {"pmc"},
    "meetings.review_motion_compound": {"compound_party"},
    "meetings.review_motion_community": {"community_party"},
    "meetings.supervise": {
        "compound_party",
        "rc_property_committee",
        "community_party",
        "residents_committee",
    },
}
PEOPLE = (
    "street_office",
    "department",
    "community_party",
    "residents_committee",
    "rc_property_committee",
    "compound_party",
    "joint_meeting_office",
    "pmc",
    "property_company",
)


@pytest.mark.parametrize("perm", sorted(EXPECTED))
def test_permission_matrix(perm):
    world = meeting_world()
    holders = {
        name for name in PEOPLE if getattr(world.people, name).has_perm(perm, world.compound)
    }
    assert holders == EXPECTED[perm]
    assert not world.resident.has_perm(perm, world.compound)
    assert not world.owner_representative.has_perm(perm, world.compound)


def test_staff_of_another_compound_have_no_power():
    world, other = meeting_world(), meeting_world()
    for perm in EXPECTED:
        assert not other.people.joint_meeting_office.has_perm(perm, world.compound)


def test_act_for_organization_is_exactly_that_body():
    world = meeting_world()
    perm = "meetings.act_for_organization"
    assert world.people.pmc.has_perm(perm, world.orgs.pmc)
    assert world.pmc_members[0].has_perm(perm, world.orgs.pmc)
    assert not world.people.pmc.has_perm(perm, world.orgs.property_company)
    assert not world.owner_representative.has_perm(
        perm, world.orgs.compound_party
    )  # attendee role only
    assert not world.resident.has_perm(perm, world.orgs.pmc)


def test_inactive_person_has_nothing():
    world = meeting_world()
    clerk = world.meeting_clerk
    clerk.is_active = False
    clerk.save()
    assert not clerk.has_perm("meetings.run_office", world.compound)
