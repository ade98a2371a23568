"""Permissions of the meetings app, built on the directory predicates.

Objects passed are a :class:`Compound` or any row with ``compound_id`` (a
meeting, an agreed item, a decision report, a motion), except where noted.

Table: permission — who — seed.

* ``meetings.view_meeting``: staff covering the compound (联席会议议事规则 第三条)
* ``meetings.run_office``: joint-meeting office, RC property committee, compound party
  leaders (第四条)
* ``meetings.convene``: community party officers/leaders or compound party leaders (第三条)
* ``meetings.propose_topic``: staff of the three parties and the party
  organizations (第二条、第四条)
* ``meetings.run_pmc_meeting``: PMC officers (their working meetings) (PMC pledge 10)
* ``meetings.run_forum``: office, RC, PMC officers, property company staff (协同联动 第六条)
* ``meetings.supervise``: 督办: compound party org, RC property committee, RC/community
  officers (第五条)
* ``meetings.file_decision_report``: PMC officers (决策报告制度 第二条)
* ``meetings.manage_motion``: PMC officers (协同联动 第二条)
* ``meetings.review_motion_compound``: compound party leaders (协同联动 第二条)
* ``meetings.review_motion_community``: community party officers (协同联动 第二条)
* ``meetings.act_for_organization``: obj Organization: a current staff seat in exactly that body
  (第四条 (签收/会签))
* ``meetings.answer_for_organization``: obj Organization: an officer (书记/主任/委员) of exactly
  that body — answers an early-intervention invitation (协同联动 第七条)
* ``meetings.resolve_objection``: community party officers record how an objection to a
  major matter was resolved (协同联动 第七条)
* ``meetings.set_policy``: community party officers set the compound's participation
  settings (visitors, the "large amount" of maintenance-fund use)
* ``meetings.view_public``: the public meeting pages — staff, and residents of the compound
  (visitors too when ``MeetingsPolicy.public_to_visitors``; checked in the view)
* ``meetings.view_motion``: staff, and verified owners of the compound (协同联动 第二条)
* ``meetings.enter_paper_ballot``: PMC officers and the joint-meeting office enter and
  confirm paper ballots (two different people)
"""

from __future__ import annotations

from typing import Any

import rules

from huashan.directory.models import Membership, Organization
from huashan.directory.rules import (
    LEADER_ROLES,
    OFFICER_ROLES,
    STAFF_ROLES,
    active_person_pk,
    can_convene_joint_meeting,
    can_file_decision_report,
    can_run_meeting_office,
    can_supervise_compound,
    has_role_in_kind,
    is_active_person,
    is_resident_of_compound,
    is_staff_of_compound,
    is_superuser,
    is_verified_owner_of_compound,
    permission_cache,
)

Kind = Organization.Kind

PROPOSER_KINDS = frozenset(
    {
        Kind.COMMUNITY_PARTY,
        Kind.COMPOUND_PARTY,
        Kind.RESIDENTS_COMMITTEE,
        Kind.RC_PROPERTY_COMMITTEE,
        Kind.PMC,
        Kind.PROPERTY_COMPANY,
        Kind.JOINT_MEETING_OFFICE,
    }
)


@rules.predicate
def acts_for_organization(user: Any, organization: Any) -> bool:
    """A current staff seat (not a mere attendee role) in exactly this organization."""
    person_pk = active_person_pk(user)
    if person_pk is None or not isinstance(organization, Organization):
        return False
    seats = permission_cache(user).setdefault("meetings_org", {})
    if organization.pk not in seats:
        seats[organization.pk] = (
            Membership.objects.current()
            .filter(person_id=person_pk, organization_id=organization.pk, role__in=STAFF_ROLES)
            .exists()
        )
    return seats[organization.pk]


@rules.predicate
def officer_of_organization(user: Any, organization: Any) -> bool:
    """A current officer seat (书记/主任/委员) in exactly this organization."""
    person_pk = active_person_pk(user)
    if person_pk is None or not isinstance(organization, Organization):
        return False
    seats = permission_cache(user).setdefault("meetings_officer_org", {})
    if organization.pk not in seats:
        seats[organization.pk] = (
            Membership.objects.current()
            .filter(person_id=person_pk, organization_id=organization.pk, role__in=OFFICER_ROLES)
            .exists()
        )
    return seats[organization.pk]


view_meeting = is_active_person & (is_staff_of_compound | is_superuser)
run_office = is_active_person & can_run_meeting_office
convene = is_active_person & (
    can_convene_joint_meeting | has_role_in_kind({Kind.COMMUNITY_PARTY}, OFFICER_ROLES)
)
propose_topic = is_active_person & (has_role_in_kind(PROPOSER_KINDS, STAFF_ROLES) | is_superuser)
run_pmc_meeting = is_active_person & (has_role_in_kind({Kind.PMC}, OFFICER_ROLES) | is_superuser)
run_forum = is_active_person & (
    can_run_meeting_office
    | has_role_in_kind({Kind.RESIDENTS_COMMITTEE, Kind.PMC}, OFFICER_ROLES)
    | has_role_in_kind({Kind.PROPERTY_COMPANY}, {Membership.Role.CHAIR, Membership.Role.STAFF})
)
supervise = is_active_person & can_supervise_compound
file_decision_report = is_active_person & can_file_decision_report
manage_motion = is_active_person & can_file_decision_report
review_motion_compound = is_active_person & (
    has_role_in_kind({Kind.COMPOUND_PARTY}, LEADER_ROLES) | is_superuser
)
review_motion_community = is_active_person & (
    has_role_in_kind({Kind.COMMUNITY_PARTY}, OFFICER_ROLES) | is_superuser
)
act_for_organization = is_active_person & (acts_for_organization | is_superuser)
answer_for_organization = is_active_person & (officer_of_organization | is_superuser)
resolve_objection = review_motion_community
set_policy = review_motion_community
view_public = is_active_person & (is_staff_of_compound | is_resident_of_compound | is_superuser)
view_motion = is_active_person & (
    is_staff_of_compound | is_verified_owner_of_compound | is_superuser
)
enter_paper_ballot = is_active_person & (can_file_decision_report | can_run_meeting_office)

PERMISSIONS = {
    "meetings.view_meeting": view_meeting,
    "meetings.run_office": run_office,
    "meetings.convene": convene,
    "meetings.propose_topic": propose_topic,
    "meetings.run_pmc_meeting": run_pmc_meeting,
    "meetings.run_forum": run_forum,
    "meetings.supervise": supervise,
    "meetings.file_decision_report": file_decision_report,
    "meetings.manage_motion": manage_motion,
    "meetings.review_motion_compound": review_motion_compound,
    "meetings.review_motion_community": review_motion_community,
    "meetings.act_for_organization": act_for_organization,
    "meetings.answer_for_organization": answer_for_organization,
    "meetings.resolve_objection": resolve_objection,
    "meetings.set_policy": set_policy,
    "meetings.view_public": view_public,
    "meetings.view_motion": view_motion,
    "meetings.enter_paper_ballot": enter_paper_ballot,
}

for _name, _pred in PERMISSIONS.items():
    rules.set_perm(_name, _pred)
    rules.set_rule(_name, _pred)


# --- 委托 to convene and chair the joint meeting (联席会议议事规则 第三条) -------------
# Only the community party head (书记/主任 of the community party organization covering
# the compound) grants or revokes the delegation of huashan.directory.delegations.
delegate_chair = is_active_person & (
    has_role_in_kind({Kind.COMMUNITY_PARTY}, LEADER_ROLES) | is_superuser
)
rules.set_perm("meetings.delegate_chair", delegate_chair)
rules.set_rule("meetings.delegate_chair", delegate_chair)

# --- 协同联动 第四条: the community party organization takes a problem to the street
# (提请街道), and the street convenes the street joint meeting (街道联席会议).
refer_to_street = is_active_person & (
    has_role_in_kind({Kind.COMMUNITY_PARTY}, OFFICER_ROLES) | is_superuser
)
convene_street = is_active_person & (
    has_role_in_kind({Kind.STREET_OFFICE, Kind.STREET_PMC}, STAFF_ROLES) | is_superuser
)
for _name, _pred in (
    ("meetings.refer_to_street", refer_to_street),
    ("meetings.convene_street", convene_street),
):
    rules.set_perm(_name, _pred)
    rules.set_rule(_name, _pred)
