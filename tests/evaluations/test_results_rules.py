"""The scoring arithmetic of ``evaluations/results.py`` at its edges, in memory (no
database): the first direct tests of that module in the mutation run; the aggregation over
stored ballots is tested in ``tests/evaluations/test_results.py``.

* 评议监督考核制度 第三条 "采取查阅资料、集中听取各方意见、民主测评、走访居民等形式开展"
* 评议监督考核制度 第五条 "作为年度考核、评星定级"
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.utils.translation import gettext

from evaluations import results

D = Decimal


def _campaign(**overrides):
    values = {
        "band_excellent": D("90"),
        "band_good": D("80"),
        "band_pass": D("60"),
        "star_thresholds": [60, 70, 80, 90, 95],
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def test_a_ballots_percentage_is_the_weighted_share_of_the_maximum():
    """第三条 "民主测评": Σ weight·score/max ÷ Σ weight × 100."""
    criteria = [
        SimpleNamespace(pk=1, weight=D("2"), max_score=10),
        SimpleNamespace(pk=2, weight=D("1"), max_score=5),
    ]
    # (2·8/10 + 1·5/5) / 3 × 100 = (1.6 + 1) / 3 × 100
    value = results.ballot_percentage({1: D("8"), 2: D("5")}, criteria)
    assert results.q2(value) == D("86.67")
    assert results.ballot_percentage({1: D("10"), 2: D("5")}, criteria) == D("100")
    assert results.ballot_percentage({1: D("0"), 2: D("0")}, criteria) == D("0")


def test_grade_bands_on_each_side_of_each_threshold():
    """第五条 "评星定级": 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格."""
    c = _campaign()
    assert results.band_for(c, D("90")) == "excellent"
    assert results.band_for(c, D("89.99")) == "good"
    assert results.band_for(c, D("80")) == "good"
    assert results.band_for(c, D("79.99")) == "pass"
    assert results.band_for(c, D("60")) == "pass"
    assert results.band_for(c, D("59.99")) == "fail"
    assert results.band_for(c, None) == ""


def test_stars_count_the_thresholds_reached():
    """第五条 "评星定级": one star per threshold the weighted total reaches."""
    c = _campaign()
    assert results.stars_for(c, D("59.99")) == 0
    assert results.stars_for(c, D("60")) == 1
    assert results.stars_for(c, D("94.99")) == 4
    assert results.stars_for(c, D("95")) == 5
    assert results.stars_for(c, None) == 0
    assert results.stars_for(_campaign(star_thresholds=[60.5]), D("60.5")) == 1


def test_rounding_is_half_up_to_two_places():
    """A published percentage has two decimals, halves rounded up."""
    assert results.q2(D("86.665")) == D("86.67")
    assert results.q2(D("86.664")) == D("86.66")
    assert D("0.01") == results.TWO
    assert D("100") == results.HUNDRED


def test_a_distribution_needs_five_ballots():
    """Secret scoring: a distribution is shown only behind at least five ballots."""
    assert results.MIN_BALLOTS_FOR_DISTRIBUTION == 5


def test_a_targets_stars_and_band_as_shown():
    """第五条 "评星定级": the stars drawn, the band named; none before any result."""
    target = results.TargetResult(target=None, ballots=0, counted=0, trimmed=0)
    assert target.stars_text == ""
    assert target.band == ""
    assert target.stars == 0
    assert target.band_label == ""
    assert target.criteria == []
    assert target.weighted_total is None
    assert target.satisfaction_share is None
    target.stars, target.band = 3, "good"
    assert target.stars_text == "★★★"
    assert target.band_label == str(results.BANDS["good"])
    assert {key: str(label) for key, label in results.BANDS.items()} == {
        "excellent": gettext("Excellent (优秀)"),
        "good": gettext("Good (良好)"),
        "pass": gettext("Pass (合格)"),
        "fail": gettext("Fail (不合格)"),
    }


def test_a_criterions_result_holds_its_figures():
    """第三条 "民主测评": per criterion the count, mean, distribution and satisfaction."""
    row = results.CriterionResult(None, 5, D("8.00"), {"8": 5}, D("100.00"))
    assert (row.count, row.mean, row.distribution, row.satisfaction_share) == (
        5,
        D("8.00"),
        {"8": 5},
        D("100.00"),
    )
