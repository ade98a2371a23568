"""Leases tell a slow render from a dead worker (issue 14 item 8).

A report left "running" by a SIGKILLed worker waited ~17 minutes (visibility timeout
15 min, then the sweep) before it was redone. With a lease (huashan/core/documents.py)
a sweep every minute sees the holder is gone LEASE_LOST_AFTER (60 s) after its last
stamp, while a live render keeps its lease fresh however long it takes.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine

from huashan.core.documents import (
    LEASE_LOST_AFTER,
    work_lease,
    work_lease_release,
    work_leases_lost,
)
from huashan.core.models import Heartbeat

T0 = dt.datetime(2026, 10, 9, 10, 0, tzinfo=dt.UTC)
LABEL = "disclosures.report"
NEVER = 3600  # a beat interval that never comes during the test: a dead holder


@pytest.mark.django_db
def test_a_dead_holder_is_found_about_a_minute_after_its_last_stamp():
    with time_machine.travel(T0, tick=False) as clock:
        lease = work_lease(LABEL, 7, every=NEVER)
        lease.__enter__()  # the worker took the lease, then was SIGKILLed: no exit
        try:
            clock.shift(LEASE_LOST_AFTER - dt.timedelta(seconds=1))
            assert work_leases_lost(LABEL, [7]) == []
            clock.shift(dt.timedelta(seconds=2))
            assert work_leases_lost(LABEL, [7]) == [7]
            assert dt.timedelta(minutes=1) >= LEASE_LOST_AFTER
        finally:
            lease.__exit__(None, None, None)


@pytest.mark.django_db
def test_a_row_running_without_any_lease_is_lost_and_others_are_untouched():
    with time_machine.travel(T0, tick=False), work_lease(LABEL, 1, every=NEVER):
        assert work_leases_lost(LABEL, [1, 2]) == [2]
        assert work_leases_lost("evaluations.document", [1]) == [1]
    assert work_leases_lost(LABEL, []) == []


@pytest.mark.django_db
def test_the_lease_is_released_when_the_work_ends_or_fails():
    with work_lease(LABEL, 3, every=NEVER):
        assert Heartbeat.objects.filter(name=f"lease:{LABEL}:3").exists()
    assert not Heartbeat.objects.filter(name=f"lease:{LABEL}:3").exists()
    with pytest.raises(RuntimeError), work_lease(LABEL, 4, every=NEVER):
        raise RuntimeError("render failed")
    assert not Heartbeat.objects.filter(name=f"lease:{LABEL}:4").exists()
    work_lease_release(LABEL, 4)  # releasing twice is harmless


@pytest.mark.django_db(transaction=True)
def test_a_live_render_keeps_its_lease_fresh_however_long_it_takes():
    """The stamping thread runs beside a long render (its own DB connection)."""
    name = f"lease:{LABEL}:5"
    with time_machine.travel(T0, tick=False) as clock, work_lease(LABEL, 5, every=0.02):
        for minute in range(1, 4):
            clock.shift(dt.timedelta(seconds=50))
            expected = T0 + dt.timedelta(seconds=50 * minute)
            deadline = time.monotonic() + 10
            while Heartbeat.objects.get(name=name).at < expected:
                assert time.monotonic() < deadline, "the lease thread stopped stamping"
                time.sleep(0.02)
            assert work_leases_lost(LABEL, [5]) == []
    assert not Heartbeat.objects.filter(name=name).exists()


def test_the_sweep_that_uses_leases_runs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["disclosures-resume-reports"]
    assert entry["schedule"] <= dt.timedelta(minutes=1)
    assert entry["options"]["expires"] < 60
