"""Safety inspections: the areas checked and major hazards reported at once.

seed: 小区党组织服务承诺 第7条 (安全隐患“零容忍”: "督促物业每季度开展消防、电梯等设施的
全面排查，发现问题限期3日内整改，重大隐患即时上报并全程跟踪").

A major finding is not reported by a second mechanism of our own: it becomes a hazard
complaint filed through ``issues.services.issue_submit`` and marked major through
``issues.services.tiers.issue_set_hazard``, which reports it at once to the community
party organization and the street (``MAJOR_HAZARD_REPORT_KINDS``), who follow it to
closure, exactly like a major hazard a resident reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Compound, Person

from ..models import REQUIRED_SAFETY_AREAS, Finding, Inspection, InspectionArea
from .common import _event

A = InspectionArea
#: Words of the free-text areas recorded before the areas were fixed choices (and of
#: callers still sending words), read as the fixed areas; anything else is "other".
AREA_WORDS = (
    (A.FIRE, ("消防", "灭火", "烟感", "喷淋", "fire")),
    (A.ELEVATOR, ("电梯", "elevator", "lift")),
    (A.WATER_POWER, ("供水", "供电", "水电", "配电", "水泵", "二次供水")),
    (A.GAS, ("燃气", "煤气", "天然气", "gas")),
    (A.STAIRWELLS, ("楼道", "通道", "安全出口", "疏散", "stair")),
)
OTHER_MAX = 200


def areas_clean(areas: Iterable[str], other: str = "") -> tuple[list[str], str]:
    """The area codes checked (fixed order, each once) and the text of "other".

    A code is taken as it is; a word is read through :data:`AREA_WORDS`; a word that
    names none of the areas is kept, in ``other``, so nothing typed is lost.
    """
    codes: set[str] = set()
    others: list[str] = []
    for raw in areas:
        text = str(raw).strip()[:40]
        if not text:
            continue
        if text in A.values:
            codes.add(text)
            continue
        matched = [code for code, words in AREA_WORDS if any(w in text.lower() for w in words)]
        if matched:
            codes.update(matched)
        else:
            others.append(text)
    other = "、".join([*others, str(other or "").strip()]).strip("、 ")[:OTHER_MAX]
    if other:
        codes.add(A.OTHER)
    elif A.OTHER in codes:
        raise ValidationError({"areas_other": [_("Say which other area was checked.")]})
    return [code for code in A.values if code in codes], other


def safety_areas_uncovered(
    inspections: Iterable[Inspection], *, start: dt.date, end: dt.date
) -> list[str]:
    """The required areas (消防, 电梯) no quarterly safety inspection of [start, end] covered."""
    covered: set[str] = set()
    for inspection in inspections:
        if (
            inspection.kind == Inspection.Kind.QUARTERLY_SAFETY
            and start <= inspection.inspected_on <= end
        ):
            covered.update(inspection.areas)
    return [code for code in REQUIRED_SAFETY_AREAS if code not in covered]


def require_may_report_major(person: Person, compound: Compound, *, field: str) -> None:
    """Marking a hazard major reports it upwards; whoever may do so on a complaint
    (``issues.manage_issue``: the compound party organization, the residents' committee
    and the community) may do so on a finding — checked before anything is written, and
    refused next to ``field`` so the form keeps what was typed."""
    if not person.has_perm("issues.manage_issue", compound):
        raise ValidationError(
            {
                field: [
                    _(
                        "Only the compound party organization, the residents' committee or "
                        "the community may report a major safety hazard. Record it as a "
                        "safety finding and ask them to mark it major."
                    )
                ]
            },
            code="forbidden",
        )


def finding_report_major(finding: Finding, *, person: Person) -> Finding:
    """File a major finding at once as a hazard complaint marked major (inside the caller's
    transaction). Its 3-day fix deadline stays the finding's own; the complaint is claimed
    here, so the overdue scan (``finding_escalate_overdue``) never files it a second time."""
    from issues.services import issue_submit
    from issues.services.tiers import issue_set_hazard

    from .evidence_records import _hazard_category

    inspection = finding.inspection
    category = _hazard_category(finding)
    if category is None:
        raise ValidationError(_("No complaint category is set up for safety hazards."))
    description = gettext("Major safety hazard found on the %(kind)s of %(date)s: %(text)s") % {
        "kind": inspection.get_kind_display(),
        "date": inspection.inspected_on.isoformat(),
        "text": finding.description,
    }
    result = issue_submit(
        actor=person,
        compound=inspection.compound,
        category=category,
        description=description[:2000],
        location_text=("、".join(map(str, inspection.area_labels)) or gettext("Common areas"))[
            :200
        ],
        is_hazard=True,
        is_public=True,
    )
    issue = issue_set_hazard(
        actor=person, issue=result.issue, is_hazard=True, major=True, reason=description[:1000]
    )
    finding.escalated_issue = issue
    finding.escalated_at = issue.hazard_reported_at
    finding.save(update_fields=["escalated_issue", "escalated_at"])
    _event(
        compound=inspection.compound,
        actor=person,
        verb="finding_report_major",
        to_state="complaint",
        note=issue.tracking_number,
        finding=finding,
    )
    return finding


def safety_quarters(*, compound: Compound, year: int, today: dt.date) -> list[dict]:
    """This year's started quarters and the required areas (消防, 电梯) their quarterly
    safety inspections did not cover: ``covered``, ``open`` (the quarter still runs) or
    ``missing`` (it ended uncovered). For the inspections page."""
    inspections = list(
        Inspection.objects.filter(
            compound=compound,
            kind=Inspection.Kind.QUARTERLY_SAFETY,
            inspected_on__year=year,
        ).only("kind", "inspected_on", "areas")
    )
    labels = dict(InspectionArea.choices)
    rows = []
    for month in (1, 4, 7, 10):
        start = dt.date(year, month, 1)
        end = (
            dt.date(year, month + 3, 1) - dt.timedelta(days=1)
            if month < 10
            else dt.date(year, 12, 31)
        )
        if start > today:
            break
        uncovered = safety_areas_uncovered(inspections, start=start, end=end)
        status = "covered" if not uncovered else ("missing" if today > end else "open")
        rows.append(
            {
                "start": start,
                "end": end,
                "inspections": sum(1 for i in inspections if start <= i.inspected_on <= end),
                "uncovered": [labels[code] for code in uncovered],
                "status": status,
            }
        )
    return rows
