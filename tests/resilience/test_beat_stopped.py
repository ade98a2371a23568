"""Celery beat stops: staff pages say so once the heartbeat is older than
``BEAT_STALE_AFTER``, and stop saying so when beat runs again.

Beat's only job here is to send ``huashan.core.tasks.beat_heartbeat`` every
minute; the test runs that real task (as the worker would) and then lets no
further run happen ("beat is stopped") while time-machine moves the clock on.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from huashan.core.tasks import beat_heartbeat

from .conftest import complaint_world

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
BEAT_TASK = "huashan.core.tasks.beat_heartbeat"


def warning_for(minutes: int) -> str:
    with translation.override("zh-hans"):
        return translation.ngettext(
            "The scheduler has not run for %(minutes)d minute: "
            "deadline alarms and reminders are not being sent.",
            "The scheduler has not run for %(minutes)d minutes: "
            "deadline alarms and reminders are not being sent.",
            minutes,
        ) % {"minutes": minutes}


def scheduler_banner(page) -> str | None:
    assert page.status_code == 200
    body = page.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in body
    marker = "定时任务"  # "the scheduler", in every form of the warning
    if marker not in body:
        return None
    start = body.rindex('<p class="alert alert-warning">', 0, body.index(marker))
    assert '<div class="staff-warnings" role="alert">' in body[:start]
    return body[start : body.index("</p>", start)]


def pages_age_out() -> None:
    """Minutes pass: the staff queue's per-person copy (kept at most
    ``pagecache.PERSON_PAGE_AGE``, 30 s, by the cache's own clock, which time_machine does
    not move) has expired. A cached staff page shows the warning at most that late."""
    from django.core.cache import cache

    cache.clear()


def test_beat_stopped_warns_staff_after_the_stale_window_and_clears_when_it_returns(settings):
    stale_after = settings.BEAT_STALE_AFTER
    # A running beat stamps often enough never to trip the warning.
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == BEAT_TASK]
    assert entry["schedule"] * 2 <= stale_after

    world = complaint_world()
    staff, resident = Client(), Client()
    staff.force_login(world.people.joint_meeting_office)
    resident.force_login(world.resident)
    queue, home = reverse("issues:queue"), reverse("core:home")

    with time_machine.travel(T0, tick=False) as clock:
        beat_heartbeat.apply()  # beat sent it, the worker ran it
        assert scheduler_banner(staff.get(queue)) is None
        clock.shift(entry["schedule"])
        beat_heartbeat.apply()
        last_run = T0 + entry["schedule"]

        # Beat is stopped: nothing stamps any more. Within the window: no alarm.
        clock.move_to(last_run + stale_after)
        pages_age_out()
        assert scheduler_banner(staff.get(queue)) is None
        # Past it: every staff page warns, in Chinese, saying for how long.
        clock.move_to(last_run + stale_after + dt.timedelta(minutes=1, seconds=5))
        pages_age_out()
        minutes = int((stale_after + dt.timedelta(minutes=1)).total_seconds() // 60)
        banner = scheduler_banner(staff.get(queue))
        assert banner is not None
        assert warning_for(minutes) in banner, banner
        assert warning_for(minutes) in (scheduler_banner(staff.get(home)) or "")
        # Residents are not shown staff warnings.
        assert scheduler_banner(resident.get(home)) is None

        # Beat is back: the next heartbeat clears the warning.
        beat_heartbeat.apply()
        pages_age_out()
        assert scheduler_banner(staff.get(queue)) is None
