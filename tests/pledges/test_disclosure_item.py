"""小区党组织服务承诺 第2条 信息透明公开: "监督物业管理委员会每半年公示公共收益收支及维修资金使用
情况，督促物业每月公开服务事项完成进度" — the pledge item measures the property company's
monthly service-progress postings as well as the PMC's half-yearly ones."""

from __future__ import annotations

import datetime as dt

import pytest

from pledges.engine import evaluate
from pledges.letters import PARTY_LETTER, letter_params
from pledges.models import PeriodResult
from tests.factories.pledges import PledgeItemFactory, pledge_world
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db

YEAR = 2026


def _item_2(world):
    seed_item = next(i for i in PARTY_LETTER["items"] if i["number"] == 2)
    return PledgeItemFactory(
        letter=world.letter,
        number=2,
        rule_kind=seed_item["rule_kind"],
        params=letter_params(seed_item["params"], year=YEAR),
    )


def _schedule(world, organization, code, cadence):
    from disclosures.models import Schedule
    from tests.factories.disclosures import category

    return Schedule.objects.create(
        compound=world.compound,
        organization=organization,
        category=category(code),
        cadence=cadence,
        starts_on=dt.date(YEAR, 1, 1),
    )


@pytest.mark.parametrize("company_schedule", [True, False])
def test_item_2_counts_the_companys_monthly_service_progress_postings(freeze, company_schedule):
    """ "督促物业每月公开服务事项完成进度": with the company's monthly schedule its postings due
    in the half-year are measured, and missing ones miss the item; without it (the other
    side) nothing of the half-year is due yet."""
    from disclosures.models import Cadence

    freeze(at(YEAR, 1, 2, 12))
    world = pledge_world(year=YEAR)
    item = _item_2(world)
    assert "company_service_progress" in item.params["categories"]
    _schedule(world, world.pmc, "public_revenue", Cadence.HALF_YEARLY)
    if company_schedule:
        _schedule(world, world.orgs.property_company, "company_service_progress", Cadence.MONTHLY)
    freeze(at(YEAR, 8, 20, 12))
    evaluate()
    row = PeriodResult.objects.get(item=item, measure=0, period_start=dt.date(YEAR, 1, 1))
    if company_schedule:
        # Counted by due date: January–May's postings fall due within the half-year, June's
        # (and the PMC's half-yearly one) after it; none published, so every one is missing.
        assert (row.figures["scheduled"], row.figures["missing"]) == (5, 5)
        assert row.status == "missed"
    else:
        assert row.figures["scheduled"] == 0
        assert row.status == "not_yet_due"
