"""The disclosures API: public read, publisher writes through the services, filters, OpenAPI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from rest_framework.test import APIClient

from disclosures import services
from disclosures.models import Disclosure, Ledger, Objection, PeriodType
from tests.factories.disclosures import DisclosureFactory, ObjectionFactory, category

pytestmark = pytest.mark.django_db

BASE = "/api/disclosures/disclosures/"
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, person):
    api.force_authenticate(person)
    return api


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def create_payload(world, **overrides) -> dict:
    payload = {
        "compound": world.compound.slug,
        "organization": world.pmc.pk,
        "category": "public_revenue",
        "title": "2026年7月公共收益收支明细",
        "body_markdown": "本月收支如下。",
        "period_type": "month",
        "period_start": "2026-07-01",
        "period_end": "2026-07-31",
        "channels": ["board", "online"],
    }
    payload.update(overrides)
    return payload


def ledger_payload(**overrides) -> dict:
    payload = {
        "opening_balance": "1000.00",
        "stated_income": "300.00",
        "stated_expense": "120.50",
        "stated_closing_balance": "1179.50",
        "lines": [
            {"date": "2026-07-03", "item": "停车费", "amount": "300.00", "direction": "income"},
            {
                "date": "2026-07-09",
                "item": "绿化养护",
                "counterparty": "某园林公司",
                "amount": "120.50",
                "direction": "expense",
            },
        ],
    }
    payload.update(overrides)
    return payload


# --- public read -----------------------------------------------------------------------


def test_public_read_without_login_hides_drafts(api, world):
    posted = DisclosureFactory(organization=world.pmc)
    draft = DisclosureFactory(organization=world.pmc, state=Disclosure.State.DRAFT)
    assert ids(api.get(BASE)) == {posted.pk}
    assert api.get(f"{BASE}{draft.pk}/").status_code == 404
    detail = api.get(f"{BASE}{posted.pk}/")
    assert detail.status_code == 200
    assert detail.json()["title"] == posted.title
    # The publisher sees their organization's draft; another organization does not.
    assert ids(as_user(api, world.pmc_chair).get(BASE)) == {posted.pk, draft.pk}
    assert ids(as_user(api, world.company_staff).get(BASE)) == {posted.pk}


def test_detail_has_ledger_versions_and_masked_objections(api, world):
    world.resident.name = "王小明"
    world.resident.save()
    disclosure = services.disclosure_create_draft(
        actor=world.pmc_chair,
        compound=world.compound,
        organization=world.pmc,
        category=category("public_revenue"),
        title="七月收支",
        period_type=PeriodType.MONTH,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 7, 31),
    )
    as_user(api, world.pmc_chair)
    assert (
        api.post(f"{BASE}{disclosure.pk}/ledger/", ledger_payload(), format="json").status_code
        == 200
    )
    assert api.post(f"{BASE}{disclosure.pk}/publish/").status_code == 200
    ObjectionFactory(disclosure=disclosure, objector=world.resident)
    data = APIClient().get(f"{BASE}{disclosure.pk}/").json()
    assert data["ledger"]["closing_balance"] == "1179.50"
    assert len(data["ledger"]["lines"]) == 2
    assert data["objections"][0]["objector"] == "王**"
    assert "王小明" not in str(data)
    assert [v["version"] for v in data["versions"]] == [1]
    # No source link given: null, not "", so the schema's ``format: uri`` holds.
    assert data["source_url"] is None


def test_filters(api, world):
    revenue = DisclosureFactory(
        organization=world.pmc,
        category=category("public_revenue"),
        title="收益",
        period_type=PeriodType.MONTH,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 7, 31),
    )
    parking = DisclosureFactory(
        organization=world.company,
        category=category("company_parking"),
        title="车位",
        body_markdown="地下车库",
        period_type=PeriodType.QUARTER,
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2026, 6, 30),
    )
    old = DisclosureFactory(organization=world.company, state=Disclosure.State.EXPIRED)
    assert ids(api.get(BASE, {"compound": world.compound.slug})) == {revenue.pk, parking.pk, old.pk}
    assert ids(api.get(BASE, {"compound": "nope"})) == set()
    assert ids(api.get(BASE, {"category": "company_parking"})) == {parking.pk}
    assert ids(api.get(BASE, {"organization": world.pmc.pk})) == {revenue.pk}
    assert ids(api.get(BASE, {"current": "true"})) == {revenue.pk, parking.pk}
    assert ids(api.get(BASE, {"current": "false"})) == {old.pk}
    assert ids(api.get(BASE, {"state": "expired"})) == {old.pk}
    assert ids(api.get(BASE, {"period_from": "2026-07-01", "period_to": "2026-07-31"})) == {
        revenue.pk,
        old.pk,
    }
    assert ids(api.get(BASE, {"q": "车库"})) == {parking.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"organization": "abc"},
        {"period_from": "2026-13-01"},
        {"state": "nonsense"},
        {"q": "x" * 200},
    ],
)
def test_bad_filters_are_400(api, world, params):
    response = api.get(BASE, params)
    assert response.status_code == 400


def test_list_query_count_does_not_grow(api, world):
    for _ in range(3):
        DisclosureFactory(organization=world.pmc)
    with CaptureQueriesContext(connection) as small:
        api.get(BASE)
    for _ in range(30):
        DisclosureFactory(organization=world.company)
    with CaptureQueriesContext(connection) as large:
        api.get(BASE)
    assert len(small) == len(large)


# --- publisher writes ------------------------------------------------------------------


def test_publisher_creates_edits_attaches_publishes_and_corrects(api, world):
    as_user(api, world.pmc_chair)
    response = api.post(BASE, create_payload(world, body_markdown=f"正文{HOSTILE}"), format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert "<script" not in response.json()["body_html"]
    response = api.patch(f"{BASE}{pk}/", {"title": "新标题"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "新标题"
    assert (
        api.patch(f"{BASE}{pk}/", {"organization": world.company.pk}, format="json").status_code
        == 400
    )
    pdf = SimpleUploadedFile("发票.pdf", b"%PDF-1.4\n%%EOF\n")
    response = api.post(f"{BASE}{pk}/attachments/", {"file": pdf}, format="multipart")
    assert response.status_code == 201
    assert response.json()["attachments"][0]["original_name"] == "发票.pdf"
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00 executable")
    response = api.post(f"{BASE}{pk}/attachments/", {"file": fake}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    # 公示承诺制度 第二条: a 收支明细 is published with its ledger, never without.
    response = api.post(f"{BASE}{pk}/publish/")
    assert response.status_code == 400
    assert "ledger" in response.json()
    assert api.post(f"{BASE}{pk}/ledger/", ledger_payload(), format="json").status_code in (
        200,
        201,
    )
    response = api.post(f"{BASE}{pk}/publish/")
    assert response.status_code == 200
    assert response.json()["state"] == "published"
    # A published disclosure is never edited: a correction is a new version.
    assert api.patch(f"{BASE}{pk}/", {"title": "偷偷改"}, format="json").status_code == 400
    assert api.post(f"{BASE}{pk}/correct/", {"reason": ""}, format="json").status_code == 400
    response = api.post(
        f"{BASE}{pk}/correct/", {"reason": "标题写错了", "title": "更正后的标题"}, format="json"
    )
    assert response.status_code == 201
    data = response.json()
    assert data["version"] == 2
    assert data["previous"] == pk
    assert [v["version"] for v in data["versions"]] == [1, 2]
    assert Disclosure.objects.get(pk=pk).state == Disclosure.State.SUPERSEDED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"category": "nope"}, "category"),
        ({"organization": 999999}, "organization"),
        ({"compound": "nope"}, "compound"),
        ({"period_start": "July"}, "period_start"),
        ({"period_type": "decade"}, "period_type"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"body_markdown": "x" * 50_001}, "body_markdown"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"period_end": "2026-06-01"}, "period_end"),
    ],
)
def test_create_bad_input_is_400(api, world, overrides, field):
    as_user(api, world.pmc_chair)
    response = api.post(BASE, create_payload(world, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Disclosure.objects.exists()


def test_write_permissions(api, world):
    assert api.post(BASE, create_payload(world), format="json").status_code in {401, 403}
    as_user(api, world.resident)
    assert api.post(BASE, create_payload(world), format="json").status_code == 403
    as_user(api, world.company_staff)  # property company staff, not the PMC
    assert api.post(BASE, create_payload(world), format="json").status_code == 403
    posted = DisclosureFactory(organization=world.pmc)
    assert (
        api.post(f"{BASE}{posted.pk}/correct/", {"reason": "改一改吧"}, format="json").status_code
        == 403
    )
    assert api.delete(f"{BASE}{posted.pk}/").status_code == 403
    assert not Disclosure.objects.exclude(pk=posted.pk).exists()


def test_ledger_errors_list_every_row(api, world):
    as_user(api, world.pmc_chair)
    pk = api.post(BASE, create_payload(world), format="json").json()["id"]
    bad = ledger_payload(
        stated_income="999.00",
        lines=[
            {"date": "2026-08-03", "item": "停车费", "amount": "300.00", "direction": "income"},
            {"date": "2026-07-09", "item": "绿化", "amount": "120.50", "direction": "expense"},
        ],
    )
    response = api.post(f"{BASE}{pk}/ledger/", bad, format="json")
    assert response.status_code == 400
    rows = response.json()["rows"]
    assert any(r["row"] == 1 for r in rows)
    assert any(r["row"] is None for r in rows)  # the totals
    assert not Ledger.objects.exists()
    negative = ledger_payload(
        lines=[{"date": "2026-07-03", "item": "x", "amount": "-1", "direction": "income"}]
    )
    assert api.post(f"{BASE}{pk}/ledger/", negative, format="json").status_code == 400
    words = ledger_payload(
        lines=[{"date": "2026-07-03", "item": "x", "amount": "ten", "direction": "income"}]
    )
    assert api.post(f"{BASE}{pk}/ledger/", words, format="json").status_code == 400
    assert not Ledger.objects.exists()


def test_delete_draft(api, world):
    as_user(api, world.pmc_chair)
    pk = api.post(BASE, create_payload(world), format="json").json()["id"]
    assert api.delete(f"{BASE}{pk}/").status_code == 204
    assert not Disclosure.objects.filter(pk=pk).exists()


# --- objections ------------------------------------------------------------------------


def test_owner_objects_and_publisher_answers(api, world):
    posted = DisclosureFactory(organization=world.pmc)
    url = f"{BASE}{posted.pk}/objections/"
    assert api.post(url, {"body": "金额不对，请核实。"}, format="json").status_code in {401, 403}
    as_user(api, world.tenant)
    assert api.post(url, {"body": "金额不对，请核实。"}, format="json").status_code == 403
    as_user(api, world.resident)
    assert api.post(url, {"body": ""}, format="json").status_code == 400
    assert api.post(url, {"body": "短"}, format="json").status_code == 400
    assert api.post(url, {"body": "长" * 2001}, format="json").status_code == 400
    response = api.post(url, {"body": f"金额不对，请核实。{HOSTILE}"}, format="json")
    assert response.status_code == 201
    objection_id = response.json()["id"]
    answer = f"/api/disclosures/objections/{objection_id}/answer/"
    assert api.post(answer, {"answer": "已核实无误。"}, format="json").status_code == 403
    as_user(api, world.pmc_chair)
    assert api.post(answer, {"answer": ""}, format="json").status_code == 400
    response = api.post(answer, {"answer": "已核实，金额无误。"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "answered"
    assert api.post(answer, {"answer": "再答一次吧。"}, format="json").status_code == 400
    assert (
        api.post("/api/disclosures/objections/999999/answer/", {"answer": "答复内容"}).status_code
        == 404
    )
    assert Objection.objects.get().state == Objection.State.ANSWERED


def test_objection_to_expired_disclosure_is_400(api, world):
    old = DisclosureFactory(organization=world.pmc, state=Disclosure.State.EXPIRED)
    as_user(api, world.resident)
    response = api.post(f"{BASE}{old.pk}/objections/", {"body": "这个有问题。"}, format="json")
    assert response.status_code == 400


# --- categories and compliance ---------------------------------------------------------


def test_categories_are_public(api, db):
    response = api.get("/api/disclosures/categories/")
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()}
    assert {"personnel", "public_revenue", "service_report_quarterly"} <= codes


def test_compliance_for_staff(api, world):
    url = "/api/disclosures/compliance/"
    params = {"compound": world.compound.slug, "period": "2026Q1"}
    assert api.get(url, params).status_code in {401, 403}
    as_user(api, world.resident)
    assert api.get(url, params).status_code == 403
    as_user(api, world.party_secretary)
    response = api.get(url, params)
    assert response.status_code == 200
    rows = response.json()
    assert rows
    assert {row["status"] for row in rows} <= {"on_time", "late", "missing", "not_due"}
    assert api.get(url, {**params, "period": "2026Q9"}).status_code == 400
    assert api.get(url, {**params, "organization": "abc"}).status_code == 400
    assert api.get(url, {**params, "organization": 999999}).status_code == 400
    assert api.get(url, {**params, "compound": "nope"}).status_code == 404
    assert api.get(url, {"compound": world.compound.slug}).status_code == 400


# --- OpenAPI ---------------------------------------------------------------------------


def test_openapi_schema_for_disclosure_endpoints_has_no_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/disclosures/", include("disclosures.api"))])
    with GENERATOR_STATS.silence():
        schema = generator.get_schema(request=None, public=True)
    problems = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert problems == {}
    validate_schema(schema)
    paths = schema["paths"]
    assert "/api/disclosures/disclosures/{id}/correct/" in paths
    assert "/api/disclosures/objections/{id}/answer/" in paths
    assert "/api/disclosures/compliance/" in paths
    list_params = {p["name"] for p in paths["/api/disclosures/disclosures/"]["get"]["parameters"]}
    assert {"compound", "category", "organization", "current", "q"} <= list_params


def test_manage_spectacular_validates_without_warnings(tmp_path):
    """The command the issue names, for the whole project (our endpoints included)."""
    out = tmp_path / "schema.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(out),
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "/api/disclosures/disclosures/" in out.read_text()


def test_schema_ui_lists_disclosures(api):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/disclosures/disclosures/" in response.content
