"""Permission matrix (persona × action) and the predicates in huashan/directory/rules.py.

Places: street S1 → community C1 → compound A; street S2 → community C2 → compound B.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
import rules
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from huashan.directory.models import Membership, Organization, Person, Residency
from huashan.directory.rules import (
    can_approve_evaluation,
    can_blow_community_whistle,
    can_blow_street_whistle,
    can_convene_joint_meeting,
    can_file_decision_report,
    can_organize_evaluation,
    can_publish_for_party,
    can_run_meeting_office,
    can_supervise_compound,
    clear_permission_cache,
    has_role_in_kind,
    is_member_of_kind,
    is_quality_supervisor,
    is_resident_of_compound,
    is_staff_of_compound,
    is_superuser,
    is_verified_owner_of_compound,
)
from tests.factories.directory import (
    CommunityFactory,
    CompoundFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ResidencyFactory,
    StreetFactory,
)

Kind = Organization.Kind
Role = Membership.Role


def _org(kind, *, compound=None, community=None, street=None):
    return OrganizationFactory(kind=kind, compound=compound, community=community, street=street)


def _resident(compound, **kwargs):
    return ResidencyFactory(household=HouseholdFactory(building__compound=compound), **kwargs)


@pytest.fixture
def world(db):
    s1, s2 = StreetFactory(slug="s1"), StreetFactory(slug="s2")
    c1 = CommunityFactory(street=s1, slug="c1")
    c2 = CommunityFactory(street=s2, slug="c2")
    a = CompoundFactory(community=c1, slug="compound-a")
    b = CompoundFactory(community=c2, slug="compound-b")
    orgs = SimpleNamespace(
        pmc_a=_org(Kind.PMC, compound=a),
        pmc_b=_org(Kind.PMC, compound=b),
        company_a=_org(Kind.PROPERTY_COMPANY, compound=a),
        party_a=_org(Kind.COMPOUND_PARTY, compound=a),
        office_a=_org(Kind.JOINT_MEETING_OFFICE, compound=a),
        rc_c1=_org(Kind.RESIDENTS_COMMITTEE, community=c1),
        rcpc_c1=_org(Kind.RC_PROPERTY_COMMITTEE, community=c1),
        community_party_c1=_org(Kind.COMMUNITY_PARTY, community=c1),
        street_office_s1=_org(Kind.STREET_OFFICE, street=s1),
    )
    today = timezone.localdate()
    p = {}
    p["anonymous"] = AnonymousUser()
    p["inactive"] = MembershipFactory(
        organization=orgs.pmc_a, person=PersonFactory(is_active=False)
    ).person
    ResidencyFactory(person=p["inactive"], household=HouseholdFactory(building__compound=a))
    p["resident_a"] = _resident(a).person
    p["unverified_resident_a"] = _resident(a, status=Residency.Status.PENDING).person
    p["resident_b"] = _resident(b).person
    p["property_company_staff_a"] = MembershipFactory(
        organization=orgs.company_a, role=Role.STAFF
    ).person
    p["quality_supervisor_a"] = MembershipFactory(
        organization=orgs.company_a, role=Role.QUALITY_SUPERVISOR
    ).person
    p["pmc_member_a"] = MembershipFactory(organization=orgs.pmc_a, role=Role.MEMBER).person
    p["pmc_member_b"] = MembershipFactory(organization=orgs.pmc_b, role=Role.MEMBER).person
    p["owner_representative_a"] = MembershipFactory(
        organization=orgs.pmc_a, role=Role.OWNER_REPRESENTATIVE
    ).person
    p["compound_party_secretary_a"] = MembershipFactory(
        organization=orgs.party_a, role=Role.SECRETARY
    ).person
    p["office_clerk_a"] = MembershipFactory(organization=orgs.office_a, role=Role.STAFF).person
    p["rc_member_c1"] = MembershipFactory(organization=orgs.rc_c1, role=Role.MEMBER).person
    p["street_office_staff"] = MembershipFactory(
        organization=orgs.street_office_s1, role=Role.STAFF
    ).person
    p["party_member_only"] = MembershipFactory(
        organization=orgs.party_a, role=Role.PARTY_MEMBER
    ).person
    p["expired_pmc_member_a"] = MembershipFactory(
        organization=orgs.pmc_a,
        start=datetime.date(2020, 1, 1),
        end=today - datetime.timedelta(days=1),
    ).person
    p["future_pmc_member_a"] = MembershipFactory(
        organization=orgs.pmc_a, start=today + datetime.timedelta(days=1)
    ).person
    p["superuser"] = PersonFactory(is_superuser=True, is_staff=True)

    targets = SimpleNamespace(
        resident_a=_resident(a).person,
        pending_a=_resident(a, status=Residency.Status.PENDING).person,
        rejected_a=_resident(a, status=Residency.Status.REJECTED).person,
        resident_b=_resident(b).person,
        superuser_a=_resident(a, person=PersonFactory(is_superuser=True)).person,
        staff_a=_resident(a).person,
    )
    # A PMC chair who lives in A: a clerk must not take over that account.
    MembershipFactory(person=targets.staff_a, organization=orgs.pmc_a, role=Role.CHAIR)
    return SimpleNamespace(a=a, b=b, c1=c1, s1=s1, orgs=orgs, personas=p, targets=targets)


def _actions(w):
    t = w.targets
    return {
        "staff_pages_A": ("directory.view_staff_pages", w.a),
        "staff_pages_B": ("directory.view_staff_pages", w.b),
        "import_A": ("directory.import_roster", w.a),
        "import_B": ("directory.import_roster", w.b),
        "verify_A": ("directory.verify_residency", w.a),
        "verify_B": ("directory.verify_residency", w.b),
        "reset_resident_A": ("accounts.reset_password", t.resident_a),
        "reset_pending_A": ("accounts.reset_password", t.pending_a),
        "reset_rejected_A": ("accounts.reset_password", t.rejected_a),
        "reset_resident_B": ("accounts.reset_password", t.resident_b),
        "reset_superuser_A": ("accounts.reset_password", t.superuser_a),
        "reset_staff_A": ("accounts.reset_password", t.staff_a),
        "inbox": ("notify.view_inbox", None),
    }


ALL_ACTIONS = frozenset(
    {
        "staff_pages_A",
        "staff_pages_B",
        "import_A",
        "import_B",
        "verify_A",
        "verify_B",
        "reset_resident_A",
        "reset_pending_A",
        "reset_rejected_A",
        "reset_resident_B",
        "reset_superuser_A",
        "reset_staff_A",
        "inbox",
    }
)
INBOX = {"inbox"}
STAFF_PAGES_A = {"staff_pages_A", "inbox"}
ROSTER_A = {"staff_pages_A", "import_A", "verify_A", "reset_resident_A", "reset_pending_A", "inbox"}
ROSTER_B = {"staff_pages_B", "import_B", "verify_B", "reset_resident_B", "inbox"}

MATRIX = {
    "anonymous": set(),
    "inactive": set(),
    "resident_a": INBOX,
    "unverified_resident_a": INBOX,
    "resident_b": INBOX,
    "property_company_staff_a": STAFF_PAGES_A,
    "quality_supervisor_a": STAFF_PAGES_A,
    "pmc_member_a": ROSTER_A,
    "pmc_member_b": ROSTER_B,
    "owner_representative_a": INBOX,
    "compound_party_secretary_a": ROSTER_A,
    "office_clerk_a": ROSTER_A,
    "rc_member_c1": ROSTER_A,
    "street_office_staff": STAFF_PAGES_A,
    "party_member_only": INBOX,
    "expired_pmc_member_a": INBOX,
    "future_pmc_member_a": INBOX,
    "superuser": ALL_ACTIONS,
}


@pytest.mark.parametrize(("persona", "allowed"), sorted(MATRIX.items()))
def test_permission_matrix(world, persona, allowed):
    """Every persona × action through Django's ``has_perm`` (the path views use)."""
    user = world.personas[persona]
    if isinstance(user, Person):
        user = Person.objects.get(pk=user.pk)  # a fresh object, as in a request
    got = {action for action, (perm, obj) in _actions(world).items() if user.has_perm(perm, obj)}
    assert got == set(allowed)


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_rules_answer_like_django(world, persona):
    """``rules.has_perm`` / ``rules.test_rule`` (no Django superuser/is_active shortcut)
    give the same answers: the predicates themselves reject inactive users."""
    user = world.personas[persona]
    for action, (perm, obj) in _actions(world).items():
        expected = action in MATRIX[persona]
        assert rules.has_perm(perm, user, obj) is expected, (persona, action)
        assert rules.test_rule(perm, user, obj) is expected, (persona, action)


def test_permissions_exist_with_contract_names():
    for name in (
        "directory.view_staff_pages",
        "directory.import_roster",
        "directory.verify_residency",
        "accounts.reset_password",
        "notify.view_inbox",
    ):
        assert rules.perm_exists(name), name


def test_compound_permissions_without_object_are_denied(world):
    user = world.personas["pmc_member_a"]
    assert not user.has_perm("directory.view_staff_pages")
    assert not user.has_perm("directory.import_roster", None)
    assert not user.has_perm("accounts.reset_password", world.a)  # not a Person


def test_object_with_compound_id_is_accepted(world):
    """Later apps pass their own rows (issue, meeting) that carry ``compound_id``."""
    row_in_a = SimpleNamespace(compound_id=world.a.pk)
    row_in_b = SimpleNamespace(compound_id=world.b.pk)
    user = world.personas["pmc_member_a"]
    assert user.has_perm("directory.view_staff_pages", row_in_a)
    assert not user.has_perm("directory.view_staff_pages", row_in_b)


def test_reset_password_of_oneself_is_refused(world):
    clerk = world.personas["office_clerk_a"]
    ResidencyFactory(person=clerk, household=HouseholdFactory(building__compound=world.a))
    assert not clerk.has_perm("accounts.reset_password", clerk)


# --- base predicates ----------------------------------------------------------


def test_is_resident_of_compound(world):
    p = world.personas
    assert is_resident_of_compound(p["resident_a"], world.a)
    assert not is_resident_of_compound(p["resident_a"], world.b)
    assert not is_resident_of_compound(p["unverified_resident_a"], world.a)
    assert not is_resident_of_compound(p["inactive"], world.a)
    assert not is_resident_of_compound(p["anonymous"], world.a)
    assert not is_resident_of_compound(p["resident_a"], None)


def test_is_verified_owner_of_compound(world):
    tenant = _resident(world.a, relation=Residency.Relation.TENANT).person
    assert is_verified_owner_of_compound(world.personas["resident_a"], world.a)
    assert not is_verified_owner_of_compound(tenant, world.a)
    assert is_resident_of_compound(tenant, world.a)
    assert not is_verified_owner_of_compound(world.personas["unverified_resident_a"], world.a)


def test_is_member_of_kind_follows_scope(world):
    """Compound-scoped covers its compound, community-scoped its community's compounds,
    street-scoped its street's."""
    p = world.personas
    pmc = is_member_of_kind(Kind.PMC)
    rc = is_member_of_kind(Kind.RESIDENTS_COMMITTEE, Kind.RC_PROPERTY_COMMITTEE)
    street = is_member_of_kind(Kind.STREET_OFFICE)
    assert pmc(p["pmc_member_a"], world.a)
    assert not pmc(p["pmc_member_a"], world.b)
    assert not pmc(p["rc_member_c1"], world.a)
    assert rc(p["rc_member_c1"], world.a)
    assert not rc(p["rc_member_c1"], world.b)
    assert street(p["street_office_staff"], world.a)
    assert not street(p["street_office_staff"], world.b)
    # A second compound of the same community is covered by community bodies only.
    a2 = CompoundFactory(community=world.c1, slug="compound-a2")
    assert rc(p["rc_member_c1"], a2)
    assert not pmc(p["pmc_member_a"], a2)


def test_is_member_of_kind_requires_current_membership(world):
    p = world.personas
    pmc = is_member_of_kind(Kind.PMC)
    assert not pmc(p["expired_pmc_member_a"], world.a)
    assert not pmc(p["future_pmc_member_a"], world.a)
    assert is_member_of_kind(Kind.COMPOUND_PARTY)(p["party_member_only"], world.a)


def test_has_role_in_kind(world):
    p = world.personas
    secretary = has_role_in_kind({Kind.COMPOUND_PARTY}, {Role.SECRETARY})
    assert secretary(p["compound_party_secretary_a"], world.a)
    assert not secretary(p["party_member_only"], world.a)
    assert not secretary(p["compound_party_secretary_a"], world.b)


def test_is_staff_of_compound(world):
    p = world.personas
    assert is_staff_of_compound(p["property_company_staff_a"], world.a)
    assert is_staff_of_compound(p["street_office_staff"], world.a)
    assert not is_staff_of_compound(p["party_member_only"], world.a)
    assert not is_staff_of_compound(p["owner_representative_a"], world.a)
    assert not is_staff_of_compound(p["resident_a"], world.a)


def test_is_superuser(world):
    assert is_superuser(world.personas["superuser"])
    assert not is_superuser(world.personas["pmc_member_a"])
    inactive_superuser = PersonFactory(is_superuser=True, is_active=False)
    assert not is_superuser(inactive_superuser)
    assert not inactive_superuser.has_perm("directory.view_staff_pages", world.a)


# --- forward-looking capabilities -------------------------------------------------


def _member(_world, org, role):
    return MembershipFactory(organization=org, role=role).person


def test_can_convene_joint_meeting(world):
    """seed: 联席会议议事规则 第三条 — community party head, or compound party head."""
    o = world.orgs
    assert can_convene_joint_meeting(_member(world, o.community_party_c1, Role.SECRETARY), world.a)
    assert can_convene_joint_meeting(world.personas["compound_party_secretary_a"], world.a)
    assert not can_convene_joint_meeting(world.personas["compound_party_secretary_a"], world.b)
    assert not can_convene_joint_meeting(_member(world, o.party_a, Role.MEMBER), world.a)
    assert not can_convene_joint_meeting(_member(world, o.pmc_a, Role.CHAIR), world.a)
    assert not can_convene_joint_meeting(world.personas["office_clerk_a"], world.a)
    assert can_convene_joint_meeting(world.personas["superuser"], world.a)


def test_can_blow_community_whistle(world):
    """seed: 协同联动 第三条 (community party org) + 第一条 (delegation to compound party head)."""
    o = world.orgs
    assert can_blow_community_whistle(_member(world, o.community_party_c1, Role.MEMBER), world.a)
    assert can_blow_community_whistle(world.personas["compound_party_secretary_a"], world.a)
    assert not can_blow_community_whistle(world.personas["party_member_only"], world.a)
    assert not can_blow_community_whistle(world.personas["rc_member_c1"], world.a)
    assert not can_blow_community_whistle(world.personas["pmc_member_a"], world.a)


def test_can_blow_street_whistle(world):
    """seed: 协同联动 第四条 — only the community party organization asks the street."""
    o = world.orgs
    assert can_blow_street_whistle(_member(world, o.community_party_c1, Role.SECRETARY), world.a)
    assert not can_blow_street_whistle(world.personas["compound_party_secretary_a"], world.a)
    assert not can_blow_street_whistle(
        _member(world, o.community_party_c1, Role.PARTY_MEMBER), world.a
    )


def test_can_run_meeting_office(world):
    """seed: 联席会议议事规则 第四条 — office clerks, RC 环境和物业管理委员会,
    compound party head."""
    o = world.orgs
    assert can_run_meeting_office(world.personas["office_clerk_a"], world.a)
    assert can_run_meeting_office(_member(world, o.rcpc_c1, Role.MEMBER), world.a)
    assert can_run_meeting_office(world.personas["compound_party_secretary_a"], world.a)
    assert not can_run_meeting_office(world.personas["office_clerk_a"], world.b)
    assert not can_run_meeting_office(world.personas["pmc_member_a"], world.a)
    assert not can_run_meeting_office(world.personas["property_company_staff_a"], world.a)


def test_can_supervise_compound(world):
    """seed: 协同联动 第二条 — 小区党组织 and 环境和物业管理委员会 supervise (督办)."""
    o = world.orgs
    assert can_supervise_compound(world.personas["compound_party_secretary_a"], world.a)
    assert can_supervise_compound(_member(world, o.rcpc_c1, Role.STAFF), world.a)
    assert not can_supervise_compound(world.personas["pmc_member_a"], world.a)
    assert not can_supervise_compound(world.personas["property_company_staff_a"], world.a)


def test_can_file_decision_report(world):
    """seed: 决策报告制度 第二条 — the PMC reports in advance."""
    assert can_file_decision_report(world.personas["pmc_member_a"], world.a)
    assert not can_file_decision_report(world.personas["pmc_member_a"], world.b)
    assert not can_file_decision_report(world.personas["owner_representative_a"], world.a)
    assert not can_file_decision_report(world.personas["property_company_staff_a"], world.a)


def test_can_organize_and_approve_evaluation(world):
    """seed: 评议监督考核制度 第一条 (community party org runs it), 第五条 (street approves)."""
    o = world.orgs
    community_secretary = _member(world, o.community_party_c1, Role.SECRETARY)
    street_officer = _member(world, o.street_office_s1, Role.MEMBER)
    assert can_organize_evaluation(community_secretary, world.a)
    assert not can_organize_evaluation(world.personas["compound_party_secretary_a"], world.a)
    assert can_approve_evaluation(street_officer, world.a)
    assert not can_approve_evaluation(street_officer, world.b)
    assert not can_approve_evaluation(community_secretary, world.a)


def test_is_quality_supervisor(world):
    """seed: 决策报告制度 第四条 — engaged by the property company."""
    assert is_quality_supervisor(world.personas["quality_supervisor_a"], world.a)
    assert not is_quality_supervisor(world.personas["property_company_staff_a"], world.a)


def test_can_publish_for_party(world):
    """seed: 公示承诺制度 第一—三条 — each party publishes its own disclosures."""
    for_pmc = can_publish_for_party(Kind.PMC)
    for_company = can_publish_for_party(Kind.PROPERTY_COMPANY)
    assert for_pmc(world.personas["pmc_member_a"], world.a)
    assert not for_pmc(world.personas["property_company_staff_a"], world.a)
    assert for_company(world.personas["property_company_staff_a"], world.a)
    assert not for_company(world.personas["quality_supervisor_a"], world.a)
    assert not for_pmc(world.personas["owner_representative_a"], world.a)
    assert for_pmc(world.personas["superuser"], world.b)


# --- caching and query counts ---------------------------------------------------


def test_cache_follows_new_membership_on_same_user_object(world):
    user = Person.objects.get(pk=world.personas["resident_a"].pk)
    assert not user.has_perm("directory.import_roster", world.a)
    MembershipFactory(person=user, organization=world.orgs.pmc_a, role=Role.MEMBER)
    assert user.has_perm("directory.import_roster", world.a)
    Membership.objects.filter(person=user).delete()
    assert not user.has_perm("directory.import_roster", world.a)


def test_bulk_update_needs_clear_permission_cache(world):
    user = Person.objects.get(pk=world.personas["pmc_member_a"].pk)
    assert user.has_perm("directory.import_roster", world.a)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Membership.objects.filter(person=user).update(end=yesterday)  # no signal
    clear_permission_cache(user)
    assert not user.has_perm("directory.import_roster", world.a)


def test_cache_drops_when_the_day_changes(world):
    user = Person.objects.get(pk=world.personas["office_clerk_a"].pk)
    today = timezone.localdate()
    Membership.objects.filter(person=user).update(end=today)
    clear_permission_cache(user)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert user.has_perm("directory.import_roster", world.a)
        traveller.shift(datetime.timedelta(days=1))
        assert not user.has_perm("directory.import_roster", world.a)


def _twenty_checks(user, compound):
    checks = [
        lambda: user.has_perm("directory.view_staff_pages", compound),
        lambda: user.has_perm("directory.import_roster", compound),
        lambda: user.has_perm("directory.verify_residency", compound),
        lambda: user.has_perm("notify.view_inbox"),
        lambda: can_convene_joint_meeting(user, compound),
        lambda: can_blow_community_whistle(user, compound),
        lambda: can_blow_street_whistle(user, compound),
        lambda: can_run_meeting_office(user, compound),
        lambda: can_supervise_compound(user, compound),
        lambda: can_file_decision_report(user, compound),
        lambda: can_organize_evaluation(user, compound),
        lambda: can_approve_evaluation(user, compound),
        lambda: is_quality_supervisor(user, compound),
        lambda: can_publish_for_party(Kind.PMC)(user, compound),
        lambda: is_staff_of_compound(user, compound),
        lambda: is_member_of_kind(Kind.PMC)(user, compound),
        lambda: is_resident_of_compound(user, compound),
        lambda: is_resident_of_compound(user, compound),
        lambda: user.has_perm("directory.view_staff_pages", compound),
        lambda: user.has_perm("directory.import_roster", compound),
    ]
    return [check() for check in checks]


@pytest.mark.parametrize("extra_memberships", [0, 30])
def test_twenty_checks_cost_bounded_queries(
    world, django_assert_max_num_queries, extra_memberships
):
    """Twenty checks on one compound: one membership query + one residency query,
    whatever the number of memberships the user holds."""
    person = world.personas["pmc_member_a"]
    for _ in range(extra_memberships):
        MembershipFactory(person=person, organization=_org(Kind.PMC, compound=CompoundFactory()))
        MembershipFactory(person=person, organization=world.orgs.company_a, role=Role.STAFF)
    user = Person.objects.get(pk=person.pk)
    with django_assert_max_num_queries(2):
        answers = _twenty_checks(user, world.a)
    assert answers[1] is True  # import_roster: the checks really ran
    assert answers[4] is False  # a PMC member does not convene joint meetings
