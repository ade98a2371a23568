"""Factories for meetings, and ``meeting_world()``: a compound with every body and
the people the joint meeting needs (seed: 联席会议议事规则 第三条)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from huashan import workdays
from huashan.directory.models import Membership, Organization
from meetings.models import (
    ActionItem,
    AgendaTopic,
    Attendance,
    Meeting,
    MeetingMember,
)
from tests.factories.directory import CompoundFactory
from tests.factories.world import CompoundWorld, compound_world

Kind = Organization.Kind
Role = Membership.Role


def meeting_world(compound=None) -> CompoundWorld:
    """``compound_world`` with the joint meeting's other people: the property company's
    chair (``company_chair``), two PMC members (``pmc_members``, beside ``pmc_chair``), a
    grid worker and an owner representative (observers). ``meeting_clerk`` keeps the
    papers; ``community_secretary`` convenes and chairs."""
    return compound_world(
        compound,
        extras=("company_chair", "grid_worker", "owner_representative"),
        pmc_members=2,
    )


def last_week_start(year: int, month: int, hour: int = 15) -> dt.datetime:
    """A datetime in the last week of the month (the 25th at ``hour``, local time)."""
    return dt.datetime(year, month, 25, hour, 0, tzinfo=timezone.get_current_timezone())


class MeetingFactory(DjangoModelFactory):
    """A meeting written directly (no service)."""

    class Meta:
        model = Meeting

    compound = factory.SubFactory(CompoundFactory)
    kind = Meeting.Kind.JOINT
    title = factory.Sequence(lambda n: f"第{n}次联席会议")
    place = factory.Sequence(lambda n: f"会议室{n}")
    start = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=2))
    status = Meeting.Status.HELD


class MeetingMemberFactory(DjangoModelFactory):
    class Meta:
        model = MeetingMember

    meeting = factory.SubFactory(MeetingFactory)
    role = MeetingMember.Role.MEMBER


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    status = Attendance.Status.PRESENT


class AgendaTopicFactory(DjangoModelFactory):
    class Meta:
        model = AgendaTopic

    compound = factory.LazyAttribute(lambda o: o.meeting.compound)
    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"议题{n}：小区停车秩序")
    status = AgendaTopic.Status.ACCEPTED
    order = factory.Sequence(lambda n: n + 1)


class ActionItemFactory(DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    compound = factory.LazyAttribute(lambda o: o.meeting.compound)
    title = factory.Sequence(lambda n: f"议定事项{n}：修复路灯")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))
    due_at = factory.LazyAttribute(lambda o: workdays.end_of_day(o.due_date))
