"""The logged-in header: the staff check and staff menu are cached per person for
``HEADER_AGE`` seconds (issue 20 item 3) and dropped at once by the changes that
alter them; the unread count and the scheduler warning stay live.

Nothing cached for one person is ever shown to another: the cache is keyed by the
person, and the membership that makes someone staff is read again after it changes.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huashan.core import context_processors
from huashan.directory.models import Membership, Organization
from tests.factories.directory import (
    MembershipFactory,
)
from tests.factories.world import compound_world

Kind = Organization.Kind
Role = Membership.Role
HOME = reverse("core:home")


@pytest.fixture
def world(db):
    """The default compound; the joint-meeting office's clerk and a resident are the two
    headers compared."""
    return compound_world(default_compound=True)


def _nav(html: str) -> dict[str, str]:
    return {
        name: unescape(url)
        for url, name in re.findall(r'<a href="([^"]+)" data-nav="([^"]+)"', html)
    }


def _page(client, person):
    if client.session.get("_auth_user_id") != str(person.pk):
        client.force_login(person)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(HOME)
    assert response.status_code == 200
    return response, len(ctx)


def test_a_second_page_reads_the_staff_menu_from_the_cache(client, world):
    """Issue 20 item 3: the header's membership queries run once per HEADER_AGE."""
    first, cold = _page(client, world.meeting_clerk)
    second, warm = _page(client, world.meeting_clerk)
    assert _nav(second.content.decode()) == _nav(first.content.decode())
    assert "issues:queue" in _nav(second.content.decode())
    # Memberships (staff check, menu) and the dashboard rule: two queries fewer.
    assert warm <= cold - 2, (cold, warm)


def test_two_people_of_different_roles_never_share_a_header(client, world):
    """The clerk's cached staff menu is not shown to a resident, nor the reverse."""
    clerk_html = _page(client, world.meeting_clerk)[0].content.decode()
    client.logout()
    resident_html = _page(client, world.resident)[0].content.decode()
    assert "issues:queue" in _nav(clerk_html)
    assert _nav(resident_html) == {}
    client.logout()
    assert "issues:queue" in _nav(_page(client, world.meeting_clerk)[0].content.decode())


def test_a_new_staff_seat_shows_the_menu_on_the_next_page(client, world):
    resident = world.resident
    assert _nav(_page(client, resident)[0].content.decode()) == {}
    MembershipFactory(person=resident, organization=world.orgs.property_company, role=Role.STAFF)
    assert "issues:queue" in _nav(_page(client, resident)[0].content.decode())


def test_an_ended_seat_drops_the_menu_on_the_next_page(client, world):
    clerk = world.meeting_clerk
    assert "issues:queue" in _nav(_page(client, clerk)[0].content.decode())
    Membership.objects.filter(person=clerk).delete()
    assert _nav(_page(client, clerk)[0].content.decode()) == {}


def test_a_deactivated_account_is_not_served_its_cached_staff_menu(world):
    """The cached entry carries the account state it was built for."""
    clerk = world.meeting_clerk
    assert context_processors.person_header(clerk).is_staff
    clerk.is_active = False  # not saved: no signal, only the stamp can catch it
    header = context_processors.person_header(clerk)
    assert (header.is_staff, header.nav, header.dashboard) == (False, (), False)


def test_an_organization_change_drops_every_cached_header(world, django_assert_num_queries):
    clerk = world.meeting_clerk
    context_processors.person_header(clerk)
    with django_assert_num_queries(0):
        context_processors.person_header(clerk)
    world.orgs.joint_meeting_office.name = "联席会议办公室（改名）"
    world.orgs.joint_meeting_office.save()
    with CaptureQueriesContext(connection) as ctx:
        assert context_processors.person_header(clerk).is_staff
    assert len(ctx) >= 1


def test_the_unread_count_is_live_while_the_menu_is_cached(client, world):
    from huashan.notify.models import Notification

    clerk = world.meeting_clerk
    _page(client, clerk)
    Notification.objects.create(
        recipient=clerk, channel=Notification.Channel.INBOX, subject="测试", body="测试"
    )
    response, _queries = _page(client, clerk)
    assert response.context["unread_notifications"] == 1


def test_a_cache_outage_builds_the_header_uncached(world, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get_many", broken)
    assert context_processors.person_header(world.meeting_clerk).is_staff
