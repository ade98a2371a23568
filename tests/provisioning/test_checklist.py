"""The setup checklist of a compound: page, JSON, fixes, permissions and the dashboard count.

seed: 联席会议议事规则 第一、四条; 物业管理委员会服务承诺 第7条 (term start);
公示承诺制度 第一条、第三条 1 (投诉电话); 决策报告制度 第四条 (义务质量总监).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosures.models import Disclosure
from huashan.directory.models import Membership, Organization
from pledges.models import PledgeLetter
from provisioning.checklist import compound_checklist, compound_checklists
from provisioning.models import ProvisioningEvent
from provisioning.services import provision_compound
from tests.factories.directory import (
    CompoundFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
)
from tests.factories.disclosures import DisclosureFactory, category
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db
Kind = Organization.Kind
Role = Membership.Role


def _open(compound):
    return {i.code for i in compound_checklist(compound) if not i.ok}


def _seat(kind, *, compound=None, community=None, street=None, role=Role.SECRETARY):
    org = OrganizationFactory(kind=kind, compound=compound, community=community, street=street)
    return MembershipFactory(organization=org, role=role).person


def test_bare_compound_lists_everything_the_rules_need(templates):
    compound = CompoundFactory()
    assert _open(compound) >= {
        "party_organization",
        "pmc_members",
        "property_company",
        "joint_meeting_office",
        "quality_supervisor",
        "obligations",
        "personnel_disclosure",
        "pledge_letters",
    }


def test_complete_compound_has_nothing_open_but_the_calendar(templates):
    world = compound_world()
    compound = world.compound
    Organization.objects.filter(compound=compound, kind=Kind.PROPERTY_COMPANY).update(
        phone="027-81818577"
    )
    company = Organization.objects.get(compound=compound, kind=Kind.PROPERTY_COMPANY)
    MembershipFactory(organization=company, role=Role.QUALITY_SUPERVISOR)
    provision_compound(compound=compound, year=timezone.localdate().year)
    PledgeLetter.objects.filter(compound=compound).update(published=True)
    DisclosureFactory(organization=world.orgs.compound_party, category=category("personnel"))
    assert _open(compound) <= {"calendar_next_year"}


def test_checklist_of_many_compounds_takes_a_fixed_number_of_queries(
    templates, django_assert_max_num_queries
):
    few = [compound_world().compound for _ in range(2)]
    many = few + [compound_world().compound for _ in range(4)]
    with django_assert_max_num_queries(8):
        compound_checklists(few)
    with django_assert_max_num_queries(8):
        compound_checklists(many)


# --- permissions ----------------------------------------------------------------------


def test_who_may_open_the_checklist(client, templates):
    compound = CompoundFactory()
    url = reverse("provisioning:checklist", args=[compound.slug])
    allowed = [
        _seat(Kind.COMMUNITY_PARTY, community=compound.community),
        _seat(Kind.STREET_OFFICE, street=compound.community.street),
        _seat(Kind.COMPOUND_PARTY, compound=compound),
    ]
    refused = [
        PersonFactory(),
        _seat(Kind.PMC, compound=compound, role=Role.CHAIR),
        _seat(Kind.COMPOUND_PARTY, compound=CompoundFactory()),
    ]
    for person in allowed:
        client.force_login(person)
        assert client.get(url).status_code == 200, person
        assert client.get(url + "checklist.json").status_code == 200
    for person in refused:
        client.force_login(person)
        assert client.get(url).status_code == 403, person
        assert client.get(url + "checklist.json").status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_unknown_compound_is_404(client, templates):
    client.force_login(PersonFactory(is_superuser=True, is_staff=True))
    assert client.get("/setup/no-such-place/").status_code == 404
    assert client.get("/setup/no-such-place/checklist.json").status_code == 404


# --- JSON ------------------------------------------------------------------------------


def test_json_names_every_item_with_its_rule_and_fix(client, templates):
    compound = CompoundFactory()
    client.force_login(_seat(Kind.COMMUNITY_PARTY, community=compound.community))
    data = client.get(reverse("provisioning:checklist_json", args=[compound.slug])).json()
    assert data["compound"] == compound.slug
    assert data["open"] == sum(1 for i in data["items"] if not i["ok"])
    codes = {i["code"] for i in data["items"]}
    assert {"party_organization", "property_company", "calendar_next_year"} <= codes
    assert all(i["article"] and i["fix_url"].startswith("/") for i in data["items"])


# --- fixing items ----------------------------------------------------------------------


def test_secretary_registers_the_company_phone_and_the_count_drops(client, templates):
    compound = CompoundFactory()
    secretary = _seat(Kind.COMMUNITY_PARTY, community=compound.community)
    client.force_login(secretary)
    page = reverse("provisioning:checklist", args=[compound.slug])
    before = client.get(page).context["open_count"]
    assert {"property_company", "obligations"} <= _open(compound)
    url = reverse("provisioning:organization", args=[compound.slug, Kind.PROPERTY_COMPANY])
    response = client.post(url, {"name": "", "phone": "027-81818577"})
    assert response.status_code == 302
    company = Organization.objects.get(compound=compound, kind=Kind.PROPERTY_COMPANY)
    assert (company.phone, company.name) == ("027-81818577", f"{compound.name}物业服务项目部")
    # The company item is fixed, and saving set the year's obligations up.
    assert client.get(page).context["open_count"] == before - 2
    assert not {"property_company", "obligations"} & _open(compound)
    assert ProvisioningEvent.objects.filter(compound=compound, verb="organization_add").exists()


@pytest.mark.parametrize(
    ("phone", "fragment"),
    [("", "phone"), ("<script>alert(1)</script>", "phone"), ("1" * 40, "phone")],
    ids=["missing", "hostile", "oversized"],
)
def test_bad_company_phone_is_refused_with_the_text_kept(client, templates, phone, fragment):
    compound = CompoundFactory()
    client.force_login(_seat(Kind.COMMUNITY_PARTY, community=compound.community))
    url = reverse("provisioning:organization", args=[compound.slug, Kind.PROPERTY_COMPANY])
    response = client.post(url, {"name": "某物业", "phone": phone})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "某物业" in response.content.decode()
    assert not Organization.objects.filter(compound=compound, kind=Kind.PROPERTY_COMPANY).exists()


def test_unknown_organization_kind_is_404(client, templates):
    compound = CompoundFactory()
    client.force_login(_seat(Kind.COMMUNITY_PARTY, community=compound.community))
    url = reverse("provisioning:organization", args=[compound.slug, "street_office"])
    assert client.get(url).status_code == 404


def test_pmc_member_with_term_start_sets_the_item7_window(client, templates):
    """物业管理委员会服务承诺 第7条 "上任3个月内": the term start entered here is the one
    the window counts from."""
    compound = CompoundFactory()
    OrganizationFactory(kind=Kind.COMPOUND_PARTY, compound=compound)
    OrganizationFactory(kind=Kind.PMC, compound=compound)
    client.force_login(_seat(Kind.COMMUNITY_PARTY, community=compound.community))
    url = reverse("provisioning:member", args=[compound.slug, Kind.PMC])
    response = client.post(
        url, {"name": "王主任", "mobile": "13912345678", "role": Role.CHAIR, "start": "2026-05-10"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(person__mobile="13912345678")
    assert membership.start == dt.date(2026, 5, 10)
    year = timezone.localdate().year
    item = PledgeLetter.objects.get(compound=compound, year=year, organization__kind=Kind.PMC)
    item7 = item.items.get(number=7)
    assert (item7.params["start"], item7.params["due"]) == ("2026-05-10", "2026-08-10")
    assert item7.active == (year == 2026)
    assert "pmc_members" not in _open(compound)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "mobile": "13912345678", "role": "chair", "start": "2026-05-10"}, "name"),
        ({"name": "王", "mobile": "12345", "role": "chair", "start": "2026-05-10"}, "mobile"),
        (
            {"name": "王", "mobile": "13912345678", "role": "secretary", "start": "2026-05-10"},
            "role",
        ),
        ({"name": "王", "mobile": "13912345678", "role": "chair", "start": "去年"}, "start"),
        (
            {
                "name": "<b>王</b>" * 20,
                "mobile": "13912345678",
                "role": "chair",
                "start": "2026-05-10",
            },
            "name",
        ),
    ],
    ids=["missing-name", "bad-mobile", "wrong-role", "bad-date", "oversized"],
)
def test_bad_member_input_is_refused_next_to_its_field(client, templates, data, field):
    compound = CompoundFactory()
    OrganizationFactory(kind=Kind.PMC, compound=compound)
    client.force_login(_seat(Kind.COMMUNITY_PARTY, community=compound.community))
    url = reverse("provisioning:member", args=[compound.slug, Kind.PMC])
    response = client.post(url, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Membership.objects.filter(person__mobile="13912345678").exists()


def test_provision_button_sets_up_the_year(client, templates):
    world = compound_world()
    client.force_login(world.people.compound_party)
    assert "obligations" in _open(world.compound)
    response = client.post(reverse("provisioning:provision", args=[world.compound.slug]))
    assert response.status_code == 302
    assert "obligations" not in _open(world.compound)
    assert (
        client.get(reverse("provisioning:provision", args=[world.compound.slug])).status_code == 405
    )


def test_personnel_disclosure_item_follows_publication(templates):
    world = compound_world()
    assert "personnel_disclosure" in _open(world.compound)
    DisclosureFactory(
        organization=world.orgs.compound_party,
        category=category("personnel"),
        state=Disclosure.State.DRAFT,
    )
    assert "personnel_disclosure" in _open(world.compound)
    DisclosureFactory(organization=world.orgs.compound_party, category=category("personnel"))
    assert "personnel_disclosure" not in _open(world.compound)


# --- dashboard -------------------------------------------------------------------------


def test_community_dashboard_shows_the_open_count(client, templates):
    from dashboard.selectors.setup import setup_open_items

    compound = CompoundFactory()
    other = CompoundFactory(community=compound.community)
    summary = setup_open_items(place=compound.community)
    assert summary.open == sum(
        1 for c in (compound, other) for i in compound_checklist(c) if not i.ok
    )
    secretary = _seat(Kind.COMMUNITY_PARTY, community=compound.community)
    client.force_login(secretary)
    response = client.get(reverse("dashboard:community", args=[compound.community.slug]))
    if response.status_code == 200:
        html = response.content.decode()
        assert f'data-open="{summary.open}"' in html
        assert reverse("provisioning:checklist", args=[compound.slug]) in html


def test_templates_page_shows_each_template_with_its_article(client, templates):
    compound = CompoundFactory()
    client.force_login(_seat(Kind.COMMUNITY_PARTY, community=compound.community))
    html = client.get(reverse("provisioning:templates")).content.decode()
    assert "物业管理委员会服务承诺" in html
    assert "公示承诺制度 第二条" in html
    assert "民主测评标准由街道统一制定" in html


def _grow(world, n):
    """More members, disclosures and letters: the page must not query more."""
    for _ in range(n):
        MembershipFactory(organization=world.orgs.pmc, role=Role.MEMBER)
        DisclosureFactory(organization=world.orgs.compound_party, category=category("personnel"))


def test_checklist_page_and_json_query_count_does_not_grow(
    client, templates, django_assert_max_num_queries
):
    small, large = compound_world(), compound_world()
    _grow(large, 12)
    for world in (small, large):
        client.force_login(world.people.compound_party)
        page = reverse("provisioning:checklist", args=[world.compound.slug])
        client.get(page)  # warm the session and permission cache
        with django_assert_max_num_queries(16):
            assert client.get(page).status_code == 200
        with django_assert_max_num_queries(16):
            assert client.get(page + "checklist.json").status_code == 200


def test_dashboard_setup_summary_query_count_does_not_grow(
    templates, django_assert_max_num_queries
):
    from dashboard.selectors.setup import setup_open_items

    first = compound_world()
    with django_assert_max_num_queries(9):
        setup_open_items(place=first.compound.community)
    for _ in range(4):
        world = compound_world(CompoundFactory(community=first.compound.community))
        _grow(world, 3)
    with django_assert_max_num_queries(9):
        summary = setup_open_items(place=first.compound.community)
    assert len(summary.rows) == 5
