"""Scheduler heartbeat: stamp, age, and the staff warning when beat is silent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from huashan.core.heartbeat import heartbeat_age, heartbeat_stamp, scheduler_warning
from huashan.core.models import Heartbeat
from huashan.core.tasks import beat_heartbeat

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_stamp_upserts_one_row_per_name():
    with time_machine.travel(T0, tick=False) as traveller:
        heartbeat_stamp(name="beat")
        traveller.shift(dt.timedelta(minutes=1))
        heartbeat_stamp(name="beat")
        heartbeat_stamp(name="worker")
    assert Heartbeat.objects.count() == 2
    assert Heartbeat.objects.get(name="beat").at == T0 + dt.timedelta(minutes=1)


def test_age_is_none_until_first_stamp():
    assert heartbeat_age(name="beat") is None


def test_age_grows_with_time():
    with time_machine.travel(T0, tick=False) as traveller:
        heartbeat_stamp(name="beat")
        traveller.shift(dt.timedelta(minutes=7, seconds=30))
        assert heartbeat_age(name="beat") == dt.timedelta(minutes=7, seconds=30)


def test_age_never_negative_after_clock_step_back():
    with time_machine.travel(T0, tick=False) as traveller:
        heartbeat_stamp(name="beat")
        traveller.move_to(T0 - dt.timedelta(minutes=5))
        assert heartbeat_age(name="beat") == dt.timedelta(0)


def test_beat_task_stamps_beat():
    with time_machine.travel(T0, tick=False):
        beat_heartbeat()
    assert Heartbeat.objects.get(name="beat").at == T0


def test_warning_when_beat_never_ran():
    assert "never run" in scheduler_warning()


def test_no_warning_within_stale_window_and_warning_after(settings):
    settings.BEAT_STALE_AFTER = dt.timedelta(minutes=10)
    with time_machine.travel(T0, tick=False) as traveller:
        heartbeat_stamp(name="beat")
        traveller.shift(dt.timedelta(minutes=10))
        assert scheduler_warning() is None
        traveller.shift(dt.timedelta(minutes=15, seconds=1))
        warning = scheduler_warning()
    assert warning == (
        "The scheduler has not run for 25 minutes: "
        "deadline alarms and reminders are not being sent."
    )
