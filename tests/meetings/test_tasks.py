"""Beat tasks: agreed-item reminders and 督办 each once; the monthly schedule reminder."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from huashan.notify.models import Notification
from meetings import services, tasks
from meetings.models import ActionItemAlarm, AgendaTopic, ScheduleReminder
from tests.factories.meetings import ActionItemFactory, MeetingFactory, meeting_world
from tests.meetings.conftest import CN

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    world = meeting_world()
    meeting = MeetingFactory(compound=world.compound, start=dt.datetime(2026, 2, 25, 15, tzinfo=CN))
    item = ActionItemFactory(
        meeting=meeting,
        responsible_organization=world.orgs.property_company,
        responsible_person=world.company_chair,
        due_date=dt.date(2026, 3, 10),
        due_at=dt.datetime(2026, 3, 10, 23, 59, 59, tzinfo=CN),
    )
    item.world = world
    return item


def test_reminder_before_due_is_sent_once(item):
    with time_machine.travel(dt.datetime(2026, 3, 6, 9, 0, tzinfo=CN), tick=False):
        assert tasks.scan_action_items() == {"reminded": 0, "breached": 0}  # 4.6 days ahead
    with time_machine.travel(dt.datetime(2026, 3, 8, 9, 0, tzinfo=CN), tick=False):
        assert tasks.scan_action_items() == {"reminded": 1, "breached": 0}
        sent = Notification.objects.filter(recipient=item.world.company_chair).count()
        assert tasks.scan_action_items() == {"reminded": 0, "breached": 0}
        assert Notification.objects.filter(recipient=item.world.company_chair).count() == sent
    assert ActionItemAlarm.objects.filter(item=item, stage="due_soon").count() == 1


def test_breach_notifies_supervisors_once_and_proposes_a_topic(item):
    world = item.world
    with time_machine.travel(dt.datetime(2026, 3, 10, 23, 0, tzinfo=CN), tick=False):
        assert tasks.scan_action_items()["breached"] == 0  # due at the end of the day
    with time_machine.travel(dt.datetime(2026, 3, 11, 0, 1, tzinfo=CN), tick=False):
        assert tasks.scan_action_items()["breached"] == 1
        assert tasks.scan_action_items()["breached"] == 0
    assert ActionItemAlarm.objects.filter(item=item, stage="overdue").count() == 1
    for person in (world.people.compound_party, world.meeting_clerk):
        subjects = Notification.objects.filter(recipient=person).values_list("subject", flat=True)
        assert sum("督办" in s for s in subjects) == 1
    topic = AgendaTopic.objects.get(action_item=item)
    assert topic.source == AgendaTopic.Source.ACTION_ITEM
    assert item.events.filter(verb="breach").count() == 1


def test_done_items_are_not_chased(item):
    item.status = "done"
    item.save()
    with time_machine.travel(dt.datetime(2026, 3, 20, tzinfo=CN), tick=False):
        assert tasks.scan_action_items() == {"reminded": 0, "breached": 0}


def test_schedule_reminder_on_the_configured_day_once():
    world = meeting_world()
    with time_machine.travel(dt.datetime(2026, 3, 19, 9, 0, tzinfo=CN), tick=False):
        assert tasks.remind_schedule() == {"reminded": 0}
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0, tzinfo=CN), tick=False):
        assert tasks.remind_schedule() == {"reminded": 1}
        assert tasks.remind_schedule() == {"reminded": 0}
    assert ScheduleReminder.objects.get(compound=world.compound).month == 3
    assert (
        Notification.objects.filter(
            recipient=world.meeting_clerk, subject__contains="2026-03"
        ).count()
        == 1
    )


@override_settings(MEETINGS_SCHEDULE_REMINDER_DAY=10)
def test_schedule_reminder_day_is_configurable_and_a_scheduled_meeting_silences_it():
    world = meeting_world()
    MeetingFactory(
        compound=world.compound, status="draft", start=dt.datetime(2026, 4, 28, 15, tzinfo=CN)
    )
    with time_machine.travel(dt.datetime(2026, 4, 10, 9, 0, tzinfo=CN), tick=False):
        assert services.meeting_schedule_scan() == []
    with time_machine.travel(dt.datetime(2026, 5, 10, 9, 0, tzinfo=CN), tick=False):
        assert services.meeting_schedule_scan() == [world.compound]


def test_seed_meetings_is_idempotent_and_tells_the_story():
    from django.core.management import call_command

    from huashan.directory.models import Compound
    from meetings import selectors
    from meetings.models import Meeting, OwnersAssemblyMotion

    call_command("seed_demo", stdout=None)
    call_command("seed_meetings")
    compound = Compound.objects.get(slug="jiangnan-huashan")
    count = Meeting.objects.filter(compound=compound).count()
    call_command("seed_meetings")
    assert Meeting.objects.filter(compound=compound).count() == count
    joint = Meeting.objects.filter(compound=compound, kind="joint").order_by("-start")
    assert joint.count() == 12
    upcoming = joint.first()
    assert upcoming.status == "notice_sent"
    follow_up = list(selectors.meeting_follow_up_items(meeting=upcoming))
    assert sum(item.is_overdue for item in follow_up) == 1
    streaks = selectors.absence_streaks(compound=compound)
    assert [s.consecutive_unexcused for s in streaks] == [3]
    assert OwnersAssemblyMotion.objects.get(compound=compound).tally["reasons"]
    # 协同联动 第四条: the demo has one problem taken to the street, as the services make it —
    # the last held joint meeting's proposal, the community party organization's request,
    # and the street whistle blown on the complaint and linked to the request.
    from meetings.models.meetings import StreetReferral

    referral = StreetReferral.objects.get(compound=compound)
    assert referral.status == StreetReferral.Status.REQUESTED
    assert referral.joint_meeting.status == "closed"
    assert referral.issue.tier in ("big", "hard", "legacy")
    assert referral.street_whistle.level == "street"
    assert referral.street_whistle.issue_id == referral.issue_id
    assert referral.street_whistle.summonses.exists()
