"""Per-person page cache (issue 20 item 4): the compound, community and street
dashboards are read-only pages of figures; the same person may be served their own copy
up to ``PERSON_PAGE_AGE`` seconds old, and the page states when its figures were read
("数据截至 hh:mm:ss").

Nothing cached is shown to a person who may not see it: the permission is checked on
every request before the cache is looked at, and the key is the person's own (and their
session's). Each cached page is tested with two people of different roles.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huashan.core import pagecache
from huashan.directory.models import Membership

pytestmark = pytest.mark.django_db

AS_OF = re.compile(r"数据截至 \d{4}-\d{2}-\d{2} (\d{2}:\d{2}:\d{2})")


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, len(ctx)


def _urls(world):
    compound = world.compound
    return {
        "compound": reverse("dashboard:compound", args=[compound.slug]),
        "community": reverse("dashboard:community", args=[compound.community.slug]),
        "street": reverse("dashboard:street", args=[compound.community.street.slug]),
    }


@pytest.mark.parametrize("page", ["compound", "community", "street"])
def test_the_same_person_is_served_their_copy_with_its_age(client, world, page):
    viewer = {
        "compound": world.people.joint_meeting_office,
        "community": world.people.community_party,
        "street": world.people.street_office,
    }[page]
    client.force_login(viewer)
    url = _urls(world)[page]
    client.get(url)  # the browser's first page: it receives its CSRF cookie
    first, cold = _get(client, url)
    second, warm = _get(client, url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert AS_OF.search(first.content.decode()), "the page must say when its figures were read"
    assert "30" in first.content.decode()  # the stated age, PERSON_PAGE_AGE seconds
    assert warm < cold / 2, (cold, warm)


def test_compound_dashboard_two_roles_nothing_cached_crosses(client, world):
    """The office head's cached compound page is never shown to the property company
    (who may not open dashboards) nor to the street secretary (who renders their own)."""
    url = _urls(world)["compound"]
    office = world.people.joint_meeting_office
    client.force_login(office)
    cached = client.get(url)
    assert cached.status_code == 200
    client.logout()
    client.force_login(world.people.property_company)
    assert client.get(url).status_code == 403
    client.logout()
    street = world.people.street_office
    client.force_login(street)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content != cached.content
    assert response.context is not None, "rendered for this person, not read from a cache"
    assert response.context["user"] == street


@pytest.mark.parametrize("page", ["community", "street"])
def test_group_dashboards_two_roles_nothing_cached_crosses(client, world, page):
    url = _urls(world)[page]
    client.force_login(world.people.street_office)
    assert client.get(url).status_code == 200
    client.logout()
    client.force_login(world.people.compound_party)
    assert client.get(url).status_code == 403


def test_a_seat_ended_is_refused_before_the_cached_copy(client, world):
    office = world.people.joint_meeting_office
    url = _urls(world)["compound"]
    client.force_login(office)
    assert client.get(url).status_code == 200
    Membership.objects.filter(person=office).delete()
    assert client.get(url).status_code == 403


def test_an_invalid_sort_is_never_cached(client, world):
    url = _urls(world)["street"] + "?sort=nonsense"
    client.force_login(world.people.street_office)
    assert client.get(url).status_code == 400
    response = client.get(url)
    assert response.status_code == 400
    assert response.context is not None


def _request(user, *, method="get", message=False):
    request = getattr(RequestFactory(), method)("/dashboard/")
    request.user = user
    request.session = SessionStore()
    request.session.create()
    request._messages = FallbackStorage(request)
    if message:
        request._messages.add(constants.SUCCESS, "已保存")
    return request


def test_only_a_plain_get_without_pending_messages_may_be_cached(world):
    """A flash message means something of this person just changed: render it now."""
    office = world.people.joint_meeting_office
    assert pagecache.person_page_cacheable(_request(office))
    assert not pagecache.person_page_cacheable(_request(office, message=True))
    assert not pagecache.person_page_cacheable(_request(office, method="post"))
    from django.contrib.auth.models import AnonymousUser

    assert not pagecache.person_page_cacheable(_request(AnonymousUser()))
    office.is_active = False
    assert not pagecache.person_page_cacheable(_request(office))


def test_a_response_that_sets_a_cookie_or_fails_is_not_stored(world):
    from django.http import HttpResponse

    office = world.people.joint_meeting_office
    calls = []

    def failing():
        calls.append(1)
        return HttpResponse("boom", status=500)

    def cookie():
        calls.append(1)
        response = HttpResponse("ok")
        response.set_cookie("x", "1")
        return response

    for build in (failing, cookie):
        request = _request(office)
        pagecache.person_page(request, "t", [], build)
        pagecache.person_page(request, "t", [], build)
    assert len(calls) == 4


def test_two_people_with_the_same_path_get_different_keys(world):
    from django.http import HttpResponse

    a, b = world.people.joint_meeting_office, world.people.street_office
    served = [
        pagecache.person_page(_request(p), "t", [], lambda p=p: HttpResponse(str(p.pk))).content
        for p in (a, b)
    ]
    assert served == [str(a.pk).encode(), str(b.pk).encode()]


def test_a_cache_outage_serves_the_page_uncached(world, monkeypatch):
    from django.core.cache import cache
    from django.http import HttpResponse

    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", broken)
    response = pagecache.person_page(
        _request(world.people.joint_meeting_office), "t", [], lambda: HttpResponse("live")
    )
    assert response.content == b"live"
