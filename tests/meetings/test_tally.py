"""Civil Code art. 278 tally: both sides of every threshold (meetings/tally.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from meetings.tally import THRESHOLDS, TallyInputError, tally_votes

D = Decimal


def votes(*groups):
    """groups of (count, area_each, choice)."""
    out = []
    for count, area, choice in groups:
        out += [(D(area), choice)] * count
    return out


def test_thresholds_follow_article_278_items():
    # (五) using the fund is ordinary; (六)—(八) are special (≥ 3/4).
    assert THRESHOLDS["fund_use"].approval_area.label == "> 1/2"
    for special in ("fund_raising", "rebuilding", "common_parts_use"):
        assert THRESHOLDS[special].approval_area.label == "≥ 3/4"
        assert THRESHOLDS[special].approval_owners.label == "≥ 3/4"
    for ordinary in ("company_selection", "committee_election", "management_statute", "other"):
        assert THRESHOLDS[ordinary].approval_owners.label == "> 1/2"


def test_participation_exactly_two_thirds_is_enough():
    # 9 owners of 100 m²; 6 take part (2/3 of owners and of area), all yes.
    r = tally_votes(matter="other", votes=votes((6, 100, "yes")), total_area=900, total_owners=9)
    assert r.participation_area_met
    assert r.participation_owners_met
    assert r.passed


def test_participation_just_below_two_thirds_by_area_fails():
    # 6 of 9 owners take part, but their area is 599.99 of 900 (< 2/3).
    v = votes((5, 100, "yes"), (1, "99.99", "yes"))
    r = tally_votes(matter="other", votes=v, total_area=900, total_owners=9)
    assert r.participation_owners_met
    assert not r.participation_area_met
    assert not r.passed
    assert any("✘ 参与表决专有部分面积占比" in line for line in r.reasons)


def test_participation_just_below_two_thirds_by_headcount_fails():
    # 5 of 9 owners (< 2/3) holding 700 of 900 m² (> 2/3).
    v = votes((5, 140, "yes"))
    r = tally_votes(matter="other", votes=v, total_area=900, total_owners=9)
    assert r.participation_area_met
    assert not r.participation_owners_met
    assert not r.passed


def test_ordinary_exactly_half_is_not_more_than_half():
    # 8 of 8 take part; 4 yes / 4 no, equal areas: exactly 1/2 is not 过半数.
    r = tally_votes(
        matter="company_selection",
        votes=votes((4, 100, "yes"), (4, 100, "no")),
        total_area=800,
        total_owners=8,
    )
    assert not r.approval_area_met
    assert not r.approval_owners_met
    assert not r.passed


def test_ordinary_just_over_half_passes():
    r = tally_votes(
        matter="company_selection",
        votes=votes((5, 100, "yes"), (4, 100, "no")),
        total_area=900,
        total_owners=9,
    )
    assert r.passed


def test_headcount_majority_without_area_majority_fails():
    # 5 small flats say yes (5 × 60 = 300), 4 large say no (4 × 150 = 600).
    r = tally_votes(
        matter="fund_use",
        votes=votes((5, 60, "yes"), (4, 150, "no")),
        total_area=900,
        total_owners=9,
    )
    assert r.approval_owners_met
    assert not r.approval_area_met
    assert not r.passed
    assert any(line.startswith("✘ 同意面积占参与表决面积") for line in r.reasons)


def test_area_majority_without_headcount_majority_fails():
    r = tally_votes(
        matter="fund_use",
        votes=votes((4, 150, "yes"), (5, 60, "no")),
        total_area=900,
        total_owners=9,
    )
    assert r.approval_area_met
    assert not r.approval_owners_met
    assert not r.passed


def test_special_matter_exactly_three_quarters_passes():
    r = tally_votes(
        matter="fund_raising",
        votes=votes((6, 100, "yes"), (2, 100, "no")),
        total_area=800,
        total_owners=8,
    )
    assert r.approval_area_met
    assert r.approval_owners_met
    assert r.passed


def test_special_matter_below_three_quarters_fails_where_ordinary_would_pass():
    v = votes((5, 100, "yes"), (3, 100, "no"))  # 62.5 %
    special = tally_votes(matter="common_parts_use", votes=v, total_area=800, total_owners=8)
    ordinary = tally_votes(matter="fund_use", votes=v, total_area=800, total_owners=8)
    assert not special.passed
    assert ordinary.passed


def test_abstentions_take_part_but_do_not_agree():
    # 6 yes, 3 abstain of 9: participation full; approval 6/9 > 1/2 but < 3/4.
    v = votes((6, 100, "yes"), (3, 100, "abstain"))
    assert tally_votes(matter="other", votes=v, total_area=900, total_owners=9).passed
    assert not tally_votes(matter="rebuilding", votes=v, total_area=900, total_owners=9).passed


@pytest.mark.parametrize(
    ("v", "total_area", "total_owners"),
    [
        (votes((3, 400, "yes")), 900, 9),  # areas do not add up
        (votes((10, 10, "yes")), 900, 9),  # more voters than owners
        (votes((1, 0, "yes")), 900, 9),  # zero area
        (votes((1, 10, "maybe")), 900, 9),  # unknown choice
        (votes((1, 10, "yes")), 0, 9),  # no total
    ],
)
def test_impossible_numbers_are_refused(v, total_area, total_owners):
    with pytest.raises(TallyInputError):
        tally_votes(matter="other", votes=v, total_area=total_area, total_owners=total_owners)


def test_unknown_matter_is_refused():
    with pytest.raises(TallyInputError):
        tally_votes(matter="nonsense", votes=[], total_area=1, total_owners=1)


def test_as_dict_is_json_safe():
    import json

    r = tally_votes(matter="other", votes=votes((6, 100, "yes")), total_area=900, total_owners=9)
    data = json.loads(json.dumps(r.as_dict()))
    assert data["passed"] is True
    assert data["participating_area"] == "600"
