"""The one door to other modules' evidence (seed: 评议监督考核制度 第三条 查阅资料; 第四条).

Every other app is reached through this module, by plain imports of its selectors (and,
for the two writes, its services, imported where they are called): no ``importlib``
probing between apps (issue 15 item 7). A section whose selector raises shows as
"failed to load" in the evidence pack instead of breaking the evaluation. Each function
returns an :class:`EvidenceSection`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disclosures import selectors as disclosure_selectors
from huashan import workdays
from issues import selectors as issue_selectors
from meetings import selectors as meeting_selectors
from pledges import selectors as pledge_selectors
from pledges.models import ResultStatus

logger = logging.getLogger(__name__)


@dataclass
class EvidenceSection:
    key: str
    title: str
    available: bool
    rows: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime(year, 1, 1, tzinfo=tz),
        dt.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def complaint_rates(*, compound, organization, start, end) -> EvidenceSection:
    """Complaint response / resolution / satisfaction rates (seed: 第四条 投诉受理及解决)."""
    title = _("Complaint handling")
    rates = issue_selectors.issue_rates(
        compound=compound, organization=organization, start=start, end=end
    )
    return EvidenceSection(
        "complaints",
        str(title),
        True,
        rows=[
            (str(_("Complaints")), str(rates.total)),
            (
                str(workdays.number_text(_("Response rate (%(n)d h)"), "response_hours")),
                pct(rates.response_rate),
            ),
            (str(_("Resolution rate")), pct(rates.resolution_rate)),
            (str(_("Satisfaction rate")), pct(rates.satisfaction_rate)),
        ],
    )


def action_items(*, compound, organization, start, end) -> EvidenceSection:
    """Agreed items of joint meetings done on time (seed: 第四条 三方联动)."""
    title = _("Agreed items of joint meetings")
    stats = list(meeting_selectors.action_item_stats(compound=compound, start=start, end=end))
    mine = [s for s in stats if getattr(s, "organization", None) == organization]
    if not mine:
        return EvidenceSection("action_items", str(title), True, note=str(_("No agreed items.")))
    s = mine[0]
    return EvidenceSection(
        "action_items",
        str(title),
        True,
        rows=[
            (str(_("Agreed items")), str(s.total)),
            (str(_("Done on time")), str(s.done_on_time)),
            (str(_("Done late")), str(s.done_late)),
            (str(_("Open and overdue")), str(s.open_overdue)),
            (str(_("Completion rate")), pct(s.completion_rate)),
        ],
    )


def meetings_held(*, compound, start, end) -> EvidenceSection:
    """Joint meetings held in the year (seed: 小区党组织服务承诺 第1条, monthly)."""
    title = _("Joint meetings held")
    count = meeting_selectors.meeting_count(
        compound=compound, kinds=["joint"], start=start, end=end
    )
    return EvidenceSection(
        "meetings", str(title), True, rows=[(str(_("Joint meetings")), str(count))]
    )


def disclosure_compliance(*, compound, organization, start, end) -> EvidenceSection:
    """Mandatory disclosures on time / late / missing (seed: 公示承诺制度 第二、三条)."""
    title = _("Disclosure compliance")
    rows = disclosure_selectors.schedule_compliance(
        compound=compound, start=start.date(), end=end.date(), organization=organization
    )
    counts = {"on_time": 0, "late": 0, "missing": 0, "not_due": 0}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return EvidenceSection(
        "disclosures",
        str(title),
        True,
        rows=[
            (str(_("On time")), str(counts["on_time"])),
            (str(_("Late")), str(counts["late"])),
            (str(_("Missing")), str(counts["missing"])),
        ],
    )


def _status_label(status: str) -> str:
    try:
        return str(ResultStatus(status).label)
    except ValueError:
        return status


def pledge_statuses(*, compound, organization, year) -> EvidenceSection:
    """Pledge items and how they were kept (seed: 第四条 履行服务承诺)."""
    title = _("Pledges kept")
    rows = []
    for item in pledge_selectors.pledge_item_statuses(compound=compound, year=year):
        org = getattr(item, "organization", None)
        if organization is not None and org is not None and org != organization:
            continue
        rows.append((str(getattr(item, "item", item)), _status_label(str(item.status))))
    if not rows:
        return EvidenceSection("pledges", str(title), True, note=str(_("No pledge letter.")))
    return EvidenceSection("pledges", str(title), True, rows=rows)


#: Pledge results that are final: kept (met, attested) or not kept (missed).
PLEDGE_KEPT = frozenset({"met", "attested"})
PLEDGE_FINAL = PLEDGE_KEPT | {"missed"}


def pledge_score(*, compound, organization, year) -> float | None:
    """Share of the organization's decided pledge items that are kept (0..1), None if none."""
    kept = total = 0
    for item in pledge_selectors.pledge_item_statuses(compound=compound, year=year):
        org = getattr(item, "organization", None)
        if organization is not None and org is not None and org != organization:
            continue
        status = str(getattr(item, "status", ""))
        if status not in PLEDGE_FINAL:
            continue
        total += 1
        kept += status in PLEDGE_KEPT
    return kept / total if total else None


def complaint_score(*, compound, organization, start, end) -> float | None:
    """Mean of the available complaint rates (0..1), None when there were no complaints."""
    rates = issue_selectors.issue_rates(
        compound=compound, organization=organization, start=start, end=end
    )
    values = [
        r
        for r in (rates.response_rate, rates.resolution_rate, rates.satisfaction_rate)
        if r is not None
    ]
    return sum(values) / len(values) if values else None


def evidence_pack(*, target) -> list[EvidenceSection]:
    """Every section for one target's year (the campaign year).

    The evidence comes from the target's own compound; a community body (the RC)
    in a community-wide campaign gets the sections of each compound, titled by it.
    """
    campaign = target.campaign
    start, end = year_bounds(campaign.year)
    org = target.organization
    compounds = target.evidence_compounds
    sections = []
    for compound in compounds:
        for build in (
            lambda c=compound: complaint_rates(compound=c, organization=org, start=start, end=end),
            lambda c=compound: action_items(compound=c, organization=org, start=start, end=end),
            lambda c=compound: meetings_held(compound=c, start=start, end=end),
            lambda c=compound: disclosure_compliance(
                compound=c, organization=org, start=start, end=end
            ),
            lambda c=compound: pledge_statuses(compound=c, organization=org, year=campaign.year),
        ):
            try:
                section = build()
            except Exception:  # another module's bug must not hide the rest of the pack
                logger.exception("evidence section failed")
                section = EvidenceSection(
                    "error", str(_("Evidence")), False, note=str(_("Failed to load."))
                )
            if len(compounds) > 1:
                section.title = f"{compound.name} · {section.title}"
            sections.append(section)
    return sections


def accountability_open(*, target, satisfaction: float) -> bool:
    """Ask pledges to open an accountability case for a PMC member under 60 %.

    ``satisfaction`` is in percent.

    seed: 物业管理委员会服务承诺 第4条 ("满意度低于60%的委员主动辞职"). Returns True once
    the pledges app has been asked (the result is kept for the callers).
    """
    from pledges.services import accountability_open_for_low_satisfaction

    accountability_open_for_low_satisfaction(
        compound=target.evidence_compounds[0],
        organization=target.organization,
        person=target.member,
        year=target.campaign.year,
        satisfaction=satisfaction,
    )
    return True


def publish_preliminary(*, actor, campaign, body: str) -> str:
    """Post the preliminary results on each covered compound's disclosure board.

    Returns the first reference or ''. A community-wide campaign is posted on the
    board of every compound it covers.
    """
    from disclosures.services import disclosure_publish_external
    from huashan.directory.models import Organization
    from huashan.directory.selectors import organization_of_kind

    refs = []
    for compound in campaign.compounds:
        # The body that runs the evaluation publishes it (seed: 第一条 社区党组织具体负责).
        for kind in (Organization.Kind.COMMUNITY_PARTY, Organization.Kind.COMPOUND_PARTY):
            organization = organization_of_kind(compound=compound, kind=kind)
            if organization is None:
                continue
            try:
                disclosure = disclosure_publish_external(
                    actor=actor,
                    compound=compound,
                    organization=organization,
                    category_code="pmc_performance",
                    title=str(campaign.title),
                    body=body,
                    source_url="",
                )
            except Exception:  # the board is a courtesy copy; the campaign page is the record
                logger.warning("could not post evaluation results as %s", kind, exc_info=True)
                continue
            refs.append(str(getattr(disclosure, "pk", "")))
            break
    return ",".join(refs)[:64]
