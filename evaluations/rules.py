"""Permissions of the year-end red/black-list referral, built on the directory predicates.

The campaign steps use the directory predicates directly (``services.may_*``).
Objects passed are a :class:`Compound` or a row with ``compound_id``.

* ``evaluations.prepare_referral``: compound party officers (小区党组织服务承诺 第10条:
  the compound party organization reports to the authority and makes the suggestion)
* ``evaluations.view_referral``: staff covering the compound (incl. street bodies)
"""

from __future__ import annotations

import rules

from huashan.directory.models import Organization
from huashan.directory.rules import (
    OFFICER_ROLES,
    has_role_in_kind,
    is_active_person,
    is_staff_of_compound,
    is_superuser,
)

Kind = Organization.Kind

prepare_referral = is_active_person & (
    has_role_in_kind({Kind.COMPOUND_PARTY}, OFFICER_ROLES) | is_superuser
)
view_referral = is_active_person & (is_staff_of_compound | is_superuser)

PERMISSIONS = {
    "evaluations.prepare_referral": prepare_referral,
    "evaluations.view_referral": view_referral,
}

for _name, _pred in PERMISSIONS.items():
    rules.set_perm(_name, _pred)
    rules.set_rule(_name, _pred)
