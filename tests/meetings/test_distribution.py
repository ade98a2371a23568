"""分送四方 and posting the summary on the disclosure board (issue 13 item 2).

seed: 联席会议议事规则 第四条 "会议纪要……分送小区党组织、社区居委会、业主委员会（物业管理委员会）
和物业服务企业"; 公示承诺制度 第一条 (the board is where residents read what was agreed).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from disclosures.models import Disclosure
from disclosures.selectors import board_disclosures
from huashan.directory.models import Organization
from meetings import services
from meetings.models import MeetingEvent, Summary
from tests.factories.directory import MembershipFactory
from tests.meetings.conftest import MEETING_START
from tests.meetings.test_services import _approved_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_meeting(world, clock):
    """A joint meeting created with 会议纪要在公示栏公开 ticked."""
    return services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="joint",
        title="2026年3月联席会议",
        start=MEETING_START,
        end=MEETING_START + dt.timedelta(hours=2),
        place="小区党群服务中心会议室",
        summary_public=True,
    )


def test_seed_art4_distribution_with_the_board_tick_posts_the_summary_publicly(
    public_meeting, world, clock, client
):
    """第四条 + 公示承诺制度 第一条: the approved summary goes to the four bodies and to
    the compound's board, in the office's name, with no link the clerk never typed."""
    _topic, summary = _approved_meeting(public_meeting, world, clock)
    summary = services.summary_distribute(actor=world.meeting_clerk, summary=summary)

    assert summary.status == Summary.Status.DISTRIBUTED
    disclosure = Disclosure.objects.get(pk=summary.public_disclosure_id)
    assert disclosure.state == Disclosure.State.PUBLISHED
    assert disclosure.compound == world.compound
    assert disclosure.organization.kind == Organization.Kind.JOINT_MEETING_OFFICE
    assert disclosure.category.code == "meeting_summary"
    assert disclosure.title == "2026年3月联席会议纪要"
    assert disclosure.source_url == ""
    assert "同意" in disclosure.body_markdown
    assert not disclosure.body_markdown.startswith(disclosure.title)  # not printed twice
    assert disclosure in board_disclosures(compound=world.compound)

    verbs = list(MeetingEvent.objects.filter(meeting=public_meeting).values_list("verb", flat=True))
    assert "summary_distribute" in verbs
    assert "summary_publish" in verbs

    # An anonymous resident finds it on the public board of that compound.
    page = client.get(reverse("disclosures:board", args=[world.compound.slug]))
    assert page.status_code == 200
    assert "2026年3月联席会议" in page.content.decode()
    detail = client.get(reverse("disclosures:detail", args=[disclosure.pk]))
    assert detail.status_code == 200
    assert "同意" in detail.content.decode()


def test_seed_art4_distribution_without_the_tick_does_not_post(joint_meeting, world, clock):
    _topic, summary = _approved_meeting(joint_meeting, world, clock)
    before = Disclosure.objects.count()
    summary = services.summary_distribute(actor=world.meeting_clerk, summary=summary)
    assert summary.status == Summary.Status.DISTRIBUTED
    assert summary.public_disclosure_id is None
    assert Disclosure.objects.count() == before
    verbs = set(MeetingEvent.objects.filter(meeting=joint_meeting).values_list("verb", flat=True))
    assert "summary_distribute" in verbs
    assert "summary_publish" not in verbs


def test_compound_party_leader_distributes_in_the_party_organizations_name(
    public_meeting, world, clock
):
    """A compound party secretary runs the office too (第四条); the summary is posted in
    the name of a body she may publish for."""
    _topic, summary = _approved_meeting(public_meeting, world, clock)
    leader = world.people.compound_party
    summary = services.summary_distribute(actor=leader, summary=summary)
    disclosure = Disclosure.objects.get(pk=summary.public_disclosure_id)
    assert disclosure.organization.kind == Organization.Kind.COMPOUND_PARTY


def test_office_helper_who_cannot_publish_gets_a_clear_message_and_nothing_half_done(
    public_meeting, world, clock
):
    """A grid worker seconded to the RC property committee may run the office but not
    publish: the distribution is refused as a whole, with a Chinese-ready message."""
    helper = MembershipFactory(
        organization=world.orgs.rc_property_committee, role="grid_worker"
    ).person
    _topic, summary = _approved_meeting(public_meeting, world, clock)
    with pytest.raises(ValidationError) as exc:
        services.summary_distribute(actor=helper, summary=summary)
    assert "summary" in exc.value.message_dict
    summary.refresh_from_db()
    assert summary.status == Summary.Status.APPROVED
    assert summary.public_disclosure_id is None


def test_distribute_view_with_the_tick_flashes_success_not_a_url_error(
    public_meeting, world, clock, client
):
    _topic, summary = _approved_meeting(public_meeting, world, clock)
    client.force_login(world.meeting_clerk)
    url = reverse("meetings:summary_step", args=[public_meeting.pk, "distribute"])
    response = client.post(url, follow=True)
    body = response.content.decode()
    assert "http(s)" not in body
    summary.refresh_from_db()
    assert summary.status == Summary.Status.DISTRIBUTED
    assert summary.public_disclosure_id


def test_a_meeting_title_of_the_full_200_characters_still_posts(world, clock):
    """The posting adds 纪要 to the title; a title already at the limit is shortened with
    an ellipsis rather than failing the distribution."""
    meeting = services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="joint",
        title="长" * 200,
        start=MEETING_START,
        end=MEETING_START + dt.timedelta(hours=2),
        place="小区党群服务中心会议室",
        summary_public=True,
    )
    _topic, summary = _approved_meeting(meeting, world, clock)
    summary = services.summary_distribute(actor=world.meeting_clerk, summary=summary)
    disclosure = Disclosure.objects.get(pk=summary.public_disclosure_id)
    assert len(disclosure.title) == 200
    assert disclosure.title.endswith("…纪要")
