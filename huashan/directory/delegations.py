"""委托 to convene and chair the joint meeting: grant, revoke, and who may chair.

seed: 联席会议议事规则 第三条 "联席会议由社区党组织负责人或受其委托的小区党组织负责人
召集并主持". The community party head (书记/主任 of the community party organization
covering the compound) chairs; a compound party head (书记/主任 of the compound party
organization) chairs only under a recorded delegation in force on the meeting's day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm
from huashan.core.state import clean_text, lock, record_event, sync

from .delegation import ChairDelegation, ChairDelegationEvent
from .models import Compound, Membership, Organization, Person

Kind = Organization.Kind
Role = Membership.Role
#: 负责人: the secretary or the chair (主任) of the organization.
HEAD_ROLES = (Role.SECRETARY, Role.CHAIR)
NOTE_MAX = 500
REASON_MAX = 500

#: What else follows a revocation: the meetings app registers here (in its
#: ``AppConfig.ready``) to give the scheduled meetings chaired under the delegation back
#: to the community party head. Each hook is called inside the revoking transaction as
#: ``hook(delegation=..., actor=..., reason=...)``, so a failure undoes the revocation.
REVOKE_HOOKS: list[Callable[..., Any]] = []


def _heads(compound: Compound, kind: str, on: dt.date):
    return (
        Membership.objects.current(on)
        .filter(role__in=HEAD_ROLES, organization__kind=kind)
        .filter(
            Q(organization__compound=compound) | Q(organization__community_id=compound.community_id)
        )
    )


def is_community_party_head(compound: Compound, person: Person, on: dt.date | None = None) -> bool:
    """社区党组织负责人 of the compound's community on ``on``."""
    on = on or timezone.localdate()
    return _heads(compound, Kind.COMMUNITY_PARTY, on).filter(person=person).exists()


def is_compound_party_head(compound: Compound, person: Person, on: dt.date | None = None) -> bool:
    """小区党组织负责人 of this compound on ``on``."""
    on = on or timezone.localdate()
    return _heads(compound, Kind.COMPOUND_PARTY, on).filter(person=person).exists()


def community_party_head(compound: Compound, on: dt.date | None = None) -> Person | None:
    on = on or timezone.localdate()
    m = (
        _heads(compound, Kind.COMMUNITY_PARTY, on)
        .select_related("person")
        .order_by("role", "pk")
        .first()
    )
    return m.person if m else None


def delegation_in_force(
    compound: Compound, person: Person, on: dt.date | None = None
) -> ChairDelegation | None:
    """The delegation under which ``person`` may convene and chair on ``on``, if any
    (it must still be a compound party head that day)."""
    on = on or timezone.localdate()
    if not is_compound_party_head(compound, person, on):
        return None
    return (
        ChairDelegation.objects.active(on)
        .filter(compound=compound, delegate=person)
        .select_related("delegator")
        .order_by("-start", "-pk")
        .first()
    )


def chair_standing(
    compound: Compound, person: Person, on: dt.date
) -> tuple[bool, ChairDelegation | None]:
    """May ``person`` convene and chair the joint meeting of ``compound`` on ``on``?

    Returns ``(allowed, delegation)``: the community party head needs none; a compound
    party head needs a delegation in force that day (第三条 "受其委托").
    """
    if is_community_party_head(compound, person, on):
        return True, None
    delegation = delegation_in_force(compound, person, on)
    return delegation is not None, delegation


def delegation_grant(
    *,
    actor,
    compound: Compound,
    delegate: Person | None,
    start: dt.date | None,
    end: dt.date | None,
    note: str = "",
) -> ChairDelegation:
    """The community party head entrusts a compound party head with convening and
    chairing the joint meeting of ``compound`` from ``start`` to ``end`` (第三条)."""
    person = require_perm(
        actor,
        "meetings.delegate_chair",
        compound,
        gettext("Only the community party head can entrust the joint meeting."),
    )
    note = clean_text(note, field="note", max_length=NOTE_MAX, required=False)
    errors: dict[str, list] = {}
    today = timezone.localdate()
    if not isinstance(start, dt.date):
        errors.setdefault("start", []).append(
            ValidationError(_("Give the first day of the delegation."), code="required")
        )
    if not isinstance(end, dt.date):
        errors.setdefault("end", []).append(
            ValidationError(_("Give the last day of the delegation."), code="required")
        )
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        if end < start:
            errors.setdefault("end", []).append(
                ValidationError(
                    _("The delegation must end on or after its first day."), code="end_before_start"
                )
            )
        elif end < today:
            errors.setdefault("end", []).append(
                ValidationError(_("The delegation cannot end in the past."), code="past")
            )
    if delegate is None:
        errors.setdefault("delegate", []).append(
            ValidationError(_("Choose the compound party head to entrust."), code="required")
        )
    elif not is_compound_party_head(
        compound, delegate, max(start, today) if isinstance(start, dt.date) else today
    ):
        errors.setdefault("delegate", []).append(
            ValidationError(
                _(
                    "Only the secretary or chair of this compound's party organization "
                    "can be entrusted."
                ),
                code="not_compound_party_head",
            )
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        delegation = ChairDelegation.objects.create(
            compound=compound, delegator=person, delegate=delegate, start=start, end=end, note=note
        )
        record_event(
            ChairDelegationEvent,
            actor=person,
            verb="grant",
            delegation=delegation,
            note=f"{delegate.name} {start:%Y-%m-%d}—{end:%Y-%m-%d}",
        )
    _notify(delegation, gettext("You are entrusted to convene and chair the joint meeting"))
    return delegation


def delegation_revoke(*, actor, delegation: ChairDelegation, reason: str) -> ChairDelegation:
    """End a delegation from today: from then on its delegate no longer convenes or chairs.

    Meetings already held under it keep the record of it; the meetings scheduled under it
    and not yet begun are handed back by :data:`REVOKE_HOOKS` (第三条: without the 委托 the
    community party head convenes and chairs)."""
    person = require_perm(
        actor,
        "meetings.delegate_chair",
        delegation.compound,
        gettext("Only the community party head can revoke the delegation."),
    )
    reason = clean_text(reason, field="reason", max_length=REASON_MAX)
    today = timezone.localdate()
    with transaction.atomic():
        locked = lock(ChairDelegation, delegation.pk)
        if locked.revoked_on is not None or locked.end < today:
            raise ValidationError(_("This delegation is no longer in force."), code="not_in_force")
        locked.revoked_on = max(today, locked.start)
        locked.revoked_by = person
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_on", "revoked_by", "revoke_reason"])
        record_event(
            ChairDelegationEvent, actor=person, verb="revoke", delegation=locked, note=reason
        )
        for hook in REVOKE_HOOKS:
            hook(delegation=locked, actor=person, reason=reason)
    _notify(locked, gettext("Your delegation to chair the joint meeting was revoked"))
    return sync(delegation, locked)


def _notify(delegation: ChairDelegation, subject: str) -> None:
    from huashan.notify.services import notify_person

    notify_person(
        person=delegation.delegate,
        subject=subject,
        body=f"{delegation.compound.name} {delegation.start:%Y-%m-%d}—{delegation.end:%Y-%m-%d}",
    )
