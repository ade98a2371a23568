"""The meeting page from the per-person cache (issue 20): after the permission check a
person is served their own copy, keyed by their session and the newest meetings event,
so a change made through the services shows on the very next request, and nothing
cached is ever shown to a person who may not see it (two people of different roles).

seed: 联席会议议事规则 第三—五条 (the agenda, notice and agreed items the page shows).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services

pytestmark = pytest.mark.django_db


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def get(client: Client, url: str):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, len(ctx)


def test_the_second_request_is_the_cached_copy_in_a_few_queries(world, joint_meeting):
    url = reverse("meetings:detail", args=[joint_meeting.pk])
    client = signed_in(world.meeting_clerk)
    client.get(url)  # the browser's first page: it receives its CSRF cookie
    first, built = get(client, url)
    second, hit = get(client, url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    # Session, person, the meeting with its version, the view permission.
    assert hit <= 4 < built


def test_a_change_through_the_services_shows_on_the_next_request(world, joint_meeting):
    url = reverse("meetings:detail", args=[joint_meeting.pk])
    client = signed_in(world.meeting_clerk)
    client.get(url)
    before = client.get(url).content.decode()
    assert "楼道照明改造" not in before
    services.topic_propose(
        actor=world.meeting_clerk,
        compound=world.compound,
        title="楼道照明改造",
        meeting=joint_meeting,
    )
    assert "楼道照明改造" in client.get(url).content.decode()


def test_two_roles_nothing_cached_crosses(world, joint_meeting):
    """The clerk's cached page (with the office's forms and the clerk's name in the header)
    is neither served to a resident (sent to the public page) nor to the property
    company's staff (who get their own page, with their own name)."""
    url = reverse("meetings:detail", args=[joint_meeting.pk])
    clerk = signed_in(world.meeting_clerk)
    clerk.get(url)
    cached = clerk.get(url)
    assert cached.status_code == 200
    assert world.meeting_clerk.name in cached.content.decode()

    resident = signed_in(world.resident)
    refused = resident.get(url)
    assert refused.status_code in (302, 403)
    if refused.status_code == 302:
        assert refused["Location"] == reverse("meetings:public", args=[joint_meeting.pk])
    assert world.meeting_clerk.name.encode() not in refused.content

    staff = signed_in(world.company_staff)
    own = staff.get(url)
    if own.status_code == 200:
        body = own.content.decode()
        assert world.company_staff.name in body
        assert world.meeting_clerk.name not in body.split("</header>")[0]
        assert own.content != cached.content
    else:
        assert own.status_code in (302, 403)
        assert world.meeting_clerk.name.encode() not in own.content


def test_a_page_showing_an_item_due_soon_is_kept_no_longer_than_that(world, joint_meeting):
    import datetime as dt

    from django.utils import timezone

    from tests.factories.meetings import ActionItemFactory

    due = timezone.now() + dt.timedelta(seconds=12)
    ActionItemFactory(
        meeting=joint_meeting,
        responsible_organization=world.orgs.pmc,
        due_at=due,
        due_date=timezone.localdate(due),
    )
    url = reverse("meetings:detail", args=[joint_meeting.pk])
    client = signed_in(world.meeting_clerk)
    client.get(url)
    built = client.get(url)
    assert built.status_code == 200
    assert built.cache_seconds == 12
