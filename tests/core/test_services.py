"""huashan/core/services.py: the shared actor and permission guard."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from huashan.core.services import acting_person, require_perm
from tests.factories.directory import (
    CompoundFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
)


@pytest.mark.django_db
def test_acting_person_is_none_for_anonymous_inactive_and_missing():
    assert acting_person(None) is None
    assert acting_person(AnonymousUser()) is None
    assert acting_person(PersonFactory(is_active=False)) is None
    person = PersonFactory()
    assert acting_person(person) is person


@pytest.mark.django_db
def test_require_perm_returns_the_person_only_with_the_permission():
    compound = CompoundFactory()
    office = OrganizationFactory(kind="joint_meeting_office", compound=compound)
    clerk = MembershipFactory(organization=office, role="staff").person
    assert require_perm(clerk, "directory.import_roster", compound, "no") is clerk
    with pytest.raises(PermissionDenied, match="not yours"):
        require_perm(PersonFactory(), "directory.import_roster", compound, "not yours")
    with pytest.raises(PermissionDenied):
        require_perm(AnonymousUser(), "directory.import_roster", compound, "no")
