"""Permission matrix for complaints (issues/rules.py) and the matching selector.

seed: 协同联动 第一条 (the party organizations lead), 第二条 (转办 to the PMC / property
company, 督办 by 小区党组织 and 环境和物业管理委员会), 第三条/第四条 (whistles).
Decision (docs/issues.md): the party complained about sees a transferred issue but
not who reported it, unless the reporter agreed (share_identity).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from issues import selectors
from issues.models import Issue, Whistle
from tests.factories.directory import MembershipFactory, PersonFactory
from tests.factories.issues import (
    IssueFactory,
    ReferralFactory,
    WhistleFactory,
    WhistleSummonsFactory,
)
from tests.factories.world import compound_world


@pytest.fixture
def world(db):
    return compound_world()


@pytest.fixture
def issue(world):
    return IssueFactory(compound=world.compound, reporter=world.resident, is_public=False)


SUPERVISORS = [
    "compound_party",
    "joint_meeting_office",
    "residents_committee",
    "rc_property_committee",
    "community_party",
    "street_office",
]


def who(world, name):
    if name in ("resident", "neighbour"):
        return getattr(world, name)
    return getattr(world.people, name)


@pytest.mark.parametrize(
    ("persona", "view", "reporter", "manage"),
    [
        ("resident", True, True, False),
        ("neighbour", False, False, False),
        ("property_company", False, False, False),
        ("pmc", False, False, False),
        ("department", False, False, False),
        ("compound_party", True, True, True),
        ("joint_meeting_office", True, True, True),
        ("residents_committee", True, True, True),
        ("rc_property_committee", True, True, True),
        ("community_party", True, True, True),
        ("street_office", True, True, False),
    ],
)
def test_matrix_before_transfer(world, issue, persona, view, reporter, manage):
    person = who(world, persona)
    assert person.has_perm("issues.view_issue", issue) is view
    assert person.has_perm("issues.view_reporter", issue) is reporter
    assert person.has_perm("issues.manage_issue", issue) is manage
    assert person.has_perm("issues.work_issue", issue) is manage
    assert (issue in selectors.issue_visible_to(person=person)) is view


def test_resident_cannot_read_another_residents_private_issue_or_contact(world, issue):
    assert not world.neighbour.has_perm("issues.view_issue", issue)
    assert not world.neighbour.has_perm("issues.view_reporter", issue)
    assert not AnonymousUser().has_perm("issues.view_issue", issue)
    assert issue not in selectors.issue_public_board(compound=world.compound)


def test_property_company_sees_after_transfer_but_not_the_reporter(world, issue):
    company = world.people.property_company
    assert not company.has_perm("issues.view_issue", issue)
    issue.assigned_org = world.orgs.property_company
    issue.status = Issue.Status.TRANSFERRED
    issue.save()
    assert company.has_perm("issues.view_issue", issue)
    assert company.has_perm("issues.work_issue", issue)
    assert not company.has_perm("issues.manage_issue", issue)
    assert not company.has_perm("issues.view_reporter", issue)
    assert issue in selectors.issue_visible_to(person=company)
    issue.share_identity = True
    issue.save()
    assert company.has_perm("issues.view_reporter", issue)
    # The PMC is still outside.
    assert not world.people.pmc.has_perm("issues.view_issue", issue)


def test_referred_org_sees_the_issue_but_may_not_work_it(world, issue):
    ReferralFactory(issue=issue, organization=world.orgs.pmc, purpose="investigate")
    pmc = world.people.pmc
    assert pmc.has_perm("issues.view_issue", issue)
    assert not pmc.has_perm("issues.view_reporter", issue)
    assert not pmc.has_perm("issues.work_issue", issue)
    assert issue in selectors.issue_visible_to(person=pmc)


def test_summoned_department_and_person_see_and_report_in(world, issue):
    whistle = WhistleFactory(issue=issue, level=Whistle.Level.STREET)
    by_org = WhistleSummonsFactory(whistle=whistle, organization=world.orgs.department)
    member = PersonFactory()
    by_person = WhistleSummonsFactory(whistle=whistle, organization=None, person=member)
    department = world.people.department
    assert department.has_perm("issues.view_issue", issue)
    assert not department.has_perm("issues.view_reporter", issue)
    assert department.has_perm("issues.report_in", by_org)
    assert not department.has_perm("issues.report_in", by_person)
    assert member.has_perm("issues.view_issue", issue)
    assert member.has_perm("issues.report_in", by_person)
    assert issue in selectors.issue_visible_to(person=member)
    assert not world.people.pmc.has_perm("issues.report_in", by_org)


def test_whistle_and_supervision_powers(world, issue):
    people = world.people
    assert people.community_party.has_perm("issues.blow_community_whistle", issue)
    assert people.compound_party.has_perm("issues.blow_community_whistle", issue)  # by delegation
    assert not people.property_company.has_perm("issues.blow_community_whistle", issue)
    assert people.community_party.has_perm("issues.blow_street_whistle", issue)
    assert people.street_office.has_perm("issues.blow_street_whistle", issue)
    assert not people.compound_party.has_perm("issues.blow_street_whistle", issue)
    for name in ("compound_party", "rc_property_committee", "community_party"):
        assert getattr(people, name).has_perm("issues.supervise", issue)
    for name in ("property_company", "pmc", "joint_meeting_office"):
        assert not getattr(people, name).has_perm("issues.supervise", issue)


def test_rate_summons_by_summoner_only(world, issue):
    whistle = WhistleFactory(issue=issue, blown_by=world.people.community_party)
    summons = WhistleSummonsFactory(whistle=whistle, organization=world.orgs.pmc)
    assert world.people.community_party.has_perm("issues.rate_summons", summons)
    assert not world.people.pmc.has_perm("issues.rate_summons", summons)


def test_rate_issue_only_reporter(world, issue):
    assert world.resident.has_perm("issues.rate_issue", issue)
    assert not world.neighbour.has_perm("issues.rate_issue", issue)
    assert not world.people.compound_party.has_perm("issues.rate_issue", issue)


def test_view_queue_only_members(world):
    org = world.orgs.property_company
    assert world.people.property_company.has_perm("issues.view_queue", org)
    assert not world.people.pmc.has_perm("issues.view_queue", org)
    assert not world.resident.has_perm("issues.view_queue", org)


def test_staff_of_another_compound_and_attendee_roles_see_nothing(world, issue):
    other = compound_world()
    assert not other.people.compound_party.has_perm("issues.view_issue", issue)
    assert not other.people.community_party.has_perm("issues.view_issue", issue)
    party_member = MembershipFactory(
        organization=world.orgs.compound_party, role="party_member"
    ).person
    assert not party_member.has_perm("issues.view_issue", issue)
    assert issue not in selectors.issue_visible_to(person=party_member)


def test_inactive_and_superuser(world, issue):
    superuser = PersonFactory(is_superuser=True)
    assert superuser.has_perm("issues.view_reporter", issue)
    assert superuser.has_perm("issues.manage_issue", issue)
    world.resident.is_active = False
    world.resident.save()
    assert not world.resident.has_perm("issues.view_issue", issue)
    assert issue not in selectors.issue_visible_to(person=world.resident)
