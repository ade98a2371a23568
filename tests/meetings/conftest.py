"""Fixtures for meetings tests: a world, a frozen clock and a scheduled joint meeting."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meetings import services
from tests.factories.meetings import meeting_world

CN = ZoneInfo("Asia/Shanghai")
#: "Now" for most tests: Tuesday 10 March 2026, 10:00 in Wuhan.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CN)
#: The March joint meeting: Wednesday 25 March 2026 (last week), 15:00–17:00.
MEETING_START = dt.datetime(2026, 3, 25, 15, 0, tzinfo=CN)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db):
    return meeting_world()


@pytest.fixture
def joint_meeting(world, clock):
    return services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="joint",
        title="2026年3月联席会议",
        start=MEETING_START,
        end=MEETING_START + dt.timedelta(hours=2),
        place="小区党群服务中心会议室",
    )


def hold(meeting, world, clock):
    """Send the notice, travel to the meeting and mark it held."""
    services.meeting_send_notice(actor=world.meeting_clerk, meeting=meeting)
    clock.move_to(meeting.start + dt.timedelta(minutes=5))
    return services.meeting_mark_held(actor=world.meeting_clerk, meeting=meeting)
