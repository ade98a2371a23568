"""An evaluation campaign under random service calls by random roles (issue 13 item 2).

seed: 评议监督考核制度 第一条 (社区党组织具体负责), 第三条 (材料、评议会、量化测评), 第五条
(初步结果公示, 街道党工委审定后通报). Hypothesis drives ``evaluations/services.py``: advancing
the stages, adding evaluators, issuing ballot tokens, casting ballots (well-formed and
empty), and the clock passing the objection window. A call may only be refused with
the project's validation or permission errors, and after every step:

* one event per stage change (a refused call writes nothing and changes nothing);
* each online ballot slip spent for a target is one ballot (written or waiting in the
  holding area), and none waits once scoring has closed;
* a campaign in publicity or later has its objection window, and it is approved only
  after the window closed.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule, run_state_machine_as_test

from evaluations import services
from evaluations.models import (
    Ballot,
    Campaign,
    CampaignEvent,
    Evaluator,
    PendingBallot,
    TokenUse,
)
from tests.factories.evaluations import full_scores
from tests.factories.world import compound_world
from tests.state.machine import SavepointMachine

# Setup-heavy: each run builds a world per example of a stateful search; left out of
# the quick loop (-m "not slow"), run by make test.
pytestmark = pytest.mark.slow

REFUSALS = (ValidationError, PermissionDenied)
State = Campaign.State
ORDER = list(Campaign.ORDER)
ACTORS = (
    "community_party",
    "street_office",
    "compound_party",
    "residents_committee",
    "pmc",
    "property_company",
    "joint_meeting_office",
    "resident",
    "nobody",
)
SETTINGS = settings(
    max_examples=30,
    stateful_step_count=15,
    deadline=None,
    database=None,
    derandomize=True,  # the same runs on every CI build: a failure is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
actors = st.sampled_from(ACTORS)


def likely(*roles):
    """The roles a rule is for: wrong actors and wrong states are the ``chaos`` rule's."""
    return st.sampled_from(roles)


organizer = likely("community_party")


class EvaluationMachine(SavepointMachine):
    world = None
    reached: set = set()  # every state some run reached (checked by the test)

    def __init__(self):
        super().__init__()
        self.traveller = time_machine.travel(timezone.now(), tick=False)
        self.clock = self.traveller.start()
        self.tokens: list[str] = []
        self.evaluators = 0

    def teardown(self):
        try:
            super().teardown()
        finally:
            self.traveller.stop()

    def person(self, role):
        if role == "nobody":
            return None
        if role == "resident":
            return self.world.resident
        return getattr(self.world.people, role)

    def call(self, function, **kwargs):
        campaign = self.campaign
        campaign.refresh_from_db()
        before = campaign.state
        seen = set(CampaignEvent.objects.filter(campaign=campaign).values_list("pk", flat=True))
        try:
            result = function(**kwargs)
        except REFUSALS:
            campaign.refresh_from_db()
            assert campaign.state == before, f"{function.__name__} refused but moved the state"
            wrote = CampaignEvent.objects.filter(campaign=campaign).exclude(pk__in=seen)
            assert not wrote.exists(), f"{function.__name__} refused but wrote an event"
            return None
        campaign.refresh_from_db()
        type(self).reached.add(campaign.state)
        new = CampaignEvent.objects.filter(campaign=campaign).exclude(pk__in=seen)
        moves = [(e.from_state, e.to_state) for e in new if e.to_state not in ("", e.from_state)]
        if campaign.state != before:
            assert moves == [(before, campaign.state)], (
                f"{function.__name__}: {before} -> {campaign.state} recorded as {moves}"
            )
        else:
            assert moves == [], f"{function.__name__} kept {before} but recorded {moves}"
        return result

    @initialize()
    def open_campaign(self):
        self.campaign = services.campaign_create(
            actor=self.world.people.community_party, compound=self.world.compound, year=2025
        )

    @rule(own=st.just(True), who=actors)
    def advance(self, own, who):
        """Move to the next stage: usually by the body that may (the street approves)."""
        self.campaign.refresh_from_db()
        target = self.campaign.next_state
        if target is None:
            return
        right = "street_office" if target in (State.APPROVED, State.CIRCULATED) else None
        actor = self.person((right or "community_party") if own else who)
        self.call(services.campaign_advance, actor=actor, campaign=self.campaign, to_state=target)

    @rule(who=organizer)
    def add_evaluator(self, who):
        self.evaluators += 1
        self.call(
            services.evaluator_add,
            actor=self.person(who),
            campaign=self.campaign,
            name=f"评议人{self.evaluators}",
            category=Evaluator.Category.OWNER,
        )

    @rule(who=organizer)
    def issue_tokens(self, who):
        issued = self.call(services.tokens_issue, actor=self.person(who), campaign=self.campaign)
        self.tokens += [i.token for i in issued or ()]

    @rule(data=st.data(), complete=st.booleans())
    def cast(self, data, complete):
        if not self.tokens:
            return
        token = data.draw(st.sampled_from(self.tokens))
        scores = full_scores(self.campaign) if complete else {}
        self.call(services.ballot_submit, token=token, scores=scores)

    @rule(name=st.sampled_from(["add_evaluator", "advance", "issue_tokens"]), who=actors)
    def chaos(self, name, who):
        """Any of the organizer's calls, by anyone: refused cleanly or done right."""
        if name == "advance":
            self.advance(own=False, who=who)
        else:
            getattr(self, name)(who=who)

    @rule()
    def objection_window_passes(self):
        self.clock.shift(dt.timedelta(days=8))

    @invariant()
    def ballots_match_spent_slips(self):
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        spent = TokenUse.objects.filter(evaluator__campaign=campaign).count()
        online = (
            Ballot.objects.filter(campaign=campaign, channel=Ballot.Channel.ONLINE).count()
            + PendingBallot.objects.filter(campaign=campaign, channel=Ballot.Channel.ONLINE).count()
        )
        assert online == spent, f"{spent} slips spent, {online} online ballots"
        if ORDER.index(State(campaign.state)) > ORDER.index(State.SCORING):
            assert not PendingBallot.objects.filter(campaign=campaign).exists(), (
                f"ballots still waiting in {campaign.state}"
            )

    @invariant()
    def publicity_window(self):
        campaign = Campaign.objects.get(pk=self.campaign.pk)
        index = ORDER.index(State(campaign.state))
        if index >= ORDER.index(State.PUBLICITY):
            assert campaign.publicity_start is not None
            assert campaign.publicity_end is not None
        if index >= ORDER.index(State.APPROVED):
            approved = campaign.events.filter(to_state=State.APPROVED).get()
            assert approved.at >= campaign.publicity_end, "approved inside the objection window"


@pytest.mark.django_db
def test_evaluation_machine():
    EvaluationMachine.world = compound_world()
    run_state_machine_as_test(EvaluationMachine, settings=SETTINGS)
    # The runs went somewhere: the machine is not refusing everything.
    assert {State.MATERIALS, State.SCORING, State.PRELIMINARY} <= EvaluationMachine.reached, (
        EvaluationMachine.reached
    )
