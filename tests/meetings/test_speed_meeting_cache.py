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
    # Session, person, then the meeting with its version and the person's seats in its
    # compound (what the view permission decides on) in one statement.
    assert hit <= 3 < built


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


def test_a_hit_stays_two_queries_with_more_meetings_seats_and_events(world, joint_meeting):
    from tests.factories.meetings import MeetingFactory

    url = reverse("meetings:detail", args=[joint_meeting.pk])
    client = signed_in(world.meeting_clerk)
    client.get(url)
    client.get(url)
    _, small = get(client, url)
    for n in range(3):
        MeetingFactory(compound=world.compound, title=f"补充会议{n}")
        services.topic_propose(actor=world.meeting_clerk, compound=world.compound, title=f"议题{n}")
    client.get(url)  # the new version: a miss
    _, large = get(client, url)
    # The person and the meeting's head; the session is read from the cache
    # (huashan/core/sessions.py).
    assert small == large == 2


def test_the_permission_decided_on_the_hit_is_the_rule_s_own(world, joint_meeting):
    """The seats read with the meeting decide ``meetings.view_meeting`` exactly as the rule
    does with its own query, for every person of the compound's world."""
    from django.contrib.auth.models import AnonymousUser

    from huashan.directory.models import Person
    from meetings import selectors
    from tests.factories.meetings import MeetingFactory
    from tests.factories.world import compound_world

    neighbour = compound_world(community=world.compound.community)  # same community
    elsewhere = compound_world()  # another community
    meetings = [
        joint_meeting,
        MeetingFactory(compound=neighbour.compound),
        MeetingFactory(compound=elsewhere.compound),
    ]
    seen = set()
    for meeting in meetings:
        for person in [*Person.objects.all(), AnonymousUser()]:
            fresh = Person.objects.get(pk=person.pk) if person.pk else person
            expected = fresh.has_perm("meetings.view_meeting", meeting)
            user = Person.objects.get(pk=person.pk) if person.pk else AnonymousUser()
            page = selectors.meeting_page_head(pk=meeting.pk, user=user)
            with CaptureQueriesContext(connection) as ctx:
                decided = user.has_perm("meetings.view_meeting", page.meeting)
            assert page.compound_id == meeting.compound_id
            assert decided == expected, (meeting, person)
            if user.is_authenticated and user.is_active and not user.is_superuser:
                assert len(ctx) == 0, person  # decided on the seats read with the meeting
            seen.add((meeting.pk, decided))
    # Each meeting has people who may and people who may not see it.
    assert seen == {(m.pk, answer) for m in meetings for answer in (True, False)}


def test_no_such_meeting_is_404_on_the_small_read(world, joint_meeting):
    client = signed_in(world.meeting_clerk)
    assert client.get(reverse("meetings:detail", args=[joint_meeting.pk + 999])).status_code == 404


def test_a_lost_seat_is_refused_at_once(world, joint_meeting):
    """The seats are read with the meeting on every request: a person whose seat ended is
    refused on the next request, never served the copy they had a moment ago."""
    import datetime as dt

    from django.utils import timezone

    from huashan.directory.models import Membership

    url = reverse("meetings:detail", args=[joint_meeting.pk])
    client = signed_in(world.meeting_clerk)
    client.get(url)
    assert client.get(url).status_code == 200
    Membership.objects.filter(person=world.meeting_clerk).update(
        end=timezone.localdate() - dt.timedelta(days=1)
    )
    refused = client.get(url)
    assert refused.status_code in (302, 403)
    assert world.meeting_clerk.name.encode() not in refused.content


def test_staff_of_the_neighbouring_compound_is_never_served_this_meeting(world, joint_meeting):
    """Same community, another compound: the neighbour's staff (their own meeting page
    cached) is refused this compound's meeting; the community secretary, whose seat covers
    both, sees it."""
    from tests.factories.world import compound_world

    other = compound_world(community=world.compound.community)
    url = reverse("meetings:detail", args=[joint_meeting.pk])
    clerk = signed_in(world.meeting_clerk)
    clerk.get(url)
    assert clerk.get(url).status_code == 200

    neighbour = signed_in(other.company_staff)
    for _ in range(2):
        refused = neighbour.get(url)
        assert refused.status_code in (302, 403)
        assert world.meeting_clerk.name.encode() not in refused.content

    secretary = signed_in(world.community_secretary)
    secretary.get(url)
    assert secretary.get(url).status_code == 200


def test_a_logged_out_or_deactivated_session_is_never_served(world, joint_meeting):
    url = reverse("meetings:detail", args=[joint_meeting.pk])
    client = signed_in(world.meeting_clerk)
    client.get(url)
    assert client.get(url).status_code == 200
    cookie = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies["sessionid"] = cookie  # the old session cookie, replayed after logout
    for response in (client.get(url), replay.get(url)):
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    again = signed_in(world.meeting_clerk)
    again.get(url)
    assert again.get(url).status_code == 200
    type(world.meeting_clerk).objects.filter(pk=world.meeting_clerk.pk).update(is_active=False)
    gone = again.get(url)
    assert gone.status_code == 302
    assert world.meeting_clerk.name.encode() not in gone.content
