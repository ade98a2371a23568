"""Open311 GeoReport v2 endpoints (issues/open311.py), in JSON and XML."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues import selectors
from issues.models import Category, Issue, Open311Client
from tests.factories.directory import BuildingFactory
from tests.factories.issues import IssueEventFactory, IssueFactory
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('x')</script> ]]> & <![CDATA[ boom ]]> 电梯坏了"


@pytest.fixture(autouse=True)
def _own_rate_limit_bucket(monkeypatch):
    """A client address of its own per test: the rate-limit cache may be shared (Redis, xdist)."""
    from issues import open311

    address = f"test-{uuid.uuid4().hex}"
    monkeypatch.setattr(open311, "_client_ip", lambda request: address)


@pytest.fixture
def world():
    return compound_world()


@pytest.fixture
def api_client(world):
    return Open311Client.objects.create(
        name="花山郡小程序", api_key="k-" + "a" * 30, compound=world.compound
    )


def url(name: str, fmt: str = "json", **kwargs) -> str:
    return reverse(f"open311:{name}", kwargs={"fmt": fmt, **kwargs})


def as_json(response):
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def as_xml(response):
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def assert_error(response, status: int, fmt: str = "json") -> str:
    assert response.status_code == status
    if fmt == "xml":
        root = as_xml(response)
        assert root.tag == "errors"
        error = root.find("error")
        assert error.findtext("code") == str(status)
        description = error.findtext("description")
    else:
        body = as_json(response)
        assert isinstance(body, list)
        assert len(body) == 1
        assert body[0]["code"] == status
        description = body[0]["description"]
    assert description
    return description


def post(client, fmt="json", **data):
    return client.post(url("requests", fmt), data)


def valid_post(api_client, **extra):
    data = {
        "api_key": api_client.api_key,
        "service_code": "elevator",
        "description": "3栋1单元电梯停在8楼不动了",
        "phone": "13800138000",
        "first_name": "三",
        "last_name": "张",
        "address_string": "1单元电梯间",
        "lat": "30.3",
        "long": "114.3",
    }
    data.update(extra)
    return data


# --- discovery and services ------------------------------------------------------


def test_discovery_json_and_xml(client):
    body = as_json(client.get(url("discovery")))
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}

    root = as_xml(client.get(url("discovery", "xml")))
    assert root.tag == "discovery"
    formats = [f.text for f in root.find("endpoints/endpoint/formats").findall("format")]
    assert formats == ["text/xml", "application/json"]


def test_services_list_active_categories_json(client):
    Category.objects.filter(code="other").update(active=False)
    body = as_json(client.get(url("services")))
    codes = [s["service_code"] for s in body]
    assert "elevator" in codes
    assert "other" not in codes
    elevator = next(s for s in body if s["service_code"] == "elevator")
    assert elevator["service_name"] == "电梯"
    assert elevator["type"] == "realtime"
    assert elevator["group"] == "safety"
    assert set(elevator) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }


def test_services_list_xml(client):
    root = as_xml(client.get(url("services", "xml")))
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == Category.objects.filter(active=True).count()
    first = services[0]
    assert first.findtext("service_code") == Category.objects.filter(active=True)[0].code
    assert first.findtext("metadata") in {"true", "false"}


def test_service_definition_lists_buildings(client, world):
    body = as_json(
        client.get(url("service", code="noise") + f"?jurisdiction_id={world.compound.slug}")
    )
    assert body["service_code"] == "noise"
    attribute = body["attributes"][0]
    assert attribute["code"] == "building"
    assert attribute["required"] is False
    assert {"key": world.building.number, "name": world.building.number} in attribute["values"]

    root = as_xml(
        client.get(url("service", "xml", code="noise") + f"?jurisdiction_id={world.compound.slug}")
    )
    assert root.tag == "service_definition"
    value = root.find("attributes/attribute/values/value")
    assert value.findtext("key") == world.building.number


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_unknown_code_is_404_in_spec_format(client, fmt):
    assert_error(client.get(url("service", fmt, code="no-such-thing")), 404, fmt)


def test_unknown_jurisdiction_is_404(client):
    assert_error(client.get(url("services") + "?jurisdiction_id=nowhere"), 404)


def test_unknown_format_and_endpoint_are_404_in_spec_format(client):
    assert_error(client.get("/open311/v2/services.csv"), 404)
    assert_error(client.get("/open311/v2/requests.yaml"), 404)
    assert_error(client.get("/open311/v2/no-such-endpoint.json"), 404)


def test_wrong_method_is_405_in_spec_format(client):
    assert_error(client.post(url("services"), {}), 405)
    assert_error(client.put(url("requests", "xml")), 405, "xml")


# --- GET requests ---------------------------------------------------------------


def test_requests_get_maps_status_notes_and_hides_reporter(client, world):
    issue = IssueFactory(
        compound=world.compound,
        building=world.building,
        location_text="地库入口",
        reporter=world.resident,
        reporter_name="李四",
        status=Issue.Status.TRANSFERRED,
        assigned_org=world.orgs.property_company,
    )
    IssueEventFactory(issue=issue, note="第一次回复", at=timezone.now() - dt.timedelta(hours=2))
    IssueEventFactory(issue=issue, note="已安排维修", at=timezone.now() - dt.timedelta(hours=1))
    IssueEventFactory(issue=issue, note="内部备注", public=False)
    closed = IssueFactory(compound=world.compound, status=Issue.Status.REJECTED)
    merged = IssueFactory(compound=world.compound, status=Issue.Status.MERGED)

    response = client.get(url("requests"))
    body = as_json(response)
    by_id = {r["service_request_id"]: r for r in body}
    assert set(by_id) == {issue.tracking_number, closed.tracking_number, merged.tracking_number}
    row = by_id[issue.tracking_number]
    assert row["status"] == "open"
    assert row["status_notes"] == "已安排维修"
    assert row["agency_responsible"] == world.orgs.property_company.name
    assert row["service_code"] == issue.category.code
    assert world.building.number in row["address"]
    assert "地库入口" in row["address"]
    assert row["expected_datetime"] == timezone.localtime(issue.next_deadline).isoformat(
        timespec="seconds"
    )
    assert row["requested_datetime"].endswith("+08:00")
    assert "lat" not in row
    assert "long" not in row
    assert by_id[closed.tracking_number]["status"] == "closed"
    assert by_id[merged.tracking_number]["status"] == "closed"
    # The reporter is never exposed, in any form.
    text = response.content.decode()
    assert world.resident.mobile not in text
    assert "李四" not in text
    assert world.resident.name not in text


def test_requests_get_xml(client, world):
    issue = IssueFactory(compound=world.compound, description=HOSTILE)
    response = client.get(url("requests", "xml"))
    root = as_xml(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == issue.tracking_number
    assert request.findtext("status") == "open"
    assert request.findtext("description") == HOSTILE
    assert request.find("lat") is None
    assert b"<script>" not in response.content
    assert b"&lt;script&gt;" in response.content
    assert b"]]&gt;" in response.content
    assert b"&amp;" in response.content


def test_requests_get_drops_characters_xml_cannot_carry(client, world):
    IssueFactory(compound=world.compound, description="坏了\x01\x0b了")
    root = as_xml(client.get(url("requests", "xml")))
    assert root.find("request").findtext("description") == "坏了了"


def test_private_issues_are_never_listed_or_shown(client, world):
    private = IssueFactory(compound=world.compound, is_public=False)
    assert as_json(client.get(url("requests"))) == []
    assert (
        as_json(client.get(url("requests") + f"?service_request_id={private.tracking_number}"))
        == []
    )
    assert_error(client.get(url("request", request_id=private.tracking_number)), 404)
    assert_error(client.get(url("token", token=private.tracking_number)), 404)


def test_requests_filter_by_ids_codes_and_status(client, world):
    noise = IssueFactory(compound=world.compound, category=Category.objects.get(code="noise"))
    lift = IssueFactory(compound=world.compound, category=Category.objects.get(code="elevator"))
    done = IssueFactory(
        compound=world.compound,
        category=Category.objects.get(code="elevator"),
        status=Issue.Status.CLOSED,
    )

    def ids(query: str) -> set[str]:
        return {r["service_request_id"] for r in as_json(client.get(url("requests") + query))}

    assert ids(f"?service_request_id={noise.tracking_number},{done.tracking_number}") == {
        noise.tracking_number,
        done.tracking_number,
    }
    assert ids("?service_code=elevator") == {lift.tracking_number, done.tracking_number}
    assert ids("?service_code=elevator,noise&status=open") == {
        lift.tracking_number,
        noise.tracking_number,
    }
    assert ids("?status=closed") == {done.tracking_number}
    assert ids("?status=open,closed") == {
        noise.tracking_number,
        lift.tracking_number,
        done.tracking_number,
    }
    assert ids(f"?jurisdiction_id={world.compound.slug}&service_code=noise") == {
        noise.tracking_number
    }


def test_requests_default_window_is_90_days_and_dates_filter(client, world):
    now = timezone.now()
    recent = IssueFactory(compound=world.compound, created_at=now - dt.timedelta(days=10))
    old = IssueFactory(compound=world.compound, created_at=now - dt.timedelta(days=120))

    def ids(query: str) -> set[str]:
        response = client.get(url("requests") + query)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in as_json(response)}

    assert ids("") == {recent.tracking_number}
    start = timezone.localtime(now - dt.timedelta(days=130)).isoformat(timespec="seconds")
    end = timezone.localtime(now - dt.timedelta(days=100)).isoformat(timespec="seconds")
    from urllib.parse import quote

    assert ids(f"?start_date={quote(start)}&end_date={quote(end)}") == {old.tracking_number}
    # An unencoded "+" arrives as a space; it is read as the offset sign.
    assert ids(f"?start_date={start}&end_date={end}") == {old.tracking_number}
    # Dates alone count whole local days; UTC "Z" works too.
    day = timezone.localdate(old.created_at)
    assert ids(f"?start_date={day.isoformat()}&end_date={day.isoformat()}") == {old.tracking_number}
    utc = (now - dt.timedelta(days=20)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(f"?start_date={utc}") == {recent.tracking_number}


@pytest.mark.parametrize(
    "query",
    [
        "?start_date=yesterday",
        "?end_date=2026-13-45",
        "?start_date=2026-02-30T10:00:00",
        "?end_date=9999-12-31",
        "?start_date=2026-03-01&end_date=2026-01-01",
        "?status=pending",
        "?end_date=" + "9" * 500,
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_bad_parameters_are_400_in_spec_format(client, world, query, fmt):
    assert_error(client.get(url("requests", fmt) + query), 400, fmt)


def test_requests_too_many_ids_is_400(client):
    ids = ",".join(f"HS-2026-{n:06d}" for n in range(300))
    assert_error(client.get(url("requests") + f"?service_request_id={ids}"), 400)


def test_requests_hostile_query_values_do_not_crash(client, world):
    IssueFactory(compound=world.compound)
    for query in ("?service_code=%00", "?service_request_id=%00", "?jurisdiction_id=%00x"):
        response = client.get(url("requests") + query)
        assert response.status_code in {200, 400, 404}
    response = client.get(url("requests") + "?service_code=' OR 1=1 --")
    assert as_json(response) == []


def _query_count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("requests"))
    assert response.status_code == 200
    return len(ctx.captured_queries), len(as_json(response))


def test_requests_query_count_does_not_grow(client, world):
    orgs = [world.orgs.property_company, world.orgs.pmc]
    buildings = [world.building, BuildingFactory(compound=world.compound)]
    categories = list(Category.objects.all()[:4])

    def make(count: int, offset: int) -> None:
        for n in range(count):
            issue = IssueFactory(
                compound=world.compound,
                category=categories[n % 4],
                building=buildings[n % 2],
                assigned_org=orgs[n % 2] if n % 3 else None,
                tracking_number=f"HS-2098-{offset + n:06d}",
            )
            IssueEventFactory(issue=issue)

    make(10, 0)
    small, rows = _query_count(client)
    assert rows == 10
    make(190, 10)
    large, rows = _query_count(client)
    assert rows == 200
    assert small == large


def _with_events(count: int, world) -> list[Issue]:
    now = timezone.now()
    issues = []
    for n in range(count):
        issue = IssueFactory(compound=world.compound, created_at=now - dt.timedelta(minutes=n))
        IssueEventFactory(issue=issue)
        issues.append(issue)
    return issues


def test_requests_get_is_paged(client, world, monkeypatch):
    from issues import open311

    monkeypatch.setattr(open311, "PAGE_SIZE", 2)
    issues = _with_events(5, world)
    first = client.get(url("requests"))
    assert [r["service_request_id"] for r in as_json(first)] == [
        i.tracking_number for i in issues[:2]
    ]
    assert re.search(
        r'<http://testserver/open311/v2/requests\.json\?page=2>; rel="next"', first["Link"]
    )
    filtered = client.get(url("requests") + f"?jurisdiction_id={world.compound.slug}&page=2")
    assert [r["service_request_id"] for r in as_json(filtered)] == [
        i.tracking_number for i in issues[2:4]
    ]
    assert f"jurisdiction_id={world.compound.slug}&page=3" in filtered["Link"]
    last = client.get(url("requests") + "?page=3")
    assert [r["service_request_id"] for r in as_json(last)] == [issues[4].tracking_number]
    assert "Link" not in last
    assert as_json(client.get(url("requests") + "?page=4")) == []
    root = as_xml(client.get(url("requests", "xml") + "?page=3"))
    assert [r.findtext("service_request_id") for r in root] == [issues[4].tracking_number]


def test_requests_default_page_size_is_200(client, world):
    from issues import open311

    assert open311.PAGE_SIZE == 200


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "9" * 50, "１", "1001", "%00"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_bad_page_is_400_in_spec_format(client, world, page, fmt):
    description = assert_error(client.get(url("requests", fmt) + f"?page={page}"), 400, fmt)
    assert "page" in description or "NUL" in description


def test_requests_conditional_get_and_a_change_makes_a_new_etag(client, world):
    issue = _with_events(1, world)[0]
    first = client.get(url("requests"))
    etag = first["ETag"]
    assert etag.startswith('"')
    assert len(etag) > 10
    assert first["Last-Modified"]
    again = client.get(url("requests"), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    since = client.get(url("requests"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    other = client.get(url("requests"), HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200
    assert client.get(url("requests", "xml"))["ETag"] != etag  # per format
    # A public change (every change writes an event) is served on the next request.
    IssueEventFactory(issue=issue, note="灯已修好")
    changed = client.get(url("requests"), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert as_json(changed)[0]["status_notes"] == "灯已修好"


def test_requests_cache_hit_runs_one_query_whatever_the_data(client, world):
    _with_events(3, world)

    def hit_queries() -> tuple[int, int]:
        assert client.get(url("requests")).status_code == 200  # miss: builds the entry
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("requests"))
        return len(ctx.captured_queries), len(as_json(response))

    assert hit_queries() == (1, 3)
    _with_events(60, world)
    assert hit_queries() == (1, 63)


def test_request_detail_and_token(client, world):
    issue = IssueFactory(compound=world.compound)
    body = as_json(client.get(url("request", request_id=issue.tracking_number)))
    assert body[0]["service_request_id"] == issue.tracking_number
    token = as_json(client.get(url("token", token=issue.tracking_number)))
    assert token == [{"service_request_id": issue.tracking_number, "token": issue.tracking_number}]
    root = as_xml(client.get(url("token", "xml", token=issue.tracking_number)))
    assert root.find("request").findtext("token") == issue.tracking_number
    assert_error(client.get(url("request", "xml", request_id="HS-2000-000001")), 404, "xml")
    assert_error(client.get(url("token", token="nope")), 404)


def test_nul_in_path_is_404_not_500(client, world):
    assert_error(client.get("/open311/v2/requests/HS%00.json"), 404)
    assert_error(client.get("/open311/v2/services/noi%00se.xml"), 404, "xml")
    assert_error(client.get("/open311/v2/tokens/%00.json"), 404)


# --- POST, then read back (the required journey) -------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_then_post_then_request_detail(client, api_client, world, fmt):
    # 1. services
    response = client.get(url("services", fmt))
    if fmt == "xml":
        codes = [s.findtext("service_code") for s in as_xml(response).findall("service")]
    else:
        codes = [s["service_code"] for s in as_json(response)]
    assert "elevator" in codes

    # 2. POST
    response = post(
        client,
        fmt,
        **valid_post(api_client, **{"attribute[building]": world.building.number}),
    )
    assert response.status_code == 201, response.content
    if fmt == "xml":
        created = as_xml(response)
        assert created.tag == "service_requests"
        row = created.find("request")
        request_id = row.findtext("service_request_id")
        notice = row.findtext("service_notice")
        assert row.find("account_id") is not None
        assert not row.findtext("account_id")
    else:
        created = as_json(response)
        request_id = created[0]["service_request_id"]
        notice = created[0]["service_notice"]
        assert created[0]["account_id"] is None
    assert request_id.startswith("HS-")
    assert request_id in notice
    issue = Issue.objects.get(tracking_number=request_id)
    assert issue.compound == world.compound
    assert issue.category.code == "elevator"
    assert issue.building == world.building
    assert issue.location_text == "1单元电梯间"
    assert issue.reporter is None
    assert issue.reporter_phone == "13800138000"
    assert issue.reporter_name == "张三"
    assert issue.is_public

    # 3. requests/<id>
    response = client.get(url("request", fmt, request_id=request_id))
    assert response.status_code == 200
    if fmt == "xml":
        row = as_xml(response).find("request")
        assert row.findtext("service_request_id") == request_id
        assert row.findtext("status") == "open"
        assert row.findtext("service_code") == "elevator"
        assert row.findtext("description") == "3栋1单元电梯停在8楼不动了"
        assert world.building.number in row.findtext("address")
        assert row.findtext("requested_datetime")
        assert row.find("lat") is None
    else:
        row = as_json(response)[0]
        assert row["service_request_id"] == request_id
        assert row["status"] == "open"
        assert row["service_code"] == "elevator"
        assert row["description"] == "3栋1单元电梯停在8楼不动了"
        assert row["requested_datetime"]
    assert b"13800138000" not in response.content
    assert "张三" not in response.content.decode()

    # The anonymous reporter's tracking code is in the notice, once, and it works.
    code = re.search(r"\b[A-HJ-NP-Z2-9]{10}\b", notice).group(0)
    assert selectors.issue_find_by_tracking(tracking_number=request_id, code=code) == issue

    # And the token answers with the same id.
    token = as_json(client.get(url("token", token=request_id)))
    assert token[0]["service_request_id"] == request_id


def test_post_hostile_description_is_escaped_in_xml(client, api_client):
    response = post(client, "xml", **valid_post(api_client, description=HOSTILE))
    assert response.status_code == 201, response.content
    request_id = as_xml(response).find("request").findtext("service_request_id")
    response = client.get(url("request", "xml", request_id=request_id))
    assert as_xml(response).find("request").findtext("description") == HOSTILE
    assert b"<script>" not in response.content
    assert b"]]&gt;" in response.content
    # JSON carries it as data, unchanged.
    row = as_json(client.get(url("request", request_id=request_id)))[0]
    assert row["description"] == HOSTILE


def test_post_phone_with_country_code_is_normalised(client, api_client):
    response = post(client, **valid_post(api_client, phone="+86 138-0013-8000"))
    assert response.status_code == 201, response.content
    request_id = as_json(response)[0]["service_request_id"]
    assert Issue.objects.get(tracking_number=request_id).reporter_phone == "13800138000"


@pytest.mark.parametrize(
    "api_key",
    [None, "", "wrong-key", "' OR '1'='1", "'; DROP TABLE issues_issue; --", "k" * 5000, "a\x00b"],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_bad_api_key_is_403(client, api_client, api_key, fmt):
    data = valid_post(api_client)
    if api_key is None:
        del data["api_key"]
    else:
        data["api_key"] = api_key
    response = client.post(url("requests", fmt), data)
    assert response.status_code in {400, 403}
    if "\x00" not in (api_key or ""):
        assert_error(response, 403, fmt)
    assert not Issue.objects.exists()


def test_post_inactive_client_is_403(client, api_client):
    api_client.active = False
    api_client.save()
    assert_error(post(client, **valid_post(api_client)), 403)
    assert not Issue.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"service_code": "no-such-service"}, 404, "service_code"),
        ({"service_code": ""}, 400, "service_code"),
        ({"description": ""}, 400, "description"),
        ({"description": "   "}, 400, "description"),
        ({"description": "长" * 100_000}, 400, "description"),
        ({"description": "bad\x00byte"}, 400, "NUL"),
        ({"phone": ""}, 400, "phone"),
        ({"phone": "12345"}, 400, "phone"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"attribute[building]": "99栋"}, 400, "attribute[building]"),
        ({"address_string": "x" * 1000}, 400, "address_string"),
    ],
)
def test_post_bad_input_is_refused_in_spec_format(client, api_client, change, status, field):
    description = assert_error(post(client, **valid_post(api_client, **change)), status)
    assert field in description
    assert not Issue.objects.exists()


def test_post_missing_description_in_xml(client, api_client):
    data = valid_post(api_client)
    del data["description"]
    assert "description" in assert_error(post(client, "xml", **data), 400, "xml")


def test_post_needs_no_csrf_token(api_client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url("requests"), valid_post(api_client))
    assert response.status_code == 201, response.content


def test_post_flood_is_rate_limited_with_429(
    client, api_client, django_capture_on_commit_callbacks
):
    from issues.services import RATE_LIMIT

    statuses = []
    # Bounded loop rather than "exactly the 6th": another test process sharing the
    # Redis cache may clear it mid-flood.
    for _ in range(4 * RATE_LIMIT):
        # The service counts a submission once its transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(post(client, "xml", **valid_post(api_client)).status_code)
        if statuses[-1] == 429:
            break
    assert statuses[:RATE_LIMIT] == [201] * RATE_LIMIT
    assert statuses[-1] == 429
    assert Issue.objects.count() == statuses.count(201)
    response = post(client, "xml", **valid_post(api_client))
    if response.status_code == 429:  # unless the shared cache was just cleared
        assert "10" in assert_error(response, 429, "xml")


def test_post_body_over_the_upload_limit_is_413(client, api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    response = post(client, **valid_post(api_client, description="x" * 60_000))
    assert_error(response, 413)
    assert not Issue.objects.exists()
