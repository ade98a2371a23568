"""Fixing setup checklist items: the compound's organizations and their key people.

Every change is permission-checked (``provisioning.setup_compound``), cleaned,
written in a transaction and recorded as a :class:`ProvisioningEvent`. After a
change the compound is provisioned again (idempotent), so an obligation that
was pending for want of a body (no PMC, no property company) appears at once.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huashan.core.state import clean_text, record_event
from huashan.directory.models import Compound, Membership, Organization, Person
from huashan.directory.rules import clear_permission_cache

from .models import ProvisioningEvent

Kind = Organization.Kind
Role = Membership.Role

#: Organizations a compound needs, with the default name (after the compound's name).
ORGANIZATION_NAMES = {
    Kind.COMPOUND_PARTY: "{compound}小区党支部",
    Kind.PMC: "{compound}小区物业管理委员会",
    Kind.PROPERTY_COMPANY: "{compound}物业服务项目部",
    Kind.JOINT_MEETING_OFFICE: "{compound}小区联席会议办公室",
}
#: Which roles may be added to which organization from the setup page.
MEMBER_ROLES = {
    Kind.PMC: (Role.CHAIR, Role.MEMBER),
    Kind.PROPERTY_COMPANY: (Role.QUALITY_SUPERVISOR, Role.CHAIR, Role.STAFF),
    Kind.COMPOUND_PARTY: (Role.SECRETARY, Role.MEMBER),
    Kind.JOINT_MEETING_OFFICE: (Role.STAFF, Role.CHAIR),
}
PHONE_RE = re.compile(r"^[0-9][0-9\-]{4,19}$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def _require(actor, compound: Compound) -> None:
    if actor is None or not actor.has_perm("provisioning.setup_compound", compound):
        raise PermissionDenied(_("You may not set up this compound."))


def _clean_phone(value, *, required: bool) -> str:
    phone = clean_text(value, field="phone", max_length=32, required=required)
    phone = phone.replace(" ", "").replace("（", "").replace("）", "")
    if phone and not PHONE_RE.match(phone):
        raise ValidationError(
            {"phone": _("Enter a phone number of digits and dashes, e.g. 027-81818577.")}
        )
    return phone


def organization_save(
    *, actor, compound: Compound, kind: str, name: str = "", phone: str = ""
) -> Organization:
    """Register the compound's organization of ``kind``, or update its name and phone.

    seed: 公示承诺制度 第三条 1 — the property company publishes its 物业服务投诉电话, so
    its phone is required.
    """
    _require(actor, compound)
    if kind not in ORGANIZATION_NAMES:
        raise ValidationError({"kind": _("This organization cannot be registered here.")})
    name = clean_text(name, field="name", max_length=100, required=False) or ORGANIZATION_NAMES[
        kind
    ].replace("{compound}", compound.name)
    phone = _clean_phone(phone, required=kind == Kind.PROPERTY_COMPANY)
    with transaction.atomic():
        organization = (
            Organization.objects.select_for_update()
            .filter(compound=compound, kind=kind)
            .order_by("pk")
            .first()
        )
        created = organization is None
        if created:
            organization = Organization.objects.create(
                kind=kind, name=name, compound=compound, phone=phone
            )
        else:
            organization.name, organization.phone = name, phone
            organization.save(update_fields=["name", "phone"])
        record_event(
            ProvisioningEvent,
            actor=actor,
            verb="organization_add" if created else "organization_update",
            compound=compound,
            note=f"{kind}: {name} {phone}".strip(),
        )
    _provision_again(compound, actor)
    return organization


def member_add(
    *,
    actor,
    compound: Compound,
    kind: str,
    name: str,
    mobile: str,
    role: str,
    start: dt.date | str | None,
    title: str = "",
) -> Membership:
    """Seat a person in the compound's organization of ``kind`` from ``start`` on.

    seed: 物业管理委员会服务承诺 第7条 "上任3个月内" — the PMC members' term start is
    the date the window counts from; 决策报告制度 第四条 — the 义务质量总监 is engaged
    by the property company.
    """
    _require(actor, compound)
    organization = Organization.objects.filter(compound=compound, kind=kind).order_by("pk").first()
    if organization is None:
        raise ValidationError({"kind": _("Register the organization first.")})
    if role not in MEMBER_ROLES.get(kind, ()):
        raise ValidationError({"role": _("Choose one of the roles offered.")})
    name = clean_text(name, field="name", max_length=50, required=True)
    mobile = clean_text(mobile, field="mobile", max_length=11, required=True)
    if not MOBILE_RE.match(mobile):
        raise ValidationError({"mobile": _("Enter an 11-digit mainland mobile number.")})
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start.strip())
        except ValueError:
            raise ValidationError({"start": _("Enter a date like 2026-05-10.")}) from None
    today = timezone.localdate()
    start = start or today
    if start > today + dt.timedelta(days=366) or start.year < 2000:
        raise ValidationError({"start": _("Enter a term start within the past years.")})
    title = clean_text(title, field="title", max_length=64, required=False)
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(mobile=mobile).first()
        if person is None:
            person = Person.objects.create_user(mobile, None, name=name)
        elif person.name != name:
            raise ValidationError(
                {
                    "mobile": _(
                        "This mobile number belongs to %(name)s; check the number or the name."
                    )
                    % {"name": person.name}
                }
            )
        if (
            Membership.objects.current()
            .filter(person=person, organization=organization, role=role)
            .exists()
        ):
            raise ValidationError({"mobile": _("This person already holds this role.")})
        membership = Membership.objects.create(
            person=person,
            organization=organization,
            role=role,
            title=title,
            start=start,
        )
        record_event(
            ProvisioningEvent,
            actor=actor,
            verb="member_add",
            compound=compound,
            note=f"{kind} {role} {name} {start.isoformat()}",
        )
    clear_permission_cache(person)
    _provision_again(compound, actor)
    return membership


def _provision_again(compound: Compound, actor) -> None:
    from .services import provision_compound

    today = timezone.localdate()
    provision_compound(
        compound=compound, year=today.year, actor=actor, starts_on=today.replace(day=1)
    )


def provision_now(*, actor, compound: Compound):
    """The "set up now" button of the checklist: this year's obligations for the compound."""
    from .services import provision_compound

    _require(actor, compound)
    today = timezone.localdate()
    return provision_compound(
        compound=compound, year=today.year, actor=actor, starts_on=today.replace(day=1)
    )
