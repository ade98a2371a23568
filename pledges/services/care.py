"""Convenience services for residents (便民服务) provided with the property company.

seed: 小区党组织服务承诺 第9条 "每年组织4次以上邻里活动（节日联欢、法律咨询等），联动物业提供
独居老人关爱、儿童托管等便民服务". The activities are counted by the pledge item (4 a year);
the care services have no number in the seed, so none is invented: each is recorded here
and shown, with the year's count, on the pledge evidence page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Membership, Organization

from ..models import CareService
from .common import TITLE_MAX, _event, _text

#: Who records a care service: the compound party organization that pledges it, or the
#: property company it is provided with (第9条 "联动物业").
CARE_ORGANIZER_KINDS = ("compound_party", "property_company")
HOUSEHOLDS_MAX = 100000


def _care_input(
    *,
    compound: Compound,
    organization: Organization,
    kind: str,
    description: str,
    served_on,
    households_served,
    with_company: bool,
) -> tuple[str, int]:
    """The cleaned description and household count, or every problem at once by field."""
    from .evidence_records import _check_day

    errors: dict[str, Any] = {}
    if kind not in CareService.Kind.values:
        errors["kind"] = [_("Choose a kind of care service.")]
    if organization.compound_id != compound.pk or organization.kind not in CARE_ORGANIZER_KINDS:
        errors["organization"] = [
            _("Care services are recorded by the compound party organization or the company.")
        ]
    elif organization.kind == "compound_party" and not with_company:
        errors["with_company"] = [
            _("These services are provided together with the property company (联动物业).")
        ]
    try:
        description = _text(description, field="description", max_length=TITLE_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _check_day(served_on, "served_on", errors)
    try:
        households = int(households_served)
        if not 1 <= households <= HOUSEHOLDS_MAX:
            raise ValueError
    except (TypeError, ValueError):
        households = 0
        errors["households_served"] = [_("Enter the number of households served (at least 1).")]
    if errors:
        raise ValidationError(errors)
    return description, households


def care_service_record(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    kind: str,
    description: str,
    served_on: dt.date,
    households_served: int,
    with_company: bool = True,
) -> CareService:
    """Record a care service (独居老人关爱, 儿童托管, other 便民服务) with the households served.

    Only a member of the organizing body (the compound party organization or the
    property company) records it; a party-organized one names the company's part.
    """
    person = _require(
        actor, "pledges.record_evidence", compound, _("You may not record evidence here.")
    )
    if not person.is_superuser and not (
        Membership.objects.current().filter(person=person, organization=organization).exists()
    ):
        raise ValidationError(
            {"organization": [_("Record care services for your own organization.")]}
        )
    description, households = _care_input(
        compound=compound,
        organization=organization,
        kind=kind,
        description=description,
        served_on=served_on,
        households_served=households_served,
        with_company=with_company,
    )
    with transaction.atomic():
        service = CareService.objects.create(
            compound=compound,
            organization=organization,
            kind=kind,
            description=description,
            served_on=served_on,
            households_served=households,
            with_company=with_company or organization.kind == "property_company",
            created_by=person,
        )
        _event(
            compound=compound,
            actor=person,
            verb="care_service_record",
            note=f"{service.get_kind_display()} {served_on} {description} ({households})",
            public=True,
        )
    return service
