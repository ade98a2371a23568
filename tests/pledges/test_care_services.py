"""小区党组织服务承诺 第9条 文化惠民暖人心: "联动物业提供独居老人关爱、儿童托管等便民服务" —
care services recorded by the compound party organization or the property company, with
the households served, shown on the pledge evidence page (the seed sets no number)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from pledges import selectors, services
from pledges.models import CareService, PledgeEvent
from tests.factories.pledges import pledge_world
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def care(world, actor, organization, **overrides):
    values = {
        "kind": "elderly_care",
        "description": "独居老人上门探访",
        "served_on": dt.date(2026, 5, 3),
        "households_served": 6,
    }
    values.update(overrides)
    return services.care_service_record(
        actor=actor, compound=world.compound, organization=organization, **values
    )


def test_the_company_and_the_party_organization_record_care_services(freeze):
    """ "联动物业提供独居老人关爱、儿童托管": the company records its own; the party
    organization's names the company's part; each writes a public event."""
    freeze(at(2026, 5, 4, 10))
    world = pledge_world(year=2026)
    by_company = care(world, world.company_staff, world.orgs.property_company, with_company=False)
    assert by_company.with_company  # the company is the organizer: always its part
    by_party = care(
        world, world.party_secretary, world.party, kind="childcare", households_served=1
    )
    assert (by_party.kind, by_party.households_served) == ("childcare", 1)
    assert PledgeEvent.objects.filter(verb="care_service_record", public=True).count() == 2
    with pytest.raises(ValidationError) as exc:
        care(world, world.party_secretary, world.party, with_company=False)
    assert "with_company" in exc.value.message_dict


def test_bad_care_service_input_is_refused_field_by_field(freeze):
    """Households served: 1 is the least (0 refused); kind, date and organizer are checked."""
    freeze(at(2026, 5, 4, 10))
    world = pledge_world(year=2026)
    with pytest.raises(ValidationError) as exc:
        care(
            world,
            world.party_secretary,
            world.party,
            kind="parcel",
            households_served=0,
            served_on=dt.date(2026, 5, 5),
            description="",
        )
    assert set(exc.value.message_dict) == {
        "kind",
        "households_served",
        "served_on",
        "description",
    }
    with pytest.raises(ValidationError) as exc:
        care(world, world.pmc_chair, world.pmc)  # not the party organization or the company
    assert "organization" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # not a member of the company
        care(world, world.party_secretary, world.orgs.property_company)
    assert "organization" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        care(world, world.resident, world.party)
    assert not CareService.objects.exists()


def test_the_evidence_page_shows_the_years_care_services_and_households(client, freeze):
    """The evidence page lists the year's care services with their count and households;
    a service of the year before is not counted, and an empty year says none recorded."""
    freeze(at(2026, 5, 4, 10))
    world = pledge_world(year=2026)
    care(world, world.company_staff, world.orgs.property_company, households_served=6)
    care(world, world.party_secretary, world.party, kind="childcare", households_served=2)
    care(
        world,
        world.party_secretary,
        world.party,
        served_on=dt.date(2025, 12, 31),
        description="去年的服务",
    )
    summary = selectors.care_services_of_year(compound=world.compound, year=2026)
    assert (summary["count"], summary["households"]) == (2, 8)
    url = reverse("pledges:evidence") + f"?compound={world.compound.slug}&year=2026"
    body = client.get(url).content.decode()
    assert 'id="care-services"' in body
    assert "独居老人上门探访" in body
    assert "去年的服务" not in body
    empty = selectors.care_services_of_year(compound=world.compound, year=2024)
    assert (empty["count"], empty["households"]) == (0, 0)
