"""Campaigns covering a whole community (issue 7 item 1; 评议监督考核制度 第一条 社区党组织具体负责,
第二条 the three parties)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from disclosures.models import Disclosure
from evaluations import evidence, services
from evaluations.models import Campaign, Evaluator, Target
from evaluations.results import campaign_results
from huashan.directory.models import Membership, Organization
from huashan.directory.rules import OFFICER_ROLES
from tests.factories.directory import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganizationFactory,
    ResidencyFactory,
)
from tests.factories.evaluations import full_scores

Kind = Organization.Kind
State = Campaign.State
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The assertions below match the English msgids; the portal's default language is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def community_world(world):
    """``world`` (compound A, its 2025 campaign) plus compound B in the same community."""
    b = CompoundFactory(community=world.compound.community)
    world.b = b
    world.b_pmc = OrganizationFactory(kind=Kind.PMC, compound=b, name="B小区物管会")
    world.b_company = OrganizationFactory(kind=Kind.PROPERTY_COMPANY, compound=b, name="B物业")
    world.b_pmc_chair = MembershipFactory(
        organization=world.b_pmc, role=Membership.Role.CHAIR
    ).person
    world.b_resident = ResidencyFactory(
        household=HouseholdFactory(building=BuildingFactory(compound=b))
    ).person
    world.outsider_compound = CompoundFactory()  # another community
    return world


def open_community(world, year=2026):
    return services.campaign_create(
        actor=world.community_secretary, community=world.compound.community, year=year
    )


def test_targets_are_the_rc_once_and_each_compounds_pmc_and_company(community_world):
    w = community_world
    campaign = open_community(w)
    assert campaign.compound is None
    assert [c.pk for c in campaign.compounds] == sorted([w.compound.pk, w.b.pk])
    targets = {t.organization_id: t for t in campaign.targets.all()}
    assert set(targets) == {
        w.orgs.residents_committee.pk,
        w.orgs.pmc.pk,
        w.orgs.property_company.pk,
        w.b_pmc.pk,
        w.b_company.pk,
    }
    assert targets[w.orgs.residents_committee.pk].compound is None
    assert targets[w.b_pmc.pk].compound == w.b
    assert targets[w.orgs.pmc.pk].compound == w.compound
    # Existing compound campaigns are unchanged: three targets, all of the compound.
    assert w.campaign.targets.filter(member__isnull=True).count() == 3
    assert w.campaign.compounds == [w.compound]


def test_a_compound_is_evaluated_once_a_year(community_world):
    w = community_world
    with pytest.raises(ValidationError, match="already covers"):
        open_community(w, year=2025)  # compound A has its own 2025 campaign
    open_community(w, year=2026)
    with pytest.raises(ValidationError, match="already covers"):
        services.campaign_create(actor=w.community_secretary, compound=w.b, year=2026)
    with pytest.raises(ValidationError, match="already covers"):
        open_community(w, year=2026)
    with pytest.raises(ValidationError):
        services.campaign_create(actor=w.community_secretary, year=2027)  # neither
    with pytest.raises(ValidationError):
        services.campaign_create(
            actor=w.community_secretary, compound=w.b, community=w.b.community, year=2027
        )


def test_permissions_span_every_compound_of_the_community(community_world):
    w = community_world
    for actor in (w.resident, w.b_pmc_chair, w.people.compound_party):
        with pytest.raises(PermissionDenied):
            services.campaign_create(actor=actor, community=w.compound.community, year=2026)
    campaign = open_community(w)
    assert services.may_view_staff(w.b_pmc_chair, campaign)  # staff of compound B
    assert not services.may_view_staff(w.resident, campaign)
    assert services.may_object(w.b_resident, campaign)
    outsider = ResidencyFactory(
        household=HouseholdFactory(building=BuildingFactory(compound=w.outsider_compound))
    ).person
    assert not services.may_object(outsider, campaign)
    assert not services.may_organize(w.b_pmc_chair, campaign)


def test_roster_from_every_compound_results_per_target_and_publicity_on_each_board(
    community_world,
):

    w = community_world
    campaign = open_community(w)
    for person in (w.resident, w.b_resident):
        services.evaluator_add(
            actor=w.community_secretary, campaign=campaign, name="", category="owner", person=person
        )
    issued = services.tokens_issue(actor=w.community_secretary, campaign=campaign)
    assert {i.evaluator.person for i in issued} == {w.resident, w.b_resident}
    for state in (State.MATERIALS, State.EVALUATION_MEETING, State.SCORING):
        campaign = services.campaign_advance(
            actor=w.community_secretary, campaign=campaign, to_state=state
        )
    # The five bodies (第二条: the RC once, each compound's PMC and company) and, one by one,
    # every current 委员 of each compound's PMC (物业管理委员会服务承诺 第4条 述职、满意度).
    members = set(
        Membership.objects.current()
        .filter(organization__in=[w.orgs.pmc, w.b_pmc], role__in=OFFICER_ROLES)
        .values_list("person_id", flat=True)
    )
    assert members >= {w.people.pmc.pk, w.b_pmc_chair.pk}
    assert campaign.targets.filter(member__isnull=True).count() == 5
    assert set(campaign.targets.exclude(member=None).values_list("member_id", flat=True)) == members
    for item in issued:
        assert services.ballot_submit(token=item.token, scores=full_scores(campaign)) == 5 + len(
            members
        )
    assert not Evaluator.objects.filter(campaign=campaign, person__isnull=True).exists()
    for state in (State.PRELIMINARY, State.PUBLICITY):
        campaign = services.campaign_advance(
            actor=w.community_secretary, campaign=campaign, to_state=state
        )
    # Closing the scoring wrote every waiting ballot (第五条 初步结果) — a result per target,
    # each member's beside the bodies' …
    results = campaign_results(campaign)
    assert len(results) == 5 + len(members)
    assert {r.target.member_id for r in results if r.target.is_member} == members
    assert all(r.counted == 2 and r.weighted_total == 100 for r in results)
    posted = Disclosure.objects.filter(title=campaign.title)
    assert set(posted.values_list("compound_id", flat=True)) == {w.compound.pk, w.b.pk}
    # … and the roster forgot which account each slip belonged to (issue 14 item 2).
    assert not Evaluator.objects.filter(campaign=campaign, person__isnull=False).exists()


def test_evidence_comes_from_the_targets_compound(community_world, monkeypatch):
    w = community_world
    campaign = open_community(w)
    seen = []

    def rates(*, compound, organization, start, end):
        seen.append((compound.pk, organization.pk))
        return evidence.EvidenceSection("complaints", "投诉", True)

    monkeypatch.setattr(evidence, "complaint_rates", rates)
    b_company = campaign.targets.get(organization=w.b_company)
    evidence.evidence_pack(target=b_company)
    assert seen == [(w.b.pk, w.b_company.pk)]
    seen.clear()
    rc = campaign.targets.get(organization=w.orgs.residents_committee)
    sections = evidence.evidence_pack(target=rc)
    assert sorted(seen) == sorted(
        [(w.compound.pk, w.orgs.residents_committee.pk), (w.b.pk, w.orgs.residents_committee.pk)]
    )
    assert any(s.title.startswith(w.b.name) for s in sections)


def test_create_from_the_list_page(client, community_world):
    w = community_world
    client.force_login(w.community_secretary)
    page = client.get(reverse("evaluations:list")).content.decode()
    value = f"community-{w.compound.community.pk}"
    assert f'value="{value}"' in page
    response = client.post(reverse("evaluations:create"), {"compound": value, "year": "2026"})
    campaign = Campaign.objects.get(community=w.compound.community)
    assert response["Location"] == reverse("evaluations:manage", args=[campaign.pk])
    assert Target.objects.filter(campaign=campaign, member__isnull=True).count() == 5
    for bad in ("community-abc", "community-999999", "<script>"):
        response = client.post(reverse("evaluations:create"), {"compound": bad, "year": "2026"})
        assert response.status_code == 302
        assert response["Location"] == reverse("evaluations:list")
    client.force_login(w.b_pmc_chair)
    assert client.get(reverse("evaluations:manage", args=[campaign.pk])).status_code == 200
    listing = client.get(reverse("evaluations:list")).content.decode()
    assert reverse("evaluations:manage", args=[campaign.pk]) in listing
