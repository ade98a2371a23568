"""The pledges API: public reads, staff writes through the services, staff-only cases."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from pledges.models import AccountabilityCase, Activity, Inspection
from tests.factories.directory import OrganizationFactory
from tests.factories.pledges import (
    AccountabilityCaseFactory,
    ActivityFactory,
    FindingFactory,
    InspectionFactory,
)
from tests.pledges.web import HOSTILE, SQLISH, seeded_world

pytestmark = pytest.mark.django_db

API = "/api/pledges"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world():
    return seeded_world()


def test_letters_are_public_with_items_and_current_status(api, world):
    response = api.get(f"{API}/letters/", {"compound": world.compound.slug})
    assert response.status_code == 200
    letters = response.json()["results"]
    assert len(letters) == 1
    items = letters[0]["items"]
    assert len(items) == 10
    assert all(item["current"]["status"] for item in items)
    assert items[0]["heading"] == "定期联席会议"


def test_unpublished_letters_are_not_in_the_api(api):
    seeded_world(published=False)
    assert api.get(f"{API}/letters/").json()["results"] == []
    assert api.get(f"{API}/items/").json()["results"] == []
    assert api.get(f"{API}/results/").json()["results"] == []


def test_items_and_results_filters(api, world):
    response = api.get(f"{API}/items/", {"rule_kind": "attested"})
    assert response.status_code == 200
    assert {i["rule_kind"] for i in response.json()["results"]} == {"attested"}
    item = world.items[0]
    response = api.get(f"{API}/results/", {"item": item.pk})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows
    assert {r["item"] for r in rows} == {item.pk}
    response = api.get(f"{API}/results/", {"status": "missed", "year": world.year})
    assert {r["status"] for r in response.json()["results"]} <= {"missed"}


@pytest.mark.parametrize(
    "params",
    [{"status": "bogus"}, {"item": "abc"}, {"period_after": "not-a-date"}, {"year": SQLISH}],
)
def test_bad_filters_are_400_not_500(api, world, params):
    assert api.get(f"{API}/results/", params).status_code == 400


def test_activities_public_without_names(api, world):
    ActivityFactory(
        organization=world.party,
        compound=world.compound,
        title="邻里节",
        participants=[world.resident],
    )
    response = api.get(f"{API}/activities/", {"compound": world.compound.slug})
    assert response.status_code == 200
    body = response.content.decode()
    assert "邻里节" in body
    assert world.resident.name not in body
    assert world.resident.mobile not in body


def test_staff_records_an_activity(api, world):
    api.force_authenticate(world.party_secretary)
    response = api.post(
        f"{API}/activities/",
        {
            "compound": world.compound.slug,
            "organization": world.party.pk,
            "kind": "volunteer",
            "title": "志愿服务",
            "held_on": timezone.localdate().isoformat(),
            "participant_count": 8,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Activity.objects.get().participant_count == 8


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"held_on": "2099-01-01"}, "held_on"),
        ({"held_on": "soon"}, "held_on"),
        ({"kind": "party"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"compound": "nowhere"}, "compound"),
        ({"organization": 999999}, "organization"),
        ({"participant_count": -1}, "participant_count"),
    ],
)
def test_activity_bad_input_is_400_with_field(api, world, overrides, field):
    api.force_authenticate(world.party_secretary)
    data = {
        "compound": world.compound.slug,
        "organization": world.party.pk,
        "kind": "volunteer",
        "title": "志愿服务",
        "held_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    response = api.post(f"{API}/activities/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Activity.objects.exists()


def test_activity_outside_the_compound_is_400(api, world):
    api.force_authenticate(world.party_secretary)
    outside = OrganizationFactory(kind="compound_party")
    response = api.post(
        f"{API}/activities/",
        {
            "compound": world.compound.slug,
            "organization": outside.pk,
            "kind": "volunteer",
            "title": "x",
            "held_on": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()


def test_activity_writes_need_login_and_staff(api, world):
    data = {
        "compound": world.compound.slug,
        "organization": world.party.pk,
        "kind": "volunteer",
        "title": "x",
        "held_on": timezone.localdate().isoformat(),
    }
    assert api.post(f"{API}/activities/", data, format="json").status_code in (401, 403)
    api.force_authenticate(world.resident)
    assert api.post(f"{API}/activities/", data, format="json").status_code == 403


def test_staff_records_an_inspection_and_fixes_a_finding(api, world):
    api.force_authenticate(world.people.pmc)
    response = api.post(
        f"{API}/inspections/",
        {
            "compound": world.compound.slug,
            "organization": world.pmc.pk,
            "kind": "quarterly_safety",
            "inspected_on": timezone.localdate().isoformat(),
            "areas": ["消防", "电梯"],
            "findings": [{"description": "消防栓无水"}, {"description": HOSTILE}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    findings = response.json()["findings"]
    assert len(findings) == 2
    assert all(f["is_safety"] for f in findings)
    fix = f"{API}/findings/{findings[0]['id']}/fix/"
    assert api.post(fix, {"proof": ""}, format="json").status_code == 400
    response = api.post(fix, {"proof": "已修复"}, format="json")
    assert response.status_code == 200
    assert response.json()["is_fixed"] is True
    # Twice: a 400 with a message, not a 500.
    response = api.post(fix, {"proof": "再次"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_inspection_bad_input(api, world):
    api.force_authenticate(world.people.pmc)
    base = {
        "compound": world.compound.slug,
        "organization": world.pmc.pk,
        "kind": "monthly_service",
        "inspected_on": timezone.localdate().isoformat(),
    }
    response = api.post(f"{API}/inspections/", base, format="json")
    assert response.status_code == 400
    assert "owner_representatives" in response.json()
    response = api.post(
        f"{API}/inspections/", {**base, "owner_representatives": [999999]}, format="json"
    )
    assert response.status_code == 400
    response = api.post(f"{API}/inspections/", {**base, "kind": "x"}, format="json")
    assert "kind" in response.json()
    assert not Inspection.objects.exists()


def test_resident_may_not_fix_findings(api, world):
    finding = FindingFactory(
        inspection=InspectionFactory(organization=world.pmc, compound=world.compound)
    )
    api.force_authenticate(world.resident)
    response = api.post(f"{API}/findings/{finding.pk}/fix/", {"proof": "x"}, format="json")
    assert response.status_code == 403


def test_cases_are_staff_only(api, world):
    case = AccountabilityCaseFactory(organization=world.pmc, compound=world.compound)
    other = AccountabilityCaseFactory()  # another compound
    assert api.get(f"{API}/cases/").status_code in (401, 403)
    api.force_authenticate(world.resident)
    assert api.get(f"{API}/cases/").json()["results"] == []
    assert api.get(f"{API}/cases/{case.pk}/").status_code == 404
    api.force_authenticate(world.people.property_company)
    ids = [c["id"] for c in api.get(f"{API}/cases/").json()["results"]]
    assert ids == [case.pk]
    assert other.pk not in ids
    # Staff may see, but only the party organization decides.
    response = api.post(
        f"{API}/cases/{case.pk}/decide/", {"outcome": "warned", "reasons": "x"}, format="json"
    )
    assert response.status_code == 403


def test_party_decides_a_case_and_the_timeline_shows_it(api, world):
    case = AccountabilityCaseFactory(organization=world.pmc, compound=world.compound)
    api.force_authenticate(world.party_secretary)
    url = f"{API}/cases/{case.pk}/decide/"
    assert api.post(url, {"outcome": "sacked", "reasons": "x"}, format="json").status_code == 400
    assert api.post(url, {"outcome": "warned"}, format="json").status_code == 400
    response = api.post(url, {"outcome": "resigned", "reasons": "主动辞职"}, format="json")
    assert response.status_code == 200
    assert response.json()["outcome"] == "resigned"
    assert AccountabilityCase.objects.get().status == "decided"
    timeline = api.get(f"{API}/cases/{case.pk}/timeline/").json()
    assert [e["verb"] for e in timeline] == ["case_decide"]
    again = api.post(url, {"outcome": "warned", "reasons": "再议"}, format="json")
    assert again.status_code == 400


def test_cases_filter(api, world):
    AccountabilityCaseFactory(organization=world.pmc, compound=world.compound)
    api.force_authenticate(world.party_secretary)
    assert len(api.get(f"{API}/cases/", {"status": "open"}).json()["results"]) == 1
    assert api.get(f"{API}/cases/", {"status": "decided"}).json()["results"] == []
    assert api.get(f"{API}/cases/", {"status": HOSTILE}).status_code == 400


def test_openapi_schema_generates_and_validates_without_warnings(tmp_path):
    """``manage.py spectacular --validate --fail-on-warn`` over the whole project."""
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/pledges/letters/",
        "/api/pledges/items/",
        "/api/pledges/results/",
        "/api/pledges/activities/",
        "/api/pledges/inspections/",
        "/api/pledges/findings/{id}/fix/",
        "/api/pledges/cases/{id}/decide/",
    ):
        assert path in text
