"""Who sees which dashboard and who writes the work summaries (``rules`` permissions).

* ``dashboard.view_compound`` (Compound): the compound party organization and the
  joint-meeting office of that compound; the residents' committee, its 环境和物业管理委员会
  and the community party organization for the compounds of their community; the street
  office / street PMC for every compound of the street (DESIGN.md §1 "community /
  compound party organization … views dashboards").
* ``dashboard.view_community`` (Community) and ``dashboard.view_street`` (Street): the
  side-by-side comparisons.
* ``dashboard.manage_summary`` (Compound): the joint-meeting office drafts and edits the
  work summary; ``dashboard.approve_summary`` (Compound): the convenors approve it and
  submit it to the community party organization (seed: 联席会议议事规则 第六条、第三条、第四条).
* ``dashboard.open_any`` (a rule on the person alone): whether they may open any dashboard
  at all. The main menu and the home page ask it by name (``rules.test_rule``), so
  ``huashan/`` never imports this app (issue 15 item 7: arrows point down).
"""

from __future__ import annotations

from typing import Any

import rules

from huashan.directory.models import Community, Membership, Street
from huashan.directory.rules import (
    STAFF_ROLES,
    active_person_pk,
    can_convene_joint_meeting,
    can_run_meeting_office,
    has_role_in_kind,
    is_active_person,
    is_superuser,
    permission_cache,
)

from .selectors import (
    COMMUNITY_DASHBOARD_KINDS,
    COMPOUND_DASHBOARD_KINDS,
    STREET_DASHBOARD_KINDS,
    visible_compounds,
)

# has_role_in_kind covers the compound's own, its community's and its street's bodies;
# each kind set belongs to one level, so a compound party org never sees a neighbour.
can_view_compound_dashboard = (
    has_role_in_kind(
        COMPOUND_DASHBOARD_KINDS | COMMUNITY_DASHBOARD_KINDS | STREET_DASHBOARD_KINDS,
        STAFF_ROLES,
    )
    | is_superuser
)


def _seat_places(user: Any) -> dict[str, frozenset[int]]:
    """Communities and streets where the user holds a staff seat in a dashboard body."""
    cache = permission_cache(user)
    if "dashboard_places" not in cache:
        seats = list(
            Membership.objects.current()
            .filter(person_id=active_person_pk(user), role__in=STAFF_ROLES)
            .filter(
                organization__kind__in=COMMUNITY_DASHBOARD_KINDS | STREET_DASHBOARD_KINDS,
            )
            .values_list(
                "organization__kind", "organization__community_id", "organization__street_id"
            )
        )
        cache["dashboard_places"] = {
            "communities": frozenset(
                c for kind, c, _s in seats if kind in COMMUNITY_DASHBOARD_KINDS and c
            ),
            "streets": frozenset(
                s for kind, _c, s in seats if kind in STREET_DASHBOARD_KINDS and s
            ),
        }
    return cache["dashboard_places"]


@rules.predicate
def has_community_seat(user: Any, community: Any) -> bool:
    if active_person_pk(user) is None or not isinstance(community, Community):
        return False
    places = _seat_places(user)
    return community.pk in places["communities"] or community.street_id in places["streets"]


@rules.predicate
def has_street_seat(user: Any, street: Any) -> bool:
    if active_person_pk(user) is None or not isinstance(street, Street):
        return False
    return street.pk in _seat_places(user)["streets"]


view_compound = is_active_person & can_view_compound_dashboard
view_community = is_active_person & (has_community_seat | is_superuser)
view_street = is_active_person & (has_street_seat | is_superuser)
manage_summary = is_active_person & can_run_meeting_office
approve_summary = is_active_person & can_convene_joint_meeting

PERMISSIONS = {
    "dashboard.view_compound": view_compound,
    "dashboard.view_community": view_community,
    "dashboard.view_street": view_street,
    "dashboard.view_summary": view_compound,
    "dashboard.manage_summary": manage_summary,
    "dashboard.approve_summary": approve_summary,
}

for _name, _pred in PERMISSIONS.items():
    rules.set_perm(_name, _pred)
    rules.set_rule(_name, _pred)


@rules.predicate
def may_open_any_dashboard(user: Any) -> bool:
    """At least one compound's dashboard opens for ``user`` (``/dashboard/`` is 403 without one)."""
    return visible_compounds(person=user).exists()


rules.set_rule("dashboard.open_any", may_open_any_dashboard)
