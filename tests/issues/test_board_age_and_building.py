"""The public board shows each complaint's age and filters by building.

seed: 公示承诺制度 第一条 and 第四条 (progress is public and timely).

Split out of the former tests/issues/test_gaps.py ("gaps closed after issue 3", issue 15
item 9); shared fixtures in tests/issues/conftest.py, helpers in tests/issues/helpers.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.timesince import timesince

from issues.models import IssueEvent
from tests.factories.directory import BuildingFactory
from tests.factories.issues import IssueFactory
from tests.issues.helpers import T0, category

pytestmark = pytest.mark.django_db


def test_board_shows_age_and_filters_by_building(client, world):
    other = BuildingFactory(compound=world.compound, number="9栋")
    with time_machine.travel(T0, tick=False):
        here = IssueFactory(compound=world.compound, category=category(), building=world.building)
        there = IssueFactory(compound=world.compound, category=category(), building=other)
    now = T0 + dt.timedelta(days=3, hours=2)
    with time_machine.travel(now, tick=False):
        body = client.get(reverse("issues:board")).content.decode()
        with translation.override("zh-hans"):
            age = timesince(T0, now)
        filtered = client.get(reverse("issues:board"), {"building": other.pk}).content.decode()
    assert age in body
    assert here.tracking_number in body
    assert there.tracking_number in body
    assert there.tracking_number in filtered
    assert here.tracking_number not in filtered
    assert 'name="building"' in body
    assert IssueEvent.objects.count() == 0  # the board wrote nothing
