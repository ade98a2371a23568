"""Fixtures for the dashboard tests: a compound with every organization (compound_world),
frozen in the middle of March 2026."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.factories.world import compound_world

TZ = timezone.get_fixed_timezone(8 * 60)
NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def world(db, frozen):
    return compound_world()


@pytest.fixture
def other_world(db, frozen, world):
    """A second compound in the same community (its own compound-level bodies)."""
    return compound_world(community=world.community)
