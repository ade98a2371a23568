"""The register of exclusive units and who owns them, as the owners' vote counts them:
area per unit and one owner per buyer however many units they hold, the developer's unsold
stock as one owner (最高人民法院《关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第八条、
第九条); the units a person may vote for, and the owners to tell about a vote.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Household, Residency

from ..models import OwnersAssemblyMotion, UnitOwnership
from ._common import _text


def owner_register(*, compound) -> dict[int, tuple[str, Decimal]]:
    """Every exclusive unit of the compound → (owner key, area) (two queries).

    The owner key says who counts as one owner (司法解释 第九条): the register line
    (:class:`UnitOwnership`: developer stock → ``developer``; registered owner; holder
    reference); without a line, the verified owners of the unit (co-owners count as one);
    without either, the unit counts as an owner of its own.
    """
    compound_pk = getattr(compound, "pk", compound)
    units = list(
        Household.objects.filter(building__compound_id=compound_pk)
        .select_related("ownership")
        .order_by("pk")
    )
    verified = {}
    for household_pk, person_pk in (
        Residency.objects.filter(
            household__building__compound_id=compound_pk,
            status=Residency.Status.VERIFIED,
            relation=Residency.Relation.OWNER,
        )
        .order_by("person_id")
        .values_list("household_id", "person_id")
    ):
        verified.setdefault(household_pk, person_pk)
    out: dict[int, tuple[str, Decimal]] = {}
    for unit in units:
        line = getattr(unit, "ownership", None)
        if line is not None and (line.developer_stock or line.owner_id or line.holder_ref.strip()):
            key = line.owner_key
        elif unit.pk in verified:
            key = f"person:{verified[unit.pk]}"
        else:
            key = f"unit:{unit.pk}"
        out[unit.pk] = (key, unit.area)
    return out


def compound_register_totals(*, compound) -> tuple[Decimal, int, int]:
    """Total exclusive area, number of owners as the law counts them and number of units."""
    register = owner_register(compound=compound)
    area = sum((a for _k, a in register.values()), Decimal("0"))
    return area, len({k for k, _a in register.values()}), len(register)


def compound_owner_totals(*, compound: Compound) -> tuple[Decimal, int]:
    """Total exclusive area and number of owners (司法解释 第九条) of the compound."""
    area, owners, _units = compound_register_totals(compound=compound)
    return area, owners


def register_set_unit(
    *,
    actor,
    household: Household,
    owner=None,
    holder_name: str = "",
    holder_ref: str = "",
    developer_stock: bool = False,
) -> UnitOwnership:
    """Record who owns an exclusive unit, or that it is the developer's stock."""
    person = _require(
        actor,
        "meetings.enter_paper_ballot",
        household.building.compound,
        gettext("Only PMC officers and the meeting office keep the register."),
    )
    holder_name = _text(holder_name, field_name="holder_name", max_length=100, required=False)
    holder_ref = _text(holder_ref, field_name="holder_ref", max_length=40, required=False)
    if developer_stock and (owner is not None or holder_ref):
        raise ValidationError(
            {"developer_stock": [_("A developer's unit has no other registered owner.")]},
            code="invalid",
        )
    with transaction.atomic():
        line, _made = UnitOwnership.objects.update_or_create(
            household=household,
            defaults={
                "owner": owner,
                "holder_name": holder_name,
                "holder_ref": holder_ref,
                "developer_stock": bool(developer_stock),
                "updated_by": person,
                "updated_at": timezone.now(),
            },
        )
    return line


def owned_units(*, person, motion: OwnersAssemblyMotion) -> list[Household]:
    """The exclusive units of the motion's compound the person is a verified owner of."""
    if person is None or not getattr(person, "pk", None):
        return []
    return list(
        Household.objects.filter(
            building__compound_id=motion.compound_id,
            residencies__person_id=person.pk,
            residencies__status=Residency.Status.VERIFIED,
            residencies__relation=Residency.Relation.OWNER,
        )
        .select_related("building")
        .order_by("building__sort_key", "unit", "room")
    )


def owners_to_tell(motion: OwnersAssemblyMotion):
    """The active people holding a verified owner's residency in the motion's compound: whom
    the owners' vote and the follow-up of its resolution are told to (one row each)."""
    from huashan.directory.models import Person

    return Person.objects.filter(
        is_active=True,
        residencies__status=Residency.Status.VERIFIED,
        residencies__relation=Residency.Relation.OWNER,
        residencies__household__building__compound_id=motion.compound_id,
    ).distinct()
