"""Civil Code art. 278 tally: both sides of every threshold (meetings/tally.py)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest

from meetings import tally
from meetings.models import OwnersAssemblyMotion
from meetings.tally import TallyInputError, tally_votes

D = Decimal


def votes(*groups):
    """groups of (count, area_each, choice)."""
    out = []
    for count, area, choice in groups:
        out += [(D(area), choice)] * count
    return out


def test_thresholds_follow_article_278_items():
    # (五) using the fund is ordinary; (六)—(八) are special (≥ 3/4).
    assert tally.THRESHOLDS["fund_use"].approval_area.label == "> 1/2"
    for special in ("fund_raising", "rebuilding", "common_parts_use"):
        assert tally.THRESHOLDS[special].approval_area.label == "≥ 3/4"
        assert tally.THRESHOLDS[special].approval_owners.label == "≥ 3/4"
    for ordinary in ("company_selection", "committee_election", "management_statute", "other"):
        assert tally.THRESHOLDS[ordinary].approval_owners.label == "> 1/2"


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


# --- The words owners read, the reasons, the headcount and the refusals -----------------

ORDINARY_CITATION = (
    "民法典第二百七十八条第二款：参与表决专有部分面积过半数且参与表决人数过半数的业主同意"
)
SPECIAL_CITATION = (
    "民法典第二百七十八条第二款：参与表决专有部分面积四分之三以上且参与表决人数四分之三以上"
    "的业主同意（第一款第六项至第八项）"
)
BASIS = (
    "人数按业主计：一个专有部分按一人计算；同一买受人拥有一个以上专有部分的，按一人计算；"
    "建设单位尚未出售和虽已出售但尚未交付的部分，按一人计算（最高人民法院《关于审理建筑物区分"
    "所有权纠纷案件适用法律若干问题的解释》第九条）。面积按专有部分面积合计。"
)


def test_every_matter_of_the_motion_form_has_a_rule():
    """A motion of any matter the form offers can be counted (art. 278 para. 1 (一)—(九))."""
    assert set(tally.THRESHOLDS) == set(OwnersAssemblyMotion.Matter.values)


@pytest.mark.parametrize(
    ("matter", "special"),
    [
        ("assembly_rules", False),  # (一) 制定和修改业主大会议事规则
        ("management_statute", False),  # (二) 制定和修改管理规约
        ("committee_election", False),  # (三) 选举业主委员会或者更换业主委员会成员
        ("company_selection", False),  # (四) 选聘和解聘物业服务企业或者其他管理人
        ("fund_use", False),  # (五) 使用建筑物及其附属设施的维修资金
        ("fund_raising", True),  # (六) 筹集建筑物及其附属设施的维修资金
        ("rebuilding", True),  # (七) 改建、重建建筑物及其附属设施
        ("common_parts_use", True),  # (八) 改变共有部分的用途或者利用共有部分从事经营活动
        ("fee_adjustment", False),  # (九) 有关共有和共同管理权利的其他重大事项
        ("other", False),  # (九)
    ],
)
def test_five_of_eight_agreeing_passes_only_the_ordinary_matters(matter, special):
    """5 of 8 owners (500 of 800 m²) agree: 62.5 % is 过半数 but not 四分之三以上."""
    r = tally_votes(
        matter=matter,
        votes=votes((5, 100, "yes"), (3, 100, "no")),
        total_area=800,
        total_owners=8,
    )
    assert r.passed is not special
    assert r.citation == (SPECIAL_CITATION if special else ORDINARY_CITATION)
    assert r.reasons[2] == (
        "✘ 同意面积占参与表决面积: 62.50% (500/800), 需 ≥ 3/4"
        if special
        else "✔ 同意面积占参与表决面积: 62.50% (500/800), 需 > 1/2"
    )


def test_threshold_in_words_for_an_ordinary_matter():
    """民法典第二百七十八条第二款 as the owner reads it: 三分之二以上 take part, 过半数 agree."""
    assert tally.threshold_in_words("committee_election") == (
        "专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决；"
        "经参与表决专有部分面积过半数且参与表决人数过半数的业主同意，方为通过。"
    )


def test_threshold_in_words_for_a_special_matter():
    """ "决定前款第六项至第八项规定的事项，应当经参与表决专有部分面积四分之三以上的业主且
    参与表决人数四分之三以上的业主同意"."""
    assert tally.threshold_in_words("fund_raising") == (
        "专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决；"
        "经参与表决专有部分面积四分之三以上且参与表决人数四分之三以上的业主同意，方为通过。"
    )


def test_reasons_of_a_special_matter_passing_at_exactly_three_quarters():
    """6 of 8 owners, 600 of 800 m² agree: 75 % is 四分之三以上 (art. 1259: 以上 includes it)."""
    r = tally_votes(
        matter="rebuilding",
        votes=votes((6, 100, "yes"), (2, 100, "no")),
        total_area=800,
        total_owners=8,
    )
    assert r.reasons == [
        "✔ 参与表决专有部分面积占比: 100.00% (800/800), 需 ≥ 2/3",
        "✔ 参与表决人数占比: 100.00% (8/8), 需 ≥ 2/3",
        "✔ 同意面积占参与表决面积: 75.00% (600/800), 需 ≥ 3/4",
        "✔ 同意人数占参与表决人数: 75.00% (6/8), 需 ≥ 3/4",
    ]


def test_reasons_of_an_ordinary_matter_failing_on_headcount_participation():
    """5 of 9 owners (< 三分之二) holding 700 of 900 m²; 4 of the 5 agree."""
    r = tally_votes(
        matter="other",
        votes=votes((4, 140, "yes"), (1, 140, "no")),
        total_area=900,
        total_owners=9,
    )
    assert r.reasons == [
        "✔ 参与表决专有部分面积占比: 77.78% (700/900), 需 ≥ 2/3",
        "✘ 参与表决人数占比: 55.56% (5/9), 需 ≥ 2/3",
        "✔ 同意面积占参与表决面积: 80.00% (560/700), 需 > 1/2",
        "✔ 同意人数占参与表决人数: 80.00% (4/5), 需 > 1/2",
    ]
    assert not r.passed


def test_nobody_voting_meets_no_threshold():
    """With no ballot there is no participating area or owner: nothing is agreed."""
    r = tally_votes(matter="other", votes=[], total_area=900, total_owners=9)
    assert (r.participating_area, r.participating_owners, r.participating_units) == (0, 0, 0)
    assert not r.participation_area_met
    assert not r.participation_owners_met
    assert not r.approval_area_met
    assert not r.approval_owners_met
    assert not r.passed
    assert r.reasons == [
        "✘ 参与表决专有部分面积占比: 0.00% (0/900), 需 ≥ 2/3",
        "✘ 参与表决人数占比: 0.00% (0/9), 需 ≥ 2/3",
        "✘ 同意面积占参与表决面积: 0% (0/0), 需 > 1/2",
        "✘ 同意人数占参与表决人数: 0% (0/0), 需 > 1/2",
    ]


def test_a_share_of_nothing_meets_no_threshold():
    assert not tally.TWO_THIRDS.met(0, 0)
    assert not tally.MORE_THAN_HALF.met(1, 0)
    assert not tally.THREE_QUARTERS.met(Decimal("3"), Decimal("0"))


def test_the_statutory_thresholds_cannot_be_changed_at_run_time():
    """The rules are shared by every request: an assignment must not move a threshold."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        tally.THREE_QUARTERS.value = Fraction(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tally.THRESHOLDS["fund_raising"].approval_area = tally.MORE_THAN_HALF


def test_headcount_basis_quotes_article_9_of_the_interpretation():
    r = tally_votes(matter="other", votes=votes((6, 100, "yes")), total_area=900, total_owners=9)
    assert r.headcount_basis == BASIS


def test_choices_are_summed_by_area_and_by_owner():
    r = tally_votes(
        matter="other",
        votes=votes((3, 100, "yes"), (2, 150, "no"), (1, "70.5", "abstain")),
        total_area=700,
        total_owners=7,
    )
    assert (r.yes_area, r.yes_owners) == (300, 3)
    assert (r.no_area, r.no_owners) == (300, 2)
    assert (r.abstain_area, r.abstain_owners) == (D("70.5"), 1)
    assert (r.participating_area, r.participating_owners) == (D("670.5"), 6)
    data = r.as_dict()
    assert (data["no_area"], data["abstain_area"]) == ("300", "70.5")


def test_one_buyer_of_several_units_is_one_owner_with_their_summed_area():
    """司法解释 第九条: "同一买受人拥有一个以上专有部分的，按一人计算"; 第八条: the area is summed.

    Owner person:1 has three flats of 100 m² and votes yes with all three; two other owners
    (90 m² each) vote no. 3 owners took part over 5 units; yes is 1 of 3 owners (not 过半数)
    but 300 of 480 m².
    """
    v = [
        (D(100), "yes", "person:1"),
        (D(100), "yes", "person:1"),
        (D(90), "no", "person:2"),
        (D(100), "yes", "person:1"),
        (D(90), "no", ""),  # no key: an owner of its own
    ]
    r = tally_votes(matter="other", votes=v, total_area=480, total_owners=3)
    assert r.participating_units == 5
    assert (r.participating_owners, r.participating_area) == (3, 480)
    assert (r.yes_owners, r.yes_area) == (1, 300)
    assert (r.no_owners, r.no_area) == (2, 180)
    assert r.approval_area_met
    assert not r.approval_owners_met
    assert not r.passed
    assert r.reasons[3] == "✘ 同意人数占参与表决人数: 33.33% (1/3), 需 > 1/2"


def test_the_developers_unsold_units_count_as_one_owner():
    """司法解释 第九条: "建设单位尚未出售和虽已出售但尚未交付的部分……按一人计算".

    Five flats of 150 m² sold to five buyers, four unsold flats of 100 m² (1150 m², 6 owners).
    Three buyers vote yes, the developer votes no with its four flats: 4 of 6 owners take part
    (exactly 三分之二), 3 of the 4 agree (过半数), 450 of 850 m² agree (过半数).
    """
    v = [(D(150), "yes", f"person:{n}") for n in range(3)]
    v += [(D(100), "no", "developer")] * 4
    r = tally_votes(matter="company_selection", votes=v, total_area=1150, total_owners=6)
    assert r.participating_units == 7
    assert (r.participating_owners, r.no_owners, r.yes_owners) == (4, 1, 3)
    assert r.participation_owners_met
    assert r.passed
    assert r.reasons[1] == "✔ 参与表决人数占比: 66.67% (4/6), 需 ≥ 2/3"


def test_units_of_one_owner_voting_different_ways_are_refused():
    v = [(D(100), "yes", "person:7"), (D(100), "no", "person:7")]
    with pytest.raises(
        TallyInputError, match=r"^the units of owner person:7 voted different ways$"
    ):
        tally_votes(matter="other", votes=v, total_area=200, total_owners=1)


def test_small_units_and_small_totals_are_counted():
    """Any positive area counts: a 0.8 m² storage room, a 1 m² unit, a one-owner total."""
    r = tally_votes(
        matter="other",
        votes=[(D("0.8"), "yes", "person:1"), (D(1), "yes", "person:1")],
        total_area=D("1.8"),
        total_owners=1,
    )
    assert r.passed
    assert (r.yes_area, r.yes_owners, r.participating_units) == (D("1.8"), 1, 2)
    one = tally_votes(matter="other", votes=[(D(1), "yes")], total_area=1, total_owners=1)
    assert one.passed


@pytest.mark.parametrize(
    ("total_area", "total_owners"),
    [(0, 9), (900, 0), (-1, 9), (900, -1)],
)
def test_non_positive_totals_are_refused_even_without_votes(total_area, total_owners):
    with pytest.raises(
        TallyInputError, match=r"^total area and number of owners must be positive$"
    ):
        tally_votes(matter="other", votes=[], total_area=total_area, total_owners=total_owners)


@pytest.mark.parametrize(
    ("matter", "v", "message"),
    [
        ("nonsense", [], r"^unknown matter type 'nonsense'$"),
        ("other", votes((1, 10, "maybe")), r"^unknown vote 'maybe'$"),
        ("other", votes((1, 0, "yes")), r"^every household has a positive area$"),
        ("other", votes((1, -5, "no")), r"^every household has a positive area$"),
        (
            "other",
            votes((3, 400, "yes")),
            r"^participating area exceeds the compound's total area$",
        ),
        ("other", votes((10, 10, "yes")), r"^more participating households than owners$"),
    ],
)
def test_refusals_say_what_does_not_add_up(matter, v, message):
    """The message is shown to the committee ("The votes do not add up: …")."""
    with pytest.raises(TallyInputError, match=message):
        tally_votes(matter=matter, votes=v, total_area=900, total_owners=9)


def test_a_callers_key_never_collides_with_a_ballot_without_one():
    """Two different owners (one unkeyed, one keyed "#0") are two owners, not one owner
    voting two ways (司法解释 第九条 counts each owner once, and only them)."""
    result = tally.tally_votes(
        matter="other", votes=[(100, "yes"), (100, "no", "#0")], total_area=200, total_owners=2
    )
    assert (result.participating_owners, result.yes_owners) == (2, 1)
