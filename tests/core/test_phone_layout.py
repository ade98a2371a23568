"""Phone-first header, the 大字 switch and the calendar banner (issue 19 items 1-2).

Seed《江南花山郡居民议事规则》is about what residents can do; these tests keep the pages
usable by every resident, the eldest included (MIIT《互联网网站适老化通用设计规范》).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huashan.core import textsize
from huashan.core.context_processors import CALENDAR_BANNER_SHOWN
from huashan.directory.models import Membership, Organization
from tests.factories.directory import (
    CompoundFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
)

HOME = reverse("core:home")
SWITCH = reverse("core:text_size")
#: 2027's holiday schedule is unknown to the package on this day: the banner has a text.
DECEMBER_2026 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture(autouse=True)
def _whitenoise_without_collectstatic(settings):
    settings.WHITENOISE_AUTOREFRESH = True


# --- 大字 switch ---------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_shows_the_large_text_switch_and_one_menu_button(client):
    html = client.get(HOME).content.decode()
    assert 'class="text-size-switch"' in html
    assert f'href="{SWITCH}?size=large&amp;next=/"' in html
    assert ">大字<" in html
    assert html.count('<details class="site-menu"') == 1
    assert "<summary" in html
    assert "菜单" in html
    assert '<html lang="zh-hans">' in html  # no large class by default


@pytest.mark.django_db
def test_switch_sets_a_year_long_cookie_and_returns_to_the_page(client):
    response = client.get(SWITCH, {"size": "large", "next": "/issues/board/?page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/issues/board/?page=2"
    cookie = response.cookies[textsize.COOKIE]
    assert cookie.value == "large"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["httponly"]
    html = client.get(HOME).content.decode()
    assert '<html lang="zh-hans" class="text-large">' in html
    assert f'href="{SWITCH}?size=normal&amp;next=/"' in html
    assert ">标准字<" in html


@pytest.mark.django_db
def test_switch_back_to_normal_clears_the_cookie(client):
    client.get(SWITCH, {"size": "large"})
    response = client.get(SWITCH, {"size": "normal"})
    assert response.cookies[textsize.COOKIE].value == ""
    assert 'class="text-large"' not in client.get(HOME).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"size": "huge"},
        {"size": "<script>"},
        {"size": "large" * 100},
        {},
    ],
)
def test_unknown_or_hostile_sizes_change_nothing(client, query):
    response = client.get(SWITCH, {**query, "next": "/"})
    assert response.status_code == 302
    assert textsize.COOKIE not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_switch_never_leaves_the_site(client, next_url):
    response = client.get(SWITCH, {"size": "large", "next": next_url})
    assert response["Location"] == HOME


def test_anonymous_page_cache_keeps_large_and_normal_apart(rf):
    """A cached public page must not serve one visitor's text size to another."""
    from django.http import HttpResponse

    from huashan.core import pagecache

    @pagecache.anonymous_page("t-h6-text", lambda request: 1)
    def view(request):
        return HttpResponse("large" if textsize.is_large(request) else "normal")

    def get(cookie):
        request = rf.get("/h6-text/")
        if cookie:
            request.COOKIES[textsize.COOKIE] = cookie
        return view(request).content.decode()

    assert get("") == "normal"
    assert get("large") == "large"  # not the cached normal page
    assert get("") == "normal"


# --- calendar banner -------------------------------------------------------------------


@pytest.fixture
def office_staff(db):
    compound = CompoundFactory()
    office = OrganizationFactory(kind=Organization.Kind.JOINT_MEETING_OFFICE, compound=compound)
    return MembershipFactory(organization=office, role=Membership.Role.STAFF).person


def _calendar_editor(person):
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    person.user_permissions.add(Permission.objects.get(codename="add_calendarday"))
    return person


CALENDAR_TEXT = "2027年"


def _banner(client) -> bool:
    html = client.get(HOME).content.decode()
    return 'class="staff-warnings"' in html and CALENDAR_TEXT in html


@pytest.mark.django_db
def test_staff_who_cannot_enter_the_calendar_never_see_its_banner(client, office_staff):
    client.force_login(office_staff)
    with time_machine.travel(DECEMBER_2026, tick=False):
        assert not _banner(client)


@pytest.mark.django_db
def test_calendar_editor_sees_the_banner_once_per_session(office_staff):
    editor = _calendar_editor(office_staff)
    first = Client()
    first.force_login(editor)
    with time_machine.travel(DECEMBER_2026, tick=False):
        assert _banner(first)
        assert first.session[CALENDAR_BANNER_SHOWN]
        assert not _banner(first)  # the next page: quiet
        second = Client()  # a new session: once more
        second.force_login(editor)
        assert _banner(second)


@pytest.mark.django_db
def test_superuser_sees_the_banner(client):
    admin = PersonFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    with time_machine.travel(DECEMBER_2026, tick=False):
        assert _banner(client)
