"""Sessions read from the cache for at most a minute (huashan/core/sessions.py, issue 20).

A signed-in page reads no session row; an ended session is never served again; the copy
in Redis lives at most SESSION_CACHE_SECONDS; an emptied Redis loses no session.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huashan.core import sessions
from tests.factories.directory import PersonFactory

pytestmark = pytest.mark.django_db

PAGE = "/privacy/me/"  # a page only a signed-in person sees


def _session_reads(queries) -> int:
    return sum(
        "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
        for q in queries.captured_queries
    )


def _signed_in() -> tuple[Client, object]:
    person = PersonFactory()
    client = Client()
    client.force_login(person)
    return client, person


def _cache_key(client: Client) -> str:
    return (
        sessions.SessionStore.cache_key_prefix + client.cookies[settings.SESSION_COOKIE_NAME].value
    )


def test_the_portal_uses_the_bounded_engine():
    assert settings.SESSION_ENGINE == "huashan.core.sessions"
    assert sessions.SESSION_CACHE_SECONDS == 60


def test_a_signed_in_page_reads_no_session_row_once_cached():
    client, _person = _signed_in()
    assert client.get(PAGE).status_code == 200  # the first read fills the copy
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    assert _session_reads(queries) == 0


def test_the_cached_copy_lives_at_most_a_minute():
    client, _person = _signed_in()
    client.get(PAGE)
    cache = caches[settings.SESSION_CACHE_ALIAS]
    key = cache.make_and_validate_key(_cache_key(client))
    ttl = cache._cache.get_client(key).ttl(key)
    assert 0 < ttl <= sessions.SESSION_CACHE_SECONDS


def test_a_copy_older_than_the_session_is_bounded_by_the_session():
    store = sessions.SessionStore()
    assert store._cache_seconds(10) == 10
    assert store._cache_seconds(14 * 24 * 3600) == sessions.SESSION_CACHE_SECONDS
    assert store._cache_seconds(-5) == 0


def test_a_logged_out_cookie_replayed_is_not_served():
    client, _person = _signed_in()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(PAGE).status_code == 200
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = replay.get(PAGE)
    assert response.status_code == 302  # to the login page
    assert (
        caches[settings.SESSION_CACHE_ALIAS].get(sessions.SessionStore.cache_key_prefix + cookie)
        is None
    )


def test_a_deactivated_person_is_not_served_from_the_cached_session():
    client, person = _signed_in()
    assert client.get(PAGE).status_code == 200
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get(PAGE).status_code == 302


def test_an_emptied_cache_loses_no_session():
    client, _person = _signed_in()
    assert client.get(PAGE).status_code == 200
    caches[settings.SESSION_CACHE_ALIAS].delete(_cache_key(client))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    assert _session_reads(queries) == 1
