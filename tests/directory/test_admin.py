"""The Django admin pages of the directory open, list and search without errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huashan.directory.models import Membership, Person, Residency, ResidencyEvent
from huashan.directory.services import residency_verify
from tests.factories.directory import (
    HouseholdFactory,
    MembershipFactory,
    PersonFactory,
    ResidencyFactory,
)

MODELS = [
    "street",
    "community",
    "compound",
    "building",
    "household",
    "organization",
    "person",
    "residency",
    "membership",
]


@pytest.fixture
def admin_client(client, db):
    admin = PersonFactory(is_staff=True, is_superuser=True, mobile="13800000000")
    client.force_login(admin)
    return client


@pytest.fixture
def data(compound, staff):
    residency = ResidencyFactory(
        household=HouseholdFactory(building__compound=compound),
        status=Residency.Status.PENDING,
        person__name="<b>王</b>",
    )
    residency_verify(actor=staff, residency=residency)
    MembershipFactory(role=Membership.Role.PARTY_MEMBER)
    return residency


@pytest.mark.parametrize("model", MODELS)
def test_changelist_add_and_change_pages_open(admin_client, data, model):
    changelist = admin_client.get(reverse(f"admin:directory_{model}_changelist"))
    assert changelist.status_code == 200
    assert (
        admin_client.get(reverse(f"admin:directory_{model}_changelist"), {"q": "<x>"}).status_code
        == 200
    )
    assert admin_client.get(reverse(f"admin:directory_{model}_add")).status_code == 200
    obj = changelist.context["cl"].result_list[0]
    change = admin_client.get(reverse(f"admin:directory_{model}_change", args=[obj.pk]))
    assert change.status_code == 200


def test_filters_and_date_hierarchy(admin_client, data):
    response = admin_client.get(
        reverse("admin:directory_membership_changelist"),
        {"organization__kind": "pmc", "role": "chair", "start__year": "2020"},
    )
    assert response.status_code == 200
    assert [m.role for m in response.context["cl"].result_list] == ["chair"]
    response = admin_client.get(
        reverse("admin:directory_residency_changelist"), {"status__exact": "verified"}
    )
    assert list(response.context["cl"].result_list) == [data]
    response = admin_client.get(
        reverse("admin:directory_organization_changelist"), {"kind__exact": "pmc"}
    )
    assert {o.kind for o in response.context["cl"].result_list} == {"pmc"}


def test_residency_page_shows_its_events_read_only(admin_client, data):
    response = admin_client.get(reverse("admin:directory_residency_change", args=[data.pk]))

    content = response.content.decode()
    assert "verify" in content
    assert "&lt;b&gt;王&lt;/b&gt;" in content
    assert ResidencyEvent.objects.count() == 1
    assert 'name="events-0-verb"' not in content  # displayed, not editable


def test_person_is_added_with_mobile_and_password(admin_client):
    response = admin_client.post(
        reverse("admin:directory_person_add"),
        {
            "mobile": "13712345678",
            "name": "新用户",
            "usable_password": "true",
            "password1": "Long-enough-2026",
            "password2": "Long-enough-2026",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get(mobile="13712345678")
    assert person.check_password("Long-enough-2026")


def test_person_add_rejects_a_bad_mobile_and_keeps_the_input(admin_client):
    response = admin_client.post(
        reverse("admin:directory_person_add"),
        {
            "mobile": "12345",
            "name": "新用户",
            "usable_password": "true",
            "password1": "Long-enough-2026",
            "password2": "Long-enough-2026",
        },
    )

    assert response.status_code == 200
    assert "mobile" in response.context["adminform"].form.errors
    assert 'value="新用户"' in response.content.decode()
    assert not Person.objects.filter(name="新用户").exists()


def test_person_added_without_password_login_has_an_unusable_password(admin_client):
    response = admin_client.post(
        reverse("admin:directory_person_add"),
        {"mobile": "13712345679", "name": "无密码", "usable_password": "false"},
    )

    assert response.status_code == 302
    assert not Person.objects.get(mobile="13712345679").has_usable_password()


def test_person_add_requires_matching_passwords(admin_client):
    response = admin_client.post(
        reverse("admin:directory_person_add"),
        {
            "mobile": "13712345670",
            "name": "新用户",
            "usable_password": "true",
            "password1": "Long-enough-2026",
            "password2": "Different-2026",
        },
    )

    assert response.status_code == 200
    assert "password2" in response.context["adminform"].form.errors
