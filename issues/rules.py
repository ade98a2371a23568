"""Who may see and act on residents' complaints (`rules` permissions).

Visibility (docs/issues.md "Visibility"; the table per role and channel is in
docs/roles.md "Complaints: who sees what"):

* a resident sees their own issues in full; other residents' issues only
  through the public board, masked;
* the supervising bodies of the compound — compound party organization,
  joint-meeting office, residents' committee and its 环境和物业管理委员会,
  community party organization, street office — see every issue of the
  compound, with the reporter (seed: 协同联动 第一条, 第二条: they lead,
  supervise and keep the record);
* the PMC and the property company (and any other body, e.g. a department
  summoned by a street whistle) see only issues transferred, referred or
  whistled to them, and never who reported it unless the reporter agreed
  (``share_identity``): the party complained about must not learn who
  complained;
* only a *staff* seat (officers and staff, ``STAFF_ROLES``) makes a person part
  of an organization here: party members, owner representatives and resident
  group leaders are residents with a voice, not staff (docs/roles.md), so their
  seat in an organization a complaint was transferred, referred or whistled to
  shows them nothing; a person summoned *in person* by a whistle (党员报到, seed:
  协同联动 第三条) sees that complaint, and its reporter only if the reporter agreed.

:func:`issues.selectors.issue_visible_to` is the same rule as one query (a list
can not ask ``has_perm`` row by row); tests/issues/test_visibility.py checks
that both answer alike for every role and every shape of complaint.

Predicates take ``(user, issue)`` unless noted. Organization seats come from
``huashan/directory/rules.py`` (one cached query per user and compound).
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from huashan.directory.models import Membership, Organization
from huashan.directory.rules import (
    OFFICER_ROLES,
    STAFF_ROLES,
    active_person_pk,
    can_blow_community_whistle,
    can_blow_street_whistle,
    has_role_in_kind,
    is_superuser,
    permission_cache,
)

from .models import Issue, Referral, Whistle, WhistleSummons

Kind = Organization.Kind

#: Bodies that oversee every complaint of the compounds they cover.
SUPERVISOR_KINDS = frozenset(
    {
        Kind.COMPOUND_PARTY,
        Kind.JOINT_MEETING_OFFICE,
        Kind.RESIDENTS_COMMITTEE,
        Kind.RC_PROPERTY_COMMITTEE,
        Kind.COMMUNITY_PARTY,
        Kind.STREET_OFFICE,
    }
)
#: Bodies that accept, route, re-tier and close complaints (seed: 协同联动 第二条:
#: the RC's committee or the compound party organization convene and route; the
#: joint-meeting office does the clerical work, 联席会议议事规则 第四条).
MANAGER_KINDS = frozenset(
    {
        Kind.COMPOUND_PARTY,
        Kind.JOINT_MEETING_OFFICE,
        Kind.RESIDENTS_COMMITTEE,
        Kind.RC_PROPERTY_COMMITTEE,
        Kind.COMMUNITY_PARTY,
    }
)
#: 督办 (seed: 协同联动 第二条 "由小区党组织和社区环境和物业管理委员会进行督办";
#: the community party organization leads all of it, 第一条).
SUPERVISE_KINDS = frozenset({Kind.COMPOUND_PARTY, Kind.RC_PROPERTY_COMMITTEE, Kind.COMMUNITY_PARTY})


def person_org_ids(user: Any) -> frozenset[int]:
    """Ids of the organizations the user currently has any seat in (cached per request)."""
    person_pk = active_person_pk(user)
    if person_pk is None:
        return frozenset()
    cache = permission_cache(user)
    if "issues_org_ids" not in cache:
        cache["issues_org_ids"] = frozenset(
            Membership.objects.current()
            .filter(person_id=person_pk)
            .values_list("organization_id", flat=True)
        )
    return cache["issues_org_ids"]


def person_staff_org_ids(user: Any) -> frozenset[int]:
    """Organizations where the user holds an office-holding (staff) seat."""
    person_pk = active_person_pk(user)
    if person_pk is None:
        return frozenset()
    cache = permission_cache(user)
    if "issues_staff_org_ids" not in cache:
        cache["issues_staff_org_ids"] = frozenset(
            Membership.objects.current()
            .filter(person_id=person_pk, role__in=STAFF_ROLES)
            .values_list("organization_id", flat=True)
        )
    return cache["issues_staff_org_ids"]


@rules.predicate
def is_reporter(user: Any, issue: Issue | None) -> bool:
    person_pk = active_person_pk(user)
    return bool(issue is not None and person_pk and issue.reporter_id == person_pk)


is_supervisor_of_issue = has_role_in_kind(SUPERVISOR_KINDS, STAFF_ROLES)
is_manager_of_issue = has_role_in_kind(MANAGER_KINDS, STAFF_ROLES)
is_supervise_staff = has_role_in_kind(SUPERVISE_KINDS, STAFF_ROLES)


@rules.predicate
def is_assigned_staff(user: Any, issue: Issue | None) -> bool:
    """A staff member of the organization the issue is transferred to."""
    return bool(issue is not None and issue.assigned_org_id in person_staff_org_ids(user))


@rules.predicate
def is_involved(user: Any, issue: Issue | None) -> bool:
    """A staff seat in the assigned, a referred or a summoned organization, or a person
    summoned in person (党员报到, seed: 协同联动 第三条).

    A voice-only seat (party member, owner representative, resident group leader) in
    those organizations does not count: a small matter's transfer refers it to the
    compound party organization and the residents' committee (督办 / 备档, 第二条), and
    their voice-only members are residents, not the people who supervise it.
    """
    if issue is None or issue.pk is None:
        return False
    person_pk = active_person_pk(user)
    if person_pk is None:
        return False
    org_ids = person_staff_org_ids(user)
    if issue.assigned_org_id in org_ids:
        return True
    # Not cached: a transfer or whistle in the same request must count at once.
    if org_ids and Referral.objects.filter(issue_id=issue.pk, organization_id__in=org_ids).exists():
        return True
    return WhistleSummons.objects.filter(
        Q(organization_id__in=org_ids) | Q(person_id=person_pk), whistle__issue_id=issue.pk
    ).exists()


@rules.predicate
def shares_identity(user: Any, issue: Issue | None) -> bool:
    return bool(issue is not None and issue.share_identity)


@rules.predicate
def is_summoned(user: Any, summons: WhistleSummons | None) -> bool:
    """The summoned person, or staff of the summoned organization (报到): a voice-only
    seat there does not report in for the organization (docs/roles.md)."""
    if summons is None:
        return False
    person_pk = active_person_pk(user)
    if person_pk is None:
        return False
    if summons.person_id is not None and summons.person_id == person_pk:
        return True
    return summons.organization_id is not None and summons.organization_id in person_staff_org_ids(
        user
    )


@rules.predicate
def is_summoner(user: Any, summons: WhistleSummons | None) -> bool:
    """Whoever blew the whistle, or a colleague entitled to blow the same whistle."""
    if summons is None:
        return False
    whistle = summons.whistle
    person_pk = active_person_pk(user)
    if person_pk is not None and whistle.blown_by_id == person_pk:
        return True
    issue = whistle.issue
    if whistle.level == Whistle.Level.STREET:
        return bool(can_street_whistle(user, issue))
    return bool(can_blow_community_whistle(user, issue))


@rules.predicate
def is_org_member(user: Any, organization: Organization | None) -> bool:
    """Staff of the organization: its queue and its referrals (签收) are theirs; a party
    member, owner representative or resident group leader holds no such seat."""
    return organization is not None and organization.pk in person_staff_org_ids(user)


# seed: 协同联动 第四条 — the community party organization asks the street on the joint
# meeting's proposal, and asking blows the street whistle (meetings'
# street_referral_request; whistles.whistle_blow refuses one without a requested
# referral). The street office, which runs 街道吹哨、部门报到, acts on it too: it rates
# the departments' report-in like the community party organization (is_summoner).
can_street_whistle = can_blow_street_whistle | has_role_in_kind({Kind.STREET_OFFICE}, OFFICER_ROLES)

view_issue = is_superuser | is_reporter | is_supervisor_of_issue | is_involved
view_reporter = (
    is_superuser | is_reporter | is_supervisor_of_issue | (is_involved & shares_identity)
)
manage_issue = is_superuser | is_manager_of_issue
work_issue = manage_issue | is_assigned_staff
blow_community_whistle = can_blow_community_whistle
blow_street_whistle = can_street_whistle
supervise = is_superuser | is_supervise_staff
report_in = is_superuser | is_summoned
rate_summons = is_superuser | is_summoner
rate_issue = is_reporter
view_queue = is_superuser | is_org_member

PERMISSIONS = {
    "issues.view_issue": view_issue,
    "issues.view_reporter": view_reporter,
    "issues.manage_issue": manage_issue,
    "issues.work_issue": work_issue,
    "issues.blow_community_whistle": blow_community_whistle,
    "issues.blow_street_whistle": blow_street_whistle,
    "issues.supervise": supervise,
    "issues.report_in": report_in,
    "issues.rate_summons": rate_summons,
    "issues.rate_issue": rate_issue,
    "issues.view_queue": view_queue,
}

for _name, _pred in PERMISSIONS.items():
    rules.set_perm(_name, _pred)
    rules.set_rule(_name, _pred)
