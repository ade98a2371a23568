"""Who may see a compound's setup checklist and fix its items.

seed: 联席会议议事规则 第一条 (the three parties and the compound party organization
work "在社区党组织领导下"), 评议监督考核制度 第一条 (the street organizes). The
community party organization and the street office set a compound up; the
compound's own party organization (小区党组织牵头, 公示承诺制度 第一条) completes it.
"""

from __future__ import annotations

import rules

from huashan.directory.models import Membership, Organization
from huashan.directory.rules import has_role_in_kind, is_active_person, is_superuser

Kind = Organization.Kind
Role = Membership.Role

SETUP_KINDS = frozenset({Kind.STREET_OFFICE, Kind.COMMUNITY_PARTY, Kind.COMPOUND_PARTY})
SETUP_ROLES = frozenset({Role.SECRETARY, Role.CHAIR, Role.MEMBER, Role.STAFF})

can_set_up_compound = has_role_in_kind(SETUP_KINDS, SETUP_ROLES)
can_set_up_compound.__doc__ = """Open the setup checklist of a compound and fix its items
(community party organization, street office, the compound's party organization)."""

setup_compound = is_active_person & (can_set_up_compound | is_superuser)

PERMISSIONS = {"provisioning.setup_compound": setup_compound}

for _name, _pred in PERMISSIONS.items():
    if not rules.perm_exists(_name):
        rules.add_perm(_name, _pred)
