"""Meetings in the open: who sees which meeting record (docs/meetings.md "Visibility").

seed: 协同联动解决小区事务流程 第六条 "民情恳谈会、工作听证会、服务评议会……并及时向居民反馈";
第二条 "对决策事项和实施结果予以公开"; 联席会议议事规则 第五条 (议定事项 跟踪落实).

Residents of the compound (verified residency: owner, family, tenant) and its staff read the
notice, the approved summary (纪要), the agreed items (who, by when, status) and the feedback
report of forums and hearings with the person masked; visitors who are not logged in only
where the compound chose so (``MeetingsPolicy.public_to_visitors``). Drafts, minutes and
summaries before approval stay staff-only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huashan.directory.models import Membership
from meetings.models import (
    ActionItem,
    ForumOpinion,
    Meeting,
    MeetingsPolicy,
    Minutes,
    Notice,
    Summary,
)
from tests.factories.directory import (
    HouseholdFactory,
    MembershipFactory,
    PersonFactory,
    ResidencyFactory,
)
from tests.factories.meetings import ActionItemFactory, MeetingFactory, meeting_world

pytestmark = pytest.mark.django_db

SUMMARY_TEXT = "会议议定：三月底前修复3栋路灯"
DRAFT_SUMMARY_TEXT = "草稿纪要：尚未审定的内容"
MINUTES_TEXT = "会议记录：李某某发言称物业费收缴率偏低"
OPINION_BY = "王小明"
ITEM_TITLE = "修复3栋路灯"


@pytest.fixture
def open_world(db):
    world = meeting_world()
    now = timezone.now()
    held = MeetingFactory(
        compound=world.compound,
        status=Meeting.Status.MINUTES_APPROVED,
        title="2026年3月联席会议",
        start=now - dt.timedelta(days=3),
    )
    Notice.objects.create(
        meeting=held, year=2026, number=3, document_number="花山联〔2026〕3号", body="会议通知正文"
    )
    Summary.objects.create(
        meeting=held, body=SUMMARY_TEXT, status=Summary.Status.APPROVED, approved_at=now
    )
    Minutes.objects.create(meeting=held, discussion=MINUTES_TEXT)
    ActionItemFactory(
        meeting=held, title=ITEM_TITLE, responsible_organization=world.orgs.property_company
    )
    unapproved = MeetingFactory(compound=world.compound, status=Meeting.Status.HELD)
    Summary.objects.create(meeting=unapproved, body=DRAFT_SUMMARY_TEXT)
    draft = MeetingFactory(
        compound=world.compound, status=Meeting.Status.DRAFT, start=now + dt.timedelta(days=9)
    )
    forum = MeetingFactory(
        compound=world.compound,
        kind=Meeting.Kind.RESIDENTS_FORUM,
        status=Meeting.Status.CLOSED,
        feedback_report="恳谈会共收集意见1条，已全部答复。",
        feedback_published_at=now,
    )
    ForumOpinion.objects.create(
        meeting=forum,
        raised_by_name=OPINION_BY,
        content="希望增设充电桩",
        disposition=ForumOpinion.Disposition.ADOPTED,
        disposition_note="已列入下月议题",
    )
    home = world.resident.residencies.get().household
    people = {
        "owner": world.resident,
        "tenant": ResidencyFactory(household=home, relation="tenant").person,
        "pending": ResidencyFactory(
            household=HouseholdFactory(building=world.building), status="pending"
        ).person,
        "other_compound": ResidencyFactory().person,
        "party_member": MembershipFactory(
            organization=world.orgs.compound_party, role=Membership.Role.PARTY_MEMBER
        ).person,
        "pmc": world.people.pmc,
        "property_company": world.people.property_company,
        "meeting_clerk": world.meeting_clerk,
        "compound_party": world.people.compound_party,
        "community_party": world.people.community_party,
        "street": world.people.street_office,
        "superuser": PersonFactory(is_superuser=True, is_staff=True),
    }
    world.meetings = {"held": held, "unapproved": unapproved, "draft": draft, "forum": forum}
    world.roles = people
    return world


#: role → may read the public meeting pages (None: sent to log in).
VISIBILITY = {
    "anonymous": None,
    "owner": True,
    "tenant": True,
    "pending": False,
    "other_compound": False,
    "party_member": False,  # a voice, not a resident of this compound nor staff
    "pmc": True,
    "property_company": True,
    "meeting_clerk": True,
    "compound_party": True,
    "community_party": True,
    "street": True,
    "superuser": True,
}


def _client(world, role):
    client = Client()
    if role != "anonymous":
        client.force_login(world.roles[role])
    return client


@pytest.mark.parametrize("role", sorted(VISIBILITY))
def test_public_meeting_page_visibility_table(open_world, role):
    client = _client(open_world, role)
    held = open_world.meetings["held"]
    response = client.get(reverse("meetings:public", args=[held.pk]))
    expected = VISIBILITY[role]
    if expected is None:
        assert response.status_code == 302
        assert "/login" in response.url or "accounts" in response.url
        return
    if not expected:
        assert response.status_code == 403
        assert SUMMARY_TEXT not in response.content.decode()
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert "花山联〔2026〕3号" in page  # the notice
    assert SUMMARY_TEXT in page  # the approved summary
    assert ITEM_TITLE in page
    assert open_world.orgs.property_company.name in page
    assert MINUTES_TEXT not in page  # minutes stay staff-only
    # The summary not yet approved stays staff-only; a meeting still in draft shows only
    # its time and place.
    unapproved = client.get(reverse("meetings:public", args=[open_world.meetings["unapproved"].pk]))
    assert unapproved.status_code == 200
    assert DRAFT_SUMMARY_TEXT not in unapproved.content.decode()
    draft = client.get(reverse("meetings:public", args=[open_world.meetings["draft"].pk]))
    assert draft.status_code == 200
    assert "尚未发出会议通知" in draft.content.decode()
    # The forum's feedback report: opinion → disposition, the person masked.
    forum = client.get(reverse("meetings:public", args=[open_world.meetings["forum"].pk]))
    text = forum.content.decode()
    assert "希望增设充电桩" in text
    assert "已列入下月议题" in text
    assert "王**" in text
    assert OPINION_BY not in text
    # The agreed items list.
    items = client.get(
        reverse("meetings:action_items_public") + f"?compound={open_world.compound.slug}"
    )
    assert items.status_code == 200
    assert ITEM_TITLE in items.content.decode()


@pytest.mark.parametrize("role", sorted(VISIBILITY))
def test_meeting_list_links_to_the_page_each_role_may_read(open_world, role):
    client = _client(open_world, role)
    page = client.get(reverse("meetings:list") + f"?compound={open_world.compound.slug}")
    assert page.status_code == 200
    text = page.content.decode()
    held = open_world.meetings["held"]
    draft = open_world.meetings["draft"]
    staff = role in (
        "pmc",
        "property_company",
        "meeting_clerk",
        "compound_party",
        "community_party",
        "street",
        "superuser",
    )
    assert draft.title in text  # a scheduled meeting is listed with its time and place
    staff_link = 'href="{}"'.format(reverse("meetings:detail", args=[held.pk]))
    if staff:
        assert staff_link in text
    else:
        assert staff_link not in text
        linked = reverse("meetings:public", args=[held.pk]) in text
        assert linked is bool(VISIBILITY[role])


def test_residents_are_sent_from_staff_pages_to_the_public_ones(open_world):
    owner = _client(open_world, "owner")
    held = open_world.meetings["held"]
    detail = owner.get(reverse("meetings:detail", args=[held.pk]))
    assert detail.status_code == 302
    assert detail.url == reverse("meetings:public", args=[held.pk])
    items = owner.get(reverse("meetings:action_items") + f"?compound={open_world.compound.slug}")
    assert items.status_code == 302
    assert items.url.startswith(reverse("meetings:action_items_public"))
    staff = _client(open_world, "meeting_clerk")
    assert staff.get(reverse("meetings:detail", args=[held.pk])).status_code == 200


def test_visitors_read_only_where_the_compound_chose_so(open_world):
    held = open_world.meetings["held"]
    anonymous = Client()
    url = reverse("meetings:public", args=[held.pk])
    assert anonymous.get(url).status_code == 302
    MeetingsPolicy.objects.create(compound=open_world.compound, public_to_visitors=True)
    page = anonymous.get(url)
    assert page.status_code == 200
    assert SUMMARY_TEXT in page.content.decode()
    assert MINUTES_TEXT not in page.content.decode()
    listing = anonymous.get(reverse("meetings:list") + f"?compound={open_world.compound.slug}")
    assert url in listing.content.decode()


def test_public_meeting_page_queries_do_not_grow(open_world, django_assert_max_num_queries):
    held = open_world.meetings["held"]
    for n in range(15):
        ActionItemFactory(
            meeting=held, title=f"事项{n}", responsible_organization=open_world.orgs.pmc
        )
    owner = _client(open_world, "owner")
    with django_assert_max_num_queries(20):
        assert owner.get(reverse("meetings:public", args=[held.pk])).status_code == 200


def test_hostile_page_numbers_and_ids(open_world):
    owner = _client(open_world, "owner")
    slug = open_world.compound.slug
    assert (
        owner.get(reverse("meetings:action_items_public") + f"?compound={slug}&page=x'--")
    ).status_code == 200
    assert owner.get("/meetings/999999999/public/").status_code == 404
    assert ActionItem.objects.filter(title=ITEM_TITLE).exists()
