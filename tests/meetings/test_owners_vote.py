"""Owners vote themselves; the headcount as the law counts it; the published outcome.

seed: 协同联动解决小区事务流程 第二条 "业主大会决议的程序进行，同时对决策事项和实施结果予以公开";
物业管理委员会服务承诺 第6条 "重大事项……必须经业主大会表决，杜绝擅自决策";
民法典 第二百七十八条 "业主共同决定事项，应当由专有部分面积占比三分之二以上的业主且人数占比
三分之二以上的业主参与表决";
最高人民法院《关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第九条 "建设单位尚未出售和
虽已出售但尚未交付的部分，以及同一买受人拥有一个以上专有部分的，按一人计算".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from disclosures.models import Disclosure
from huashan.notify.models import Notification
from meetings import services
from meetings.models import MotionVote, OwnersAssemblyMotion, UnitOwnership
from meetings.services import motions as motion_services
from meetings.services._common import MeetingStateError
from meetings.tally import TallyInputError, tally_votes
from tests.factories.directory import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    PersonFactory,
    ResidencyFactory,
)

from .conftest import CN

pytestmark = pytest.mark.django_db

CLOSES = dt.datetime(2026, 4, 10, 20, 0, tzinfo=CN)


def _reviewed(world, matter="other", **extra):
    motion = services.motion_propose(
        actor=world.people.pmc,
        compound=world.compound,
        title="增设电动自行车充电桩",
        body="在3栋北侧增设充电桩20个",
        matter=matter,
        **extra,
    )
    services.motion_pmc_deliberate(actor=world.people.pmc, motion=motion, resolution="全体同意")
    services.motion_party_review(
        actor=world.people.compound_party, motion=motion, level="compound", opinion="同意"
    )
    services.motion_party_review(
        actor=world.people.community_party, motion=motion, level="community", opinion="同意"
    )
    motion.refresh_from_db()
    return motion


@pytest.fixture
def motion(world, clock):
    return services.motion_open_vote(
        actor=world.people.pmc, motion=_reviewed(world), closes_at=CLOSES
    )


def _home(person):
    return person.residencies.get().household


# --- headcount (司法解释 第九条) ------------------------------------------------------------


def test_tally_one_buyer_with_three_units_counts_as_one_owner():
    votes = [(Decimal("100"), "yes", "person:7")] * 3 + [(Decimal("100"), "no", "person:8")]
    r = tally_votes(matter="other", votes=votes, total_area=Decimal("400"), total_owners=2)
    assert (r.yes_owners, r.no_owners, r.participating_owners) == (1, 1, 2)
    assert r.yes_area == Decimal("300")
    assert r.participating_units == 4
    assert "按一人计算" in r.headcount_basis


def test_tally_developer_stock_over_two_units_counts_once():
    votes = [(Decimal("90"), "abstain", "developer"), (Decimal("110"), "abstain", "developer")]
    r = tally_votes(matter="other", votes=votes, total_area=Decimal("200"), total_owners=1)
    assert r.abstain_owners == 1
    assert r.abstain_area == Decimal("200")


def test_tally_refuses_one_owner_voting_two_ways():
    votes = [(Decimal("90"), "yes", "person:1"), (Decimal("90"), "no", "person:1")]
    with pytest.raises(TallyInputError, match="different ways"):
        tally_votes(matter="other", votes=votes, total_area=Decimal("180"), total_owners=1)


def _register_world():
    """10 units of 100 m²: 4 of developer stock, 3 of buyer 甲 (holder ref), 3 single owners.
    第九条 counts 1 + 1 + 3 = 5 owners."""
    compound = CompoundFactory()
    building = BuildingFactory(compound=compound)
    units = [HouseholdFactory(building=building, area=Decimal("100")) for _ in range(10)]
    for unit in units[:4]:
        UnitOwnership.objects.create(household=unit, developer_stock=True)
    for unit in units[4:7]:
        UnitOwnership.objects.create(household=unit, holder_ref="420115X", holder_name="甲")
    for unit in units[7:]:
        ResidencyFactory(household=unit)
    return compound, units


def test_register_counts_owners_as_article_9_does():
    compound, _units = _register_world()
    area, owners, units = motion_services.compound_register_totals(compound=compound)
    assert (area, owners, units) == (Decimal("1000"), 5, 10)


def test_counting_units_instead_of_owners_would_flip_participation_to_valid():
    """Developer stock (4 units) and buyer 甲 (3 units) vote: 7 of 10 units (≥ 2/3) but 2 of 5
    owners (< 2/3). Counted by units the vote would be valid; by owners it is not."""
    compound, units = _register_world()
    register = motion_services.owner_register(compound=compound)
    votes = [(register[u.pk][1], "yes", register[u.pk][0]) for u in units[:7]]
    by_owner = tally_votes(matter="other", votes=votes, total_area=Decimal("1000"), total_owners=5)
    by_unit = tally_votes(
        matter="other", votes=[(a, c) for a, c, _k in votes], total_area=1000, total_owners=10
    )
    assert by_unit.participation_owners_met  # 7/10 ≥ 2/3
    assert not by_owner.participation_owners_met  # 2/5 < 2/3
    assert by_owner.participation_area_met  # area is the sum of the units either way
    assert by_unit.passed
    assert not by_owner.passed


# --- online ballots ---------------------------------------------------------------------


def test_owner_votes_online_once_with_a_receipt(world, motion):
    home = _home(world.resident)
    vote = services.motion_vote_cast(
        actor=world.resident, motion=motion, household=home, choice="yes"
    )
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", vote.receipt)
    assert vote.channel == MotionVote.Channel.ONLINE
    assert vote.confirmed_at is not None
    with pytest.raises(ValidationError) as exc:
        services.motion_vote_cast(actor=world.resident, motion=motion, household=home, choice="no")
    assert "duplicate_vote" in str(exc.value.error_dict["household"][0].code)
    assert MotionVote.objects.get(pk=vote.pk).choice == "yes"  # cannot be changed


def test_officer_can_no_longer_type_an_online_vote(world, motion):
    with pytest.raises(PermissionDenied):
        services.motion_vote_cast(
            actor=world.people.pmc, motion=motion, household=_home(world.neighbour), choice="yes"
        )


def test_person_who_owns_no_unit_and_tenant_are_refused(world, motion):
    home = _home(world.neighbour)
    nobody = PersonFactory()
    tenant = ResidencyFactory(household=home, relation="tenant").person
    for person in (nobody, tenant):
        with pytest.raises(PermissionDenied):
            services.motion_vote_cast(actor=person, motion=motion, household=home, choice="yes")


def test_owner_of_units_in_two_compounds_cannot_vote_in_the_wrong_one(world, motion):
    other_home = HouseholdFactory()  # another compound
    ResidencyFactory(person=world.resident, household=other_home)
    with pytest.raises(ValidationError) as exc:
        services.motion_vote_cast(
            actor=world.resident, motion=motion, household=other_home, choice="yes"
        )
    assert exc.value.error_dict["household"][0].code == "foreign_household"


def test_ballot_boundary_at_the_announced_close(world, motion, clock):
    clock.move_to(CLOSES - dt.timedelta(seconds=1))
    services.motion_vote_cast(
        actor=world.resident, motion=motion, household=_home(world.resident), choice="yes"
    )
    clock.move_to(CLOSES)
    with pytest.raises(MeetingStateError):
        services.motion_vote_cast(
            actor=world.neighbour, motion=motion, household=_home(world.neighbour), choice="yes"
        )


def test_one_owner_with_several_units_must_vote_the_same_way(world, motion):
    second = HouseholdFactory(building=world.building)
    ResidencyFactory(person=world.resident, household=second)
    # the register at the opening did not know the second unit's owner: reopen a motion
    fresh = services.motion_open_vote(
        actor=world.people.pmc, motion=_reviewed(world), closes_at=CLOSES
    )
    services.motion_vote_cast(
        actor=world.resident, motion=fresh, household=_home_first(world.resident), choice="yes"
    )
    with pytest.raises(ValidationError) as exc:
        services.motion_vote_cast(actor=world.resident, motion=fresh, household=second, choice="no")
    assert exc.value.error_dict["choice"][0].code == "owner_split"
    services.motion_vote_cast(actor=world.resident, motion=fresh, household=second, choice="yes")
    assert fresh.total_owners == 2
    assert fresh.total_units == 3
    tally = services.motion_tally(motion=fresh)
    assert (tally.yes_owners, tally.participating_units) == (1, 2)


def _home_first(person):
    return person.residencies.order_by("pk").first().household


# --- paper ballots ----------------------------------------------------------------------


def test_paper_ballot_counts_only_when_a_second_clerk_confirms(world, motion):
    home = _home(world.neighbour)
    vote = motion_services.motion_paper_enter(
        actor=world.people.pmc, motion=motion, household=home, choice="no"
    )
    assert vote.confirmed_at is None
    assert services.motion_tally(motion=motion).participating_units == 0
    with pytest.raises(PermissionDenied):
        motion_services.motion_paper_confirm(actor=world.people.pmc, vote=vote)
    with pytest.raises(PermissionDenied):  # an owner is no clerk
        motion_services.motion_paper_confirm(actor=world.resident, vote=vote)
    motion_services.motion_paper_confirm(actor=world.meeting_clerk, vote=vote)
    assert services.motion_tally(motion=motion).no_owners == 1
    with pytest.raises(MeetingStateError):
        motion_services.motion_paper_confirm(actor=world.meeting_clerk, vote=vote)


def test_paper_and_online_ballot_for_the_same_unit_are_refused(world, motion):
    home = _home(world.resident)
    services.motion_vote_cast(actor=world.resident, motion=motion, household=home, choice="yes")
    with pytest.raises(ValidationError):
        motion_services.motion_paper_enter(
            actor=world.meeting_clerk, motion=motion, household=home, choice="yes"
        )
    other = _home(world.neighbour)
    motion_services.motion_paper_enter(
        actor=world.meeting_clerk, motion=motion, household=other, choice="yes"
    )
    with pytest.raises(ValidationError):
        services.motion_vote_cast(
            actor=world.neighbour, motion=motion, household=other, choice="no"
        )
    with pytest.raises(ValidationError):
        motion_services.motion_paper_enter(
            actor=world.people.pmc, motion=motion, household=other, choice="yes"
        )


def test_paper_ballot_after_the_close_is_refused(world, motion, clock):
    clock.move_to(CLOSES + dt.timedelta(minutes=1))
    with pytest.raises(MeetingStateError):
        motion_services.motion_paper_enter(
            actor=world.meeting_clerk, motion=motion, household=_home(world.resident), choice="yes"
        )


# --- closing, extension, publication -----------------------------------------------------


def test_closing_early_is_refused_and_at_the_announced_time_allowed(world, motion, clock):
    clock.move_to(CLOSES - dt.timedelta(seconds=1))
    with pytest.raises(MeetingStateError) as exc:
        services.motion_close_vote(actor=world.people.pmc, motion=motion)
    assert exc.value.code == "not_closed_yet"
    clock.move_to(CLOSES)
    decided = services.motion_close_vote(actor=world.people.pmc, motion=motion)
    assert decided.stage == OwnersAssemblyMotion.Stage.DECIDED


def test_close_waits_for_paper_ballots_to_be_confirmed(world, motion, clock):
    vote = motion_services.motion_paper_enter(
        actor=world.meeting_clerk, motion=motion, household=_home(world.resident), choice="yes"
    )
    clock.move_to(CLOSES)
    with pytest.raises(MeetingStateError) as exc:
        services.motion_close_vote(actor=world.people.pmc, motion=motion)
    assert exc.value.code == "pending_paper"
    motion_services.motion_paper_confirm(actor=world.people.pmc, vote=vote)
    services.motion_close_vote(actor=world.people.pmc, motion=motion)


def test_extension_needs_a_later_time_and_a_reason_and_tells_the_owners(world, motion, clock):
    later = CLOSES + dt.timedelta(days=3)
    with pytest.raises(ValidationError):
        motion_services.motion_extend_vote(
            actor=world.people.pmc, motion=motion, closes_at=later, reason=""
        )
    with pytest.raises(ValidationError):
        motion_services.motion_extend_vote(
            actor=world.people.pmc, motion=motion, closes_at=CLOSES, reason="参与率不足"
        )
    with pytest.raises(PermissionDenied):
        motion_services.motion_extend_vote(
            actor=world.resident, motion=motion, closes_at=later, reason="参与率不足"
        )
    before = Notification.objects.filter(recipient=world.neighbour).count()
    motion_services.motion_extend_vote(
        actor=world.people.pmc, motion=motion, closes_at=later, reason="参与率不足"
    )
    assert Notification.objects.filter(recipient=world.neighbour).count() == before + 1
    clock.move_to(CLOSES + dt.timedelta(hours=1))  # after the old close: still open
    services.motion_vote_cast(
        actor=world.resident, motion=motion, household=_home(world.resident), choice="yes"
    )
    clock.move_to(later)
    with pytest.raises(MeetingStateError):  # once closed, no more extension
        motion_services.motion_extend_vote(
            actor=world.people.pmc,
            motion=motion,
            closes_at=later + dt.timedelta(days=1),
            reason="再延长",
        )


def test_close_and_result_are_published_on_the_disclosure_board(world, motion, clock):
    vote = services.motion_vote_cast(
        actor=world.resident, motion=motion, household=_home(world.resident), choice="yes"
    )
    services.motion_vote_cast(
        actor=world.neighbour, motion=motion, household=_home(world.neighbour), choice="yes"
    )
    clock.move_to(CLOSES)
    decided = services.motion_close_vote(actor=world.people.pmc, motion=motion)
    assert decided.passed is True
    board = Disclosure.objects.get(pk=decided.decision_disclosure_id)
    assert board.category.code == "owners_assembly"
    assert board.state == Disclosure.State.PUBLISHED
    assert vote.receipt in board.body_markdown
    assert "参与表决人数占比" in board.body_markdown
    assert "按一人计算" in board.body_markdown
    done = services.motion_publish_result(
        actor=world.people.pmc, motion=decided, result_text="充电桩已于4月底建成投用"
    )
    result = Disclosure.objects.get(pk=done.result_disclosure_id)
    assert result.category.code == "owners_assembly"
    assert "建成投用" in result.body_markdown


def test_declared_owners_must_match_the_register_by_article_9(world, clock):
    second = HouseholdFactory(building=world.building)
    ResidencyFactory(person=world.resident, household=second)  # 3 units, 2 owners
    motion = _reviewed(world)
    with pytest.raises(ValidationError) as exc:
        services.motion_open_vote(
            actor=world.people.pmc, motion=motion, closes_at=CLOSES, declared_total_owners=3
        )
    assert exc.value.error_dict["declared_total_owners"][0].code == "owners_mismatch"
    opened = services.motion_open_vote(
        actor=world.people.pmc, motion=motion, closes_at=CLOSES, declared_total_owners=2
    )
    assert opened.total_owners == 2
