"""Rule parameters of pledge items: validating them in plain words."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from huashan.periods import add_months

from ..models import (
    Activity,
    Inspection,
    RuleKind,
)
from .common import CLOCKS, MEETING_KINDS, PERIOD_MONTHS, RATE_MEASURES, TITLE_MAX, _text

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


def _clean_count_per_period(params: dict, errors: list) -> dict:
    clean: dict[str, Any] = {}
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
        clean["kinds"] = _choices(params, "kinds", kinds_by_source[source], errors, label=_("kind"))
    clean["min_count"] = _int(params, "min_count", errors, minimum=1, label=_("The count"))
    per_member = bool(params.get("per_member", False))
    if per_member and source != "activity":
        errors.append(_("“Each member” can only be counted for activities."))
    clean["per_member"] = per_member
    # 小区党组织服务承诺 第7条 "消防、电梯等设施的全面排查": a period counts only if its
    # inspections covered every area of pledges.models.REQUIRED_SAFETY_AREAS (the one list).
    required = params.get("require_safety_areas", False)
    if not isinstance(required, bool):
        errors.append(_("Whether the safety areas are required is true or false."))
    elif required:
        if source != "inspection":
            errors.append(_("The areas checked can only be required of inspections."))
        clean["require_safety_areas"] = True
    return clean


def _clean_deadline_rate(params: dict, errors: list) -> dict:
    return {
        "clocks": _choices(params, "clocks", CLOCKS, errors, label=_("deadline")),
        "threshold": _threshold(params, errors),
    }


def _clean_disclosure_on_time(params: dict, errors: list) -> dict:
    clean: dict[str, Any] = {}
    categories = params.get("categories")
    if isinstance(categories, str):
        categories = [c.strip() for c in categories.split(",") if c.strip()]
    if not isinstance(categories, list) or not categories:
        errors.append(_("Choose at least one disclosure category."))
    else:
        clean["categories"] = [str(c)[:40] for c in categories]
    clean["threshold"] = _threshold(params, errors, default=100)
    return clean


def _clean_rate_threshold(params: dict, errors: list) -> dict:
    clean: dict[str, Any] = {}
    if params.get("measure") not in RATE_MEASURES:
        errors.append(_("Choose what rate is measured."))
    else:
        clean["measure"] = params["measure"]
    clean["inspection_kinds"] = _choices(
        params, "inspection_kinds", Inspection.Kind.values, errors, label=_("inspection kind")
    )
    clean["threshold"] = _threshold(params, errors)
    return clean


def _clean_one_off_by_date(params: dict, errors: list) -> dict:
    clean: dict[str, Any] = {}
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
    return clean


def _clean_evaluation_threshold(params: dict, errors: list) -> dict:
    return {"threshold": _threshold(params, errors)}


#: rule kind -> the cleaner of its own parameters (the period and the label are common).
_CLEANERS = {
    RuleKind.COUNT_PER_PERIOD: _clean_count_per_period,
    RuleKind.DEADLINE_RATE: _clean_deadline_rate,
    RuleKind.DISCLOSURE_ON_TIME: _clean_disclosure_on_time,
    RuleKind.RATE_THRESHOLD: _clean_rate_threshold,
    RuleKind.ONE_OFF_BY_DATE: _clean_one_off_by_date,
    RuleKind.EVALUATION_THRESHOLD: _clean_evaluation_threshold,
}


def _clean_also(params: dict, errors: list) -> list:
    """The additional measures (``params["also"]``), each cleaned like a main rule."""
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
    return cleaned_also


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
    cleaner = _CLEANERS.get(rule_kind)
    if cleaner is not None:
        clean.update(cleaner(params, errors))
    if not nested:
        cleaned_also = _clean_also(params, errors)
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
