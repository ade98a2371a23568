"""The DRF issues API (issues/api.py): scoping, reporter shielding, actions, schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import include, path, reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from issues.models import Category, Issue
from issues.services.whistles import STREET_WHISTLE_WAY
from tests.factories.directory import PersonFactory
from tests.factories.issues import IssueFactory, SatisfactionFactory, issue_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return issue_world()


def api_as(person=None) -> APIClient:
    client = APIClient()
    if person is not None:
        client.force_authenticate(person)
    return client


LIST = "/api/issues/issues/"


def detail(issue: Issue, action: str = "") -> str:
    url = reverse("issues_api:issue-detail", kwargs={"tracking": issue.tracking_number})
    return url + (f"{action}/" if action else "")


def tracking_numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["tracking_number"] for row in response.json()["results"]}


# --- reading: who sees what ---------------------------------------------------------


def test_urls_are_where_the_contract_says():
    assert reverse("issues_api:issue-list") == LIST
    assert reverse("issues_api:category-list") == "/api/issues/categories/"
    assert reverse("issues_api:rates-list") == "/api/issues/rates/"


def test_anonymous_cannot_read_issues(world):
    issue = IssueFactory(compound=world.compound)
    assert api_as().get(LIST).status_code in {401, 403}
    assert api_as().get(detail(issue)).status_code in {401, 403}


def test_resident_sees_only_own_issues(world):
    mine = IssueFactory(compound=world.compound, reporter=world.resident)
    theirs = IssueFactory(compound=world.compound, reporter=world.neighbour, is_public=False)
    client = api_as(world.resident)
    assert tracking_numbers(client.get(LIST)) == {mine.tracking_number}
    assert client.get(detail(theirs)).status_code == 404
    body = client.get(detail(mine)).json()
    assert body["tracking_number"] == mine.tracking_number
    # Their own identity is theirs to see.
    assert body["reporter"]["phone"] == world.resident.mobile


def test_property_company_sees_only_transferred_issues_without_reporter(world):
    transferred = IssueFactory(
        compound=world.compound,
        reporter=world.resident,
        status=Issue.Status.TRANSFERRED,
        assigned_org=world.orgs.property_company,
        reporter_name="王五",
        hotline_number="12345-0001",
    )
    shared = IssueFactory(
        compound=world.compound,
        reporter=world.neighbour,
        status=Issue.Status.TRANSFERRED,
        assigned_org=world.orgs.property_company,
        share_identity=True,
    )
    other = IssueFactory(compound=world.compound, reporter=world.resident)
    client = api_as(world.people.property_company)
    response = client.get(LIST)
    assert tracking_numbers(response) == {transferred.tracking_number, shared.tracking_number}
    rows = {row["tracking_number"]: row for row in response.json()["results"]}
    assert rows[transferred.tracking_number]["reporter"] is None
    assert rows[shared.tracking_number]["reporter"]["phone"] == world.neighbour.mobile
    text = response.content.decode()
    assert world.resident.mobile not in text
    assert "王五" not in text
    assert "12345-0001" not in text
    assert client.get(detail(other)).status_code == 404


def test_supervisor_sees_compound_with_reporter(world):
    issue = IssueFactory(compound=world.compound, reporter=world.resident, is_public=False)
    elsewhere = IssueFactory()  # another compound
    client = api_as(world.people.compound_party)
    response = client.get(LIST)
    assert issue.tracking_number in tracking_numbers(response)
    assert elsewhere.tracking_number not in tracking_numbers(response)
    body = client.get(detail(issue)).json()
    assert body["reporter"]["person_id"] == world.resident.pk
    assert body["compound"] == world.compound.slug
    assert body["category"] == issue.category.code


def test_list_is_paginated(world):
    for _ in range(3):
        IssueFactory(compound=world.compound)
    body = api_as(world.people.compound_party).get(LIST).json()
    assert body["count"] == 3
    assert set(body) >= {"count", "next", "previous", "results"}


# --- filters -----------------------------------------------------------------------


def test_filters(world):
    now = timezone.now()
    noise = IssueFactory(
        compound=world.compound,
        category=Category.objects.get(code="noise"),
        building=world.building,
        tier=Issue.Tier.BIG,
        created_at=now - dt.timedelta(days=40),
        next_deadline=None,
    )
    overdue = IssueFactory(
        compound=world.compound,
        category=Category.objects.get(code="elevator"),
        next_deadline=now - dt.timedelta(hours=1),
    )
    paused = IssueFactory(
        compound=world.compound,
        status=Issue.Status.WAITING_REPORTER,
        next_deadline=now - dt.timedelta(hours=1),
        paused_at=now - dt.timedelta(hours=3),
    )
    closed = IssueFactory(
        compound=world.compound,
        status=Issue.Status.CLOSED,
        next_deadline=now - dt.timedelta(hours=1),
    )
    client = api_as(world.people.compound_party)

    def get(query: str) -> set[str]:
        return tracking_numbers(client.get(LIST + query))

    assert get("?category=noise") == {noise.tracking_number}
    assert get(f"?building={world.building.pk}") == {noise.tracking_number}
    assert get("?tier=big") == {noise.tracking_number}
    assert get("?status=closed&status=waiting_reporter") == {
        closed.tracking_number,
        paused.tracking_number,
    }
    assert get("?overdue=true") == {overdue.tracking_number}
    assert overdue.tracking_number not in get("?overdue=false")
    assert get(f"?compound={world.compound.slug}&category=elevator") == {overdue.tracking_number}
    before = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    assert get(f"?created_before={before}") == {noise.tracking_number}
    assert noise.tracking_number not in get(f"?created_after={before}")
    assert get("?compound=nowhere") == set()


@pytest.mark.parametrize(
    "query",
    ["?status=bogus", "?tier=huge", "?created_after=yesterday", "?building=abc", "?status=%00"],
)
def test_bad_filter_values_are_400(world, query):
    response = api_as(world.people.compound_party).get(LIST + query)
    assert response.status_code == 400
    assert response.json()


# --- actions -----------------------------------------------------------------------


def test_accept_by_manager(world):
    issue = IssueFactory(compound=world.compound, reporter=world.resident)
    response = api_as(world.people.compound_party).post(
        detail(issue, "accept"), {"note": "已受理"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Issue.Status.ACCEPTED
    issue.refresh_from_db()
    assert issue.status == Issue.Status.ACCEPTED
    assert issue.events.filter(to_state=Issue.Status.ACCEPTED).exists()


def test_accept_twice_is_400_with_a_message(world):
    issue = IssueFactory(compound=world.compound, status=Issue.Status.CLOSED)
    response = api_as(world.people.compound_party).post(detail(issue, "accept"), {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body
    assert all(isinstance(messages, list) and messages for messages in body.values())


def test_reporter_cannot_accept_own_issue(world):
    issue = IssueFactory(compound=world.compound, reporter=world.resident)
    response = api_as(world.resident).post(detail(issue, "accept"), {}, format="json")
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SUBMITTED


def test_anonymous_action_is_refused(world):
    issue = IssueFactory(compound=world.compound)
    response = api_as().post(detail(issue, "accept"), {}, format="json")
    assert response.status_code in {401, 403}


def test_action_on_invisible_issue_is_404(world):
    issue = IssueFactory(compound=world.compound, reporter=world.neighbour)
    response = api_as(world.resident).post(detail(issue, "accept"), {}, format="json")
    assert response.status_code == 404


def test_transfer_then_progress_then_resolve(world):
    issue = IssueFactory(compound=world.compound, reporter=world.resident)
    manager = api_as(world.people.compound_party)
    assert manager.post(detail(issue, "accept"), {}, format="json").status_code == 200
    response = manager.post(
        detail(issue, "transfer"),
        {"organization": world.orgs.property_company.pk, "note": "请物业处理"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["assigned_org"]["id"] == world.orgs.property_company.pk

    company = api_as(world.people.property_company)
    response = company.post(
        detail(issue, "progress"), {"note": "<script>alert(1)</script> 明天维修"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert issue.events.filter(note="<script>alert(1)</script> 明天维修").exists()

    response = company.post(
        detail(issue, "resolve"),
        {"explanation": "已更换3单元楼道的灯泡，经检查照明已恢复正常。"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Issue.Status.RESOLVED


def test_property_company_cannot_reject(world):
    issue = IssueFactory(
        compound=world.compound,
        status=Issue.Status.TRANSFERRED,
        assigned_org=world.orgs.property_company,
    )
    response = api_as(world.people.property_company).post(
        detail(issue, "reject"),
        {"explanation": "该处路灯属于市政设施，已转告街道城管部门处理。"},
        format="json",
    )
    assert response.status_code == 403


def test_transfer_to_another_compounds_organization_is_400(world):
    issue = IssueFactory(compound=world.compound, status=Issue.Status.ACCEPTED)
    stranger = issue_world()
    response = api_as(world.people.compound_party).post(
        detail(issue, "transfer"),
        {"organization": stranger.orgs.property_company.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()
    issue.refresh_from_db()
    assert issue.assigned_org is None


def test_reject_with_explanation(world):
    issue = IssueFactory(compound=world.compound)
    response = api_as(world.people.compound_party).post(
        detail(issue, "reject"),
        {"explanation": "该问题属于市政道路，已告知反映人拨打12345。"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Issue.Status.REJECTED


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        ("transfer", {}, "organization"),
        ("transfer", {"organization": 99999999}, "organization"),
        ("transfer", {"organization": "abc"}, "organization"),
        ("progress", {}, "note"),
        ("progress", {"note": "x" * 100_000}, "note"),
        ("resolve", {"explanation": ""}, "explanation"),
        ("reject", {"explanation": "y" * 100_000}, "explanation"),
        ("accept", {"note": "z" * 100_000}, "note"),
    ],
)
def test_action_bad_input_is_400_with_field_messages(world, action, payload, field):
    issue = IssueFactory(compound=world.compound, status=Issue.Status.ACCEPTED)
    response = api_as(world.people.compound_party).post(
        detail(issue, action), payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.ACCEPTED


def test_action_with_garbage_body_is_400(world):
    issue = IssueFactory(compound=world.compound)
    response = api_as(world.people.compound_party).post(
        detail(issue, "accept"), "{not json", content_type="application/json"
    )
    assert response.status_code == 400


# --- public endpoints ------------------------------------------------------------------


def test_categories_are_public():
    Category.objects.filter(code="other").update(active=False)
    response = api_as().get("/api/issues/categories/")
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()]
    assert "elevator" in codes
    assert "other" not in codes


def test_rates_are_public(world):
    month_start = timezone.localdate().replace(day=1)
    issue = IssueFactory(compound=world.compound, status=Issue.Status.CLOSED)
    SatisfactionFactory(issue=issue)
    response = api_as().get(
        "/api/issues/rates/", {"compound": world.compound.slug, "month": f"{month_start:%Y-%m}"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["compound"] == world.compound.slug
    assert body["total"] >= 1
    assert body["formulas"]
    assert {"response_rate", "resolution_rate", "satisfaction_rate"} <= set(body)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"compound": "jiangnan-huashan"}, 400),
        ({"compound": "x", "month": "2026-13"}, 400),
        ({"compound": "x", "month": "2026-1"}, 400),
        ({"compound": "<script>", "month": "2026-01"}, 400),
        ({"compound": "no-such-compound", "month": "2026-01"}, 404),
        ({"compound": "x" * 500, "month": "2026-01"}, 400),
    ],
)
def test_rates_bad_parameters(params, status):
    assert api_as().get("/api/issues/rates/", params).status_code == status


def test_token_auth_works_and_inactive_person_is_refused(world):
    from rest_framework.authtoken.models import Token

    issue = IssueFactory(compound=world.compound, reporter=world.resident)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.resident).key}")
    assert tracking_numbers(client.get(LIST)) == {issue.tracking_number}

    person = PersonFactory(is_active=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=person).key}")
    assert client.get(LIST).status_code in {401, 403}
    client.credentials(HTTP_AUTHORIZATION="Token ' OR 1=1 --")
    assert client.get(LIST).status_code in {401, 403}


# --- OpenAPI ---------------------------------------------------------------------


def test_openapi_schema_for_issue_endpoints_has_no_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/issues/", include("issues.api"))])
    with GENERATOR_STATS.silence():
        schema = generator.get_schema(request=None, public=True)
    problems = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert problems == {}
    validate_schema(schema)
    paths = schema["paths"]
    assert "/api/issues/issues/{tracking}/accept/" in paths
    for action in ("tier", "hazard", "whistle", "supervise", "acknowledge"):
        operation = paths[f"/api/issues/issues/{{tracking}}/{action}/"]["post"]
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "/api/issues/rates/" in paths
    reporter = schema["components"]["schemas"]["Issue"]["properties"]["reporter"]
    assert reporter


def test_schema_endpoint_serves(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/issues/issues/" in response.content


# --- more actions: tier, hazard, whistle, supervision, referral acknowledgement --------------

NEW_ACTIONS = ("tier", "hazard", "whistle", "supervise", "acknowledge")


def zh(msgid: str) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def transferred(world) -> Issue:
    """An issue transferred to the property company through the services."""
    import uuid

    from issues import services

    office = world.people.joint_meeting_office
    issue = services.issue_submit(
        actor=world.resident,
        compound=world.compound,
        category=Category.objects.get_or_create(code="environment", defaults={"name": "环境"})[0],
        description="楼道灯坏了一个星期",
        building=world.building,
        client_key=str(uuid.uuid4()),
    ).issue
    services.issue_accept(actor=office, issue=issue)
    services.issue_transfer(actor=office, issue=issue, organization=world.orgs.property_company)
    return issue


def test_tier_change_by_manager_and_refused_to_the_company_and_the_reporter(world):
    """seed: 协同联动 第一条—第五条 (三事分流)."""
    issue = transferred(world)
    body = {"tier": "big", "reason": "涉及多方，需要联合调查"}
    for person in (world.people.property_company, world.resident):
        assert api_as(person).post(detail(issue, "tier"), body, format="json").status_code == 403
    response = api_as(world.people.compound_party).post(detail(issue, "tier"), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["tier"] == "big"
    assert issue.events.filter(verb="tier").count() == 1


def test_hazard_flag_set_then_refused_twice_then_withdrawn(world):
    """seed: 小区党组织服务承诺 第7条 (安全隐患 3 日内整改)."""
    issue = transferred(world)
    manager = api_as(world.people.joint_meeting_office)
    body = {"is_hazard": True, "reason": "电线外露，有触电危险"}
    assert (
        api_as(world.people.property_company)
        .post(detail(issue, "hazard"), body, format="json")
        .status_code
        == 403
    )
    response = manager.post(detail(issue, "hazard"), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["is_hazard"] is True
    again = manager.post(detail(issue, "hazard"), body, format="json")
    assert again.status_code == 400
    assert again.json()["is_hazard"] == [zh("The issue is already flagged as a safety hazard.")]
    response = manager.post(
        detail(issue, "hazard"), {"is_hazard": False, "reason": "经查不是隐患"}, format="json"
    )
    assert response.status_code == 200
    issue.refresh_from_db()
    assert (issue.is_hazard, issue.hazard_due) == (False, None)


def test_community_whistle_summons_organizations_and_party_members(world):
    """seed: 协同联动 第三条 (社区吹哨、党员报到)."""
    issue = transferred(world)
    member = world.people.compound_party  # a party member of the compound
    body = {
        "level": "community",
        "organizations": [world.orgs.pmc.pk],
        "persons": [member.pk],
        "reason": "多方协调",
    }
    # The company sees the issue but may not summon; the PMC does not even see it.
    company = api_as(world.people.property_company)
    assert company.post(detail(issue, "whistle"), body, format="json").status_code == 403
    assert (
        api_as(world.people.pmc).post(detail(issue, "whistle"), body, format="json").status_code
        == 404
    )
    response = api_as(world.people.community_party).post(
        detail(issue, "whistle"), body, format="json"
    )
    assert response.status_code == 200, response.content
    whistle = issue.whistles.get()
    assert whistle.level == "community"
    assert {(s.organization_id, s.person_id) for s in whistle.summonses.all()} == {
        (world.orgs.pmc.pk, None),
        (None, member.pk),
    }


@pytest.mark.parametrize("who", ["compound_party", "community_party"])
def test_street_whistle_is_not_blown_through_the_api_but_by_asking_the_street(world, who):
    """seed: 协同联动 第四条 "社区党组织应及时提请街道运用'街道吹哨、部门报到'机制" — the street
    whistle comes only from the community party organization's request to the street, so the
    API offers the community whistle alone and says the way to anyone who asks for the other."""
    issue = transferred(world)
    body = {"level": "street", "organizations": [world.orgs.department.pk], "reason": "超出职责"}
    response = api_as(getattr(world.people, who)).post(
        detail(issue, "whistle"), body, format="json"
    )
    assert response.status_code == 400, response.content
    way = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            way[language] = str(STREET_WHISTLE_WAY)
    assert response.json()["level"][0] in way.values()
    assert not issue.whistles.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"level": "community", "reason": "协调"}, "organizations"),
        ({"level": "galaxy", "organizations": [1], "reason": "协调"}, "level"),
        ({"level": "community", "organizations": [99999999], "reason": "协调"}, "organizations"),
        ({"level": "community", "organizations": ["abc"], "reason": "协调"}, "organizations"),
        (
            {"level": "community", "organizations": list(range(1, 60)), "reason": "x"},
            "organizations",
        ),
        ({"level": "community", "organizations": 5, "reason": "协调"}, "organizations"),
        ({"level": "community", "persons": [2**70], "reason": "协调"}, "persons"),
        ({"level": "community", "organizations": [], "reason": ""}, "reason"),
        ({"level": "community", "report_due": "yesterday", "reason": "协调"}, "report_due"),
    ],
)
def test_whistle_bad_input_is_400_with_field_messages(world, payload, field):
    issue = transferred(world)
    response = api_as(world.people.community_party).post(
        detail(issue, "whistle"), payload, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()[field]
    assert not issue.whistles.exists()


def test_whistle_refuses_people_who_are_not_party_members_and_past_deadlines(world):
    issue = transferred(world)
    client = api_as(world.people.community_party)
    response = client.post(
        detail(issue, "whistle"),
        {"level": "community", "persons": [world.resident.pk], "reason": "协调"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["persons"] == [zh("Only party members of the compound can be summoned.")]
    response = client.post(
        detail(issue, "whistle"),
        {
            "level": "community",
            "organizations": [world.orgs.pmc.pk],
            "reason": "协调",
            "report_due": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "report_due" in response.json()
    assert not issue.whistles.exists()


def test_supervision_order_by_supervisors_only(world):
    """seed: 协同联动 第二条 — 由小区党组织和社区环境和物业管理委员会进行督办."""
    issue = transferred(world)
    body = {
        "organization": world.orgs.property_company.pk,
        "due": (timezone.now() + dt.timedelta(days=5)).isoformat(),
        "instruction": "五日内给出整改结果",
    }
    # The company sees the issue but may not supervise; the PMC does not even see it.
    for person, refused in ((world.people.property_company, 403), (world.people.pmc, 404)):
        response = api_as(person).post(detail(issue, "supervise"), body, format="json")
        assert response.status_code == refused
    response = api_as(world.people.rc_property_committee).post(
        detail(issue, "supervise"), body, format="json"
    )
    assert response.status_code == 200, response.content
    order = issue.supervision_orders.get()
    assert order.organization == world.orgs.property_company
    assert order.instruction == "五日内给出整改结果"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due": "next week"}, "due"),
        ({"due": "2020-01-01T00:00:00+08:00"}, "due"),
        ({"organization": None}, "organization"),
        ({"organization": "abc"}, "organization"),
        ({"instruction": ""}, "instruction"),
        ({"instruction": "x" * 100_000}, "instruction"),
    ],
)
def test_supervision_bad_input_is_400(world, change, field):
    issue = transferred(world)
    body = {
        "organization": world.orgs.property_company.pk,
        "due": (timezone.now() + dt.timedelta(days=5)).isoformat(),
        "instruction": "五日内给出整改结果",
        **change,
    }
    response = api_as(world.people.compound_party).post(
        detail(issue, "supervise"), body, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()[field]
    assert not issue.supervision_orders.exists()


def test_supervision_of_another_compounds_organization_is_400(world):
    issue = transferred(world)
    stranger = issue_world()
    response = api_as(world.people.compound_party).post(
        detail(issue, "supervise"),
        {
            "organization": stranger.orgs.property_company.pk,
            "due": (timezone.now() + dt.timedelta(days=5)).isoformat(),
            "instruction": "限期整改",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()


def test_referral_acknowledged_once_by_its_own_organization(world):
    """签收 (seed: 协同联动 第二条): each referral's acknowledgement time is recorded."""
    issue = transferred(world)
    referral = issue.referrals.get(purpose="supervise", organization=world.orgs.compound_party)
    body = {"referral": referral.pk}
    response = api_as(world.people.property_company).post(
        detail(issue, "acknowledge"), body, format="json"
    )
    assert response.status_code == 403
    party = api_as(world.people.compound_party)
    assert party.post(detail(issue, "acknowledge"), body, format="json").status_code == 200
    referral.refresh_from_db()
    assert referral.acknowledged_by == world.people.compound_party
    again = party.post(detail(issue, "acknowledge"), body, format="json")
    assert again.status_code == 400
    assert again.json()


@pytest.mark.parametrize("referral", [None, "abc", -1, 0, 2**70, 99999999, "other issue"])
def test_acknowledge_bad_referral_is_400(world, referral):
    issue = transferred(world)
    if referral == "other issue":
        referral = transferred(world).referrals.first().pk
    body = {} if referral is None else {"referral": referral}
    response = api_as(world.people.compound_party).post(
        detail(issue, "acknowledge"), body, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["referral"]


def test_no_such_referral_message_is_translated(world):
    issue = transferred(world)
    response = api_as(world.people.compound_party).post(
        detail(issue, "acknowledge"), {"referral": 99999999}, format="json"
    )
    assert response.json() == {"referral": [zh("This issue has no such referral.")]}


@pytest.mark.parametrize("action", NEW_ACTIONS)
@pytest.mark.parametrize(
    "raw", ["[]", '"text"', "null", "{not json", '{"a": {"b": [1, 2, {"c": null}]}}', "1e999"]
)
def test_new_actions_answer_hostile_bodies_with_400(world, action, raw):
    issue = transferred(world)
    response = api_as(world.people.community_party).post(
        detail(issue, action), raw, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()


@pytest.mark.parametrize("action", NEW_ACTIONS)
def test_new_actions_refuse_anonymous_and_hide_invisible_issues(world, action):
    issue = transferred(world)
    assert api_as().post(detail(issue, action), {}, format="json").status_code in {401, 403}
    stranger = issue_world()
    response = api_as(stranger.people.compound_party).post(detail(issue, action), {}, format="json")
    assert response.status_code == 404


# --- rates: hostile months (issue 14 item 8) ------------------------------------------

RATES = "/api/issues/rates/"


@pytest.mark.parametrize(
    "month",
    [
        "0000-01",
        "2026-13",
        "2026-00",
        "abc",
        "9999-12",
        "1899-12",
        "x" * 5000,
        "\x00",
        "2026-01\x00",
    ],
)
def test_rates_hostile_month_is_400_with_the_month_error(world, month):
    """A month the calendar cannot hold (year 0, month 13, 5,000 characters, NUL) is the
    caller's mistake: 400 naming ``month``, never a 500 (评议监督考核 三率 stay public)."""
    response = api_as().get(RATES, {"compound": world.compound.slug, "month": month})

    assert response.status_code == 400, response.content
    assert list(response.json()) == ["month"]
    assert response.json()["month"][0]


def test_rates_month_out_of_range_is_explained_in_chinese_and_english(world):
    params = {"compound": world.compound.slug, "month": "0000-01"}
    english = api_as().get(RATES, params, HTTP_ACCEPT_LANGUAGE="en")
    chinese = api_as().get(RATES, params, HTTP_ACCEPT_LANGUAGE="zh-hans")

    msgid = "Enter a month from %(first)s-01 to %(last)s-12."
    years = {"first": 2000, "last": 2099}
    assert english.json() == {"month": ["Enter a month from 2000-01 to 2099-12."]}
    assert chinese.json() == {"month": [zh(msgid) % years]}
    assert chinese.json() == {"month": ["请输入 2000-01 至 2099-12 之间的月份。"]}


def test_rates_month_raw_percent_00_in_the_query_string_is_400(world):
    response = api_as().get(f"{RATES}?compound={world.compound.slug}&month=%00")

    assert response.status_code == 400
    assert "month" in response.json()


@pytest.mark.parametrize("month", ["2000-01", "2099-12"])
def test_rates_months_at_the_edges_of_the_range_answer(world, month):
    response = api_as().get(RATES, {"compound": world.compound.slug, "month": month})

    assert response.status_code == 200, response.content
    assert response.json()["total"] == 0
