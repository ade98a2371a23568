"""物业管理委员会服务承诺 第4条 and 第10条, kept without anyone's hand (issue 18 item 11).

* 第4条 "每年召开业主代表大会述职、现场质询；满意度低于60%的委员主动辞职" — every PMC member
  is evaluated individually in the December evaluation by default: the campaign makes a
  target of each current 委员 by itself, and a member under 60 % opens a case.
* 第10条 "…主动辞职" — an accountability outcome of resignation ends the membership, and
  with it the member's powers, on the day it is decided.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from evaluations import services
from evaluations.models import Campaign
from huashan.directory.models import Membership
from tests.factories.directory import MembershipFactory, PersonFactory
from tests.factories.evaluations import advance_to, roster

State = Campaign.State
TZ = dt.timezone(dt.timedelta(hours=8))


def _member_targets(campaign):
    return {t.member_id: t for t in campaign.targets.filter(member__isnull=False)}


@pytest.fixture
def pmc_world(db):
    """A PMC with its chair (world.people.pmc), one more 委员 who stays, one who left last
    year and one staff clerk (not a 委员)."""
    from tests.factories.issues import issue_world

    world = issue_world()
    pmc = world.orgs.pmc
    world.member2 = PersonFactory(name="委员乙")
    MembershipFactory(person=world.member2, organization=pmc, role=Membership.Role.MEMBER)
    world.gone = PersonFactory(name="已离任委员")
    MembershipFactory(
        person=world.gone,
        organization=pmc,
        role=Membership.Role.MEMBER,
        start=dt.date(2020, 1, 1),
        end=dt.date(2024, 12, 31),
    )
    world.pmc_clerk = PersonFactory(name="物管会工作人员")
    MembershipFactory(person=world.pmc_clerk, organization=pmc, role=Membership.Role.STAFF)
    world.organizer = world.people.community_party
    world.approver = world.people.street_office
    world.campaign = services.campaign_create(
        actor=world.organizer, compound=world.compound, year=2025
    )
    return world


def test_article_4_every_current_pmc_member_is_a_target_by_default(pmc_world):
    """第4条: each 委员 (chair and members) individually; not a departed member, not staff."""
    members = _member_targets(pmc_world.campaign)
    assert set(members) == {pmc_world.people.pmc.pk, pmc_world.member2.pk}
    for target in members.values():
        assert target.organization_id == pmc_world.orgs.pmc.pk
    # The organizations stay targets too (评议监督考核制度 第二条).
    assert pmc_world.campaign.targets.filter(member__isnull=True).count() == 3


def test_article_4_a_member_seated_before_scoring_is_added_and_a_departed_one_removed(
    pmc_world,
):
    pmc = pmc_world.orgs.pmc
    newcomer = PersonFactory(name="新补选委员")
    MembershipFactory(person=newcomer, organization=pmc, role=Membership.Role.MEMBER)
    Membership.objects.filter(person=pmc_world.member2, organization=pmc).update(
        end=timezone.localdate() - dt.timedelta(days=1)
    )
    roster(pmc_world, 1)
    advance_to(pmc_world, State.SCORING)
    members = _member_targets(pmc_world.campaign)
    assert set(members) == {pmc_world.people.pmc.pk, newcomer.pk}


def test_article_4_member_under_60_opens_a_case_without_targets_added_by_hand(pmc_world):
    """第4条 "满意度低于60%": the chair scored at 20 % opens one case; the other member,
    scored at 100 %, none — and nobody called target_add_member."""
    from pledges.models import AccountabilityCase

    from .test_results import two_criteria

    world = pmc_world
    a, b = two_criteria(world)
    tokens = roster(world, 2)
    advance_to(world, State.SCORING)
    low = _member_targets(world.campaign)[world.people.pmc.pk]
    for _e, token in tokens:
        scores = {t.pk: {a.pk: "10", b.pk: "20"} for t in world.campaign.targets.all()}
        scores[low.pk] = {a.pk: "2", b.pk: "4"}
        services.ballot_submit(token=token, scores=scores)
    advance_to(world, State.APPROVED)
    cases = list(AccountabilityCase.objects.all())
    assert [(c.person_id, c.trigger) for c in cases] == [(world.people.pmc.pk, "low_satisfaction")]
