"""PMC members as targets of the December evaluation (物业管理委员会服务承诺 第4条).

"每年召开业主代表大会进行述职，现场接受质询，满意度低于60%的委员主动辞职": every current 委员
of a PMC the campaign covers is evaluated individually by default, beside the PMC itself
(评议监督考核制度 第二条). Here, so that opening the campaign, printing the ballot slips and
opening the scoring all see the same members.
"""

from __future__ import annotations

from django.db.models import Max

from huashan.directory.models import Membership
from huashan.directory.rules import OFFICER_ROLES
from huashan.directory.selectors import organization_of_kind

from ..models import Campaign, Target
from .base import Kind


def current_pmc_seats(campaign: Campaign) -> dict[int, Membership]:
    """The current 委员 (书记/主任/委员 roles) of the PMCs the campaign covers, by person.

    A seat counts when its term covers today and its holder's account is active (the
    directory's "real person": a deactivated account holds no seat anywhere); a staff seat
    (工作人员) is not a 委员. A compound without a PMC, or a PMC without members, adds none.
    """
    pmcs = [organization_of_kind(compound=c, kind=Kind.PMC) for c in campaign.compounds]
    seats: dict[int, Membership] = {}
    for seat in (
        Membership.objects.current()
        .filter(
            organization__in=[p for p in pmcs if p],
            role__in=OFFICER_ROLES,
            person__is_active=True,
        )
        .select_related("organization", "person")
        .order_by("organization_id", "start", "pk")
    ):
        seats.setdefault(seat.person_id, seat)
    return seats


def next_position(campaign: Campaign) -> int:
    """After the last target (a count would repeat a position once a target was removed)."""
    last = campaign.targets.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def member_targets_sync(campaign: Campaign) -> bool:
    """Make the member targets the current 委员: add each member seated since, drop each
    one whose term ended (or whose account was deactivated). Only before scoring opens —
    no ballot exists yet. Returns whether anything changed."""
    seats = current_pmc_seats(campaign)
    existing = {t.member_id: t for t in campaign.targets.filter(member__isnull=False)}
    changed = False
    for person_pk, target in existing.items():
        if person_pk not in seats:
            target.delete()
            changed = True
    position = next_position(campaign)
    for person_pk, seat in seats.items():
        if person_pk in existing:
            continue
        Target.objects.create(
            campaign=campaign,
            organization=seat.organization,
            member=seat.person,
            compound_id=seat.organization.compound_id,
            position=position,
        )
        position += 1
        changed = True
    return changed
