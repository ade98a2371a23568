"""Who may publish, correct, object and answer (`rules` permissions).

* Publishing is per organization: a current secretary / chair / member / staff
  of *that* organization publishes in its name (seed: 公示承诺制度 第一条 — the
  compound party organization leads, 三方 each publish their own; 第二条 PMC;
  第三条 property company).
* Objections: a verified owner of the compound (第三条 "业主对公示内容有异议的").
* Answers: the publisher's organization (第三条 "物业服务企业应当答复").
* The half-yearly report on owners' assembly resolutions (决议执行情况): the PMC's
  officers of the compound (物业管理委员会服务承诺 1 "严格执行业主大会决议").
"""

from __future__ import annotations

from typing import Any

import rules

from huashan.directory.models import Membership, Organization
from huashan.directory.rules import (
    OFFICER_ROLES,
    PUBLISHER_ROLES,
    active_person_pk,
    has_role_in_kind,
    is_active_person,
    is_staff_of_compound,
    is_superuser,
    is_verified_owner_of_compound,
    permission_cache,
)


def _publishes_for(user: Any, organization_pk: int | None) -> bool:
    person_pk = active_person_pk(user)
    if person_pk is None or organization_pk is None:
        return False
    cache = permission_cache(user).setdefault("disclosure_publisher_orgs", None)
    if cache is None:
        cache = frozenset(
            Membership.objects.current()
            .filter(person_id=person_pk, role__in=PUBLISHER_ROLES)
            .values_list("organization_id", flat=True)
        )
        permission_cache(user)["disclosure_publisher_orgs"] = cache
    return organization_pk in cache


@rules.predicate
def publishes_for_organization(user: Any, organization: Organization | None) -> bool:
    """Current publisher-role membership in the organization itself."""
    return _publishes_for(user, getattr(organization, "pk", None))


@rules.predicate
def publishes_for_disclosure(user: Any, disclosure: Any) -> bool:
    return _publishes_for(user, getattr(disclosure, "organization_id", None))


@rules.predicate
def publishes_for_objection(user: Any, objection: Any) -> bool:
    disclosure = getattr(objection, "disclosure", None)
    return _publishes_for(user, getattr(disclosure, "organization_id", None))


@rules.predicate
def owner_of_disclosure_compound(user: Any, disclosure: Any) -> bool:
    return is_verified_owner_of_compound(user, disclosure)


publish_for_organization = is_active_person & (publishes_for_organization | is_superuser)
change_disclosure = is_active_person & (publishes_for_disclosure | is_superuser)
file_objection = is_active_person & owner_of_disclosure_compound
answer_objection = is_active_person & (publishes_for_objection | is_superuser)
view_staff = is_active_person & (is_staff_of_compound | is_superuser)
#: On a compound or anything with ``compound_id`` (a motion): a PMC seat (chair, secretary,
#: member) covering it. seed: 物业管理委员会服务承诺 1 (the PMC reports on the resolutions).
record_resolution_followup = is_active_person & (
    has_role_in_kind({Organization.Kind.PMC}, OFFICER_ROLES) | is_superuser
)

PERMISSIONS = {
    "disclosures.publish_for_organization": publish_for_organization,
    "disclosures.change_disclosure": change_disclosure,
    "disclosures.file_objection": file_objection,
    "disclosures.answer_objection": answer_objection,
    "disclosures.view_staff": view_staff,
    "disclosures.request_report": view_staff,
    "disclosures.record_resolution_followup": record_resolution_followup,
}

for _name, _pred in PERMISSIONS.items():
    rules.set_perm(_name, _pred)
    rules.set_rule(_name, _pred)


#: The categories the rules call a 明细 (detail) or 台账 (ledger): a post of one of these is
#: the money ledger itself, so it cannot be published without one (公示承诺制度 第二条;
#: 物业管理委员会服务承诺 第2条). Code → the words of the rule.
LEDGER_REQUIRED_CATEGORIES: dict[str, str] = {
    "public_revenue": "公示承诺制度 第二条：每半年公布1次小区公共收益收支明细",
    "maintenance_fund": "物业管理委员会服务承诺 第2条：每季度公开维修资金使用台账",
}
