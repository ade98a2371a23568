"""Provisioning: a compound's obligations instantiated from the templates in force.

seed: 小区党组织服务承诺 and 物业管理委员会服务承诺 (the two letters with their measured
items), 公示承诺制度 第一—四条 (who publishes what, at which cadence). Provisioning is
idempotent (a second or late run fills only what is missing) and never fails on a
compound that is not complete yet: an obligation whose body is missing (no PMC, no
property company) stays pending and shows on the setup checklist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huashan.core.state import record_event
from huashan.directory.models import Compound, Membership, Organization
from huashan.directory.selectors import organization_of_kind
from huashan.periods import add_months

from . import templates
from .models import ObligationTemplate, ProvisioningEvent, ProvisioningRun

Kind = Organization.Kind
Role = Membership.Role

#: Roles that make up the PMC's elected body (its term).
PMC_TERM_ROLES = (Role.CHAIR, Role.MEMBER, Role.SECRETARY)
UNKNOWN = "（未登记）"


@dataclass
class ProvisionResult:
    compound: Compound
    year: int
    letters_created: list[str] = field(default_factory=list)
    items_created: int = 0
    items_updated: int = 0
    schedules_created: int = 0
    schedules_retired: int = 0
    campaign_created: bool = False
    pending: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.letters_created
            or self.items_created
            or self.items_updated
            or self.schedules_created
            or self.schedules_retired
        )


# --- directory facts ------------------------------------------------------------------


def pmc_term_start(compound: Compound, *, on: dt.date | None = None) -> dt.date | None:
    """Start of the PMC's current term: the earliest start among its current members.

    seed: 物业管理委员会服务承诺 第7条 "上任3个月内" counts from taking office, which the
    directory records as ``Membership.start`` (not 1 January).
    """
    pmc = organization_of_kind(compound=compound, kind=Kind.PMC)
    if pmc is None:
        return None
    starts = (
        Membership.objects.current(on)
        .filter(organization=pmc, role__in=PMC_TERM_ROLES)
        .order_by("start")
        .values_list("start", flat=True)
    )
    return starts.first()


def term_window(start: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """(first day, last day) of "上任N个月内": elected 2026-05-10, 3 months → until
    2026-08-10 24:00 (the same day number N months later, that day included)."""
    return start, add_months(start, months)


def _local_phone(phone: str) -> str:
    return phone.split("-")[-1] if phone else ""


def placeholders(compound: Compound) -> dict[str, str]:
    """Values of the letter placeholders (see ``seed.PLACEHOLDERS``) from the directory."""
    party = organization_of_kind(compound=compound, kind=Kind.COMPOUND_PARTY)
    pmc = organization_of_kind(compound=compound, kind=Kind.PMC)
    community_party = organization_of_kind(compound=compound, kind=Kind.COMMUNITY_PARTY)
    party_phone = party.phone if party is not None else ""
    return {
        "{community}": compound.community.name,
        "{compound}": compound.name,
        "{community_party_name}": community_party.name if community_party else "",
        "{party_phone}": party_phone or UNKNOWN,
        "{party_phone_local}": _local_phone(party_phone) or UNKNOWN,
        "{pmc_phone}": (pmc.phone if pmc is not None and pmc.phone else UNKNOWN),
    }


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


# --- letters --------------------------------------------------------------------------


def _term_params(params: dict, *, year: int, term_start: dt.date | None, earlier_letter: bool):
    """Params of a "上任N个月内" item and whether it is measured in ``year``'s letter."""
    params = dict(params)
    months = int(params.pop("months"))
    if term_start is None:
        params["start"] = f"{year}-01-01"
        params["due"] = add_months(dt.date(year, 1, 1), months).isoformat()
        return params, False
    start, due = term_window(term_start, months)
    params["start"], params["due"] = start.isoformat(), due.isoformat()
    measured = term_start.year == year or (
        due.year >= year > term_start.year and not earlier_letter
    )
    return params, measured


def _item_fields(item: dict, *, year: int, term_start, earlier_letter: bool, values) -> dict:
    from pledges.letters import letter_params
    from pledges.services import params_clean

    raw = dict(item["params"])
    active = True
    if _uses_term(item):
        raw, active = _term_params(
            raw, year=year, term_start=term_start, earlier_letter=earlier_letter
        )
    raw = letter_params(raw, year=year)
    return {
        "number": item["number"],
        "section": item["section"],
        "heading": item["heading"],
        "text": _fill(item["text"], values),
        "rule_kind": item["rule_kind"],
        "params": params_clean(rule_kind=item["rule_kind"], params=raw),
        "warn_lead_days": item["warn_lead_days"],
        "active": active,
    }


def _uses_term(item: dict) -> bool:
    return item["params"].get("start") == "{term_start}"


def _provision_letter(compound, organization, spec, year, result, values) -> None:
    from pledges.models import PledgeItem, PledgeLetter

    term_start = pmc_term_start(compound) if organization.kind == Kind.PMC else None
    earlier = (
        term_start is not None
        and term_start.year < year
        and PledgeLetter.objects.filter(organization=organization, year=term_start.year).exists()
    )
    letter = PledgeLetter.objects.filter(organization=organization, year=year).first()
    if letter is None:
        letter = PledgeLetter.objects.create(
            compound=compound,
            organization=organization,
            year=year,
            title=_fill(spec["title"], values),
            letterhead=_fill(spec["letterhead"], values),
            preamble=_fill(spec["preamble"], values),
            closing=_fill(spec["closing"], values),
        )
        for position, item in enumerate(spec["items"], start=1):
            fields = _item_fields(
                item, year=year, term_start=term_start, earlier_letter=earlier, values=values
            )
            PledgeItem.objects.create(letter=letter, position=position * 10, **fields)
            result.items_created += 1
        result.letters_created.append(organization.kind)
    else:
        # The only part of a letter that follows the directory: the PMC's term start.
        for item in spec["items"]:
            if not _uses_term(item):
                continue
            row = letter.items.filter(number=item["number"]).first()
            if row is None or row.results.filter(final=True).exists():
                continue
            fields = _item_fields(
                item, year=year, term_start=term_start, earlier_letter=earlier, values=values
            )
            if row.params != fields["params"] or row.active != fields["active"]:
                row.params, row.active = fields["params"], fields["active"]
                row.save(update_fields=["params", "active", "updated_at"])
                result.items_updated += 1
    if organization.kind == Kind.PMC and term_start is None:
        result.pending.append("pmc_term")


# --- schedules ------------------------------------------------------------------------


def _provision_schedules(compound, year, starts_on, result) -> None:
    from disclosures.models import Category, Schedule

    specs = templates.schedule_specs(year)
    categories = {c.code: c for c in Category.objects.filter(code__in={s[2] for s in specs})}
    wanted: set[tuple[int, int, str]] = set()
    for _code, kind, category_code, cadence, article in specs:
        organization = organization_of_kind(compound=compound, kind=kind)
        if organization is None:
            if kind not in result.pending:
                result.pending.append(kind)
            continue
        category = categories.get(category_code)
        if category is None:
            continue
        wanted.add((organization.pk, category.pk, cadence))
        schedule, created = Schedule.objects.get_or_create(
            organization=organization,
            category=category,
            cadence=cadence,
            defaults={"compound": compound, "seed_article": article, "starts_on": starts_on},
        )
        if created:
            result.schedules_created += 1
        elif not schedule.active:
            schedule.active = True
            schedule.starts_on = max(schedule.starts_on, starts_on)
            schedule.save(update_fields=["active", "starts_on"])
            result.schedules_created += 1
    # A schedule made from a template version that is no longer in force for this year
    # stops (its past periods keep their disclosures; the new version's schedule starts
    # this year). Schedules that no template ever described are left alone.
    ever = {
        (b["organization_kind"], b["category"], b["cadence"])
        for b in ObligationTemplate.objects.filter(
            kind=ObligationTemplate.Kind.DISCLOSURE_SCHEDULE
        ).values_list("body", flat=True)
    }
    for schedule in Schedule.objects.filter(compound=compound, active=True).select_related(
        "organization", "category"
    ):
        key = (schedule.organization_id, schedule.category_id, schedule.cadence)
        described = (schedule.organization.kind, schedule.category.code, schedule.cadence)
        if key not in wanted and described in ever:
            schedule.active = False
            schedule.save(update_fields=["active"])
            result.schedules_retired += 1


# --- the service ----------------------------------------------------------------------


def provision_compound(
    *,
    compound: Compound,
    year: int,
    actor=None,
    starts_on: dt.date | None = None,
    verb: str = "provision",
) -> ProvisionResult:
    """Instantiate every obligation of ``year`` for ``compound`` from the templates in force.

    Idempotent: letters are unique per organization and year, schedules per
    organization × category × cadence, and a :class:`ProvisioningRun` row per
    compound and year serializes concurrent runs. A second run only fills what
    appeared since (a PMC elected, a property company registered).
    """
    year = int(year)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    starts_on = starts_on or dt.date(year, 1, 1)
    result = ProvisionResult(compound=compound, year=year)
    with transaction.atomic():
        run, _created = ProvisioningRun.objects.get_or_create(compound=compound, year=year)
        run = ProvisioningRun.objects.select_for_update().get(pk=run.pk)
        values = placeholders(compound)
        for kind in (Kind.COMPOUND_PARTY, Kind.PMC):
            organization = organization_of_kind(compound=compound, kind=kind)
            if organization is None:
                result.pending.append(kind)
                continue
            spec = templates.letter_spec(kind, year)
            if spec is not None:
                _provision_letter(compound, organization, spec, year, result, values)
        _provision_schedules(compound, year, starts_on, result)
        run.updated_at = timezone.now()
        run.summary = {
            "letters_created": result.letters_created,
            "items_created": result.items_created,
            "schedules_created": result.schedules_created,
            "pending": result.pending,
        }
        run.save(update_fields=["updated_at", "summary"])
        if result.changed:
            record_event(
                ProvisioningEvent,
                actor=actor,
                verb=verb,
                compound=compound,
                note=(
                    f"{year}: letters {len(result.letters_created)}, items "
                    f"{result.items_created}/{result.items_updated}, schedules "
                    f"{result.schedules_created}"
                ),
            )
    return result


def rollover(*, today: dt.date | None = None) -> list[ProvisionResult]:
    """1 January: each compound gets this year's letters, schedules and evaluation campaign
    draft (idempotent).

    Run by the beat task :func:`provisioning.tasks.year_rollover` and by the command
    ``provision_year``. A run on 1 January, later in January, or twice gives the
    same rows; last year's letters and their results are not touched.
    """
    from evaluations.services.templates import campaign_draft_from_templates

    today = today or timezone.localdate()
    results = []
    for compound in Compound.objects.select_related("community").order_by("pk"):
        result = provision_compound(compound=compound, year=today.year, verb="rollover")
        # 评议监督考核制度 第一条: the year's campaign, drafted from the street's standard.
        result.campaign_created = (
            campaign_draft_from_templates(compound=compound, year=today.year) is not None
        )
        results.append(result)
    return results


# --- template changes -----------------------------------------------------------------


def may_edit_template(actor, template: ObligationTemplate) -> bool:
    """The street edits the evaluation standard and the deadline policies; the community
    party organization (or the street) the letters, schedules and joint-meeting schedule."""
    from huashan.directory.rules import active_person_pk

    if getattr(actor, "is_superuser", False) and getattr(actor, "is_active", False):
        return True
    if active_person_pk(actor) is None:
        return False
    kinds = (
        {Kind.STREET_OFFICE}
        if template.editor == ObligationTemplate.Editor.STREET
        else {Kind.STREET_OFFICE, Kind.COMMUNITY_PARTY}
    )
    return (
        Membership.objects.current()
        .filter(
            person_id=actor.pk,
            organization__kind__in=kinds,
            role__in=(Role.SECRETARY, Role.CHAIR, Role.STAFF),
        )
        .exists()
    )


def _check_body(template: ObligationTemplate, body) -> dict:
    if not isinstance(body, dict):
        raise ValidationError({"body": _("The content of a template must be an object.")})
    if template.kind == ObligationTemplate.Kind.PLEDGE_LETTER:
        from pledges.services import params_clean

        items = body.get("items")
        if not isinstance(items, list) or not items:
            raise ValidationError({"body": _("A letter needs at least one item.")})
        for item in items:
            if not isinstance(item, dict) or "params" not in item or "rule_kind" not in item:
                raise ValidationError({"body": _("Each item needs a rule and its parameters.")})
            params = dict(item["params"])
            if params.get("start") == "{term_start}":
                params["start"] = "2000-01-01"
            params_clean(rule_kind=item["rule_kind"], params=params)
    elif template.kind == ObligationTemplate.Kind.DISCLOSURE_SCHEDULE:
        from disclosures.models import Cadence, Category

        if body.get("cadence") not in Cadence.values:
            raise ValidationError({"body": _("Choose monthly, quarterly, half-yearly or yearly.")})
        if not Category.objects.filter(code=body.get("category")).exists():
            raise ValidationError({"body": _("Unknown disclosure category.")})
        if body.get("organization_kind") not in Kind.values:
            raise ValidationError({"body": _("Unknown organization.")})
    return body


def template_revise(
    *, actor, template: ObligationTemplate, body: dict, valid_from: int, note: str = ""
) -> ObligationTemplate:
    """Change a template: a new version from ``valid_from`` on; the old one keeps its years.

    seed: 评议监督考核制度 第三条 "民主测评标准由街道统一制定" (evaluation criteria and
    deadline policies: the street only); the community party organization adapts the
    letters and schedules. A change that would alter a year already measured (the
    current year or earlier) is refused: it applies from next year.
    """
    from huashan.core.state import clean_text

    if not may_edit_template(actor, template):
        raise PermissionDenied(_("You may not change this template."))
    this_year = timezone.localdate().year
    try:
        valid_from = int(valid_from)
    except (TypeError, ValueError):
        raise ValidationError({"valid_from": _("Enter a year like 2027.")}) from None
    if valid_from <= this_year:
        raise ValidationError(
            {
                "valid_from": _(
                    "Periods of %(year)d are already being measured; "
                    "a change applies from %(next)d on."
                )
                % {"year": this_year, "next": this_year + 1}
            }
        )
    if valid_from > this_year + 5:
        raise ValidationError({"valid_from": _("Enter a year within the next five years.")})
    note = clean_text(note, field="note", max_length=500, required=True, min_length=4)
    body = _check_body(template, body)
    with transaction.atomic():
        latest = (
            ObligationTemplate.objects.select_for_update()
            .filter(code=template.code)
            .order_by("-version")
            .first()
        )
        if latest.valid_from >= valid_from and latest.version > 1:
            # Replace a not-yet-applied future version rather than stacking another.
            if latest.valid_from == valid_from:
                latest.body, latest.note, latest.created_by = body, note, actor
                latest.save(update_fields=["body", "note", "created_by"])
                record_event(
                    ProvisioningEvent,
                    actor=actor,
                    verb="template_revise",
                    template=latest,
                    note=note,
                )
                return latest
            raise ValidationError(
                {
                    "valid_from": _("A later version already exists from %(year)d.")
                    % {"year": latest.valid_from}
                }
            )
        new = ObligationTemplate.objects.create(
            kind=latest.kind,
            code=latest.code,
            version=latest.version + 1,
            valid_from=valid_from,
            article=latest.article,
            title=latest.title,
            quote=latest.quote,
            body=body,
            editor=latest.editor,
            note=note,
            created_by=actor,
        )
        record_event(
            ProvisioningEvent, actor=actor, verb="template_revise", template=new, note=note
        )
    return new
