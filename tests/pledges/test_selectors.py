"""Selectors: statuses for the board, evaluations and dashboards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pledges import selectors
from pledges.engine import evaluate
from pledges.models import RuleKind
from tests.factories.pledges import ActivityFactory, PledgeItemFactory, pledge_world
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db


def _item(world, **params):
    base = {
        "source": "activity",
        "kinds": ["study"],
        "min_count": 1,
        "per_member": False,
        "period_months": 1,
    }
    return PledgeItemFactory(letter=world.letter, params={**base, **params})


def test_item_status_is_the_worst_current_measure_with_history(freeze):
    freeze(at(2026, 1, 2, 10))
    world = pledge_world(year=2026)
    item = _item(
        world,
        also=[
            {
                "rule_kind": "count_per_period",
                "params": {
                    "source": "activity",
                    "kinds": ["training"],
                    "min_count": 2,
                    "period_months": 12,
                },
            }
        ],
    )
    ActivityFactory(organization=world.party, kind="study", held_on=dt.date(2026, 3, 3))
    freeze(at(2026, 3, 28, 10))
    evaluate()
    [status] = selectors.pledge_item_statuses(compound=world.compound, year=2026)
    assert status.item == item
    # measure 0 (March study) met; measure 1 (trainings this year) on track → headline on track
    assert [m.status for m in status.measures] == ["met", "on_track"]
    assert status.status == "on_track"
    assert [r.period_start.month for r in status.results if r.measure == 0] == [1, 2, 3]
    assert status.results[0].status == "missed"


def test_statuses_query_count_is_constant(freeze):
    freeze(at(2026, 1, 2, 10))
    small, large = pledge_world(year=2026), pledge_world(year=2026)
    _item(small)
    for _ in range(10):
        _item(large)
    PledgeItemFactory(
        letter=large.letter, rule_kind=RuleKind.ATTESTED, params={"period_months": 12}
    )
    freeze(at(2026, 5, 2, 10))
    evaluate()

    def count(world):
        with CaptureQueriesContext(connection) as ctx:
            rows = selectors.pledge_item_statuses(compound=world.compound, year=2026)
            [r.status for r in rows]
        return len(ctx.captured_queries)

    assert count(small) == count(large) <= 3


def test_public_lists_show_only_published():
    world = pledge_world()
    assert list(selectors.letters_for_compound(compound=world.compound)) == []
    world.letter.published = True
    world.letter.save()
    assert list(selectors.letters_for_compound(compound=world.compound)) == [world.letter]


def test_result_summary_for_each_kind(freeze):
    from pledges.models import PeriodResult

    row = PeriodResult(figures={"count": 1, "target": 2})
    assert row.summary == "1 / 2"
    row.figures = {"percent": 91.5, "threshold": 90}
    assert row.summary == "91.5 % (≥ 90 %)"
    row.figures = {"members": 3, "members_met": 2}
    assert "2" in row.summary
    assert "3" in row.summary
    row.figures = {"percent": None}
    assert row.summary
