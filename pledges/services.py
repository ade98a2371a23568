"""Every state change of pledges, evidence, 三诺 and accountability.

seed: 小区党组织服务承诺; 物业管理委员会服务承诺 (第10条 问责退出, 第4条 满意度低于60%);
公示承诺制度 第四条 (年度服务承诺长期公示; 候选人"三诺"线上线下公示); 决策报告制度 第四条
(义务质量总监 定期开展监督检查, 提出整改意见).

Shape (STYLE.md): keyword-only arguments with ``actor`` first; permission check
(``rules``), validation raising ``ValidationError`` with a field → message dict,
``transaction.atomic``, one :class:`PledgeEvent` per change, notifications via
``notification_create`` inside the transaction (delivered after commit).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import secrets
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Membership, Organization, Person
from huashan.directory.selectors import organization_of_kind
from huashan.notify.services import notification_create

from . import evidence
from .models import (
    AccountabilityCase,
    Activity,
    ActivityPhoto,
    Attestation,
    CandidatePledge,
    Election,
    Finding,
    Inspection,
    PledgeEvent,
    PledgeItem,
    PledgeLetter,
    RuleKind,
)

TEXT_MAX = 4000
TITLE_MAX = 200
PERIOD_MONTHS = (1, 3, 6, 12)
MEETING_KINDS = (
    "joint",
    "residents_forum",
    "work_hearing",
    "service_review",
    "owners_forum",
    "pmc_working",
)
CLOCKS = ("response", "feedback", "hazard", "plan")
RATE_MEASURES = ("findings_rectified", "findings_fixed_on_time")
ONE_OFF_SOURCES = ("concentrated_demands",)
#: 物业管理委员会服务承诺 第4条 ("满意度低于60%的委员主动辞职").
SATISFACTION_THRESHOLD = 60.0
#: 物业管理委员会服务承诺 第10条 ("连续3次无故缺席工作会议").
ABSENCE_LIMIT = 3


# --- helpers -----------------------------------------------------------------


def _text(value, *, field: str, max_length: int = TEXT_MAX, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: _("At most %(limit)d characters, please (you wrote %(count)d).")
                % {"limit": max_length, "count": len(value)}
            }
        )
    return value


def _not_future(day: dt.date, *, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _same_compound(obj, compound: Compound, *, field: str) -> None:
    if getattr(obj, "compound_id", None) != compound.pk:
        raise ValidationError({field: _("This belongs to another compound.")})


def _event(
    *,
    compound: Compound,
    actor: Person | None,
    verb: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    public: bool = False,
    **subject,
) -> PledgeEvent:
    return PledgeEvent.objects.create(
        compound=compound,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
        public=public,
        **subject,
    )


def organization_recipients(organization: Organization) -> list[Person]:
    """Current officers and staff of an organization (who receive its inbox notices)."""
    roles = (
        Membership.Role.SECRETARY,
        Membership.Role.CHAIR,
        Membership.Role.MEMBER,
        Membership.Role.STAFF,
    )
    return [
        m.person
        for m in Membership.objects.current()
        .filter(organization=organization, role__in=roles, person__is_active=True)
        .select_related("person")
    ]


def notify_organization(organization: Organization, *, subject: str, body: str, link: str = ""):
    """Inbox message to each officer, plus the organization's webhook if it has one."""
    for person in organization_recipients(organization):
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body, link=link
        )
    if organization.webhook_url:
        notification_create(
            organization=organization, channel="webhook", subject=subject, body=body, link=link
        )


# --- rule parameters -----------------------------------------------------------


def _int(params: dict, key: str, errors: list, *, minimum: int, label) -> int | None:
    value = params.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            errors.append(_("%(name)s must be a whole number.") % {"name": label})
            return None
    if value < minimum:
        errors.append(
            _("%(name)s must be at least %(min)d (you gave %(value)d).")
            % {"name": label, "min": minimum, "value": value}
        )
        return None
    return value


def _threshold(params: dict, errors: list, *, default: float | None = None) -> float | None:
    value = params.get("threshold", default)
    try:
        value = float(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        errors.append(_("The threshold must be a percentage between 0 and 100."))
        return None
    if not 0 <= value <= 100:
        errors.append(
            _("The threshold must be between 0 and 100 %% (you gave %(value)s).")
            % {"value": f"{value:g}"}
        )
        return None
    return value


def _period(params: dict, errors: list) -> int | None:
    value = params.get("period_months")
    if value is None:
        errors.append(_("Choose a period: month, quarter, half-year or year."))
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        errors.append(_("The period must be a number of months: 1, 3, 6 or 12."))
        return None
    if value <= 0:
        errors.append(_("The period must be longer than zero."))
        return None
    if value not in PERIOD_MONTHS:
        errors.append(
            _("The period must be 1, 3, 6 or 12 months (you gave %(value)d).") % {"value": value}
        )
        return None
    return value


def _choices(params: dict, key: str, allowed: Iterable[str], errors: list, *, label) -> list:
    values = params.get(key)
    if isinstance(values, str):
        values = [v.strip() for v in values.split(",") if v.strip()]
    if not isinstance(values, list) or not values:
        errors.append(_("Choose at least one %(name)s.") % {"name": label})
        return []
    allowed = set(allowed)
    bad = [str(v) for v in values if v not in allowed]
    if bad:
        errors.append(
            _("Unknown %(name)s: %(values)s.") % {"name": label, "values": ", ".join(bad)}
        )
        return []
    return list(dict.fromkeys(values))


def _date(value, errors: list, *, label) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors.append(_("%(name)s must be a date like 2026-01-01.") % {"name": label})
        return None


def _clean_one(rule_kind: str, params: dict, errors: list, *, nested: bool) -> dict:
    clean: dict[str, Any] = {}
    label = params.get("label", "")
    if label:
        clean["label"] = _text(label, field="params", max_length=TITLE_MAX, required=False)
    if rule_kind not in RuleKind.values:
        errors.append(_("Unknown rule kind %(kind)s.") % {"kind": rule_kind})
        return clean
    if rule_kind != RuleKind.ONE_OFF_BY_DATE:
        clean["period_months"] = _period(params, errors)
    if rule_kind == RuleKind.COUNT_PER_PERIOD:
        source = params.get("source")
        kinds_by_source = {
            "meeting": MEETING_KINDS,
            "activity": Activity.Kind.values,
            "inspection": Inspection.Kind.values,
        }
        if source not in kinds_by_source:
            errors.append(_("Choose what is counted: meetings, activities or inspections."))
        else:
            clean["source"] = source
            clean["kinds"] = _choices(
                params, "kinds", kinds_by_source[source], errors, label=_("kind")
            )
        clean["min_count"] = _int(params, "min_count", errors, minimum=1, label=_("The count"))
        per_member = bool(params.get("per_member", False))
        if per_member and source != "activity":
            errors.append(_("“Each member” can only be counted for activities."))
        clean["per_member"] = per_member
    elif rule_kind == RuleKind.DEADLINE_RATE:
        clean["clocks"] = _choices(params, "clocks", CLOCKS, errors, label=_("deadline"))
        clean["threshold"] = _threshold(params, errors)
    elif rule_kind == RuleKind.DISCLOSURE_ON_TIME:
        categories = params.get("categories")
        if isinstance(categories, str):
            categories = [c.strip() for c in categories.split(",") if c.strip()]
        if not isinstance(categories, list) or not categories:
            errors.append(_("Choose at least one disclosure category."))
        else:
            clean["categories"] = [str(c)[:40] for c in categories]
        clean["threshold"] = _threshold(params, errors, default=100)
    elif rule_kind == RuleKind.RATE_THRESHOLD:
        if params.get("measure") not in RATE_MEASURES:
            errors.append(_("Choose what rate is measured."))
        else:
            clean["measure"] = params["measure"]
        clean["inspection_kinds"] = _choices(
            params, "inspection_kinds", Inspection.Kind.values, errors, label=_("inspection kind")
        )
        clean["threshold"] = _threshold(params, errors)
    elif rule_kind == RuleKind.ONE_OFF_BY_DATE:
        start = _date(params.get("start"), errors, label=_("The start date"))
        if "due" in params:
            due = _date(params.get("due"), errors, label=_("The due date"))
        else:
            months = _int(params, "months", errors, minimum=1, label=_("The number of months"))
            due = add_months(start, months) - dt.timedelta(days=1) if start and months else None
            clean["months"] = months
        if start and due and due < start:
            errors.append(_("The due date must be after the start date."))
        clean["start"] = start.isoformat() if start else None
        clean["due"] = due.isoformat() if due else None
        clean["min_count"] = _int(params, "min_count", errors, minimum=1, label=_("The count"))
        if "min_reporters" in params:
            clean["min_reporters"] = _int(
                params, "min_reporters", errors, minimum=2, label=_("The number of residents")
            )
        else:
            clean["min_reporters"] = 3
    elif rule_kind == RuleKind.EVALUATION_THRESHOLD:
        clean["threshold"] = _threshold(params, errors)
    if not nested:
        also = params.get("also") or []
        if not isinstance(also, list):
            errors.append(_("Additional measures must be a list."))
            also = []
        cleaned_also = []
        for sub in also:
            if not isinstance(sub, dict):
                errors.append(_("Each additional measure needs a rule kind and parameters."))
                continue
            sub_params = sub.get("params") or {}
            if not isinstance(sub_params, dict):
                errors.append(_("Each additional measure needs a rule kind and parameters."))
                continue
            cleaned_also.append(
                {
                    "rule_kind": sub.get("rule_kind"),
                    "params": _clean_one(sub.get("rule_kind"), sub_params, errors, nested=True),
                }
            )
        if cleaned_also:
            clean["also"] = cleaned_also
    return clean


def params_clean(*, rule_kind: str, params: dict | str) -> dict:
    """Validate a rule's parameters; raise ``ValidationError({"params": [...]})`` with every
    problem in plain words (a threshold above 100 %, a period of zero, …)."""
    if isinstance(params, str):
        try:
            params = json.loads(params or "{}")
        except ValueError:
            raise ValidationError({"params": _("The parameters are not valid JSON.")}) from None
    if not isinstance(params, dict):
        raise ValidationError({"params": _("The parameters must be an object.")})
    errors: list = []
    clean = _clean_one(rule_kind, params, errors, nested=False)
    if errors:
        raise ValidationError({"params": [str(e) for e in errors]})
    return clean


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (clamped to month end)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def measures_of(item: PledgeItem) -> list[tuple[int, str, dict]]:
    """``[(measure index, rule kind, params)]``: the main rule, then ``params["also"]``."""
    params = dict(item.params or {})
    also = params.pop("also", []) or []
    out = [(0, item.rule_kind, params)]
    for index, sub in enumerate(also, start=1):
        out.append((index, sub.get("rule_kind"), sub.get("params") or {}))
    return out


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
        locked = PledgeLetter.objects.select_for_update().get(pk=letter.pk)
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
        locked = PledgeLetter.objects.select_for_update().get(pk=letter.pk)
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
        locked = PledgeItem.objects.select_for_update().get(pk=item.pk)
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


# --- evidence ------------------------------------------------------------------


def activity_record(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    kind: str,
    title: str,
    held_on: dt.date,
    description: str = "",
    participants: Iterable[Person] = (),
    participant_count: int = 0,
    photos: Iterable = (),
) -> Activity:
    """Record a volunteer service, study, training, neighbourhood or cultural activity.

    seed: 小区党组织服务承诺 第4、5、9条; 物业管理委员会服务承诺 第8条.
    """
    person = _require(
        actor, "pledges.record_evidence", compound, _("You may not record evidence here.")
    )
    errors: dict[str, Any] = {}
    if kind not in Activity.Kind.values:
        errors["kind"] = [_("Choose a kind of activity.")]
    try:
        title = _text(title, field="title", max_length=TITLE_MAX)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(held_on, dt.date):
        errors["held_on"] = [_("Enter a date like 2026-01-01.")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("The date cannot be in the future.")]
    if organization.scope != compound and organization.compound_id not in (None, compound.pk):
        errors["organization"] = [_("This belongs to another compound.")]
    participants = list(participants)
    if any(not isinstance(p, Person) for p in participants):
        errors["participants"] = [_("Choose people from the list.")]
    try:
        participant_count = max(int(participant_count or 0), len(participants))
        if participant_count > 100000:
            raise ValueError
    except (TypeError, ValueError):
        errors["participant_count"] = [_("Enter a number of participants.")]
    try:
        description = _text(description, field="description", required=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    cleaned_photos = []
    if photos:
        from issues.photos import photos_sanitize  # EXIF stripped, size checked

        try:
            cleaned_photos = photos_sanitize(photos)
        except ValidationError as exc:
            errors["photos"] = [m for msgs in exc.message_dict.values() for m in msgs]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity = Activity.objects.create(
            compound=compound,
            organization=organization,
            kind=kind,
            title=title,
            held_on=held_on,
            description=description,
            participant_count=participant_count,
            created_by=person,
        )
        if participants:
            activity.participants.set(participants)
        for photo in cleaned_photos:
            token = secrets.token_hex(16)
            record = ActivityPhoto(activity=activity, token=token)
            record.image.save(f"{token}.jpg", photo, save=False)
            record.save()
        _event(
            compound=compound,
            actor=person,
            verb="activity_record",
            note=f"{activity.get_kind_display()} {held_on} {title}",
        )
    return activity


def _finding_due(inspected_on: dt.date, *, is_safety: bool) -> dt.datetime:
    """Rectification deadline: safety findings 3 calendar days, never extended (小区党组织服务
    承诺 第7条 "发现问题限期3日内整改"); other findings 7 days (物业管理委员会服务承诺 第3条)."""
    start = timezone.make_aware(dt.datetime.combine(inspected_on, dt.time(12, 0)))
    policy = workdays.HAZARD_3_DAYS if is_safety else workdays.PLAN_7_DAYS
    return workdays.deadline(start, policy)


def inspection_record(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    kind: str,
    inspected_on: dt.date,
    areas: Iterable[str] = (),
    summary: str = "",
    inspector: Person | None = None,
    owner_representatives: Iterable[Person] = (),
    findings: Iterable[dict] = (),
) -> Inspection:
    """Record an inspection with its findings.

    seed: 物业管理委员会服务承诺 第9条 (每月联合业主代表检查); 小区党组织服务承诺 第7条
    (每季度消防、电梯排查); 决策报告制度 第四条 (义务质量总监 定期开展监督检查).
    """
    person = _require(
        actor, "pledges.record_evidence", compound, _("You may not record evidence here.")
    )
    errors: dict[str, Any] = {}
    if kind not in Inspection.Kind.values:
        errors["kind"] = [_("Choose a kind of inspection.")]
    if not isinstance(inspected_on, dt.date):
        errors["inspected_on"] = [_("Enter a date like 2026-01-01.")]
    elif inspected_on > timezone.localdate():
        errors["inspected_on"] = [_("The date cannot be in the future.")]
    if organization.compound_id not in (None, compound.pk):
        errors["organization"] = [_("This belongs to another compound.")]
    areas = [str(a).strip()[:40] for a in areas if str(a).strip()][:20]
    reps = list(owner_representatives)
    if kind == Inspection.Kind.MONTHLY_SERVICE and not reps:
        errors["owner_representatives"] = [
            _("A monthly service inspection is done together with owner representatives.")
        ]
    if kind == Inspection.Kind.SUPERVISOR_PATROL and inspector is None:
        errors["inspector"] = [_("Name the quality supervisor who patrolled.")]
    try:
        summary = _text(summary, field="summary", required=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    finding_rows = []
    for row in findings:
        description = (row.get("description") or "").strip()
        if not description:
            continue
        if len(description) > TEXT_MAX:
            errors["findings"] = [_("A finding is too long.")]
            continue
        finding_rows.append((description, bool(row.get("is_safety"))))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            compound=compound,
            organization=organization,
            kind=kind,
            inspected_on=inspected_on,
            areas=areas,
            summary=summary,
            inspector=inspector or person,
            created_by=person,
        )
        if reps:
            inspection.owner_representatives.set(reps)
        for description, is_safety in finding_rows:
            is_safety = is_safety or kind == Inspection.Kind.QUARTERLY_SAFETY
            Finding.objects.create(
                inspection=inspection,
                description=description,
                is_safety=is_safety,
                rectify_due=_finding_due(inspected_on, is_safety=is_safety),
            )
        _event(
            compound=compound,
            actor=person,
            verb="inspection_record",
            note=f"{inspection.get_kind_display()} {inspected_on}: {len(finding_rows)}",
        )
        if finding_rows:
            company = organization_of_kind(compound=compound, kind="property_company")
            if company is not None:
                notify_organization(
                    company,
                    subject=gettext("%(count)d findings to rectify") % {"count": len(finding_rows)},
                    body="\n".join(d for d, _s in finding_rows)[:1000],
                )
    return inspection


def finding_add(
    *, actor, inspection: Inspection, description: str, is_safety: bool = False
) -> Finding:
    compound = inspection.compound
    person = _require(
        actor, "pledges.record_evidence", compound, _("You may not record evidence here.")
    )
    description = _text(description, field="description")
    is_safety = bool(is_safety) or inspection.kind == Inspection.Kind.QUARTERLY_SAFETY
    with transaction.atomic():
        finding = Finding.objects.create(
            inspection=inspection,
            description=description,
            is_safety=is_safety,
            rectify_due=_finding_due(inspection.inspected_on, is_safety=is_safety),
        )
        _event(compound=compound, actor=person, verb="finding_add", finding=finding)
    return finding


def finding_mark_fixed(*, actor, finding: Finding, proof: str, photo=None) -> Finding:
    """Record the fix of a finding with proof (整改 with 证明)."""
    compound = finding.inspection.compound
    person = _require(
        actor, "pledges.record_evidence", compound, _("You may not record evidence here.")
    )
    proof = _text(proof, field="proof")
    cleaned = None
    if photo is not None:
        from issues.photos import photos_sanitize

        try:
            cleaned = photos_sanitize([photo])[0]
        except ValidationError as exc:
            raise ValidationError(
                {"photo": [m for msgs in exc.message_dict.values() for m in msgs]}
            ) from None
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.fixed_at is not None:
            raise ValidationError(_("This finding is already marked as fixed."))
        locked.fixed_at = timezone.now()
        locked.fix_proof = proof
        if cleaned is not None:
            locked.fix_photo.save(f"{secrets.token_hex(16)}.jpg", cleaned, save=False)
        locked.save()
        late = locked.fixed_at > locked.rectify_due
        _event(
            compound=compound,
            actor=person,
            verb="finding_fixed",
            to_state="late" if late else "on_time",
            note=proof[:500],
            finding=locked,
        )
    return locked


def _hazard_category(finding: Finding):
    from issues.models import Category

    code = "elevator" if "电梯" in finding.description else "fire_safety"
    return (
        Category.objects.filter(code=code, active=True).first()
        or Category.objects.filter(safety_related=True, active=True).first()
        or Category.objects.filter(active=True).first()
    )


def finding_escalate_overdue(*, now: dt.datetime | None = None) -> list[Finding]:
    """An unfixed safety finding past its 3-day deadline becomes a complaint flagged as a
    hazard (seed: 小区党组织服务承诺 第7条 "重大隐患即时上报并全程跟踪"). Once per finding:
    the row is claimed with a compare-and-set update before the complaint is filed."""
    from issues.services import issue_submit

    now = now or timezone.now()
    escalated = []
    due = Finding.objects.filter(
        is_safety=True, fixed_at__isnull=True, escalated_at__isnull=True, rectify_due__lt=now
    ).select_related("inspection__compound", "inspection__created_by", "inspection__inspector")
    for finding in due[:200]:
        inspection = finding.inspection
        reporter = inspection.created_by or inspection.inspector
        category = _hazard_category(finding)
        if reporter is None or category is None:
            continue
        with transaction.atomic():
            claimed = Finding.objects.filter(pk=finding.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            description = gettext(
                "Safety finding of the %(kind)s on %(date)s not fixed within 3 days: %(text)s"
            ) % {
                "kind": inspection.get_kind_display(),
                "date": inspection.inspected_on.isoformat(),
                "text": finding.description,
            }
            result = issue_submit(
                actor=reporter,
                compound=inspection.compound,
                category=category,
                description=description[:2000],
                location_text=(", ".join(inspection.areas) or gettext("Common areas"))[:200],
                is_hazard=True,
                is_public=True,
            )
            Finding.objects.filter(pk=finding.pk).update(escalated_issue=result.issue)
            finding.escalated_issue = result.issue
            finding.escalated_at = now
            _event(
                compound=inspection.compound,
                actor=None,
                verb="finding_escalate",
                to_state="complaint",
                note=result.issue.tracking_number,
                finding=finding,
            )
        escalated.append(finding)
    return escalated


# --- 三诺 -----------------------------------------------------------------------


def election_create(*, actor, compound: Compound, title: str, held_on: dt.date) -> Election:
    person = _require(
        actor, "pledges.manage_candidates", compound, _("You may not manage elections here.")
    )
    title = _text(title, field="title", max_length=TITLE_MAX)
    if not isinstance(held_on, dt.date):
        raise ValidationError({"held_on": _("Enter a date like 2026-01-01.")})
    with transaction.atomic():
        election = Election.objects.create(compound=compound, title=title, held_on=held_on)
        _event(compound=compound, actor=person, verb="election_create", note=title)
    return election


def candidate_pledge_record(
    *,
    actor,
    election: Election,
    candidate: Person,
    kind: str,
    text: str,
    signed_on: dt.date,
) -> CandidatePledge:
    """Record one of a candidate's 三诺 (公示承诺制度 第四条: 遵守选举纪律的参选承诺、
    为群众办实事的服务承诺、不认真履职的辞职承诺)."""
    compound = election.compound
    person = _require(
        actor, "pledges.manage_candidates", compound, _("You may not manage elections here.")
    )
    errors: dict[str, Any] = {}
    if kind not in CandidatePledge.Kind.values:
        errors["kind"] = [_("Choose which of the three pledges this is.")]
    try:
        text = _text(text, field="text")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(signed_on, dt.date):
        errors["signed_on"] = [_("Enter a date like 2026-01-01.")]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = [_("The date cannot be in the future.")]
    if not isinstance(candidate, Person):
        errors["candidate"] = [_("Choose the candidate.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            pledge = CandidatePledge.objects.create(
                election=election, candidate=candidate, kind=kind, text=text, signed_on=signed_on
            )
            _event(
                compound=compound,
                actor=person,
                verb="candidate_pledge",
                note=f"{candidate.name} {kind}",
            )
    except IntegrityError:
        raise ValidationError({"kind": _("This candidate has already made this pledge.")}) from None
    return pledge


def candidate_pledges_publish(*, actor, election: Election) -> int:
    """Publish the candidates' 三诺 online (and post them to the disclosure board)."""
    compound = election.compound
    person = _require(
        actor, "pledges.manage_candidates", compound, _("You may not manage elections here.")
    )
    with transaction.atomic():
        pending = list(
            election.pledges.select_for_update()
            .filter(published_at__isnull=True)
            .select_related("candidate")
        )
        if not pending:
            raise ValidationError(_("There is nothing new to publish."))
        now = timezone.now()
        CandidatePledge.objects.filter(pk__in=[p.pk for p in pending]).update(published_at=now)
        party = organization_of_kind(compound=compound, kind="compound_party")
        if party is not None:
            body = "\n\n".join(
                f"{p.candidate.name}（{p.get_kind_display()}）\n{p.text}" for p in pending
            )
            evidence.publish_external(
                actor=person,
                compound=compound,
                organization=party,
                category_code="candidate_pledges",
                title=gettext("Candidates' three pledges: %(title)s") % {"title": election.title},
                body=body,
            )
        _event(
            compound=compound,
            actor=person,
            verb="candidate_pledges_publish",
            note=f"{election.title}: {len(pending)}",
            public=True,
        )
    return len(pending)


# --- 问责退出 -------------------------------------------------------------------


def _party_org(compound: Compound) -> Organization | None:
    return organization_of_kind(compound=compound, kind="compound_party")


def _case_opened(case: AccountabilityCase, actor: Person | None) -> None:
    _event(
        compound=case.compound,
        actor=actor,
        verb="case_open",
        to_state=AccountabilityCase.Status.OPEN,
        note=case.details[:500],
        case=case,
    )
    party = _party_org(case.compound)
    if party is not None:
        notify_organization(
            party,
            subject=gettext("Accountability case opened: %(name)s (%(trigger)s)")
            % {"name": case.person.name, "trigger": case.get_trigger_display()},
            body=case.details[:1000],
        )


def case_open(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    person: Person,
    trigger: str,
    details: str,
) -> AccountabilityCase:
    """Open a case by hand: a confirmed collective complaint or a broken pledge
    (物业管理委员会服务承诺 第10条 "履职不力导致业主集体投诉并经核查属实；违反参选承诺")."""
    reviewer = _require(
        actor, "pledges.review_case", compound, _("You may not open accountability cases here.")
    )
    errors: dict[str, Any] = {}
    if trigger not in AccountabilityCase.MANUAL_TRIGGERS:
        errors["trigger"] = [_("Choose a confirmed collective complaint or a broken pledge.")]
    try:
        details = _text(details, field="details")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if organization.compound_id != compound.pk:
        errors["organization"] = [_("This belongs to another compound.")]
    elif not Membership.objects.filter(organization=organization, person=person).exists():
        errors["person"] = [_("This person is not a member of the organization.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = AccountabilityCase.objects.create(
            compound=compound,
            organization=organization,
            person=person,
            trigger=trigger,
            details=details,
            opened_by=reviewer,
        )
        _case_opened(case, reviewer)
    return case


def case_decide(
    *, actor, case: AccountabilityCase, outcome: str, reasons: str
) -> AccountabilityCase:
    """The compound party organization decides: resigned / warned / no action, with reasons."""
    reviewer = _require(
        actor, "pledges.review_case", case.compound, _("You may not decide this case.")
    )
    if outcome not in AccountabilityCase.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    reasons = _text(reasons, field="reasons")
    with transaction.atomic():
        locked = AccountabilityCase.objects.select_for_update().get(pk=case.pk)
        if AccountabilityCase.Status.DECIDED not in AccountabilityCase.TRANSITIONS[locked.status]:
            raise ValidationError(_("This case has already been decided."))
        locked.status = AccountabilityCase.Status.DECIDED
        locked.outcome = outcome
        locked.reasons = reasons
        locked.decided_by = reviewer
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "outcome", "reasons", "decided_by", "decided_at"])
        _event(
            compound=locked.compound,
            actor=reviewer,
            verb="case_decide",
            from_state=AccountabilityCase.Status.OPEN,
            to_state=outcome,
            note=reasons[:1000],
            case=locked,
        )
        notify_organization(
            locked.organization,
            subject=gettext("Accountability case decided: %(outcome)s")
            % {"outcome": locked.get_outcome_display()},
            body=reasons[:1000],
        )
    return locked


def accountability_scan_absences(*, now: dt.datetime | None = None) -> list[AccountabilityCase]:
    """Open a case for each PMC member with 3 consecutive unexcused absences at work meetings,
    exactly once per streak (物业管理委员会服务承诺 第10条 "连续3次无故缺席工作会议").

    A case follows its streak (``streak_live``, ``streak_length``); when a later scan sees the
    streak shorter or gone, the member attended and the streak ended, so a future streak
    opens a new case. A partial unique index makes a second case for a live streak impossible.
    """
    now = now or timezone.now()
    opened: list[AccountabilityCase] = []
    compounds = Compound.objects.filter(
        pk__in=Organization.objects.filter(kind="pmc", compound__isnull=False).values("compound")
    )
    for compound in compounds:
        streaks = evidence.absence_streaks(compound=compound, organization_kind="pmc")
        if streaks is None:
            continue
        current = {
            (s.organization.pk, s.person.pk): s for s in streaks if s.consecutive_unexcused > 0
        }
        live = {
            (c.organization_id, c.person_id): c
            for c in AccountabilityCase.objects.filter(
                compound=compound, trigger=AccountabilityCase.Trigger.ABSENCES, streak_live=True
            )
        }
        for key, case in live.items():
            streak = current.get(key)
            if streak is None or streak.consecutive_unexcused < case.streak_length:
                AccountabilityCase.objects.filter(pk=case.pk).update(streak_live=False)
            elif streak.consecutive_unexcused > case.streak_length:
                AccountabilityCase.objects.filter(pk=case.pk).update(
                    streak_length=streak.consecutive_unexcused
                )
        for key, streak in current.items():
            if streak.consecutive_unexcused < ABSENCE_LIMIT:
                continue
            case = live.get(key)
            if case is not None and streak.consecutive_unexcused >= case.streak_length:
                continue
            last = streak.last_meeting
            details = gettext(
                "%(name)s missed %(count)d work meetings in a row without excuse "
                "(last: %(meeting)s)."
            ) % {
                "name": streak.person.name,
                "count": streak.consecutive_unexcused,
                "meeting": str(last) if last is not None else "-",
            }
            try:
                with transaction.atomic():
                    case = AccountabilityCase.objects.create(
                        compound=compound,
                        organization=streak.organization,
                        person=streak.person,
                        trigger=AccountabilityCase.Trigger.ABSENCES,
                        details=details,
                        figures={
                            "consecutive_unexcused": streak.consecutive_unexcused,
                            "last_meeting": getattr(last, "pk", None),
                        },
                        streak_live=True,
                        streak_length=streak.consecutive_unexcused,
                        opened_at=now,
                    )
                    _case_opened(case, None)
            except IntegrityError:
                continue  # another scan opened it first
            opened.append(case)
    return opened


def accountability_open_for_low_satisfaction(
    *,
    compound: Compound,
    organization: Organization,
    person: Person,
    year: int,
    satisfaction: float,
    threshold: float = SATISFACTION_THRESHOLD,
) -> AccountabilityCase | None:
    """Called by the evaluations module with a member's annual satisfaction (%): below the
    threshold opens one case per member and year (物业管理委员会服务承诺 第4条 "满意度低于
    60%的委员主动辞职"). Returns the case, or None when the score is at or above it."""
    try:
        satisfaction = float(satisfaction)
    except (TypeError, ValueError):
        raise ValidationError({"satisfaction": _("Enter a percentage.")}) from None
    if not 0 <= satisfaction <= 100:
        raise ValidationError({"satisfaction": _("Enter a percentage between 0 and 100.")})
    if satisfaction >= threshold:
        return None
    key = f"satisfaction:{organization.pk}:{int(year)}"
    existing = AccountabilityCase.objects.filter(
        compound=compound, person=person, trigger_key=key
    ).first()
    if existing is not None:
        return existing
    details = gettext(
        "Satisfaction of %(name)s in the %(year)d evaluation: %(value)s %% (below %(limit)s %%)."
    ) % {
        "name": person.name,
        "year": int(year),
        "value": f"{satisfaction:g}",
        "limit": f"{threshold:g}",
    }
    try:
        with transaction.atomic():
            case = AccountabilityCase.objects.create(
                compound=compound,
                organization=organization,
                person=person,
                trigger=AccountabilityCase.Trigger.LOW_SATISFACTION,
                trigger_key=key,
                details=details,
                figures={"satisfaction": satisfaction, "threshold": threshold, "year": year},
            )
            _case_opened(case, None)
    except IntegrityError:
        return AccountabilityCase.objects.get(compound=compound, person=person, trigger_key=key)
    return case


def pledges_evaluate(*, at: dt.datetime | None = None):
    """Run the compliance engine for every compound (beat task and the command)."""
    from .engine import evaluate

    return evaluate(at=at)


def pledges_evaluate_compound(*, compound_id: int):
    """Re-run the compliance engine for one compound, now.

    Called after a meeting of the compound is recorded or changes state, so the pledge
    board's "定期联席会议 已完成 N 次" agrees with the dashboard's "本月已召开联席会议" the
    moment the meeting is held, not at the next hourly run (issue 13 item 7; seed:
    小区党组织服务承诺 第1条). Idempotent: the engine never rewrites final results and
    sends each alarm once.
    """
    from .engine import evaluate

    return evaluate(compounds=Compound.objects.filter(pk=compound_id))
