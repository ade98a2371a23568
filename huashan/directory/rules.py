"""Who may do what: `rules` predicates built on :class:`Membership` and :class:`Residency`.

Every power in the portal comes from a *current* membership
(``Membership.objects.current()``) in an organization whose scope covers the
compound in question (seed: 联席会议议事规则 第一条 — all bodies act under the
community party organization, each within its own place):

* a compound-scoped organization covers only its compound;
* a community-scoped organization covers every compound of its community;
* a street-scoped organization covers every compound of its street.

Predicates take ``(user, compound)``. ``compound`` may be a :class:`Compound`
or any object with a ``compound_id`` attribute (an issue, a meeting, …), so
later apps can pass their own rows.

Cost: for one user and one compound the covering memberships are fetched once
(one query) and kept on the user object, so a page that checks twenty
permissions pays for one or two queries. The cache is dropped when the day
changes and whenever a Membership, Residency or Person row is saved or deleted
in this process. A bulk ``QuerySet.update()`` sends no signal: code that ends
memberships in bulk and then checks permissions on the *same* user object must
call :func:`clear_permission_cache` first.

Permissions (shared contract, see docs/roles.md): ``directory.view_staff_pages``,
``directory.import_roster``, ``directory.verify_residency`` here;
``accounts.reset_password`` in ``huashan/accounts/rules.py``;
``notify.view_inbox`` in ``huashan/notify/rules.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date
from typing import Any

import rules
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from huashan.core.compiled import CompiledQuery
from huashan.directory.models import Compound, Membership, Organization, Person, Residency

Kind = Organization.Kind
Role = Membership.Role

# Roles that give a voice, not an office: they never make a person staff.
NON_STAFF_ROLES = frozenset(
    {
        Role.PARTY_MEMBER,
        Role.OWNER_REPRESENTATIVE,
        Role.RESIDENT_GROUP_LEADER,
        # 下沉党员干部: 可列席 the joint meeting (联席会议议事规则 第三条), not the body's staff.
        Role.SENT_DOWN_CADRE,
    }
)
# Roster import and residency verification also exclude the volunteer quality
# supervisor, who is engaged by the property company (seed: 决策报告制度 第四条).
ROSTER_EXCLUDED_ROLES = NON_STAFF_ROLES | {Role.QUALITY_SUPERVISOR}
STAFF_ROLES = frozenset(Role) - NON_STAFF_ROLES
ROSTER_ROLES = frozenset(Role) - ROSTER_EXCLUDED_ROLES
# Officers of a party organization or committee (书记 / 主任 / 委员).
OFFICER_ROLES = frozenset({Role.SECRETARY, Role.CHAIR, Role.MEMBER})
LEADER_ROLES = frozenset({Role.SECRETARY, Role.CHAIR})

# Bodies that keep the compound's roster and verify residents: the compound
# party organization and the joint-meeting office it runs (联席会议议事规则
# 第四条), the PMC, and the residents' committee with its environment &
# property committee and the community party organization (公示承诺制度 第一条).
ROSTER_KINDS = frozenset(
    {
        Kind.COMPOUND_PARTY,
        Kind.JOINT_MEETING_OFFICE,
        Kind.PMC,
        Kind.RESIDENTS_COMMITTEE,
        Kind.RC_PROPERTY_COMMITTEE,
        Kind.COMMUNITY_PARTY,
    }
)

_CACHE_ATTR = "_huashan_rules_cache"
_generation = 0


def _bump_generation(**kwargs: Any) -> None:
    global _generation
    _generation += 1


for _model in (Membership, Residency, Person, Organization):
    post_save.connect(
        _bump_generation, sender=_model, dispatch_uid=f"rules-cache-{_model.__name__}"
    )
    post_delete.connect(
        _bump_generation, sender=_model, dispatch_uid=f"rules-cache-del-{_model.__name__}"
    )


def clear_permission_cache(user: Any) -> None:
    """Forget what was computed for ``user`` (after bulk updates of its memberships)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def permission_cache(user: Any) -> dict:
    today = timezone.localdate()
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None or cache["generation"] != _generation or cache["day"] != today:
        cache = {"generation": _generation, "day": today}
        # An object that refuses attributes simply gets no caching.
        with contextlib.suppress(AttributeError):
            setattr(user, _CACHE_ATTR, cache)
    return cache


def active_person_pk(user: Any) -> int | None:
    """The pk of an active, logged-in person, else None (anonymous, inactive)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", False):
        return None
    return getattr(user, "pk", None)


def _compound_pk(obj: Any) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Compound):
        return obj.pk
    return getattr(obj, "compound_id", None)


def covering_q(compound_pk: int, prefix: str = "organization__") -> Q:
    """Organizations whose scope covers the compound: its own, its community's, its street's."""
    return (
        Q(**{f"{prefix}compound_id": compound_pk})
        | Q(**{f"{prefix}community__compounds__id": compound_pk})
        | Q(**{f"{prefix}street__communities__compounds__id": compound_pk})
    )


def seats_in_compound(user: Any, compound: Any) -> frozenset[tuple[str, str]]:
    """``{(organization kind, role)}`` of the user's current memberships covering the compound.

    One query per (user, compound, request); inactive and anonymous users have none.
    """
    person_pk = active_person_pk(user)
    compound_pk = _compound_pk(compound)
    if person_pk is None or compound_pk is None:
        return frozenset()
    seats = permission_cache(user).setdefault("seats", {})
    if compound_pk not in seats:
        rows = _SEATS.rows(timezone.localdate(), person_pk, compound_pk)
        seats[compound_pk] = frozenset((kind, role) for kind, role in rows)
    return seats[compound_pk]


def _seats_query(on: date, person_pk: int, compound_pk: int):
    return (
        Membership.objects.current(on)
        .filter(person_id=person_pk)
        .filter(covering_q(compound_pk))
        .values_list("organization__kind", "role")
        .order_by()  # no joins for Membership's default ordering: only the two columns
        .distinct()
    )


#: The seats query, compiled once per process: it runs behind every permission check of
#: every signed-in page, where compiling it cost more than running it (issue 20).
_SEATS = CompiledQuery(_seats_query, (date(1901, 1, 1), -90_001, -90_002))


# --- base predicates -------------------------------------------------------


@rules.predicate
def is_superuser(user: Any) -> bool:
    """An active superuser (the portal's system administrator)."""
    return bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False))


@rules.predicate
def is_active_person(user: Any) -> bool:
    """A logged-in person whose account is active."""
    return active_person_pk(user) is not None


@rules.predicate
def is_resident_of_compound(user: Any, compound: Any) -> bool:
    """A verified residency in a household of the compound (owner, family or tenant).

    Residents read the disclosure board, object to disclosures and score in the
    evaluation (seed: 公示承诺制度 第三条; 评议监督考核制度 第三条).
    """
    person_pk = active_person_pk(user)
    compound_pk = _compound_pk(compound)
    if person_pk is None or compound_pk is None:
        return False
    residencies = permission_cache(user).setdefault("residency", {})
    if compound_pk not in residencies:
        residencies[compound_pk] = Residency.objects.filter(
            person_id=person_pk,
            status=Residency.Status.VERIFIED,
            household__building__compound_id=compound_pk,
        ).exists()
    return residencies[compound_pk]


def has_role_in_kind(kinds: Iterable[str], roles: Iterable[str] | None = None) -> rules.Predicate:
    """Factory: a current membership with one of ``roles`` (any role if None) in an
    organization of one of ``kinds`` whose scope covers the compound."""
    kinds = frozenset(kinds)
    roles = frozenset(roles) if roles is not None else None
    role_label = "any" if roles is None else "|".join(sorted(roles))

    def fn(user: Any, compound: Any) -> bool:
        return any(
            kind in kinds and (roles is None or role in roles)
            for kind, role in seats_in_compound(user, compound)
        )

    return rules.predicate(fn, name=f"has_role_in_kind({'|'.join(sorted(kinds))}; {role_label})")


def is_member_of_kind(*kinds: str) -> rules.Predicate:
    """Factory: any current membership in an organization of ``kinds`` covering the compound."""
    return has_role_in_kind(kinds, None)


@rules.predicate
def is_staff_of_compound(user: Any, compound: Any) -> bool:
    """A current membership covering the compound in an office-holding role
    (anything but party member, owner representative, resident group leader)."""
    return any(role in STAFF_ROLES for _kind, role in seats_in_compound(user, compound))


@rules.predicate
def is_verified_owner_of_compound(user: Any, compound: Any) -> bool:
    """A verified *owner* (业主) of a household in the compound.

    Owners — not tenants — may object to a disclosure (seed: 公示承诺制度 第三条
    "业主对公示内容有异议的") and vote in the owners' assembly (协同联动 第二条).
    """
    person_pk = active_person_pk(user)
    compound_pk = _compound_pk(compound)
    if person_pk is None or compound_pk is None:
        return False
    owners = permission_cache(user).setdefault("owner", {})
    if compound_pk not in owners:
        owners[compound_pk] = Residency.objects.filter(
            person_id=person_pk,
            status=Residency.Status.VERIFIED,
            relation=Residency.Relation.OWNER,
            household__building__compound_id=compound_pk,
        ).exists()
    return owners[compound_pk]


can_manage_roster = has_role_in_kind(ROSTER_KINDS, ROSTER_ROLES)
can_manage_roster.__doc__ = """Roster import and residency verification in a compound.

seed: 联席会议议事规则 第四条 (the compound party organization runs the
joint-meeting office); 公示承诺制度 第一条 (compound party organization, residents'
committee and PMC keep the public list of who is who).
"""

# --- forward-looking capabilities (named predicates for later modules) ---------

can_blow_community_whistle = (
    has_role_in_kind({Kind.COMMUNITY_PARTY}, OFFICER_ROLES)
    | has_role_in_kind({Kind.COMPOUND_PARTY}, {Role.SECRETARY})
    | is_superuser
)
can_blow_community_whistle.__doc__ = """社区吹哨、党员报到: summon organizations to a hard matter.

seed: 协同联动解决小区事务流程 第三条 (the community party organization runs the
community whistle) and 第一条 (the compound party organization acts when the
community party organization authorises it — hence its secretary, by delegation).
"""

can_blow_street_whistle = has_role_in_kind({Kind.COMMUNITY_PARTY}, OFFICER_ROLES) | is_superuser
can_blow_street_whistle.__doc__ = """Ask the street for 街道吹哨、部门报到.

seed: 协同联动解决小区事务流程 第四条 ("小区联席会议应研究并提出建议，报社区党组织。社区党组织
应及时提请街道运用'街道吹哨、部门报到'机制"): the community party organization blows the
street whistle by asking the street on a joint meeting's proposal, never on its own.
"""

can_convene_joint_meeting = (
    has_role_in_kind({Kind.COMMUNITY_PARTY, Kind.COMPOUND_PARTY}, LEADER_ROLES) | is_superuser
)
can_convene_joint_meeting.__doc__ = """Convene and chair a joint meeting.

seed: 联席会议议事规则 第三条 ("由社区党组织负责人或受其委托的小区党组织负责人召集并主持").
"""

can_run_meeting_office = (
    has_role_in_kind({Kind.JOINT_MEETING_OFFICE, Kind.RC_PROPERTY_COMMITTEE}, STAFF_ROLES)
    | has_role_in_kind({Kind.COMPOUND_PARTY}, LEADER_ROLES)
    | is_superuser
)
can_run_meeting_office.__doc__ = """Joint-meeting office work: agenda, notices, minutes, summaries,
follow-up of agreed items.

seed: 联席会议议事规则 第四条 (office run by the compound party organization, the
RC 环境和物业管理委员会 takes part and supervises) and 第五条 (follow-up).
"""

can_supervise_compound = (
    has_role_in_kind({Kind.COMPOUND_PARTY, Kind.RC_PROPERTY_COMMITTEE}, STAFF_ROLES)
    | has_role_in_kind({Kind.COMMUNITY_PARTY, Kind.RESIDENTS_COMMITTEE}, OFFICER_ROLES)
    | is_superuser
)
can_supervise_compound.__doc__ = """督办: supervise transferred issues and agreed items.

seed: 协同联动解决小区事务流程 第二条 ("由小区党组织和社区环境和物业管理委员会进行督办");
联席会议议事规则 第四条.
"""

can_file_decision_report = has_role_in_kind({Kind.PMC}, OFFICER_ROLES) | is_superuser
can_file_decision_report.__doc__ = """File a PMC decision report in advance.

seed: 决策报告制度 第二条 ("物业委员会应依规依程序提前……进行书面或口头报告").
"""

can_organize_evaluation = has_role_in_kind({Kind.COMMUNITY_PARTY}, OFFICER_ROLES) | is_superuser
can_organize_evaluation.__doc__ = """Run the December evaluation campaign.

seed: 评议监督考核制度 第一条 ("评议监督考核工作由社区党组织具体负责").
"""

can_approve_evaluation = has_role_in_kind({Kind.STREET_OFFICE}, OFFICER_ROLES) | is_superuser
can_approve_evaluation.__doc__ = """Approve evaluation results after publicity.

seed: 评议监督考核制度 第五条 ("经街道党工委审定").
"""

is_quality_supervisor = has_role_in_kind({Kind.PROPERTY_COMPANY}, {Role.QUALITY_SUPERVISOR})
is_quality_supervisor.__doc__ = """义务质量总监 engaged by the property company.

seed: 决策报告制度 第四条.
"""

# Who may publish in the name of an organization kind: its officers and staff.
PUBLISHER_ROLES = frozenset({Role.SECRETARY, Role.CHAIR, Role.MEMBER, Role.STAFF})


def can_publish_for_party(kind: str) -> rules.Predicate:
    """Factory: may publish disclosures / reports in the name of an organization of ``kind``
    covering the compound.

    seed: 公示承诺制度 第一条 (小区党组织牵头, 三方 publish), 第二条 (PMC), 第三条
    (property company's 四公开一监督).
    """
    return has_role_in_kind({kind}, PUBLISHER_ROLES) | is_superuser


# --- permissions (shared contract) --------------------------------------------

view_staff_pages = is_active_person & (is_staff_of_compound | is_superuser)
import_roster = is_active_person & (can_manage_roster | is_superuser)
verify_residency = import_roster

PERMISSIONS = {
    "directory.view_staff_pages": view_staff_pages,
    "directory.import_roster": import_roster,
    "directory.verify_residency": verify_residency,
}

for _name, _pred in PERMISSIONS.items():
    rules.set_perm(_name, _pred)
    # Also as plain rules, so ``rules.test_rule(name, user, obj)`` answers the same.
    rules.set_rule(_name, _pred)
