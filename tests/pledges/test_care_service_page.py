"""The staff page recording a care service (小区党组织服务承诺 第9条 文化惠民暖人心:
"联动物业提供独居老人关爱、儿童托管等便民服务"): reached from the activities page, open to the
members of the compound party organization and of the property company, errors shown next to
the fields with what was typed kept, and the service then shown on the public evidence page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from pledges.models import CareService, PledgeEvent
from tests.factories.pledges import pledge_world
from tests.pledges.conftest import at
from tests.pledges.web import HOSTILE, SQLISH, CheckedClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return CheckedClient()


@pytest.fixture
def world(freeze):
    freeze(at(2026, 5, 4, 10))
    return pledge_world(year=2026, extras=["party_member"])


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def page(world) -> str:
    return reverse("pledges:care_service_new") + f"?compound={world.compound.slug}"


def care_data(org, **overrides) -> dict:
    data = {
        "organization": str(org.pk),
        "kind": "elderly_care",
        "description": "独居老人上门探访",
        "served_on": "2026-05-03",
        "households_served": "6",
        "with_company": "on",
    }
    data.update(overrides)
    return data


def test_company_staff_records_a_care_service_from_the_activities_page(client, world):
    """ "联动物业提供独居老人关爱": the company's staff opens the page from the activities page,
    records a service, and it is listed there and on the public evidence page."""
    client.force_login(world.company_staff)
    listing = client.get(reverse("pledges:activity_list") + f"?compound={world.compound.slug}")
    assert reverse("pledges:care_service_new") in listing.content.decode()
    form = client.get(page(world)).context["form"]
    assert list(form.fields["organization"].queryset) == [world.orgs.property_company]
    response = client.post(page(world), care_data(world.orgs.property_company))
    assert response.status_code == 302
    service = CareService.objects.get()
    assert (service.kind, service.households_served, service.created_by) == (
        "elderly_care",
        6,
        world.company_staff,
    )
    assert PledgeEvent.objects.filter(verb="care_service_record", public=True).count() == 1
    listing = client.get(response["Location"]).content.decode()
    assert "独居老人上门探访" in listing
    client.logout()
    evidence = client.get(
        reverse("pledges:evidence") + f"?compound={world.compound.slug}&year=2026"
    ).content.decode()
    assert "独居老人上门探访" in evidence


def test_party_organization_records_childcare_with_the_company(client, world):
    """ "儿童托管": the compound party organization's secretary records one for the party
    organization, naming the company's part; leaving it out is an error next to the box."""
    client.force_login(world.party_secretary)
    form = client.get(page(world)).context["form"]
    assert list(form.fields["organization"].queryset) == [world.party]
    data = care_data(
        world.party, kind="childcare", description="暑期儿童托管", households_served="1"
    )
    del data["with_company"]
    response = client.post(page(world), data)
    assert response.status_code == 200
    assert response.context["form"].errors["with_company"]
    assert "暑期儿童托管" in response.content.decode()  # nothing typed is lost
    response = client.post(page(world), {**data, "with_company": "on"})
    assert response.status_code == 302
    assert CareService.objects.get().kind == "childcare"


@pytest.mark.parametrize("who", ["resident", "party_member", "pmc_chair"])
def test_residents_voice_only_party_members_and_other_bodies_are_refused(client, world, who):
    """Only members of the compound party organization or the company record care services:
    a resident, a party member with a voice only (not staff) and the PMC chair get 403."""
    client.force_login(getattr(world, who))
    assert client.get(page(world)).status_code == 403
    assert client.post(page(world), care_data(world.party)).status_code == 403
    assert not CareService.objects.exists()


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(page(world))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": "长" * 201}, "description"),
        ({"description": "探访\x00老人"}, "description"),
        ({"description": ""}, "description"),
        ({"households_served": "0"}, "households_served"),
        ({"households_served": "100001"}, "households_served"),
        ({"households_served": "9" * 40}, "households_served"),
        ({"households_served": SQLISH}, "households_served"),
        ({"served_on": "2026-05-05"}, "served_on"),
        ({"served_on": HOSTILE}, "served_on"),
        ({"kind": "parcel"}, "kind"),
        ({"organization": "999999"}, "organization"),
        ({"organization": SQLISH}, "organization"),
    ],
)
def test_hostile_input_is_an_error_next_to_the_field(client, world, overrides, field):
    """Oversized, NUL, out-of-range, future and forged values: a 200 with the error next to
    the field, nothing saved, and the rest of what was typed kept."""
    client.force_login(world.company_staff)
    data = care_data(world.orgs.property_company, **overrides)
    if field != "description":
        data["description"] = "楼道助老服务"
    response = client.post(page(world), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    if field != "description":
        assert "楼道助老服务" in response.content.decode()
    assert not CareService.objects.exists()


def test_an_organization_the_user_does_not_sit_in_is_refused(client, world):
    """The company's staff cannot record a service in the party organization's name."""
    client.force_login(world.company_staff)
    response = client.post(page(world), care_data(world.party))
    assert response.status_code == 200
    assert response.context["form"].errors["organization"]
    assert not CareService.objects.exists()


def test_a_script_is_stored_as_text_and_shown_escaped(client, world):
    client.force_login(world.company_staff)
    response = client.post(page(world), care_data(world.orgs.property_company, description=HOSTILE))
    assert response.status_code == 302
    client.logout()
    body = client.get(
        reverse("pledges:evidence") + f"?compound={world.compound.slug}&year=2026"
    ).content.decode()
    assert HOSTILE not in body
    assert "&lt;script&gt;" in body


def test_errors_are_in_chinese_for_chinese_readers(client, world):
    client.force_login(world.company_staff)
    with translation.override("zh-hans"):
        response = client.post(
            page(world),
            care_data(world.orgs.property_company, households_served="0"),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert response.status_code == 200
        message = str(response.context["form"].errors["households_served"][0])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert message in response.content.decode()
