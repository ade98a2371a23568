"""Selectors: cross-app contract (meeting_count, absence_streaks, action_item_stats),
follow-up items, and constant query counts of the meeting page and the item list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from meetings import selectors
from meetings.models import ActionItem, Attendance, Meeting
from tests.factories.directory import PersonFactory
from tests.factories.meetings import (
    ActionItemFactory,
    AgendaTopicFactory,
    AttendanceFactory,
    MeetingFactory,
    MeetingMemberFactory,
    meeting_world,
)
from tests.meetings.conftest import CN

pytestmark = pytest.mark.django_db


def _pmc_meeting(world, days_ago: int, statuses: dict):
    meeting = MeetingFactory(
        compound=world.compound,
        kind=Meeting.Kind.PMC_WORKING,
        start=timezone.now() - dt.timedelta(days=days_ago),
        organization=world.orgs.pmc,
    )
    for person, status in statuses.items():
        MeetingMemberFactory(meeting=meeting, person=person, organization=world.orgs.pmc)
        if status:
            AttendanceFactory(meeting=meeting, person=person, status=status)
    return meeting


def test_three_consecutive_unexcused_absences_are_flagged():
    world = meeting_world()
    a, b = world.pmc_members
    chair = world.people.pmc
    _pmc_meeting(world, 40, {a: "present", b: "unexcused", chair: "present"})
    _pmc_meeting(world, 30, {a: "unexcused", b: "excused", chair: "present"})
    _pmc_meeting(world, 20, {a: "unexcused", b: "unexcused", chair: "present"})
    last = _pmc_meeting(world, 10, {a: "unexcused", b: "unexcused", chair: "unexcused"})
    # A joint meeting absence does not count towards the PMC work-meeting streak.
    joint = MeetingFactory(compound=world.compound, start=timezone.now() - dt.timedelta(days=5))
    MeetingMemberFactory(meeting=joint, person=a)
    AttendanceFactory(meeting=joint, person=a, status="present")
    streaks = {s.person.pk: s for s in selectors.absence_streaks(compound=world.compound)}
    assert streaks[a.pk].consecutive_unexcused == 3
    assert streaks[a.pk].last_meeting == last
    assert streaks[a.pk].organization == world.orgs.pmc
    assert streaks[b.pk].consecutive_unexcused == 2  # broken by an excused absence
    assert streaks[chair.pk].consecutive_unexcused == 1
    assert next(s.person for s in selectors.absence_streaks(compound=world.compound)) == a


def test_streak_is_broken_by_a_missing_record_and_cancelled_meetings_do_not_count():
    world = meeting_world()
    a = world.pmc_members[0]
    _pmc_meeting(world, 30, {a: "unexcused"})
    _pmc_meeting(world, 20, {a: None})  # nobody recorded attendance
    _pmc_meeting(world, 10, {a: "unexcused"})
    cancelled = _pmc_meeting(world, 5, {a: "unexcused"})
    Meeting.objects.filter(pk=cancelled.pk).update(status=Meeting.Status.CANCELLED)
    streaks = {s.person.pk: s for s in selectors.absence_streaks(compound=world.compound)}
    assert streaks[a.pk].consecutive_unexcused == 1


def test_absence_streaks_query_count_is_constant(django_assert_max_num_queries):
    world = meeting_world()
    for i in range(6):
        _pmc_meeting(world, 60 - i * 7, {p: "unexcused" for p in world.pmc_members})
    with django_assert_max_num_queries(3):
        assert len(selectors.absence_streaks(compound=world.compound)) == 2


def test_meeting_count_counts_only_held_meetings_in_range():
    world = meeting_world()
    start = dt.datetime(2026, 1, 1, tzinfo=CN)
    for month, status in ((1, "held"), (2, "closed"), (3, "cancelled"), (4, "notice_sent")):
        MeetingFactory(
            compound=world.compound,
            start=dt.datetime(2026, month, 27, 15, tzinfo=CN),
            status=status,
        )
    MeetingFactory(
        compound=world.compound, kind="owners_forum", start=dt.datetime(2026, 2, 3, tzinfo=CN)
    )
    end = dt.datetime(2026, 5, 1, tzinfo=CN)
    assert (
        selectors.meeting_count(compound=world.compound, kinds=["joint"], start=start, end=end) == 2
    )
    assert (
        selectors.meeting_count(
            compound=world.compound, kinds=["joint", "owners_forum"], start=start, end=end
        )
        == 3
    )
    assert (
        selectors.meeting_count(
            compound=world.compound,
            kinds=["joint"],
            start=dt.date(2026, 2, 1),
            end=dt.date(2026, 3, 1),
        )
        == 1
    )


def test_action_item_stats_per_organization():
    world = meeting_world()
    meeting = MeetingFactory(compound=world.compound, start=dt.datetime(2026, 1, 28, tzinfo=CN))
    company, pmc = world.orgs.property_company, world.orgs.pmc
    due = dt.datetime(2026, 2, 10, 23, 59, tzinfo=CN)

    def item(org, status, completed=None):
        return ActionItemFactory(
            meeting=meeting,
            responsible_organization=org,
            due_date=due.date(),
            due_at=due,
            status=status,
            completed_at=completed,
        )

    item(company, "done", due - dt.timedelta(days=1))
    item(company, "done", due + dt.timedelta(days=3))
    item(company, "in_progress")
    item(company, "cancelled")
    item(pmc, "done", due - dt.timedelta(days=2))
    stats = {
        s.organization.kind: s
        for s in selectors.action_item_stats(
            compound=world.compound, start=dt.date(2026, 2, 1), end=dt.date(2026, 3, 1)
        )
    }
    c = stats["property_company"]
    assert (c.total, c.done_on_time, c.done_late, c.open_overdue) == (3, 1, 1, 1)
    assert str(c.completion_rate) == "0.6667"
    assert stats["pmc"].completion_rate == 1


def test_follow_up_lists_open_items_of_earlier_meetings():
    world = meeting_world()
    earlier = MeetingFactory(compound=world.compound, start=timezone.now() - dt.timedelta(days=30))
    current = MeetingFactory(
        compound=world.compound, start=timezone.now() + dt.timedelta(days=1), status="draft"
    )
    open_item = ActionItemFactory(
        meeting=earlier,
        responsible_organization=world.orgs.property_company,
        status="open",
    )
    ActionItemFactory(
        meeting=earlier, responsible_organization=world.orgs.property_company, status="done"
    )
    ActionItemFactory(meeting=current, responsible_organization=world.orgs.pmc, status="open")
    other = meeting_world()
    ActionItemFactory(
        meeting=MeetingFactory(
            compound=other.compound, start=timezone.now() - dt.timedelta(days=3)
        ),
        responsible_organization=other.orgs.pmc,
    )
    assert list(selectors.meeting_follow_up_items(meeting=current)) == [open_item]


def _populate(world, meeting, n: int):
    for person in PersonFactory.create_batch(n):
        MeetingMemberFactory(meeting=meeting, person=person)
        AttendanceFactory(meeting=meeting, person=person, status="present")
    for i in range(n):
        topic = AgendaTopicFactory(meeting=meeting)
        ActionItemFactory(
            meeting=meeting,
            topic=topic,
            responsible_organization=world.orgs.property_company,
            responsible_person=world.company_chair,
        )
        earlier = MeetingFactory(
            compound=world.compound, start=meeting.start - dt.timedelta(days=30 + i)
        )
        ActionItemFactory(meeting=earlier, responsible_organization=world.orgs.pmc)


@pytest.mark.parametrize("n", [2, 20])
def test_meeting_page_query_count_does_not_grow(n, django_assert_max_num_queries):
    world = meeting_world()
    meeting = MeetingFactory(compound=world.compound)
    _populate(world, meeting, n)
    with django_assert_max_num_queries(12):
        page = selectors.meeting_page(meeting=meeting)
        for item in page.follow_up + page.action_items:
            str(item.responsible_organization.name)
        for topic in page.agenda:
            str(topic.proposer_organization)
    assert len(page.agenda) == n
    assert len(page.follow_up) == n
    assert all(row.attendance is not None for row in page.attendance)


@pytest.mark.parametrize("n", [2, 30])
def test_action_item_list_query_count_does_not_grow(n, django_assert_max_num_queries):
    world = meeting_world()
    meeting = MeetingFactory(compound=world.compound)
    for _ in range(n):
        ActionItemFactory(
            meeting=meeting,
            responsible_organization=world.orgs.property_company,
            responsible_person=world.company_chair,
            raised_by=world.orgs.pmc,
        )
    with django_assert_max_num_queries(1):
        rows = list(selectors.action_item_list(compound=world.compound, status="open"))
        seen = []
        for row in rows:
            seen.append(
                (
                    row.meeting.title,
                    row.responsible_organization.name,
                    row.responsible_person.name,
                    row.raised_by.name,
                    row.is_overdue,
                )
            )
    assert len(seen) == n


def test_action_item_list_filters():
    world = meeting_world()
    meeting = MeetingFactory(compound=world.compound)
    late = ActionItemFactory(
        meeting=meeting,
        responsible_organization=world.orgs.pmc,
        due_date=dt.date(2020, 1, 1),
        due_at=dt.datetime(2020, 1, 1, tzinfo=CN),
    )
    ActionItemFactory(meeting=meeting, responsible_organization=world.orgs.property_company)
    assert list(selectors.action_item_list(compound=world.compound, overdue=True)) == [late]
    assert list(
        selectors.action_item_list(compound=world.compound, organization=world.orgs.pmc)
    ) == [late]
    assert ActionItem.objects.count() == 2
    assert Attendance.objects.count() == 0
