"""The public-page fragment cache: versioned keys, outage tolerance."""

from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from huashan.core import pagecache


def test_hit_does_not_rebuild_and_new_version_does():
    calls = []

    def build():
        calls.append(1)
        return f"built {len(calls)}"

    assert pagecache.cached("t", ["c1", 5], build) == "built 1"
    assert pagecache.cached("t", ["c1", 5], build) == "built 1"
    assert pagecache.cached("t", ["c1", 6], build) == "built 2"
    assert len(calls) == 2


def test_language_is_part_of_the_key():
    with translation.override("zh-hans"):
        zh = pagecache.fragment_key("t", ["x"])
    with translation.override("en"):
        en = pagecache.fragment_key("t", ["x"])
    assert zh != en


def test_hostile_parts_make_a_short_plain_key():
    key = pagecache.fragment_key("t", ["\n\x00" + "长" * 5000, "<script>"])
    assert len(key) < 64
    assert key.isascii()
    assert key.isprintable()


def test_cache_outage_serves_the_fragment_uncached():
    with mock.patch.object(cache, "get", side_effect=ConnectionError("down")):
        assert pagecache.cached("t", ["o"], lambda: "fresh") == "fresh"
    with mock.patch.object(cache, "set", side_effect=ConnectionError("down")):
        assert pagecache.cached("t", ["o2"], lambda: "fresh") == "fresh"


# --- whole anonymous pages (pagecache.anonymous_page) -----------------------------------


@pytest.fixture
def board_world(db):
    from issues.models import Category
    from tests.factories.issues import IssueEventFactory, IssueFactory
    from tests.factories.world import compound_world

    world = compound_world(default_compound=True)
    category, _ = Category.objects.get_or_create(code="environment", defaults={"name": "环境"})
    issue = IssueFactory(compound=world.compound, category=category, building=world.building)
    IssueEventFactory(issue=issue, note="第一条进展")
    world.issue = issue
    return world


def queries_of(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["issues:board", "disclosures:board", "pledges:board"], ids=lambda u: u
)
def test_an_anonymous_public_board_is_served_whole_from_the_cache(board_world, url):
    """A hit is the version query alone; the page carries no CSRF token to share."""
    client = Client()
    first, _ = queries_of(client, reverse(url))
    second, count = queries_of(client, reverse(url))
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert count == 1
    assert b"csrfmiddlewaretoken" not in second.content


def test_a_public_change_is_on_the_next_anonymous_request(board_world):
    from tests.factories.issues import IssueEventFactory

    client = Client()
    client.get(reverse("issues:board"))
    IssueEventFactory(issue=board_world.issue, note="新的公开进展", public=True)
    _, count = queries_of(client, reverse("issues:board"))
    assert count > 1  # a new version: rebuilt, not the stored copy


def test_logged_in_visitors_and_pending_messages_are_never_served_the_anonymous_page(
    board_world,
):
    Client().get(reverse("issues:board"))  # cached for anonymous visitors
    resident = Client()
    resident.force_login(board_world.resident)
    page = resident.get(reverse("issues:board")).content.decode()
    assert board_world.resident.name in page
    with_message = Client()
    with_message.cookies["messages"] = "x"
    _, count = queries_of(with_message, reverse("issues:board"))
    assert count > 1


def test_a_page_with_a_form_token_is_never_stored(db):
    """A view that asked for a CSRF token is rendered afresh for every visitor."""
    from django.http import HttpResponse
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    calls = []

    @pagecache.anonymous_page("t-token", lambda request: 1)
    def with_form(request):
        calls.append(1)
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    @pagecache.anonymous_page("t-plain", lambda request: 1)
    def plain(request):
        calls.append(2)
        return HttpResponse("<p>公开</p>")

    factory = RequestFactory()
    first, second = (with_form(factory.get("/f/")) for _ in range(2))
    assert calls == [1, 1]
    assert first.content != second.content
    plain(factory.get("/p/"))
    plain(factory.get("/p/"))
    assert calls == [1, 1, 2]


def test_anonymous_complaint_page_hit_is_the_version_alone(board_world):
    url = reverse("issues:detail", args=[board_world.issue.tracking_number])
    client = Client()
    first, _ = queries_of(client, url)
    second, count = queries_of(client, url)
    assert first.status_code == 200
    assert second.content == first.content
    assert count == 1  # the issue's public stamp, its compound matched by slug (issue 20)
    assert b"csrfmiddlewaretoken" not in second.content


def test_language_switch_is_a_get_that_sets_the_cookie_and_stays_on_site(client, db):
    response = client.get(reverse("core:language"), {"language": "en", "next": "/issues/board/"})
    assert response.status_code == 302
    assert response["Location"] == "/issues/board/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    away = client.get(reverse("core:language"), {"language": "en", "next": "https://evil.example/"})
    assert away["Location"] == reverse("core:home")
    bad = client.get(reverse("core:language"), {"language": "<script>", "next": "/"})
    assert bad.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in bad.cookies
    huge = client.get(reverse("core:language"), {"language": "x" * 10000, "next": "/" * 5000})
    assert huge.status_code == 302
