"""The aggregation over stored ballots at its edges (``evaluations/results.py``).

* 评议监督考核制度 第三条 "采取查阅资料、集中听取各方意见、民主测评、走访居民等形式开展"
* 评议监督考核制度 第一条: the scoring is secret (a distribution only behind five ballots)
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluations.models import Campaign
from evaluations.results import campaign_results
from tests.evaluations.test_results import cast, two_criteria
from tests.factories.evaluations import advance_to, roster

pytestmark = pytest.mark.django_db


def test_a_distribution_lists_the_scores_in_order_not_by_how_often(world):
    """第三条 "民主测评": the published distribution reads from the lowest score up."""
    a, b = two_criteria(world)
    tokens = roster(world, 5)
    advance_to(world, Campaign.State.SCORING)
    cast(world, tokens, a, b, [("5", "20"), ("5", "20"), ("5", "20"), ("8", "20"), ("10", "20")])
    [result, *_] = campaign_results(world.campaign)
    assert list(result.criteria[0].distribution.items()) == [("5", 3), ("8", 1), ("10", 1)]


def test_a_ballot_exactly_at_the_satisfaction_mark_counts_as_satisfied(world):
    """第三条 "民主测评": a ballot at 60 % of the maximum is satisfied (the mark is ≥ 60 %)."""
    a, b = two_criteria(world)
    tokens = roster(world, 1)
    advance_to(world, Campaign.State.SCORING)
    # (1·6/10 + 3·12/20) / 4 × 100 = 60
    cast(world, tokens, a, b, [("6", "12")])
    [result, *_] = campaign_results(world.campaign)
    assert result.weighted_total == Decimal("60.00")
    assert result.satisfaction_share == Decimal("100.00")
    assert result.criteria[0].satisfaction_share == Decimal("100.00")
