"""Who chairs a joint meeting (主持): the community party head, or a compound party head
entrusted by them (委托) for the meeting's day — checked on that day for the chair and the
convener, with the default chair filled in when none is named.

seed: 联席会议议事规则 第三条 ("社区党组织负责人或受其委托的小区党组织负责人").
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.directory import delegations
from huashan.directory.models import ChairDelegation, Compound, Person

from ._common import _localdate


def _default_chair(compound: Compound, on: dt.date) -> Person | None:
    """The community party head, else a compound party head entrusted on ``on``
    (联席会议议事规则 第三条 "社区党组织负责人或受其委托的小区党组织负责人")."""
    head = delegations.community_party_head(compound, on)
    if head is not None:
        return head
    delegation = (
        ChairDelegation.objects.active(on)
        .filter(compound=compound)
        .select_related("delegate")
        .order_by("-start", "-pk")
        .first()
    )
    if delegation is not None and delegations.is_compound_party_head(
        compound, delegation.delegate, on
    ):
        return delegation.delegate
    return None


def _chair_allowed(compound: Compound, person: Person, on: dt.date | None = None) -> bool:
    """May ``person`` chair the compound's joint meeting on ``on`` (第三条)?"""
    return delegations.chair_standing(compound, person, on or timezone.localdate())[0]


CHAIR_MESSAGE = _(
    "The chair must be the community party head or a compound party head entrusted by "
    "them for the meeting's date (联席会议议事规则 第三条)."
)


CONVENER_MESSAGE = _(
    "The convener must be the community party head or a compound party head entrusted by "
    "them for the meeting's date (联席会议议事规则 第三条)."
)


def _joint_chair(
    compound: Compound, start, chair: Person | None, convener: Person | None, errors: dict
) -> tuple[Person | None, ChairDelegation | None]:
    """Check the chair and convener of a joint meeting on its day; fill the default chair.

    Returns ``(chair, delegation)``, the delegation being the 委托 a compound party head
    chairs under (``None`` for the community party head). Adds errors to ``errors``.
    """
    if not isinstance(start, dt.datetime) or timezone.is_naive(start):
        return chair, None
    on = _localdate(start)
    chair = chair or _default_chair(compound, on)
    delegation = None
    if chair is None:
        errors.setdefault("chair", []).append(
            ValidationError(
                _(
                    "No one may chair this joint meeting: the community has no party head "
                    "and no compound party head is entrusted for that day."
                ),
                code="no_chair",
            )
        )
    else:
        allowed, delegation = delegations.chair_standing(compound, chair, on)
        if not allowed:
            errors.setdefault("chair", []).append(
                ValidationError(CHAIR_MESSAGE, code="invalid_chair")
            )
    if (
        convener is not None
        and convener != chair
        and not delegations.chair_standing(compound, convener, on)[0]
    ):
        errors.setdefault("convener", []).append(
            ValidationError(CONVENER_MESSAGE, code="invalid_convener")
        )
    return chair, delegation
