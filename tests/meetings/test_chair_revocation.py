"""联席会议议事规则 第三条: "联席会议由社区党组织负责人或受其委托的小区党组织负责人召集并主持".

When the community party head revokes the 委托, the joint meetings scheduled under it and not
yet begun go back to the community party head (or, with none that day, are flagged as needing
a chair); everyone on the list is told; a meeting already held keeps its record.
"""

from __future__ import annotations

import datetime as dt

import pytest

from huashan.directory import delegations
from huashan.directory.models import Membership
from huashan.notify.models import Notification
from meetings import services
from meetings.models import Meeting, MeetingEvent
from tests.factories.meetings import last_week_start

from .conftest import MEETING_START, hold

pytestmark = pytest.mark.django_db
MEETING_DAY = MEETING_START.date()  # 25 March 2026
APRIL_START = last_week_start(2026, 4)


def _schedule(world, chair, start=MEETING_START, convener=None):
    return services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="joint",
        title=f"{start:%Y年%m月}联席会议",
        start=start,
        end=start + dt.timedelta(hours=2),
        place="小区党群服务中心",
        chair=chair,
        convener=convener,
    )


def _grant(world):
    return delegations.delegation_grant(
        actor=world.people.community_party,
        compound=world.compound,
        delegate=world.people.compound_party,
        start=MEETING_DAY - dt.timedelta(days=20),
        end=APRIL_START.date(),
    )


def _revoke(world, delegation):
    return delegations.delegation_revoke(
        actor=world.people.community_party, delegation=delegation, reason="支部换届"
    )


def _told(person, subject_part):
    return Notification.objects.filter(recipient=person, subject__contains=subject_part).exists()


def test_revoking_hands_a_scheduled_meeting_back_to_the_community_party_head(world, clock):
    """第三条 "由社区党组织负责人或受其委托的小区党组织负责人召集并主持": without the 委托
    the community party head convenes and chairs the meeting scheduled under it."""
    delegation = _grant(world)
    meeting = _schedule(world, chair=world.people.compound_party)
    assert meeting.chair_delegation == delegation

    _revoke(world, delegation)

    meeting.refresh_from_db()
    assert meeting.chair == world.people.community_party
    assert meeting.convener == world.people.community_party
    assert meeting.chair_delegation is None
    event = MeetingEvent.objects.get(meeting=meeting, verb="chair_fallback")
    assert event.actor == world.people.community_party
    assert "支部换届" in event.note
    title = meeting.title
    for person in (world.people.community_party, world.people.compound_party, world.pmc_chair):
        assert _told(person, title), person
    assert _told(world.grid_worker, title)  # observers are told as well


def test_a_notice_already_sent_still_changes_chair_and_everyone_is_told(world, clock):
    delegation = _grant(world)
    meeting = _schedule(world, chair=world.people.compound_party)
    services.meeting_send_notice(actor=world.meeting_clerk, meeting=meeting)

    _revoke(world, delegation)

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.NOTICE_SENT
    assert meeting.chair == world.people.community_party
    assert _told(world.company_chair, meeting.title)


def test_a_held_meeting_keeps_its_delegation_the_next_one_falls_back(world, clock):
    """Boundary: the March meeting was held under the 委托 and keeps the record of it; the
    April meeting, scheduled under the same 委托, goes back to the community party head."""
    delegation = _grant(world)
    march = _schedule(world, chair=world.people.compound_party)
    april = _schedule(world, chair=world.people.compound_party, start=APRIL_START)
    hold(march, world, clock)
    clock.move_to(MEETING_START + dt.timedelta(days=1))

    _revoke(world, delegation)

    march.refresh_from_db()
    april.refresh_from_db()
    assert (march.chair, march.chair_delegation) == (world.people.compound_party, delegation)
    assert not MeetingEvent.objects.filter(meeting=march, verb="chair_fallback").exists()
    assert (april.chair, april.chair_delegation) == (world.people.community_party, None)


def test_a_meeting_already_begun_keeps_its_chair_one_a_minute_ahead_changes(world, clock):
    """Boundary on the clock: a meeting begun (not yet marked held) keeps its chair; a
    meeting starting a minute after the revocation does not."""
    delegation = _grant(world)
    begun = _schedule(world, chair=world.people.compound_party)
    services.meeting_send_notice(actor=world.meeting_clerk, meeting=begun)
    later = _schedule(world, chair=world.people.compound_party, start=APRIL_START)
    clock.move_to(MEETING_START + dt.timedelta(minutes=1))

    _revoke(world, delegation)

    begun.refresh_from_db()
    later.refresh_from_db()
    assert begun.chair_delegation == delegation
    assert later.chair == world.people.community_party


def test_a_convener_under_the_delegation_falls_back_to_the_chair(world, clock):
    delegation = _grant(world)
    meeting = _schedule(
        world, chair=world.people.community_party, convener=world.people.compound_party
    )
    assert meeting.convener == world.people.compound_party

    _revoke(world, delegation)

    meeting.refresh_from_db()
    assert meeting.convener == world.people.community_party
    assert MeetingEvent.objects.filter(meeting=meeting, verb="chair_fallback").count() == 1


def test_no_community_party_head_that_day_flags_the_meeting_as_needing_a_chair(
    world, clock, client
):
    """With no 社区党组织负责人 on the meeting's day, no one may chair: the meeting is left
    without a chair and flagged, the joint-meeting office is told, and the
    notice cannot go out until a chair is named."""
    delegation = _grant(world)
    meeting = _schedule(world, chair=world.people.compound_party)
    Membership.objects.filter(
        person=world.people.community_party, organization=world.orgs.community_party
    ).update(end=MEETING_DAY - dt.timedelta(days=1))

    _revoke(world, delegation)

    meeting.refresh_from_db()
    assert meeting.chair is None
    assert meeting.convener is None
    assert meeting.chair_delegation is None
    assert MeetingEvent.objects.filter(meeting=meeting, verb="chair_needed").exists()
    assert _told(world.meeting_clerk, meeting.title)  # the office (not on the list) is told
    with pytest.raises(services.MeetingStateError) as exc:
        services.meeting_send_notice(actor=world.meeting_clerk, meeting=meeting)
    assert exc.value.code == "no_chair"
    client.force_login(world.meeting_clerk)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="needs-chair"' in page


def test_another_delegation_still_in_force_keeps_the_delegate_in_the_chair(world, clock):
    first = _grant(world)
    second = _grant(world)
    meeting = _schedule(world, chair=world.people.compound_party)
    assert meeting.chair_delegation == second

    _revoke(world, second)

    meeting.refresh_from_db()
    assert (meeting.chair, meeting.chair_delegation) == (world.people.compound_party, first)
    assert not MeetingEvent.objects.filter(meeting=meeting, verb="chair_fallback").exists()


def test_meetings_of_the_community_party_head_are_left_alone(world, clock):
    delegation = _grant(world)
    meeting = _schedule(world, chair=world.people.community_party)

    _revoke(world, delegation)

    assert not MeetingEvent.objects.filter(meeting=meeting).exclude(verb="create").exists()
