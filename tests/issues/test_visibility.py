"""One visibility rule for complaints (issue 14 item 3): the ``rules`` predicates the
staff page asks (``issues.view_issue``, ``issues.view_reporter``) and the selector the
API, media and lists use (``issue_visible_to(..., reporter_flag=True)``) answer alike
for every persona and every shape a complaint can take.

seed: 协同联动 第一条 (the party organizations lead), 第二条 (转办 to the PMC / property
company, 督办 by 小区党组织 and 环境和物业管理委员会, 备档 with 社区党组织 and 居委会),
第三条 (社区吹哨、党员报到), 第四条 (街道吹哨、部门报到). docs/roles.md: party members,
owner representatives and resident group leaders have a voice, never staff powers.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from huashan.directory.models import Membership
from issues import selectors
from issues.models import Issue, Referral, Whistle
from tests.factories.directory import MembershipFactory, PersonFactory
from tests.factories.issues import (
    IssueFactory,
    ReferralFactory,
    WhistleFactory,
    WhistleSummonsFactory,
)
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def world():
    world = compound_world()
    orgs = world.orgs
    world.voice = SimpleNamespace(
        party_member=MembershipFactory(
            organization=orgs.compound_party, role=Role.PARTY_MEMBER
        ).person,
        owner_representative=MembershipFactory(
            organization=orgs.pmc, role=Role.OWNER_REPRESENTATIVE
        ).person,
        resident_group_leader=MembershipFactory(
            organization=orgs.residents_committee, role=Role.RESIDENT_GROUP_LEADER
        ).person,
    )
    world.quality_supervisor = MembershipFactory(
        organization=orgs.property_company, role=Role.QUALITY_SUPERVISOR
    ).person
    world.summoned = world.voice.party_member  # 党员报到 on the whistled shapes below
    world.superuser = PersonFactory(is_superuser=True)
    world.inactive = MembershipFactory(
        organization=orgs.compound_party, role=Role.SECRETARY, person__is_active=False
    ).person
    world.stranger = compound_world().people.compound_party  # staff of another compound
    return world


def personas(world) -> dict:
    people = {f"{kind}": person for kind, person in vars(world.people).items()}
    people.update(vars(world.voice))
    people.update(
        resident=world.resident,
        neighbour=world.neighbour,
        quality_supervisor=world.quality_supervisor,
        superuser=world.superuser,
        inactive=world.inactive,
        stranger=world.stranger,
    )
    return people


#: How a complaint may have been handled (each combined with public/private and shared).
HANDLING = (
    "new",
    "transferred_company",
    "transferred_pmc",
    "referred_rc_and_party",  # 督办 / 备档 referrals of a small matter's transfer
    "whistled_orgs",  # 社区吹哨 to the compound party organization, the RC and the PMC
    "whistled_person",  # 党员报到: the party member summoned in person
    "street_whistle_department",  # 街道吹哨、部门报到
)


def make(world, handling: str, *, public: bool, shared: bool) -> Issue:
    orgs = world.orgs
    issue = IssueFactory(
        compound=world.compound,
        reporter=world.resident,
        is_public=public,
        share_identity=shared,
    )
    if handling == "transferred_company":
        issue.assigned_org = orgs.property_company
    elif handling == "transferred_pmc":
        issue.assigned_org = orgs.pmc
    if issue.assigned_org_id:
        issue.status = Issue.Status.TRANSFERRED
        issue.save()
        ReferralFactory(issue=issue, organization=issue.assigned_org)
    if handling == "referred_rc_and_party":
        for org in (orgs.compound_party, orgs.residents_committee):
            ReferralFactory(issue=issue, organization=org, purpose=Referral.Purpose.SUPERVISE)
    if handling == "whistled_orgs":
        whistle = WhistleFactory(issue=issue)
        for org in (orgs.compound_party, orgs.residents_committee, orgs.pmc):
            WhistleSummonsFactory(whistle=whistle, organization=org)
    if handling == "whistled_person":
        whistle = WhistleFactory(issue=issue)
        WhistleSummonsFactory(whistle=whistle, organization=None, person=world.summoned)
    if handling == "street_whistle_department":
        whistle = WhistleFactory(issue=issue, level=Whistle.Level.STREET)
        WhistleSummonsFactory(whistle=whistle, organization=orgs.department)
    return issue


SHAPES = [
    (handling, public, shared)
    for handling, public, shared in itertools.product(HANDLING, (False, True), (False, True))
]


@pytest.mark.parametrize(("handling", "public", "shared"), SHAPES)
def test_the_selector_and_the_predicates_answer_alike(world, handling, public, shared):
    """seed: 协同联动 第一—四条: one rule, asked row by row (pages) or as one query (lists)."""
    issue = make(world, handling, public=public, shared=shared)
    disagree = []
    for name, person in personas(world).items():
        rows = selectors.issue_visible_to(person=person, reporter_flag=True).filter(pk=issue.pk)
        row = rows.first()
        by_rule = (
            person.has_perm("issues.view_issue", issue),
            person.has_perm("issues.view_reporter", issue),
        )
        by_query = (row is not None, bool(row and row.reporter_visible))
        if by_rule != by_query:
            disagree.append((name, by_rule, by_query))

    assert disagree == []


def _sees(person, issue) -> tuple[bool, bool]:
    return (
        person.has_perm("issues.view_issue", issue),
        person.has_perm("issues.view_reporter", issue),
    )


@pytest.mark.parametrize("handling", HANDLING)
@pytest.mark.parametrize("voice", ["party_member", "owner_representative", "resident_group_leader"])
def test_voice_only_members_never_see_what_their_organization_handles(world, handling, voice):
    """docs/roles.md: party members, owner representatives and resident group leaders are
    residents with a voice, not staff — whatever reaches their organization (转办, 督办,
    备档, 吹哨) is not theirs to read; only a summons in person is (党员报到, 第三条)."""
    issue = make(world, handling, public=False, shared=True)
    person = getattr(world.voice, voice)
    summoned = handling == "whistled_person" and person == world.summoned

    assert _sees(person, issue) == (summoned, summoned)
    assert (issue in selectors.issue_visible_to(person=person)) is summoned


@pytest.mark.parametrize("shared", [False, True])
def test_the_party_complained_about_sees_the_reporter_only_when_the_reporter_agreed(world, shared):
    """seed: 协同联动 第二条 转办: the property company works the complaint; who complained
    is the reporter's to share (``share_identity``), the supervising bodies always know."""
    issue = make(world, "transferred_company", public=False, shared=shared)

    assert _sees(world.people.property_company, issue) == (True, shared)
    assert _sees(world.quality_supervisor, issue) == (True, shared)
    assert _sees(world.people.pmc, issue) == (False, False)
    assert _sees(world.people.compound_party, issue) == (True, True)
    assert _sees(world.resident, issue) == (True, True)
    assert _sees(world.neighbour, issue) == (False, False)


# --- the API list: the field-level rule per row, in a flat number of queries ----------


def _api_list(person):
    client = APIClient()
    client.force_authenticate(person)
    return client.get("/api/issues/issues/")


@pytest.mark.parametrize("count", [5, 40])
def test_api_list_queries_do_not_grow_with_the_number_of_complaints(
    world, count, django_assert_max_num_queries
):
    """The reporter flag comes with the rows: the PMC's list of complaints whistled to it
    (社区吹哨, half with the reporter shared) costs the same at 5 and at 40 complaints."""
    for index in range(count):
        make(world, "whistled_orgs", public=False, shared=index % 2 == 0)

    with django_assert_max_num_queries(8):
        response = _api_list(world.people.pmc)

    rows = response.json()["results"]
    assert len(rows) == count
    shown = [row["reporter"] is not None for row in rows]
    assert shown.count(True) == (count + 1) // 2
    assert all(row["reporter"]["phone"] == world.resident.mobile for row in rows if row["reporter"])


def test_a_voice_only_seat_neither_reports_in_nor_signs_for_its_organization(world):
    """社区吹哨、党员报到 (协同联动 第三条): the organization reports in through its staff;
    a party member reports in only when summoned in person. 签收 of a referral (第二条)
    and the organization's queue are its staff's too."""
    issue = make(world, "referred_rc_and_party", public=False, shared=False)
    whistle = WhistleFactory(issue=issue)
    to_party = WhistleSummonsFactory(whistle=whistle, organization=world.orgs.compound_party)
    in_person = WhistleSummonsFactory(whistle=whistle, organization=None, person=world.summoned)
    referral = issue.referrals.get(organization=world.orgs.compound_party)
    member, secretary = world.voice.party_member, world.people.compound_party

    assert not member.has_perm("issues.report_in", to_party)
    assert member.has_perm("issues.report_in", in_person)
    assert secretary.has_perm("issues.report_in", to_party)
    assert not member.has_perm("issues.view_queue", world.orgs.compound_party)
    assert not selectors.referral_ack_allowed(person=member, referral=referral)
    assert selectors.referral_ack_allowed(person=secretary, referral=referral)


def test_staff_elsewhere_with_a_voice_only_seat_gets_no_queue_from_that_seat(world):
    """A PMC officer who is also a party member of the compound party organization works
    the PMC's queue, not the party organization's (docs/roles.md: voice only)."""
    officer = world.people.pmc
    MembershipFactory(
        person=officer, organization=world.orgs.compound_party, role=Role.PARTY_MEMBER
    )
    private = make(world, "new", public=False, shared=False)

    assert officer.has_perm("issues.view_queue", world.orgs.pmc)
    assert not officer.has_perm("issues.view_queue", world.orgs.compound_party)
    assert _sees(officer, private) == (False, False)
    assert private not in selectors.issue_visible_to(person=officer)
