"""协同联动 第四条: "对于超出'三方'职责与社区职责范围的重大物业管理服务问题，若应当解决且具备
解决条件，小区联席会议应研究并提出建议，报社区党组织。社区党组织应及时提请街道运用'街道吹哨、
部门报到'机制，召集街道联席会议…" — the joint meeting proposes, the community party
organization asks the street, the street convenes a street joint meeting, and its outcome
returns to the complaint.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from issues.models import Issue, IssueEvent
from meetings import services
from meetings.models import Meeting, MeetingMember
from meetings.models.meetings import StreetReferral
from meetings.services.meetings import (
    street_joint_meeting_convene,
    street_referral_conclude,
    street_referral_propose,
    street_referral_request,
)
from tests.factories.issues import IssueFactory

from .conftest import CN, hold

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(world):
    return IssueFactory(compound=world.compound, tier=Issue.Tier.HARD, status=Issue.Status.ACCEPTED)


@pytest.fixture
def held(joint_meeting, world, clock):
    return hold(joint_meeting, world, clock)


def _propose(world, meeting, issue):
    return street_referral_propose(
        actor=world.meeting_clerk,
        meeting=meeting,
        issue=issue,
        proposal="地下管网改造超出三方和社区职责，建议报社区党组织提请街道协调水务部门。",
    )


def _street_meeting(world, referral, clock):
    start = dt.datetime(2026, 4, 2, 9, 0, tzinfo=CN)
    return street_joint_meeting_convene(
        actor=world.people.street_office,
        referral=referral,
        title="江南花山郡管网改造街道联席会议",
        start=start,
        end=start + dt.timedelta(hours=2),
        place="街道办三楼会议室",
    )


def test_full_path_from_joint_meeting_to_the_street_and_back(held, world, issue, clock):
    referral = _propose(world, held, issue)
    assert referral.status == StreetReferral.Status.PROPOSED
    referral = street_referral_request(
        actor=world.people.community_party,
        referral=referral,
        request_text="请街道运用街道吹哨、部门报到机制召集街道联席会议。",
    )
    assert referral.status == StreetReferral.Status.REQUESTED
    # Asking the street is blowing its whistle (街道吹哨、部门报到) on the complaint.
    assert referral.street_whistle.level == "street"
    assert referral.street_whistle.issue_id == issue.pk
    meeting = _street_meeting(world, referral, clock)
    assert meeting.kind == Meeting.Kind.STREET_JOINT
    assert meeting.organization == world.orgs.street_office
    members = dict(MeetingMember.objects.filter(meeting=meeting).values_list("person_id", "role"))
    assert members[world.people.street_office.pk] == MeetingMember.Role.MEMBER
    assert members[world.people.department.pk] == MeetingMember.Role.MEMBER
    assert members[world.people.community_party.pk] == MeetingMember.Role.MEMBER
    assert members[world.people.compound_party.pk] == MeetingMember.Role.OBSERVER
    referral.refresh_from_db()
    assert referral.status == StreetReferral.Status.CONVENED
    with pytest.raises(services.MeetingStateError):
        street_referral_conclude(
            actor=world.people.street_office, referral=referral, outcome="协调水务部门"
        )
    clock.move_to(meeting.start + dt.timedelta(minutes=5))
    services.meeting_mark_held(actor=world.people.street_office, meeting=meeting)
    referral = street_referral_conclude(
        actor=world.people.street_office,
        referral=referral,
        outcome="水务部门6月底前完成管网改造，街道物业专委会跟踪。",
    )
    assert referral.status == StreetReferral.Status.CONCLUDED
    public = list(
        IssueEvent.objects.filter(issue=issue, public=True).values_list("verb", flat=True)
    )
    assert public[-5:] == [
        "street_propose",
        "street_request",
        "whistle_street",
        "street_convene",
        "street_outcome",
    ]
    outcome = IssueEvent.objects.get(issue=issue, verb="street_outcome")
    assert "6月底前" in outcome.note


def test_only_a_held_joint_meeting_proposes(joint_meeting, world, issue, clock):
    with pytest.raises(services.MeetingStateError):
        _propose(world, joint_meeting, issue)  # scheduled, not held


def test_a_small_matter_is_not_taken_to_the_street(held, world, clock):
    small = IssueFactory(compound=world.compound, tier=Issue.Tier.SMALL)
    with pytest.raises(ValidationError):
        _propose(world, held, small)


def test_the_same_complaint_is_not_proposed_twice_while_on_its_way(held, world, issue, clock):
    _propose(world, held, issue)
    with pytest.raises(ValidationError):
        _propose(world, held, issue)


def test_only_the_community_party_organization_asks_the_street(held, world, issue, clock):
    referral = _propose(world, held, issue)
    for actor in (world.people.compound_party, world.meeting_clerk, world.people.street_office):
        with pytest.raises(PermissionDenied):
            street_referral_request(actor=actor, referral=referral, request_text="请街道协调")


def test_the_street_convenes_only_when_asked(held, world, issue, clock):
    referral = _propose(world, held, issue)
    with pytest.raises(services.MeetingStateError):
        _street_meeting(world, referral, clock)
    street_referral_request(
        actor=world.people.community_party, referral=referral, request_text="请街道协调"
    )
    with pytest.raises(PermissionDenied):
        street_joint_meeting_convene(
            actor=world.people.community_party,
            referral=referral,
            title="x",
            start=dt.datetime(2026, 4, 2, 9, 0, tzinfo=CN),
            end=dt.datetime(2026, 4, 2, 10, 0, tzinfo=CN),
            place="街道",
        )


def test_the_community_party_organization_may_decline_with_a_reason(held, world, issue, clock):
    referral = _propose(world, held, issue)
    referral = street_referral_request(
        actor=world.people.community_party,
        referral=referral,
        decline_reason="社区可协调解决，先由社区居委会牵头。",
    )
    assert referral.status == StreetReferral.Status.DECLINED
    event = IssueEvent.objects.get(issue=issue, verb="street_decline")
    assert event.public
    assert "社区可协调解决" in event.note


def test_proposal_text_is_required_and_bounded(held, world, issue, clock):
    for text in ("", "   ", "长" * 4001):
        with pytest.raises(ValidationError):
            street_referral_propose(
                actor=world.meeting_clerk, meeting=held, issue=issue, proposal=text
            )
    assert not StreetReferral.objects.exists()


# --- the page ---------------------------------------------------------------------


def _url(world):
    return f"/meetings/street/?compound={world.compound.slug}"


def test_page_walks_the_referral_from_proposal_to_outcome(held, world, issue, clock, client):
    client.force_login(world.meeting_clerk)
    assert client.get(_url(world)).status_code == 200
    response = client.post(
        _url(world),
        {
            "propose-meeting": held.pk,
            "propose-tracking_number": issue.tracking_number,
            "propose-proposal": "建议提请街道协调水务部门",
        },
    )
    assert response.status_code == 302
    referral = StreetReferral.objects.get()
    client.force_login(world.people.community_party)
    response = client.post(
        f"/meetings/street/{referral.pk}/request/",
        {f"req-{referral.pk}-request_text": "请街道召集街道联席会议"},
    )
    assert response.status_code == 302
    client.force_login(world.people.street_office)
    response = client.post(
        f"/meetings/street/{referral.pk}/convene/",
        {
            f"conv-{referral.pk}-title": "街道联席会议",
            f"conv-{referral.pk}-start": "2026-04-02T09:00",
            f"conv-{referral.pk}-end": "2026-04-02T11:00",
            f"conv-{referral.pk}-place": "街道办",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == StreetReferral.Status.CONVENED
    body = client.get(_url(world)).content.decode()
    assert "街道联席会议" in body


def test_page_bad_input_keeps_what_was_typed(held, world, issue, clock, client):
    client.force_login(world.meeting_clerk)
    hostile = "<script>alert(1)</script>"
    for data in (
        {
            "propose-meeting": held.pk,
            "propose-tracking_number": "HS-0000-000000",
            "propose-proposal": hostile,
        },
        {"propose-meeting": "", "propose-tracking_number": "", "propose-proposal": ""},
        {
            "propose-meeting": "999999",
            "propose-tracking_number": issue.tracking_number,
            "propose-proposal": "x",
        },
        {
            "propose-meeting": held.pk,
            "propose-tracking_number": issue.tracking_number,
            "propose-proposal": "长" * 4001,
        },
    ):
        response = client.post(_url(world), data)
        assert response.status_code == 400
        assert hostile not in response.content.decode()
    assert not StreetReferral.objects.exists()
    referral = _propose(world, held, issue)
    client.force_login(world.people.community_party)
    response = client.post(f"/meetings/street/{referral.pk}/request/", {})
    assert response.status_code == 400  # neither a request nor a reason to decline
    assert client.post(f"/meetings/street/{referral.pk}/nonsense/", {}).status_code == 404


def test_page_refuses_others(held, world, issue, clock, client):
    referral = _propose(world, held, issue)
    client.force_login(world.resident)
    assert client.get(_url(world)).status_code == 403
    client.force_login(world.people.pmc)
    response = client.post(
        f"/meetings/street/{referral.pk}/request/", {f"req-{referral.pk}-request_text": "请街道"}
    )
    assert response.status_code == 403
    client.logout()
    assert client.get(_url(world)).status_code == 302


def test_page_queries_do_not_grow(held, world, clock, client, django_assert_max_num_queries):
    client.force_login(world.people.community_party)
    client.get(_url(world))
    for _ in range(5):
        issue = IssueFactory(
            compound=world.compound, tier=Issue.Tier.BIG, status=Issue.Status.ACCEPTED
        )
        _propose(world, held, issue)
    with django_assert_max_num_queries(25):
        assert client.get(_url(world)).status_code == 200
