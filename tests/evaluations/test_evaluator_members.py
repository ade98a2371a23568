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
from django.core.exceptions import ValidationError
from django.utils import timezone

from evaluations import services
from evaluations.models import Campaign
from evaluations.results import campaign_results
from huashan.directory.models import Membership
from tests.factories.directory import MembershipFactory, PersonFactory
from tests.factories.evaluations import advance_to, full_scores, roster

State = Campaign.State
TZ = dt.timezone(dt.timedelta(hours=8))


def _member_targets(campaign):
    return {t.member_id: t for t in campaign.targets.filter(member__isnull=False)}


@pytest.fixture
def pmc_world(db):
    """A PMC with its chair (world.people.pmc), one more 委员 who stays, one who left last
    year and one staff member (not a 委员)."""
    from tests.factories.world import compound_world

    world = compound_world()
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
    world.pmc_staff = PersonFactory(name="物管会工作人员")
    MembershipFactory(person=world.pmc_staff, organization=pmc, role=Membership.Role.STAFF)
    world.campaign = services.campaign_create(
        actor=world.community_secretary, compound=world.compound, year=2025
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


def test_article_4_only_real_seats_a_deactivated_account_or_a_future_term_is_no_target(
    pmc_world,
):
    """A 委员 counts while the term covers today and the account is active — the directory's
    rule for every power (a deactivated account holds no seat); adding one by hand is refused
    too."""
    world = pmc_world
    pmc = world.orgs.pmc
    world.member2.is_active = False
    world.member2.save(update_fields=["is_active"])
    future = PersonFactory(name="下届委员")
    MembershipFactory(
        person=future,
        organization=pmc,
        role=Membership.Role.MEMBER,
        start=timezone.localdate() + dt.timedelta(days=30),
    )
    roster(world, 1)  # printing the slips brings the members up to date
    assert set(_member_targets(world.campaign)) == {world.people.pmc.pk}
    for person in (world.member2, future, world.gone, world.pmc_staff):
        with pytest.raises(ValidationError):
            services.target_add_member(
                actor=world.community_secretary, campaign=world.campaign, member=person
            )
    advance_to(world, State.SCORING)
    assert set(_member_targets(world.campaign)) == {world.people.pmc.pk}


@pytest.mark.parametrize("pmc", ["without members", "absent"])
def test_article_4_a_compound_with_no_pmc_member_is_evaluated_as_before(db, pmc):
    """A PMC with no 委员 in office (or no PMC at all) adds no member target; the campaign
    still opens, scores, publishes and is approved with the bodies alone (第二条)."""
    from tests.factories.world import compound_world

    from .ballots import flush

    world = compound_world()
    Membership.objects.filter(organization=world.orgs.pmc).delete()
    if pmc == "absent":
        world.orgs.pmc.delete()
    world.campaign = services.campaign_create(
        actor=world.community_secretary, compound=world.compound, year=2025
    )
    bodies = 3 if pmc == "without members" else 2
    assert world.campaign.targets.count() == bodies
    assert not _member_targets(world.campaign)
    tokens = roster(world, 2)
    advance_to(world, State.SCORING)
    for _e, token in tokens:
        assert services.ballot_submit(token=token, scores=full_scores(world.campaign)) == bodies
    flush(world.campaign)
    advance_to(world, State.APPROVED)
    results = campaign_results(world.campaign)
    assert len(results) == bodies
    assert all(r.counted == 2 and not r.target.is_member for r in results)


def test_article_4_the_paper_slip_lists_the_members_the_phone_ballot_asks_about(
    pmc_world, client, tmp_path
):
    """The printed slip (民主测评票) covers every target of the phone ballot, members included.
    A member seated after the slips were printed would be missing on paper: scoring does not
    open until the slips are printed again; then slip, phone ballot and paper entry agree."""
    from tests.evaluations.slips import printed_slips

    from .test_views import pdf_text

    world = pmc_world
    client.force_login(world.community_secretary)
    services.evaluator_add(
        actor=world.community_secretary, campaign=world.campaign, name="甲", category="owner"
    )
    services.evaluator_add(
        actor=world.community_secretary, campaign=world.campaign, name="乙", category="owner"
    )
    text = pdf_text(printed_slips(client, world.campaign), tmp_path)
    assert world.member2.name in text
    assert world.people.pmc.name in text
    assert world.gone.name not in text
    assert world.pmc_staff.name not in text

    newcomer = PersonFactory(name="新补选委员")
    MembershipFactory(person=newcomer, organization=world.orgs.pmc, role=Membership.Role.MEMBER)
    advance_to(world, State.EVALUATION_MEETING)
    with pytest.raises(services.CampaignStateError) as refused:
        services.campaign_advance(
            actor=world.community_secretary, campaign=world.campaign, to_state=State.SCORING
        )
    assert refused.value.code == "slips_outdated"
    assert newcomer.pk not in _member_targets(world.campaign)  # nothing half-done

    # printed again: the earlier slips stop working
    text = pdf_text(printed_slips(client, world.campaign), tmp_path)
    assert newcomer.name in text
    advance_to(world, State.SCORING)
    targets = set(world.campaign.targets.values_list("pk", flat=True))
    assert set(_member_targets(world.campaign)) == {
        world.people.pmc.pk,
        world.member2.pk,
        newcomer.pk,
    }
    # On each slip, one table of answers per target.
    assert text.count("很满意") == world.campaign.evaluators.count() * len(targets)
    # The codes, to cast: printed once more now (scoring runs: the targets stay as they are).
    online, paper = services.tokens_issue(actor=world.community_secretary, campaign=world.campaign)
    assert {t.pk for t in services.evaluator_open_targets(online.evaluator)} == targets
    entry = services.paper_entry_create(
        actor=world.people.joint_meeting_office,
        campaign=world.campaign,
        slip_code=paper.token,
        scores=full_scores(world.campaign),
    )
    assert {int(t) for t in entry.scores} == targets
