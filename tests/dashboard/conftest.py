"""Fixtures for the dashboard tests: a compound with every organization (issue_world),
frozen in the middle of March 2026."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.factories.directory import CompoundFactory
from tests.factories.issues import issue_world

TZ = timezone.get_fixed_timezone(8 * 60)
NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def world(db, frozen):
    return issue_world()


@pytest.fixture
def other_world(db, frozen, world):
    """A second compound in the same community (its own compound-level bodies)."""
    return issue_world(CompoundFactory(community=world.compound.community))
