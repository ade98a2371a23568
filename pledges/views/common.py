"""Helpers of the pledge pages: the compound and year asked for, form errors, and the
sentences made of the compliance engine's figures."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from huashan.core.web import compound_from_request as _compound  # noqa: F401 (views import it)
from huashan.core.web import form_add_service_error
from huashan.directory.models import Organization, Person
from huashan.directory.selectors import compound_organizations
from issues.pledge_evidence import CLOCK_LABELS as _CLOCK_LABELS
from issues.pledge_evidence import POPULATIONS

from .. import services
from ..models import (
    InspectionArea,
    PledgeItem,
    ResultStatus,
    RuleKind,
)

STAFF_LIST_SIZE = 100
PDF_MAX_AGE = dt.timedelta(hours=6)
PDF_QUEUE_SECONDS = 120

logger = logging.getLogger("pledges.views")

STATUS_CLASSES = {
    ResultStatus.MET: "badge-success",
    ResultStatus.ON_TRACK: "badge-muted",
    ResultStatus.AT_RISK: "badge-warning",
    ResultStatus.MISSED: "badge-error",
    ResultStatus.NOT_YET_DUE: "badge-muted",
    ResultStatus.ATTESTED: "badge-success",
}

# The numbers come from their one source (issues.pledge_evidence → huashan.workdays).
CLOCK_LABELS = _CLOCK_LABELS


# --- helpers -----------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _apply_validation_error(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form; its ``params`` belong to the ``extra`` field."""
    form_add_service_error(
        form, exc, aliases={"params": "extra"} if "extra" in form.fields else None
    )


def _require_staff(request: HttpRequest, compound) -> None:
    if not request.user.has_perm("directory.view_staff_pages", compound):
        raise PermissionDenied(gettext("These pages are for the staff of this compound."))


def _with_compound(name: str, compound, *args) -> str:
    return f"{reverse(name, args=args)}?compound={compound.slug}"


def _organizations(compound):
    return compound_organizations(compound=compound).order_by("kind", "name", "pk")


def _letter_organizations(user, compound) -> list[int]:
    """Organizations of the compound this user may write letters for."""
    return [
        org.pk
        for org in Organization.objects.filter(compound=compound).order_by("kind", "pk")
        if user.has_perm("pledges.manage_letter", org)
    ]


def _people(compound):
    """People who hold (or held) a seat in an organization acting for the compound, or live
    there: the participants, inspectors, candidates and members staff may choose from."""
    orgs = compound_organizations(compound=compound).values("pk")
    return (
        Person.objects.filter(is_active=True)
        .filter(memberships__organization__in=orgs)
        .distinct()
        .order_by("name", "pk")
    )


def _members(compound):
    """People with a membership in a compound organization (accountability cases)."""
    return (
        Person.objects.filter(memberships__organization__compound=compound)
        .distinct()
        .order_by("name", "pk")
    )


def _percent(value) -> str:
    if value is None:
        return "—"
    return f"{float(value):g} %"


def _count_sentence(f: dict) -> str:
    """ "2 done, at least 1 promised", and the required areas a period's inspections did not
    cover, by name (小区党组织服务承诺 第7条 "消防、电梯等设施的全面排查")."""
    sentence = gettext("%(count)s done, at least %(target)s promised.") % {
        "count": f.get("count", 0),
        "target": f.get("target", "?"),
    }
    if f.get("uncovered"):
        labels = dict(InspectionArea.choices)
        sentence += " " + gettext("Not counted: nothing covered %(areas)s.") % {
            "areas": "、".join(str(labels.get(code, "")) for code in f["uncovered"])
        }
    return sentence


def figures_summary(rule_kind: str, figures: dict) -> str:
    """The numbers of a period result in one plain sentence (no personal data)."""
    f = figures or {}
    if f.get("source_unavailable"):
        return gettext("Evidence not available yet.")
    if rule_kind in (RuleKind.COUNT_PER_PERIOD, RuleKind.ONE_OFF_BY_DATE):
        if "members" in f:
            return gettext("%(done)s of %(members)s members did it at least %(target)s times.") % {
                "done": f.get("members_met", 0),
                "members": f.get("members", 0),
                "target": f.get("target", "?"),
            }
        return _count_sentence(f)
    if rule_kind == RuleKind.DEADLINE_RATE:
        parts = []
        for clock, label in CLOCK_LABELS.items():
            share = f.get(clock)
            if isinstance(share, dict):
                parts.append(
                    gettext("%(label)s: %(in_time)s of %(decided)s (%(percent)s)")
                    % {
                        "label": label,
                        "in_time": share.get("in_time", 0),
                        "decided": share.get("decided", 0),
                        "percent": _percent(share.get("percent")),
                    }
                )
        parts.append(gettext("threshold %(t)s") % {"t": _percent(f.get("threshold"))})
        # Who each share counts (issue 18: the population is said where the rate is shown).
        counted = [str(POPULATIONS[c]) for c in CLOCK_LABELS if isinstance(f.get(c), dict)]
        return "; ".join(parts) + ("。" + " ".join(counted) if counted else "")
    if rule_kind == RuleKind.DISCLOSURE_ON_TIME:
        if f.get("no_schedule"):
            return gettext("No disclosure was due in this period.")
        return gettext(
            "%(on_time)s of %(scheduled)s disclosures on time, %(late)s late, "
            "%(missing)s missing (threshold %(t)s)."
        ) % {
            "on_time": f.get("on_time", 0),
            "scheduled": f.get("scheduled", 0),
            "late": f.get("late", 0),
            "missing": f.get("missing", 0),
            "t": _percent(f.get("threshold")),
        }
    if rule_kind == RuleKind.RATE_THRESHOLD:
        return gettext(
            "%(ok)s of %(decided)s findings rectified (%(percent)s, threshold %(t)s); "
            "%(pending)s still within their deadline."
        ) % {
            "ok": f.get("ok", 0),
            "decided": f.get("decided", 0),
            "percent": _percent(f.get("percent")),
            "t": _percent(f.get("threshold")),
            "pending": f.get("pending", 0),
        }
    if rule_kind == RuleKind.EVALUATION_THRESHOLD:
        return gettext("Satisfaction %(percent)s (threshold %(t)s).") % {
            "percent": _percent(f.get("percent")),
            "t": _percent(f.get("threshold")),
        }
    if rule_kind == RuleKind.ATTESTED:
        if f.get("judgement") == "met":
            return gettext("Judged kept by a reviewer.")
        if f.get("judgement") == "missed":
            return gettext("Judged not kept by a reviewer.")
        return gettext("Waiting for a reviewer's judgement.")
    return ""


def _rule_kind_of(result, item: PledgeItem) -> str:
    if getattr(result, "measure", 0):
        for index, kind, _params in services.measures_of(item):
            if index == result.measure:
                return kind
    return item.rule_kind


def _decorate(result, item: PledgeItem, names: dict | None = None) -> Any:
    """Attach the badge class and a sentence of figures to a period result."""
    if result is None:
        return None
    result.badge_class = STATUS_CLASSES.get(result.status, "")
    result.sentence = figures_summary(_rule_kind_of(result, item), result.figures)
    result.links = _evidence_links(result.evidence or [], item.letter.compound, names)
    return result


def _disclosure_category_names(results) -> dict:
    """Category code -> name for the disclosure evidence of ``results`` (one query, and
    only when a result cites a disclosure): the engine stores the code, a page shows the
    name — "公共收益收支明细", never ``public_revenue`` (issue 13 item 8)."""
    cites = any(
        isinstance(ref, dict) and ref.get("kind") == "disclosure"
        for result in results
        if result is not None
        for ref in (result.evidence or [])
    )
    if not cites:
        return {}
    from disclosures.selectors import categories

    return {c.code: c.name for c in categories().only("code", "name")}


def _evidence_links(evidence: list, compound, names: dict | None = None) -> list[dict]:
    """Public links for the engine's evidence references (no personal data behind them)."""
    names = names or {}
    links = []
    for ref in evidence[:20]:
        if not isinstance(ref, dict):
            continue
        kind, pk = ref.get("kind"), ref.get("id")
        label = ref.get("label") or ref.get("date") or ""
        url = ""
        if kind == "activity" and pk:
            url = _with_compound("pledges:activity", compound, pk)
            label = label or gettext("Activity")
        elif kind == "inspection" and pk:
            url = _with_compound("pledges:inspection", compound, pk)
            label = gettext("Inspection %(date)s") % {"date": ref.get("date", "")}
        elif kind == "findings":
            url = _with_compound("pledges:evidence", compound)
            label = gettext("Inspections and findings")
        elif kind in ("complaints", "complaint"):
            url = f"{reverse('issues:board')}?compound={compound.slug}"
            label = label if kind == "complaint" else pgettext("link", "Complaint board")
        elif kind == "disclosure":
            try:
                url = (
                    reverse("disclosures:detail", args=[pk])
                    if pk
                    else reverse("disclosures:board") + f"?compound={compound.slug}"
                )
            except Exception:  # disclosures not routed yet
                url = ""
            # The engine stores the category code; show its name, never the code.
            label = names.get(ref.get("label"), "") or gettext("Disclosure")
        elif kind == "attestation":
            label = gettext("Reviewer's judgement")
        if label:
            links.append({"label": str(label)[:80], "url": url})
    return links


def _item_rows(statuses) -> list:
    rows = []
    names = _disclosure_category_names(r for status in statuses for r in status.results)
    for status in statuses:
        item = status.item
        status.current = _decorate(status.current, item, names)
        status.measures = [_decorate(r, item, names) for r in status.measures]
        status.history = [_decorate(r, item, names) for r in status.results]
        rows.append(status)
    return rows
