"""Shared helpers for pledge tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    """An aware Asia/Shanghai datetime."""
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def freeze():
    """``freeze(datetime)`` travels there (ticking off) until the test ends."""
    travellers = []

    def go(moment: dt.datetime):
        if travellers:
            travellers[-1].stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        return moment

    yield go
    if travellers:
        travellers[-1].stop()
