"""Factories for the evaluation: a compound with its bodies and an open campaign.

``evaluation_world()`` builds on ``compound_world()`` and opens a campaign with the
default criteria, run by the community party secretary (``world.community_secretary``),
with the street office secretary as approver (``world.street_officer``).
"""

from __future__ import annotations

from evaluations import services
from evaluations.models import Campaign, Evaluator
from tests.factories.world import CompoundWorld, compound_world

State = Campaign.State


def evaluation_world(compound=None, *, year: int = 2025) -> CompoundWorld:
    world = compound_world(compound)
    world.campaign = services.campaign_create(
        actor=world.community_secretary, compound=world.compound, year=year
    )
    return world


def advance_to(world: CompoundWorld, state: str) -> Campaign:
    """Walk the campaign along its transitions up to ``state`` (approval by the street)."""
    campaign = world.campaign
    order = Campaign.ORDER
    while order.index(State(campaign.state)) < order.index(State(state)):
        nxt = campaign.next_state
        actor = (
            world.street_officer
            if nxt in (State.APPROVED, State.CIRCULATED)
            else world.community_secretary
        )
        if nxt == State.APPROVED and campaign.publicity_end:
            Campaign.objects.filter(pk=campaign.pk).update(publicity_end=campaign.publicity_start)
        campaign = services.campaign_advance(actor=actor, campaign=campaign, to_state=nxt)
    world.campaign = campaign
    return campaign


def roster(world: CompoundWorld, count: int = 3) -> list[tuple[Evaluator, str]]:
    """``count`` evaluators with freshly issued tokens: [(evaluator, token)]."""
    for n in range(count):
        services.evaluator_add(
            actor=world.community_secretary,
            campaign=world.campaign,
            name=f"评议人{n}",
            category=Evaluator.Category.OWNER,
        )
    issued = services.tokens_issue(actor=world.community_secretary, campaign=world.campaign)
    return [(i.evaluator, i.token) for i in issued]


def full_scores(campaign: Campaign, value_for=None) -> dict[int, dict[int, str]]:
    """{target: {criterion: value}} with every criterion; default: the maximum."""
    from evaluations.results import campaign_criteria

    criteria = campaign_criteria(campaign)
    return {
        t.pk: {c.pk: str(value_for(t, c) if value_for else c.max_score) for c in criteria}
        for t in campaign.targets.all()
    }
