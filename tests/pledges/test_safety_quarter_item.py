"""小区党组织服务承诺 第7条 "督促物业每季度开展消防、电梯等设施的全面排查": the seed's quarterly
inspection item counts a quarter as done only if that quarter's safety inspections together
covered every required area (``pledges.models.REQUIRED_SAFETY_AREAS``: 消防 and 电梯)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from pledges import services
from pledges.engine import evaluate
from pledges.letters import PARTY_LETTER, letter_params
from pledges.models import REQUIRED_SAFETY_AREAS, Inspection, PeriodResult, ResultStatus
from pledges.views.common import figures_summary
from tests.factories.pledges import InspectionFactory, PledgeItemFactory, pledge_world
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db
YEAR = 2026
Q1 = dt.date(YEAR, 1, 1)


def seed_item(world):
    """The seed's 第7条 item, its parameters as the seed writes them."""
    spec = next(item for item in PARTY_LETTER["items"] if item["number"] == 7)
    params = services.params_clean(
        rule_kind=spec["rule_kind"], params=letter_params(spec["params"], year=YEAR)
    )
    assert params["require_safety_areas"] is True
    return PledgeItemFactory(letter=world.letter, rule_kind=spec["rule_kind"], params=params)


def safety(world, day, areas):
    return InspectionFactory(
        organization=world.orgs.property_company,
        kind=Inspection.Kind.QUARTERLY_SAFETY,
        inspected_on=day,
        areas=list(areas),
    )


def q1_result(item) -> PeriodResult:
    return PeriodResult.objects.get(item=item, measure=0, period_start=Q1)


def test_the_required_areas_are_fire_and_elevators():
    assert [str(code) for code in REQUIRED_SAFETY_AREAS] == ["fire", "elevator"]


def test_a_quarter_with_only_fire_safety_checked_is_not_done(freeze):
    """ "每季度开展消防、电梯等设施的全面排查": 消防 alone → the closed quarter is missed, and the
    sentence names the area not covered (in words, not its code)."""
    freeze(at(YEAR, 1, 2, 12))
    world = pledge_world(year=YEAR)
    item = seed_item(world)
    safety(world, dt.date(YEAR, 2, 10), ["fire", "gas"])
    freeze(at(YEAR, 4, 1, 12))
    evaluate()
    result = q1_result(item)
    assert result.status == ResultStatus.MISSED
    assert (result.figures["count"], result.figures["uncovered"]) == (1, ["elevator"])
    with translation.override("en"):
        sentence = figures_summary(item.rule_kind, result.figures)
    assert "Elevators" in sentence
    assert "elevator" not in sentence


def test_a_quarter_whose_inspections_covered_fire_and_elevators_is_done(freeze):
    """消防 and 电梯 covered, even by two inspections of the quarter → met."""
    freeze(at(YEAR, 1, 2, 12))
    world = pledge_world(year=YEAR)
    item = seed_item(world)
    safety(world, dt.date(YEAR, 1, 15), ["fire"])
    safety(world, dt.date(YEAR, 3, 31), ["elevator"])
    freeze(at(YEAR, 4, 1, 12))
    evaluate()
    result = q1_result(item)
    assert result.status == ResultStatus.MET
    assert "uncovered" not in result.figures


def test_an_elevator_check_of_the_next_quarter_does_not_complete_this_one(freeze):
    freeze(at(YEAR, 1, 2, 12))
    world = pledge_world(year=YEAR)
    item = seed_item(world)
    safety(world, dt.date(YEAR, 3, 31), ["fire"])
    safety(world, dt.date(YEAR, 4, 1), ["elevator"])
    freeze(at(YEAR, 4, 2, 12))
    evaluate()
    assert q1_result(item).status == ResultStatus.MISSED


def test_an_open_quarter_missing_an_area_is_not_yet_met(freeze):
    freeze(at(YEAR, 1, 2, 12))
    world = pledge_world(year=YEAR)
    item = seed_item(world)
    safety(world, dt.date(YEAR, 1, 5), ["elevator"])
    freeze(at(YEAR, 1, 6, 12))
    evaluate()
    assert q1_result(item).status in (ResultStatus.ON_TRACK, ResultStatus.AT_RISK)
    safety(world, dt.date(YEAR, 1, 6), ["fire"])
    evaluate()
    assert q1_result(item).status == ResultStatus.MET


def test_without_the_parameter_any_safety_inspection_counts(freeze):
    """Items without ``require_safety_areas`` are measured as before."""
    freeze(at(YEAR, 1, 2, 12))
    world = pledge_world(year=YEAR)
    item = seed_item(world)
    item.params = {k: v for k, v in item.params.items() if k != "require_safety_areas"}
    item.save(update_fields=["params"])
    safety(world, dt.date(YEAR, 2, 10), ["fire"])
    freeze(at(YEAR, 4, 1, 12))
    evaluate()
    assert q1_result(item).status == ResultStatus.MET


@pytest.mark.parametrize(
    "params",
    [
        {"source": "activity", "kinds": ["study"], "require_safety_areas": True},
        {"source": "inspection", "kinds": ["quarterly_safety"], "require_safety_areas": "yes"},
    ],
)
def test_the_parameter_is_for_inspections_and_true_or_false(params):
    with pytest.raises(ValidationError):
        services.params_clean(
            rule_kind="count_per_period", params={"min_count": 1, "period_months": 3, **params}
        )
