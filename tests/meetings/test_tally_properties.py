"""Properties of the Civil Code art. 278 tally (meetings/tally.py) over generated compounds.

A compound is a list of owners; each owner holds one to three units and either stays away
or votes yes / no / abstain with all of them (司法解释 第九条: one buyer of several units is one
owner). The total area is the sum of every owner's units, the total headcount the number of
owners.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from meetings.tally import tally_votes

SPECIAL = ("fund_raising", "rebuilding", "common_parts_use")
ORDINARY = ("assembly_rules", "company_selection", "fund_use", "fee_adjustment", "other")
FLAGS = (
    "participation_area_met",
    "participation_owners_met",
    "approval_area_met",
    "approval_owners_met",
)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)

areas = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("300"), places=2)
owner = st.tuples(
    st.lists(areas, min_size=1, max_size=3),
    st.sampled_from(["yes", "no", "abstain", None]),  # None: did not vote
)
compounds = st.lists(owner, min_size=1, max_size=12)


def ballots(owners):
    return [
        (area, choice, f"person:{n}")
        for n, (units, choice) in enumerate(owners)
        if choice is not None
        for area in units
    ]


def count(matter, owners, *, scale=1):
    total_area = sum((sum(units) for units, _c in owners), Decimal("0"))
    votes = [(area * scale, choice, key) for area, choice, key in ballots(owners)]
    return tally_votes(
        matter=matter, votes=votes, total_area=total_area * scale, total_owners=len(owners)
    )


def flags(result):
    return tuple(getattr(result, name) for name in FLAGS)


@PROPERTY_SETTINGS
@given(compounds, st.data(), st.sampled_from(SPECIAL + ORDINARY))
def test_one_more_owner_agreeing_never_turns_a_pass_into_a_fail(owners, data, matter):
    """An owner who stayed away, voted no or abstained now votes yes: no threshold that was
    met stops being met (art. 278 counts agreement among the participants)."""
    index = data.draw(st.integers(0, len(owners) - 1))
    before = count(matter, owners)
    changed = list(owners)
    changed[index] = (owners[index][0], "yes")
    after = count(matter, changed)
    for was, now in zip(flags(before), flags(after), strict=True):
        assert now or not was
    assert after.passed or not before.passed
    assert after.yes_owners >= before.yes_owners
    assert after.yes_area >= before.yes_area


@PROPERTY_SETTINGS
@given(compounds, st.sampled_from(SPECIAL), st.sampled_from(ORDINARY))
def test_what_passes_as_a_special_matter_passes_as_an_ordinary_one(owners, special, ordinary):
    """四分之三以上 of the participants is always 过半数 of them; participation is the same."""
    strict = count(special, owners)
    plain = count(ordinary, owners)
    assert (strict.participation_area_met, strict.participation_owners_met) == (
        plain.participation_area_met,
        plain.participation_owners_met,
    )
    assert plain.approval_area_met or not strict.approval_area_met
    assert plain.approval_owners_met or not strict.approval_owners_met
    assert plain.passed or not strict.passed


@PROPERTY_SETTINGS
@given(compounds, st.randoms(use_true_random=False), st.sampled_from(SPECIAL + ORDINARY))
def test_the_order_of_the_ballots_does_not_matter(owners, rnd, matter):
    total_area = sum((sum(units) for units, _c in owners), Decimal("0"))
    votes = ballots(owners)
    shuffled = list(votes)
    rnd.shuffle(shuffled)
    one = tally_votes(matter=matter, votes=votes, total_area=total_area, total_owners=len(owners))
    two = tally_votes(
        matter=matter, votes=shuffled, total_area=total_area, total_owners=len(owners)
    )
    assert one.as_dict() == two.as_dict()


@PROPERTY_SETTINGS
@given(compounds, st.sampled_from(SPECIAL + ORDINARY))
def test_an_owner_counts_the_same_with_one_unit_or_several(owners, matter):
    """司法解释 第九条 / 第八条: several units of one buyer are one owner with the summed area;
    only the number of units differs from a compound where each owner has one unit."""
    merged = [([sum(units)], choice) for units, choice in owners]
    split = count(matter, owners).as_dict()
    joined = count(matter, merged).as_dict()
    units = split.pop("participating_units")
    assert units == sum(len(u) for u, c in owners if c is not None)
    assert joined.pop("participating_units") == sum(1 for _u, c in owners if c is not None)
    assert split == joined


@PROPERTY_SETTINGS
@given(compounds, st.sampled_from(SPECIAL + ORDINARY), st.sampled_from([10, 100]))
def test_the_unit_of_area_does_not_change_the_verdict(owners, matter, scale):
    """Shares of area, not square metres, decide: the same compound in other units."""
    assert flags(count(matter, owners, scale=scale)) == flags(count(matter, owners))
    assert count(matter, owners, scale=scale).passed == count(matter, owners).passed


@PROPERTY_SETTINGS
@given(compounds, st.sampled_from(SPECIAL + ORDINARY))
def test_the_reasons_show_each_threshold_and_the_motion_passes_only_if_all_are_met(owners, matter):
    """民法典第二百七十八条第二款 joins the four conditions with "且": all four or nothing."""
    r = count(matter, owners)
    marks = tuple(line[0] == "✔" for line in r.reasons)
    assert marks == flags(r)
    assert all(line[0] in "✔✘" for line in r.reasons)
    assert r.passed == all(flags(r))
    counted = [(units, c) for units, c in owners if c is not None]
    assert r.participating_owners == len(counted)
    assert r.yes_owners + r.no_owners + r.abstain_owners == len(counted)
    assert r.yes_area + r.no_area + r.abstain_area == r.participating_area
