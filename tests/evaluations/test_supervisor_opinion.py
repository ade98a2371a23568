"""决策报告制度 第四条 "结合年度考评工作，对物业服务企业提出评价意见": the volunteer quality
supervisor contributes an opinion to the December evaluation (issue 18 item 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations import services
from evaluations.models import Campaign, SupervisorOpinion
from huashan.directory.models import Membership
from tests.factories.directory import MembershipFactory, PersonFactory
from tests.factories.evaluations import advance_to

State = Campaign.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(world):
    person = PersonFactory(name="质量总监")
    MembershipFactory(
        person=person,
        organization=world.orgs.property_company,
        role=Membership.Role.QUALITY_SUPERVISOR,
        start=dt.date(2024, 1, 1),
    )
    return person


def _company_target(world):
    return world.campaign.targets.get(organization=world.orgs.property_company, member__isnull=True)


def test_article_4_the_supervisor_gives_an_opinion_on_the_company(world, supervisor):
    opinion = services.supervisor_opinion_submit(
        actor=supervisor,
        campaign=world.campaign,
        target=_company_target(world),
        text="保洁频次未达合同约定，已提出整改意见三次。",
    )
    assert opinion.author_id == supervisor.pk
    assert world.campaign.events.filter(verb="supervisor_opinion").exists()
    with pytest.raises(ValidationError):
        services.supervisor_opinion_submit(
            actor=supervisor,
            campaign=world.campaign,
            target=_company_target(world),
            text="再提一次意见。",
        )


def test_article_4_only_the_supervisor_and_only_on_the_company(world, supervisor):
    for outsider in (world.people.property_company, world.community_secretary, world.resident):
        with pytest.raises(PermissionDenied):
            services.supervisor_opinion_submit(
                actor=outsider,
                campaign=world.campaign,
                target=_company_target(world),
                text="物业服务总体良好。",
            )
    pmc_target = world.campaign.targets.get(organization=world.orgs.pmc, member__isnull=True)
    with pytest.raises(ValidationError):
        services.supervisor_opinion_submit(
            actor=supervisor, campaign=world.campaign, target=pmc_target, text="物管会意见。。"
        )
    for bad in ("", "短", "x" * 2001):
        with pytest.raises(ValidationError):
            services.supervisor_opinion_submit(
                actor=supervisor, campaign=world.campaign, target=_company_target(world), text=bad
            )
    assert not SupervisorOpinion.objects.exists()


def test_article_4_opinions_close_with_the_preliminary_results(world, supervisor):
    roster_ = services.evaluator_add(
        actor=world.community_secretary, campaign=world.campaign, name="评议人", category="owner"
    )
    assert roster_.pk
    advance_to(world, State.PRELIMINARY)
    with pytest.raises(services.CampaignStateError):
        services.supervisor_opinion_submit(
            actor=supervisor,
            campaign=world.campaign,
            target=_company_target(world),
            text="保洁频次未达合同约定。",
        )
