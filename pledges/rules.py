"""Who may write pledges, record evidence, attest, run 三诺 and review accountability.

Predicates take ``(user, compound)`` unless noted; organization seats come from
``huashan/directory/rules.py`` (one cached query per user and compound).

seed: 公示承诺制度 第一条 (小区党组织牵头, 三方 publish their annual pledges), 第四条
(三诺, 承诺履诺监督管理); 物业管理委员会服务承诺 (在社区党组织领导下，由小区党组织具体牵头
…接受全体业主监督; 第10条 问责退出); 决策报告制度 第四条 (义务质量总监 inspects).
"""

from __future__ import annotations

from typing import Any

import rules

from huashan.directory.models import Membership, Organization
from huashan.directory.rules import (
    OFFICER_ROLES,
    PUBLISHER_ROLES,
    STAFF_ROLES,
    has_role_in_kind,
    is_active_person,
    is_quality_supervisor,
    is_staff_of_compound,
    is_superuser,
    seats_in_compound,
)

Kind = Organization.Kind

#: Party bodies that lead and review (小区党组织 具体牵头; 社区党组织 领导).
PARTY_KINDS = frozenset({Kind.COMPOUND_PARTY, Kind.COMMUNITY_PARTY})
#: Who may judge an item the system cannot measure.
ATTEST_KINDS = PARTY_KINDS | {Kind.RESIDENTS_COMMITTEE, Kind.RC_PROPERTY_COMMITTEE}
#: Who runs the candidates' 三诺 (compound party org leads; office and RC committee assist).
CANDIDATE_KINDS = frozenset(
    {Kind.COMPOUND_PARTY, Kind.JOINT_MEETING_OFFICE, Kind.RC_PROPERTY_COMMITTEE}
)


@rules.predicate
def can_write_for_organization(user: Any, organization: Any) -> bool:
    """Officers or staff of the organization itself (obj: Organization)."""
    if not isinstance(organization, Organization) or organization.compound_id is None:
        return False
    return any(
        kind == organization.kind and role in PUBLISHER_ROLES
        for kind, role in seats_in_compound(user, organization.compound)
    )


@rules.predicate
def leads_organization_compound(user: Any, organization: Any) -> bool:
    """Officers of the compound party organization of the organization's compound."""
    if not isinstance(organization, Organization) or organization.compound_id is None:
        return False
    return any(
        kind == Kind.COMPOUND_PARTY and role in OFFICER_ROLES
        for kind, role in seats_in_compound(user, organization.compound)
    )


manage_letter = is_active_person & (
    is_superuser | can_write_for_organization | leads_organization_compound
)
record_evidence = is_active_person & (is_superuser | is_staff_of_compound)
attest = is_active_person & (is_superuser | has_role_in_kind(ATTEST_KINDS, OFFICER_ROLES))
manage_candidates = is_active_person & (
    is_superuser | has_role_in_kind(CANDIDATE_KINDS, OFFICER_ROLES | {"staff"})
)
review_case = is_active_person & (is_superuser | has_role_in_kind(PARTY_KINDS, OFFICER_ROLES))
view_cases = is_active_person & (is_superuser | is_staff_of_compound)
#: 决策报告制度 第四条 "义务质量总监…定期开展监督检查": only the person holding the role
#: (obj: Compound) — no superuser, no other staff recording in the supervisor's name.
record_supervisor_patrol = is_active_person & is_quality_supervisor
#: 决策报告制度 第四条 "向物业服务企业提出整改意见和建议": the owners' opinions heard on a patrol
#: are about the property company's service, so its staff say what became of them — not the
#: supervisor who heard them, though the role sits in the company.
dispose_patrol_opinion = is_active_person & (
    is_superuser
    | has_role_in_kind({Kind.PROPERTY_COMPANY}, STAFF_ROLES - {Membership.Role.QUALITY_SUPERVISOR})
)

PERMISSIONS = {
    "pledges.manage_letter": manage_letter,
    "pledges.record_evidence": record_evidence,
    "pledges.attest": attest,
    "pledges.manage_candidates": manage_candidates,
    "pledges.review_case": review_case,
    "pledges.view_cases": view_cases,
    "pledges.record_supervisor_patrol": record_supervisor_patrol,
    "pledges.dispose_patrol_opinion": dispose_patrol_opinion,
}

for _name, _pred in PERMISSIONS.items():
    rules.set_perm(_name, _pred)
    rules.set_rule(_name, _pred)
