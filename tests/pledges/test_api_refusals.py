"""The pledges API refuses unknown compounds, organizations and people with a field error
``{field: [message]}`` and 400, through ``huashan.core.api.exception_handler`` (issue 15):
the bodies are the ones the views built by hand before."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from pledges.models import Activity, Inspection
from tests.pledges.web import seeded_world

pytestmark = pytest.mark.django_db

API = "/api/pledges"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def world():
    return seeded_world()


@pytest.fixture
def staff(world):
    client = APIClient()
    client.force_authenticate(world.people.pmc)
    return client


def activity(world, **overrides) -> dict:
    return {
        "compound": world.compound.slug,
        "organization": world.party.pk,
        "kind": "volunteer",
        "title": "义务清扫",
        "held_on": timezone.localdate().isoformat(),
        **overrides,
    }


def inspection(world, **overrides) -> dict:
    return {
        "compound": world.compound.slug,
        "organization": world.pmc.pk,
        "kind": "monthly_service",
        "inspected_on": timezone.localdate().isoformat(),
        "owner_representatives": [world.resident.pk],
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "body"),
    [
        ({"compound": "no-such-compound"}, {"compound": ["No such compound."]}),
        ({"organization": 99999999}, {"organization": ["No such organization."]}),
    ],
)
def test_activity_with_unknown_compound_or_organization(staff, world, overrides, body):
    response = staff.post(f"{API}/activities/", activity(world, **overrides), format="json")
    assert response.status_code == 400
    expected = {field: [zh(message) for message in messages] for field, messages in body.items()}
    assert response.json() == expected
    assert not Activity.objects.filter(title="义务清扫").exists()


@pytest.mark.parametrize(
    ("overrides", "body"),
    [
        ({"compound": "no-such-compound"}, {"compound": ["No such compound."]}),
        ({"organization": 99999999}, {"organization": ["No such organization."]}),
        ({"inspector": 99999999}, {"inspector": ["No such person."]}),
        (
            {"owner_representatives": [99999999]},
            {"owner_representatives": ["No such person."]},
        ),
    ],
)
def test_inspection_with_unknown_compound_organization_or_person(staff, world, overrides, body):
    before = Inspection.objects.count()
    response = staff.post(f"{API}/inspections/", inspection(world, **overrides), format="json")
    assert response.status_code == 400
    expected = {field: [zh(message) for message in messages] for field, messages in body.items()}
    assert response.json() == expected
    assert Inspection.objects.count() == before
