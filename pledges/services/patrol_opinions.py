"""Owners' opinions heard on the quality supervisor's patrol, and what became of them.

seed: 决策报告制度 第四条 "义务质量总监…定期开展监督检查活动，收集整理检查中发现的问题以及业主
对物业服务工作的意见、建议，向物业服务企业提出整改意见和建议". The supervisor who made the patrol
records each opinion on it (a list of its own, no longer folded into the findings' text); the
property company, whose service they are about, answers each one: adopted, answered, or
referred to whoever can act on it, always with a reply. Nothing personal is kept but a name
the owner agreed to give and, optionally, their building and unit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.core.state import lock, sync
from huashan.directory.models import Building
from huashan.directory.selectors import organization_of_kind

from ..models import Inspection, PatrolOpinion
from ..notices import notify_organization
from .common import TEXT_MAX, _event, _text

OPINION_MAX = 1000
OWNER_NAME_MAX = 50
UNIT_MAX = 20


def _opinion_input(
    *, inspection: Inspection, content, building, unit, owner_name, name_agreed: bool
) -> tuple[str, str, str]:
    """The cleaned opinion, unit and name, or every problem at once by field."""
    errors: dict[str, Any] = {}
    cleaned: dict[str, str] = {}
    for field, value, limit, required in (
        ("content", content, OPINION_MAX, True),
        ("unit", unit, UNIT_MAX, False),
        ("owner_name", owner_name, OWNER_NAME_MAX, False),
    ):
        try:
            cleaned[field] = _text(value, field=field, max_length=limit, required=required)
            if "\x00" in cleaned[field]:
                raise ValidationError({field: [_("Null characters are not allowed.")]})
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if building is not None and (
        not isinstance(building, Building) or building.compound_id != inspection.compound_id
    ):
        errors["building"] = [_("This building is not in the compound.")]
    if cleaned.get("owner_name") and not name_agreed:
        errors["owner_name"] = [
            _("Write the owner's name only if they agreed to give it; else leave it empty.")
        ]
    if errors:
        raise ValidationError(errors)
    return cleaned["content"], cleaned["unit"], cleaned["owner_name"]


def patrol_opinion_record(
    *,
    actor,
    inspection: Inspection,
    content: str,
    building: Building | None = None,
    unit: str = "",
    owner_name: str = "",
    name_agreed: bool = False,
) -> PatrolOpinion:
    """Record an owner's opinion heard on a patrol (决策报告制度 第四条 "业主对物业服务工作的意见、
    建议"): only the quality supervisor who made the patrol records it, and the property company
    is told it has an opinion to answer."""
    from .supervisor import require_supervisor

    compound = inspection.compound
    person = require_supervisor(
        actor, compound, _("Only the quality supervisor who made the patrol records its opinions.")
    )
    if inspection.kind != Inspection.Kind.SUPERVISOR_PATROL:
        raise ValidationError(_("Owners' opinions are recorded on a quality supervisor patrol."))
    if inspection.inspector_id != person.pk:
        raise PermissionDenied(
            gettext("Only the quality supervisor who made the patrol records its opinions.")
        )
    content, unit, owner_name = _opinion_input(
        inspection=inspection,
        content=content,
        building=building,
        unit=unit,
        owner_name=owner_name,
        name_agreed=name_agreed,
    )
    with transaction.atomic():
        opinion = PatrolOpinion.objects.create(
            inspection=inspection,
            content=content,
            building=building,
            unit=unit,
            owner_name=owner_name,
            created_by=person,
        )
        _event(
            compound=compound,
            actor=person,
            verb="patrol_opinion_record",
            note=f"{inspection.inspected_on}: {content[:200]}",
        )
        company = organization_of_kind(compound=compound, kind="property_company")
        if company is not None:
            transaction.on_commit(
                lambda: notify_organization(
                    company,
                    subject=gettext("An owner's opinion from the quality supervisor's patrol"),
                    body=content[:1000],
                )
            )
    return opinion


def _referral_category(category):
    """The complaint category a referred opinion is filed in: the one chosen, else 其他."""
    from issues.models import Category

    if category is not None:
        if not isinstance(category, Category) or not category.active:
            raise ValidationError({"category": [_("Choose a complaint category.")]})
        return category
    found = (
        Category.objects.filter(code="other", active=True).first()
        or Category.objects.filter(active=True).first()
    )
    if found is None:
        raise ValidationError({"category": [_("No complaint category is set up.")]})
    return found


def _refer(opinion: PatrolOpinion, *, person, category, compound):
    """File the opinion as a complaint of the compound (转办, inside the caller's transaction):
    the owner's words with the patrol's date, the building but neither unit nor name."""
    from issues.services import issue_submit

    inspection = opinion.inspection
    description = gettext(
        "Owner's opinion heard on the quality supervisor's patrol of %(date)s: %(text)s"
    ) % {
        "date": inspection.inspected_on.isoformat(),
        "text": opinion.content,
    }
    result = issue_submit(
        actor=person,
        compound=compound,
        category=category,
        description=description[:2000],
        building=opinion.building,
        location_text="" if opinion.building_id else gettext("Common areas"),
        is_public=True,
    )
    return result.issue


def patrol_opinion_dispose(
    *, actor, opinion: PatrolOpinion, disposition: str, reply: str, category=None
) -> PatrolOpinion:
    """The property company says what became of an owner's opinion heard on a patrol: adopted,
    answered or referred, with a reply (决策报告制度 第四条 "向物业服务企业提出整改意见和建议");
    once only. Referred (转办), the opinion is filed as a complaint of the compound, in
    ``category`` (其他 when none is chosen), and linked on the opinion."""
    compound = opinion.inspection.compound
    person = _require(
        actor,
        "pledges.dispose_patrol_opinion",
        compound,
        _("Only the property company answers the owners' opinions from a patrol."),
    )
    D = PatrolOpinion.Disposition
    errors: dict[str, Any] = {}
    if disposition not in D.values or disposition == D.PENDING:
        errors["disposition"] = [_("Choose a disposition.")]
    try:
        reply = _text(reply, field="reply", max_length=TEXT_MAX)
        if "\x00" in reply:
            raise ValidationError({"reply": [_("Null characters are not allowed.")]})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if disposition == D.REFERRED:
        try:
            category = _referral_category(category)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = lock(PatrolOpinion, opinion.pk)
        if locked.disposition != D.PENDING:
            raise ValidationError(
                {"disposition": [_("This opinion has already been answered.")]}, code="handled"
            )
        locked.disposition = disposition
        locked.reply = reply
        locked.decided_by = person
        locked.decided_at = timezone.now()
        if disposition == D.REFERRED:
            locked.issue = _refer(locked, person=person, category=category, compound=compound)
        locked.save(update_fields=["disposition", "reply", "decided_by", "decided_at", "issue"])
        _event(
            compound=compound,
            actor=person,
            verb="patrol_opinion_dispose",
            from_state=D.PENDING,
            to_state=disposition,
            note=locked.content[:200],
        )
        if locked.issue is not None:
            _event(
                compound=compound,
                actor=person,
                verb="patrol_opinion_refer",
                to_state="complaint",
                note=locked.issue.tracking_number,
            )
    return sync(opinion, locked)
