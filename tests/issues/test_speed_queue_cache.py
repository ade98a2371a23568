"""The staff queue from the per-person cache (issue 20): after the staff check a person
is served their own copy, keyed by their session, their seats and the newest issue
event, so a change made through the services shows on the very next request; a copy is
never kept past the moment one of its rows turns overdue; and nothing cached is shown to
a person who may not see it (two people of different roles).

seed: 协同联动解决小区事务流程 第二条 (the property company receives and handles the
complaint; its queue is its work list); 小区党组织服务承诺 第3条 (48 h to respond: the
overdue flag).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues import services
from tests.factories.directory import PersonFactory
from tests.factories.issues import IssueEventFactory, IssueFactory
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db

QUEUE = "/issues/queue/"


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    client.get(reverse("issues:queue"))  # the browser's first page: its CSRF cookie
    return client


def get(client: Client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("issues:queue"))
    assert response.status_code == 200
    return response, len(ctx)


def row_of(body: str, number: str) -> str:
    match = re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + re.escape(number) + r".*?</tr>", body, re.S)
    assert match, f"{number} is not in the queue"
    return match.group(0)


def assigned(world, **fields):
    return IssueFactory(
        compound=world.compound,
        building=world.building,
        assigned_org=world.orgs.property_company,
        **fields,
    )


def test_a_hit_is_three_queries_whatever_the_queue(world):
    assigned(world)
    client = signed_in(world.company_staff)
    get(client)
    _, small = get(client)
    for _ in range(20):
        IssueEventFactory(issue=assigned(world))  # a new event: the next page is rebuilt
    response, built = get(client)
    assert response.context is not None  # rebuilt, not the old copy
    _, large = get(client)
    # Session, person, and the seats with the newest event (which decide the staff check).
    assert large == small <= 3 < built


def test_a_change_through_the_services_shows_on_the_next_request(world):
    issue = assigned(world)
    client = signed_in(world.company_staff)
    get(client)
    before, _ = get(client)
    old = row_of(before.content.decode(), issue.tracking_number)
    # Accepted by someone else (a manager's act): the staff member's copy must not stay.
    services.issue_accept(actor=PersonFactory(is_superuser=True), issue=issue)
    issue.refresh_from_db()
    after, _ = get(client)
    new = row_of(after.content.decode(), issue.tracking_number)
    assert new != old
    assert str(issue.get_status_display()) in new


def test_a_page_is_not_kept_past_its_first_row_turning_overdue(world):
    assigned(world, next_deadline=timezone.now() + dt.timedelta(seconds=20))
    assigned(world, next_deadline=timezone.now() + dt.timedelta(hours=40))
    client = signed_in(world.company_staff)
    response, _ = get(client)
    assert 0 <= response.cache_seconds <= 20


def test_two_roles_nothing_cached_crosses(world):
    """The property company's cached queue is never shown to a resident (403, the staff
    check runs before the cache) nor to another compound's property company (their own
    queue, without this complaint)."""
    issue = assigned(world)
    company = signed_in(world.company_staff)
    get(company)
    cached, _ = get(company)
    assert issue.tracking_number in cached.content.decode()

    resident = Client()
    resident.force_login(world.resident)
    refused = resident.get(reverse("issues:queue"))
    assert refused.status_code == 403
    assert issue.tracking_number.encode() not in refused.content

    other = compound_world()
    neighbour = signed_in(other.company_staff)
    theirs, _ = get(neighbour)
    body = theirs.content.decode()
    assert issue.tracking_number not in body
    assert other.company_staff.name in body
    assert world.company_staff.name not in body


def test_a_lost_seat_is_a_new_key(world):
    """The seats are part of the key: a person whose seat ended is refused at once, not
    served the queue they had a moment ago."""
    from huashan.directory.models import Membership

    issue = assigned(world)
    client = signed_in(world.company_staff)
    get(client)
    assert issue.tracking_number in get(client)[0].content.decode()
    Membership.objects.filter(person=world.company_staff).update(
        end=timezone.localdate() - dt.timedelta(days=1)
    )
    assert client.get(reverse("issues:queue")).status_code == 403
