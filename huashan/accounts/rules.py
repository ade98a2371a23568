"""Permissions of the accounts app (shared contract: ``accounts.reset_password``)."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Exists, Q

from huashan.directory.models import Membership, Person, Residency
from huashan.directory.rules import (
    ROSTER_KINDS,
    ROSTER_ROLES,
    STAFF_ROLES,
    active_person_pk,
    is_active_person,
    is_superuser,
    permission_cache,
)


@rules.predicate
def can_reset_password_of(user: Any, target: Any) -> bool:
    """Staff who may verify residency in a compound where ``target`` has a residency
    (pending or verified; not a rejected claim) may reset the target's password.

    Never for a superuser target, and never for a target who holds a staff seat
    anywhere (a clerk must not take over the account of a party secretary who
    lives in the compound); those go to a superuser. One query, cached per request.
    """
    actor_pk = active_person_pk(user)
    if actor_pk is None or not isinstance(target, Person) or target.pk is None:
        return False
    if target.is_superuser or target.pk == actor_pk:
        return False
    answers = permission_cache(user).setdefault("reset", {})
    if target.pk not in answers:
        target_compounds = (
            Residency.objects.filter(person_id=target.pk)
            .exclude(status=Residency.Status.REJECTED)
            .values("household__building__compound_id")
        )
        actor_may_verify = (
            Membership.objects.current()
            .filter(
                person_id=actor_pk,
                role__in=ROSTER_ROLES,
                organization__kind__in=ROSTER_KINDS,
            )
            .filter(
                Q(organization__compound_id__in=target_compounds)
                | Q(organization__community__compounds__in=target_compounds)
            )
        )
        target_is_staff = Membership.objects.current().filter(
            person_id=target.pk, role__in=STAFF_ROLES
        )
        answers[target.pk] = (
            Person.objects.filter(pk=actor_pk)
            .filter(Exists(actor_may_verify), ~Exists(target_is_staff))
            .exists()
        )
    return answers[target.pk]


reset_password = is_superuser | (is_active_person & can_reset_password_of)

rules.set_perm("accounts.reset_password", reset_password)
rules.set_rule("accounts.reset_password", reset_password)
