"""An owners'-assembly motion under random service calls by random roles (issue 13 item 2).

seed: 物业管理委员会服务承诺 (重大事项 业主大会表决) and Civil Code art. 278 (the
thresholds ``meetings/tally.py`` applies). Hypothesis drives ``meetings/services.py``:
the PMC's deliberation, the compound and community party reviews, opening the vote,
owners' votes, the announced close coming, closing the vote (never earlier), publishing
the result, withdrawal. A call may only
be refused with the project's validation or permission errors, and after every step:

* one event per stage change (a refused call writes nothing and changes nothing);
* a decided motion has its decision time, a verdict (passed or not) and closed voting;
  a motion in voting has its voting window; a published result has its text.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from huashan.directory.models import Household
from meetings import services
from meetings.models import MotionEvent, OwnersAssemblyMotion
from tests.factories.directory import HouseholdFactory, ResidencyFactory
from tests.factories.meetings import meeting_world
from tests.state.machine import SavepointMachine

# Setup-heavy: each run builds a world per example of a stateful search; left out of
# the quick loop (-m "not slow"), run by make test.
pytestmark = pytest.mark.slow

REFUSALS = (ValidationError, PermissionDenied)
Stage = OwnersAssemblyMotion.Stage
ACTORS = (
    "pmc",
    "pmc_member",
    "compound_party",
    "community_party",
    "residents_committee",
    "property_company",
    "street_office",
    "meeting_clerk",
    "resident",
    "neighbour",
    "owner",
    "nobody",
)
#: The owner of ``world.households[i]`` (in the order the test creates them).
VOTERS = ("resident", "neighbour", "owner")
SETTINGS = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    database=None,
    derandomize=True,  # the same runs on every CI build: a failure is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
actors = st.sampled_from(ACTORS)


def likely(*roles):
    """The roles a rule is for: wrong actors and wrong states are the ``chaos`` rule's."""
    return st.sampled_from(roles)


officer = likely("pmc", "pmc_member")


def when(*stages):
    """Enable a rule in these stages only (the ``chaos`` rule calls any rule in any stage)."""
    return precondition(lambda self: self.motion.stage in stages)


#: Rule -> its parameters, for the chaos rule (any call, by anyone, in any stage).
CHAOS = {
    "deliberate": {},
    "party_review": {"own": False, "level": "community", "approve": True},
    "open_vote": {},
    "vote": {"own": False, "household": 0, "choice": "yes"},
    "close_vote": {},
    "publish_result": {},
    "withdraw": {},
}


#: The way through: PMC deliberation, both party reviews, the vote, the decision, the result.
HAPPY_PATH = [
    ("deliberate", {"who": "pmc"}),
    ("party_review", {"own": True, "who": "nobody", "level": "compound", "approve": True}),
    ("party_review", {"own": True, "who": "nobody", "level": "community", "approve": True}),
    ("open_vote", {"who": "pmc"}),
    ("vote", {"own": True, "who": "nobody", "household": 0, "choice": "yes"}),
    ("vote", {"own": True, "who": "nobody", "household": 1, "choice": "yes"}),
    ("wait_for_close", {}),
    ("close_vote", {"who": "pmc"}),
    ("publish_result", {"who": "pmc"}),
]


class MotionMachine(SavepointMachine):
    world = None
    clock = None
    reached: set = set()  # every state some run reached (checked by the test)

    def person(self, role):
        world = self.world
        if role == "nobody":
            return None
        if role == "pmc_member":
            return world.pmc_members[0]
        if role in ("meeting_clerk", "resident", "neighbour", "owner"):
            return getattr(world, role)
        return getattr(world.people, role)

    def call(self, function, **kwargs):
        motion = self.motion
        motion.refresh_from_db()
        before = motion.stage
        seen = set(MotionEvent.objects.filter(motion=motion).values_list("pk", flat=True))
        try:
            function(motion=motion, **kwargs)
        except REFUSALS:
            motion.refresh_from_db()
            assert motion.stage == before, f"{function.__name__} refused but moved the stage"
            assert not MotionEvent.objects.filter(motion=motion).exclude(pk__in=seen).exists(), (
                f"{function.__name__} refused but wrote an event"
            )
            return
        motion.refresh_from_db()
        type(self).reached.add(motion.stage)
        new = MotionEvent.objects.filter(motion=motion).exclude(pk__in=seen)
        moves = [(e.from_state, e.to_state) for e in new if e.to_state not in ("", e.from_state)]
        if motion.stage != before:
            assert moves == [(before, motion.stage)], (
                f"{function.__name__}: {before} -> {motion.stage} recorded as {moves}"
            )
        else:
            assert moves == [], f"{function.__name__} kept {before} but recorded {moves}"

    @initialize(
        matter=st.sampled_from(OwnersAssemblyMotion.Matter.values),
        depth=st.integers(0, len(HAPPY_PATH)),
    )
    def propose(self, matter, depth=0):
        """Propose the motion and walk the first ``depth`` steps of the happy path, so the
        random steps start from every stage (a random walk from the start rarely gets far)."""
        self.motion = services.motion_propose(
            actor=self.world.people.pmc,
            compound=self.world.compound,
            title="更换小区物业服务企业",
            body="经业主代表提议，拟通过业主大会表决更换物业服务企业。",
            matter=matter,
        )
        moves = list(self.motion.events.values_list("from_state", "to_state"))
        assert moves == [("", Stage.PROPOSAL)], f"proposing recorded {moves}"
        for name, kwargs in HAPPY_PATH[:depth]:
            getattr(self, name)(**kwargs)

    @when(Stage.PROPOSAL)
    @rule(who=officer)
    def deliberate(self, who):
        self.call(
            services.motion_pmc_deliberate, actor=self.person(who), resolution="物管会同意提交"
        )

    @when(Stage.PMC_DELIBERATION, Stage.PARTY_REVIEW)
    @rule(
        own=st.just(True),
        who=actors,
        level=st.sampled_from(["compound", "community"]),
        approve=st.booleans(),
    )
    def party_review(self, own, who, level, approve):
        """Usually by that level's party organization, sometimes by anyone."""
        self.call(
            services.motion_party_review,
            actor=self.person(f"{level}_party" if own else who),
            level=level,
            opinion="同意" if approve else "暂缓",
            approve=approve,
        )

    @when(Stage.PARTY_REVIEW)
    @rule(who=officer)
    def open_vote(self, who):
        self.call(
            services.motion_open_vote,
            actor=self.person(who),
            closes_at=timezone.now() + dt.timedelta(days=14),
        )

    @when(Stage.VOTING)
    @rule(
        own=st.just(True),
        who=actors,
        household=st.integers(0, 2),
        choice=st.sampled_from(["yes", "no", "abstain"]),
    )
    def vote(self, own, who, household, choice):
        """Usually the household's own owner votes, sometimes anyone."""
        self.call(
            services.motion_vote_cast,
            actor=self.person(VOTERS[household] if own else who),
            household=self.world.households[household],
            choice=choice,
        )

    @when(Stage.VOTING)
    @rule()
    def wait_for_close(self):
        """The vote is counted only at the announced close: let the time come."""
        self.motion.refresh_from_db()
        if self.motion.vote_closes_at and timezone.now() < self.motion.vote_closes_at:
            self.clock.move_to(self.motion.vote_closes_at)

    @when(Stage.VOTING)
    @rule(who=officer)
    def close_vote(self, who):
        self.call(services.motion_close_vote, actor=self.person(who), decision_text="表决结束")

    @when(Stage.DECIDED)
    @rule(who=officer)
    def publish_result(self, who):
        self.call(
            services.motion_publish_result, actor=self.person(who), result_text="表决结果已公示"
        )

    @when(Stage.PROPOSAL, Stage.PMC_DELIBERATION, Stage.PARTY_REVIEW)
    @rule(who=actors)
    def withdraw(self, who):
        self.call(services.motion_withdraw, actor=self.person(who), reason="提案人撤回")

    @rule(name=st.sampled_from(sorted(CHAOS)), who=actors)
    def chaos(self, name, who):
        """Any call, by anyone, whatever the stage: refused cleanly or done right."""
        getattr(self, name)(who=who, **CHAOS[name])

    @invariant()
    def stage_and_fields_agree(self):
        motion = OwnersAssemblyMotion.objects.get(pk=self.motion.pk)
        if motion.stage == Stage.VOTING:
            assert motion.vote_opens_at is not None, "voting without an opening time"
            assert motion.vote_closes_at is not None, "voting without a closing time"
        if motion.stage in (Stage.DECIDED, Stage.RESULT_PUBLISHED):
            assert motion.decided_at is not None, "decided without a decision time"
            assert motion.passed is not None, "decided without a verdict"
            assert motion.vote_closes_at <= motion.decided_at, "decided while the vote is open"
        if motion.stage == Stage.RESULT_PUBLISHED:
            assert motion.result_text.strip(), "result published without its text"


@pytest.mark.django_db
def test_motion_machine():
    world = meeting_world()
    world.meeting_clerk = world.people.joint_meeting_office
    world.owner = ResidencyFactory(household=HouseholdFactory(building=world.building)).person
    world.households = list(
        Household.objects.filter(building__compound=world.compound).order_by("pk")[:3]
    )
    assert len(world.households) == 3
    MotionMachine.world = world
    with time_machine.travel(timezone.now(), tick=False) as clock:
        MotionMachine.clock = clock
        run_state_machine_as_test(MotionMachine, settings=SETTINGS)
    # The runs went somewhere: the machine is not refusing everything.
    assert {Stage.PARTY_REVIEW, Stage.VOTING, Stage.DECIDED} <= MotionMachine.reached, (
        MotionMachine.reached
    )
