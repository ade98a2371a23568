"""Role × action matrix for the pledge permissions."""

from __future__ import annotations

import pytest

from tests.factories.directory import CompoundFactory, MembershipFactory, PersonFactory
from tests.factories.pledges import pledge_world

pytestmark = pytest.mark.django_db

# who (a kind in compound_world, or a special) -> permission -> allowed on the own compound
MATRIX = {
    "compound_party": {
        "manage_party_letter": True,
        "manage_pmc_letter": True,
        "record_evidence": True,
        "attest": True,
        "manage_candidates": True,
        "review_case": True,
        "view_cases": True,
    },
    "community_party": {
        "manage_party_letter": False,
        "manage_pmc_letter": False,
        "record_evidence": True,
        "attest": True,
        "manage_candidates": False,
        "review_case": True,
        "view_cases": True,
    },
    "pmc": {
        "manage_party_letter": False,
        "manage_pmc_letter": True,
        "record_evidence": True,
        "attest": False,
        "manage_candidates": False,
        "review_case": False,
        "view_cases": True,
    },
    "property_company": {
        "manage_party_letter": False,
        "manage_pmc_letter": False,
        "record_evidence": True,
        "attest": False,
        "manage_candidates": False,
        "review_case": False,
        "view_cases": True,
    },
    "rc_property_committee": {
        "manage_party_letter": False,
        "manage_pmc_letter": False,
        "record_evidence": True,
        "attest": True,
        "manage_candidates": True,
        "review_case": False,
        "view_cases": True,
    },
    "resident": {
        name: False
        for name in (
            "manage_party_letter",
            "manage_pmc_letter",
            "record_evidence",
            "attest",
            "manage_candidates",
            "review_case",
            "view_cases",
        )
    },
}


def _check(user, action, world):
    compound = world.compound
    if action == "manage_party_letter":
        return user.has_perm("pledges.manage_letter", world.party)
    if action == "manage_pmc_letter":
        return user.has_perm("pledges.manage_letter", world.pmc)
    return user.has_perm(f"pledges.{action}", compound)


@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(who):
    world = pledge_world()
    user = world.resident if who == "resident" else getattr(world.people, who)
    for action, allowed in MATRIX[who].items():
        assert _check(user, action, world) is allowed, (who, action)


def test_no_power_over_another_compound_and_inactive_or_anonymous_have_none():
    from django.contrib.auth.models import AnonymousUser

    world = pledge_world()
    other = CompoundFactory()
    secretary = world.party_secretary
    assert not secretary.has_perm("pledges.record_evidence", other)
    assert not secretary.has_perm("pledges.review_case", other)
    assert not AnonymousUser().has_perm("pledges.view_cases", world.compound)
    secretary.is_active = False
    secretary.save()
    assert not secretary.has_perm("pledges.review_case", world.compound)


def test_party_member_and_owner_representative_are_not_staff():
    world = pledge_world()
    member = MembershipFactory(organization=world.party, role="party_member").person
    rep = MembershipFactory(organization=world.pmc, role="owner_representative").person
    for person in (member, rep):
        assert not person.has_perm("pledges.record_evidence", world.compound)
        assert not person.has_perm("pledges.manage_letter", world.party)


def test_superuser_may_do_everything():
    world = pledge_world()
    admin = PersonFactory(is_superuser=True)
    assert admin.has_perm("pledges.review_case", world.compound)
    assert admin.has_perm("pledges.manage_letter", world.pmc)
