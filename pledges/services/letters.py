"""Pledge letters and their items: drafting, publishing, attestations.

seed: 公示承诺制度 第四条 (年度服务承诺长期公示)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.core.state import lock
from huashan.directory.models import Organization

from .. import evidence
from ..models import (
    Attestation,
    PledgeItem,
    PledgeLetter,
)
from .common import TEXT_MAX, TITLE_MAX, _event, _not_future, _text
from .params import params_clean

# --- letters and items ---------------------------------------------------------


def _letter_fields(*, title, preamble, closing, letterhead) -> dict:
    return {
        "title": _text(title, field="title", max_length=TITLE_MAX),
        "preamble": _text(preamble, field="preamble", required=False),
        "closing": _text(closing, field="closing", required=False),
        "letterhead": _text(letterhead, field="letterhead", max_length=TITLE_MAX, required=False),
    }


def letter_create(
    *,
    actor,
    organization: Organization,
    year: int,
    title: str,
    preamble: str = "",
    closing: str = "",
    letterhead: str = "",
) -> PledgeLetter:
    """Write a pledge letter for an organization and year.

    seed: 公示承诺制度 第一条 ("三方"年度服务承诺).
    """
    person = _require(
        actor, "pledges.manage_letter", organization, _("You may not write pledges for it.")
    )
    if organization.compound_id is None:
        raise ValidationError({"organization": _("Choose an organization of the compound.")})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Enter a year like 2026.")}) from None
    this_year = timezone.localdate().year
    if not this_year - 5 <= year <= this_year + 1:
        raise ValidationError(
            {
                "year": _("The year must be between %(low)d and %(high)d.")
                % {"low": this_year - 5, "high": this_year + 1}
            }
        )
    fields = _letter_fields(title=title, preamble=preamble, closing=closing, letterhead=letterhead)
    if PledgeLetter.objects.filter(organization=organization, year=year).exists():
        raise ValidationError({"year": _("This organization already has a letter for that year.")})
    with transaction.atomic():
        letter = PledgeLetter.objects.create(
            compound=organization.compound,
            organization=organization,
            year=year,
            created_by=person,
            **fields,
        )
        _event(compound=letter.compound, actor=person, verb="letter_create", letter=letter)
    return letter


def letter_update(
    *,
    actor,
    letter: PledgeLetter,
    title: str,
    preamble: str = "",
    closing: str = "",
    letterhead: str = "",
) -> PledgeLetter:
    person = _require(
        actor, "pledges.manage_letter", letter.organization, _("You may not edit this letter.")
    )
    fields = _letter_fields(title=title, preamble=preamble, closing=closing, letterhead=letterhead)
    with transaction.atomic():
        locked = lock(letter)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*fields, "updated_at"])
        _event(compound=locked.compound, actor=person, verb="letter_update", letter=locked)
    return locked


def letter_text(letter: PledgeLetter) -> str:
    """The letter as plain text, for the disclosure board."""
    lines = [letter.letterhead, letter.title, "", letter.preamble]
    section = None
    for item in letter.items.order_by("position", "number", "pk"):
        if item.section and item.section != section:
            section = item.section
            lines.append(section)
        if item.number:
            lines.append(f"{item.number}.{item.heading}")
        lines.append(item.text)
    lines += ["", letter.closing]
    return "\n".join(line for line in lines if line is not None).strip()


def letter_publish(*, actor, letter: PledgeLetter) -> PledgeLetter:
    """Publish a letter (公示承诺制度 第四条: 年度服务承诺 长期公示) and post it to the board."""
    person = _require(
        actor, "pledges.manage_letter", letter.organization, _("You may not publish this letter.")
    )
    with transaction.atomic():
        locked = lock(letter)
        if locked.published:
            raise ValidationError(_("This letter is already published."))
        if not locked.items.exists():
            raise ValidationError(_("Add the items before publishing the letter."))
        now = timezone.now()
        disclosure = evidence.publish_external(
            actor=person,
            compound=locked.compound,
            organization=locked.organization,
            category_code="pledges",
            title=locked.title,
            body=letter_text(locked),
            period_start=dt.date(locked.year, 1, 1),
            period_end=dt.date(locked.year, 12, 31),
        )
        locked.published = True
        locked.published_at = now
        locked.disclosure_id = getattr(disclosure, "pk", None)
        locked.save(update_fields=["published", "published_at", "disclosure_id", "updated_at"])
        _event(
            compound=locked.compound,
            actor=person,
            verb="letter_publish",
            to_state="published",
            public=True,
            letter=locked,
        )
    return locked


def _item_fields(
    *, text, rule_kind, params, number, heading, section, warn_lead_days, responsible_org, letter
) -> dict:
    errors: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    for name, value, max_length, required in (
        ("text", text, TEXT_MAX, True),
        ("heading", heading, TITLE_MAX, False),
        ("section", section, TITLE_MAX, False),
    ):
        try:
            fields[name] = _text(value, field=name, max_length=max_length, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        fields["params"] = params_clean(rule_kind=rule_kind, params=params)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    fields["rule_kind"] = rule_kind
    if number in ("", None):
        fields["number"] = None
    else:
        try:
            fields["number"] = int(number)
            if not 1 <= fields["number"] <= 99:
                raise ValueError
        except (TypeError, ValueError):
            errors["number"] = [_("The number must be between 1 and 99.")]
    try:
        fields["warn_lead_days"] = int(warn_lead_days)
        if not 0 <= fields["warn_lead_days"] <= 365:
            raise ValueError
    except (TypeError, ValueError):
        errors["warn_lead_days"] = [_("Warn between 0 and 365 days before the period ends.")]
    if responsible_org is not None and responsible_org.compound_id not in (
        None,
        letter.compound_id,
    ):
        errors["responsible_org"] = [_("This belongs to another compound.")]
    fields["responsible_org"] = responsible_org
    if errors:
        raise ValidationError(errors)
    return fields


def item_create(
    *,
    actor,
    letter: PledgeLetter,
    text: str,
    rule_kind: str,
    params: dict,
    number: int | None = None,
    heading: str = "",
    section: str = "",
    warn_lead_days: int = 7,
    responsible_org: Organization | None = None,
    position: int | None = None,
) -> PledgeItem:
    """Add a measurable item to a letter."""
    person = _require(
        actor, "pledges.manage_letter", letter.organization, _("You may not edit this letter.")
    )
    fields = _item_fields(
        text=text,
        rule_kind=rule_kind,
        params=params,
        number=number,
        heading=heading,
        section=section,
        warn_lead_days=warn_lead_days,
        responsible_org=responsible_org,
        letter=letter,
    )
    if fields["number"] is not None and letter.items.filter(number=fields["number"]).exists():
        raise ValidationError({"number": _("The letter already has an item with this number.")})
    if position is None:
        position = (letter.items.count() + 1) * 10
    with transaction.atomic():
        item = PledgeItem.objects.create(letter=letter, position=position, **fields)
        _event(
            compound=letter.compound,
            actor=person,
            verb="item_create",
            letter=letter,
            item=item,
            note=f"{item.rule_kind} {json.dumps(item.params, ensure_ascii=False)}",
        )
    return item


def item_update(
    *,
    actor,
    item: PledgeItem,
    text: str,
    rule_kind: str,
    params: dict,
    number: int | None = None,
    heading: str = "",
    section: str = "",
    warn_lead_days: int = 7,
    responsible_org: Organization | None = None,
    active: bool = True,
) -> PledgeItem:
    """Change an item. Results of closed periods stay as computed (``PeriodResult.final``)."""
    letter = item.letter
    person = _require(
        actor, "pledges.manage_letter", letter.organization, _("You may not edit this letter.")
    )
    fields = _item_fields(
        text=text,
        rule_kind=rule_kind,
        params=params,
        number=number,
        heading=heading,
        section=section,
        warn_lead_days=warn_lead_days,
        responsible_org=responsible_org,
        letter=letter,
    )
    if (
        fields["number"] is not None
        and letter.items.filter(number=fields["number"]).exclude(pk=item.pk).exists()
    ):
        raise ValidationError({"number": _("The letter already has an item with this number.")})
    fields["active"] = bool(active)
    with transaction.atomic():
        locked = lock(item)
        before = f"{locked.rule_kind} {json.dumps(locked.params, ensure_ascii=False)}"
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        # Open periods are recomputed by the next engine run with the new rule.
        locked.results.filter(final=False).delete()
        _event(
            compound=letter.compound,
            actor=person,
            verb="item_update",
            letter=letter,
            item=locked,
            note=gettext("Before: %(before)s") % {"before": before},
        )
    return locked


def attestation_record(
    *,
    actor,
    item: PledgeItem,
    period_start: dt.date,
    judgement: str,
    evidence: str,
    value: Decimal | None = None,
    measure: int = 0,
) -> Attestation:
    """A reviewer's judgement for an item the system cannot measure (评议认定)."""
    compound = item.letter.compound
    person = _require(actor, "pledges.attest", compound, _("You may not judge pledges here."))
    if judgement not in Attestation.Judgement.values:
        raise ValidationError({"judgement": _("Choose kept or not kept.")})
    text = _text(evidence, field="evidence")
    if value is not None:
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError({"value": _("Enter a percentage between 0 and 100.")}) from None
        if not 0 <= value <= 100:
            raise ValidationError({"value": _("Enter a percentage between 0 and 100.")})
    _not_future(period_start, field="period_start")
    with transaction.atomic():
        try:
            with transaction.atomic():
                attestation = Attestation.objects.create(
                    item=item,
                    measure=measure,
                    period_start=period_start,
                    judgement=judgement,
                    evidence=text,
                    value=value,
                    reviewer=person,
                )
        except IntegrityError:
            raise ValidationError(
                {"period_start": _("This period has already been judged.")}
            ) from None
        _event(
            compound=compound,
            actor=person,
            verb="attest",
            to_state=judgement,
            note=text[:500],
            item=item,
            letter=item.letter,
            public=True,
        )
    return attestation
