"""Permission matrix for disclosures: role × action."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from huashan.directory.models import Membership
from tests.factories.directory import MembershipFactory, OrganizationFactory, PersonFactory
from tests.factories.disclosures import DisclosureFactory, ObjectionFactory


@pytest.mark.django_db
def test_permission_matrix(world):
    disclosure = DisclosureFactory(organization=world.company)
    objection = ObjectionFactory(disclosure=disclosure, objector=world.resident)
    other_company = OrganizationFactory()  # another compound's company
    outsider = MembershipFactory(organization=other_company, role=Membership.Role.STAFF).person
    party_member = MembershipFactory(
        organization=world.company, role=Membership.Role.PARTY_MEMBER
    ).person
    superuser = PersonFactory(is_superuser=True)
    actors = {
        "anonymous": AnonymousUser(),
        "company_staff": world.company_staff,
        "pmc_chair": world.pmc_chair,
        "party_secretary": world.party_secretary,
        "resident": world.resident,
        "tenant": world.tenant,
        "outsider": outsider,
        "party_member": party_member,
        "superuser": superuser,
    }
    expected = {
        ("disclosures.publish_for_organization", "company"): {"company_staff", "superuser"},
        ("disclosures.publish_for_organization", "pmc"): {"pmc_chair", "superuser"},
        ("disclosures.change_disclosure", "disclosure"): {"company_staff", "superuser"},
        # Django grants an active superuser every permission.
        ("disclosures.file_objection", "disclosure"): {"resident", "superuser"},
        ("disclosures.answer_objection", "objection"): {"company_staff", "superuser"},
        ("disclosures.view_staff", "compound"): {
            "company_staff",
            "pmc_chair",
            "party_secretary",
            "superuser",
        },
    }
    objects = {
        "company": world.company,
        "pmc": world.pmc,
        "disclosure": disclosure,
        "objection": objection,
        "compound": world.compound,
    }
    for (perm, obj_name), allowed in expected.items():
        granted = {name for name, user in actors.items() if user.has_perm(perm, objects[obj_name])}
        assert granted == allowed, (perm, obj_name, granted)


@pytest.mark.django_db
def test_ended_membership_loses_publishing(world):
    membership = Membership.objects.get(person=world.company_staff, organization=world.company)
    membership.end = membership.start
    membership.save()
    world.company_staff.refresh_from_db()
    assert not world.company_staff.has_perm("disclosures.publish_for_organization", world.company)


@pytest.mark.django_db
def test_inactive_person_has_no_powers(world):
    world.company_staff.is_active = False
    world.company_staff.save()
    assert not world.company_staff.has_perm("disclosures.publish_for_organization", world.company)
