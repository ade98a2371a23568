"""The compliance engine's pass through the database: what a run stores and reports over
several compounds, and what a second run rewrites (the mutation run's survivors of
``pledges/engine.py`` that only a stored result shows).

seed: 公示承诺制度 第四条 "建立承诺履诺监督管理"; 小区党组织服务承诺 第1条 "每月…学习"
(measured here as one study activity a month).
"""

from __future__ import annotations

import datetime as dt

import pytest

from pledges.engine import evaluate
from pledges.models import PeriodResult, PledgeItem
from tests.factories.pledges import ActivityFactory, PledgeItemFactory, pledge_world
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db

YEAR = 2026
JANUARY = dt.date(YEAR, 1, 1)


def _monthly_study(world, label, kind="study"):
    params = {
        "source": "activity",
        "kinds": [kind],
        "min_count": 1,
        "per_member": False,
        "period_months": 1,
        "label": label,
    }
    return PledgeItemFactory(letter=world.letter, params=params, warn_lead_days=7)


def test_a_run_over_two_compounds_reports_every_row_update_and_alarm(freeze):
    """ "每月…学习": a run counts the results it stored, rewrote and the alarms it raised in
    every compound, not the last compound's alone."""
    freeze(at(YEAR, 1, 2, 12))
    worlds = [pledge_world(year=YEAR), pledge_world(year=YEAR)]
    kept = [_monthly_study(w, "学习") for w in worlds]
    for world in worlds:
        _monthly_study(world, "培训", "training")  # never held: missed once January is over
    first = evaluate()
    assert (first.created, first.updated, first.alarms) == (4, 0, 0)

    for world in worlds:
        ActivityFactory(organization=world.party, kind="study", held_on=dt.date(YEAR, 1, 3))
    freeze(at(YEAR, 2, 10, 12))
    second = evaluate()
    # February's four results are new; January's four are rewritten (met or missed, final)
    assert (second.created, second.updated) == (4, 4)
    # each compound's untaken study item is missed: one notice per compound
    assert second.alarms == 2
    assert {r.status for r in PeriodResult.objects.filter(item__in=kept, period_start=JANUARY)} == {
        "met"
    }


def test_a_rewritten_result_stores_every_changed_field(freeze):
    """A result rewritten at the period's end keeps the new status, figures, evidence, final
    flag, label and computation time, not only the status."""
    freeze(at(YEAR, 1, 2, 12))
    world = pledge_world(year=YEAR)
    item = _monthly_study(world, "学习")
    evaluate()
    before = PeriodResult.objects.get(item=item, period_start=JANUARY)
    assert (before.status, before.figures["count"], before.evidence, before.final) == (
        "on_track",
        0,
        [],
        False,
    )

    activity = ActivityFactory(
        organization=world.party, kind="study", held_on=dt.date(YEAR, 1, 3), title="党章学习"
    )
    PledgeItem.objects.filter(pk=item.pk).update(params={**item.params, "label": "每月学习"})
    moment = freeze(at(YEAR, 2, 10, 12))
    evaluate()
    after = PeriodResult.objects.get(item=item, period_start=JANUARY)
    assert (after.status, after.figures["count"], after.final, after.label) == (
        "met",
        1,
        True,
        "每月学习",
    )
    assert after.evidence == [
        {"kind": "activity", "id": activity.pk, "date": "2026-01-03", "label": "党章学习"}
    ]
    assert after.computed_at == moment
