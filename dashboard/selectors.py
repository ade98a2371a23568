"""Dashboard reads, built only from the other apps' selectors (DESIGN.md §3).

* :func:`compound_dashboard` — one compound, live: a constant number of queries
  whatever the number of complaints, items or disclosures (each app selector it calls
  is constant; tests assert it at two data sizes).
* :func:`group_comparison` — the same figures per compound side by side plus 12-month
  trends, for a community or a street. It reads the monthly roll-up
  (:class:`~dashboard.models.CompoundSnapshot`, written by the beat task
  ``dashboard.snapshots_refresh`` from :func:`snapshot_figures`), so it runs two
  queries whatever the number of compounds: no per-compound loop in a request.
* :func:`summary_figures` — what a work summary prints for a period (seed: 联席会议议事规则
  第六条).

Every figure carries the URL name and query of the list behind it (:class:`Figure`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huashan.directory.models import Community, Compound, Membership, Organization, Street
from huashan.directory.rules import STAFF_ROLES
from huashan.directory.selectors import organization_of_kind

from .models import CompoundSnapshot, WorkSummary

Kind = Organization.Kind

# --- figure keys ---------------------------------------------------------------------

#: Columns of the comparison table (current state, from the current month's roll-up).
FIGURE_COLUMNS: dict[str, tuple[Any, str]] = {
    "complaints_open": (pgettext_lazy("dashboard", "Open complaints"), "count"),
    "complaints_overdue": (pgettext_lazy("dashboard", "Overdue complaints"), "count"),
    "complaints_oldest_days": (pgettext_lazy("dashboard", "Oldest open complaint (days)"), "days"),
    "response_rate": (_("Response rate this month"), "rate"),
    "resolution_rate": (_("Resolution rate this month"), "rate"),
    "satisfaction_rate": (_("Satisfaction rate this month"), "rate"),
    "action_items_due": (_("Agreed items due this month"), "count"),
    "action_items_overdue": (_("Agreed items overdue"), "count"),
    "joint_meeting_held": (_("Joint meeting held this month"), "bool"),
    "disclosures_due": (_("Disclosures due this month"), "count"),
    "disclosures_late": (_("Disclosures late or missing"), "count"),
    "pledges_at_risk": (_("Pledge items at risk"), "count"),
    "pledges_missed": (_("Pledge items missed"), "count"),
    "cases_open": (_("Open accountability cases"), "count"),
    "evaluation_score": (_("Latest evaluation score"), "score"),
}

#: Monthly series kept for the 12-month trends (a value per compound and month).
TREND_KEYS: dict[str, tuple[Any, str]] = {
    "complaints_filed": (pgettext_lazy("dashboard", "Complaints filed"), "count"),
    "response_rate": (_("Response rate"), "rate"),
    "resolution_rate": (_("Resolution rate"), "rate"),
    "satisfaction_rate": (_("Satisfaction rate"), "rate"),
    "joint_meetings_held": (_("Joint meetings held"), "count"),
    "action_items_completion": (_("Agreed items completed"), "rate"),
    "disclosures_on_time": (_("Disclosures on time"), "rate"),
}

#: Organization kinds whose staff see a compound's dashboard (rules.py uses the same sets).
COMPOUND_DASHBOARD_KINDS = frozenset({Kind.COMPOUND_PARTY, Kind.JOINT_MEETING_OFFICE})
COMMUNITY_DASHBOARD_KINDS = frozenset(
    {Kind.COMMUNITY_PARTY, Kind.RESIDENTS_COMMITTEE, Kind.RC_PROPERTY_COMMITTEE}
)
STREET_DASHBOARD_KINDS = frozenset({Kind.STREET_OFFICE, Kind.STREET_PMC})

TREND_MONTHS = 12


# --- small value types ---------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One number on a dashboard with the list behind it.

    ``url_name`` (+ ``url_args``) and ``query`` name the list; :attr:`url` builds it
    (empty when the URL name does not exist in this deployment).
    """

    key: str
    label: Any
    value: int | float | bool | None
    url_name: str = ""
    url_args: tuple = ()
    query: dict = field(default_factory=dict)
    kind: str = "count"  # count | rate | days | score | bool
    note: Any = ""

    @property
    def url(self) -> str:
        if not self.url_name:
            return ""
        try:
            base = reverse(self.url_name, args=self.url_args)
        except NoReverseMatch:
            return ""
        return f"{base}?{urlencode(self.query)}" if self.query else base

    @property
    def display(self) -> str:
        return format_value(self.value, self.kind)


def format_value(value: Any, kind: str) -> str:
    """How a figure value is printed in pages, exports and PDFs ("—" when unknown)."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{float(value) * 100:.1f}%"
    if kind == "score":
        return f"{float(value):.1f}"
    if kind == "bool":
        return str(_("Yes") if value else _("No"))
    return str(value)


@dataclass(frozen=True)
class TierRow:
    """Open complaints of one tier, one cell per open state (same order as ``states``)."""

    tier: str
    label: Any
    cells: list[Figure]
    total: Figure


@dataclass(frozen=True)
class RateRow:
    key: str
    label: Any
    this_month: Figure
    last_month: Figure

    @property
    def change(self) -> float | None:
        if self.this_month.value is None or self.last_month.value is None:
            return None
        return round(float(self.this_month.value) - float(self.last_month.value), 4)


@dataclass(frozen=True)
class ActionItemRow:
    organization: Organization
    due: Figure
    overdue: Figure


@dataclass(frozen=True)
class JointMeetingStatus:
    """This month's joint meeting (seed: 小区党组织服务承诺 1 每月至少召开1次联席会议)."""

    status: str  # held | scheduled | cancelled | none
    label: Any
    meeting: Any  # meetings.models.Meeting | None
    figure: Figure


@dataclass(frozen=True)
class EvaluationRow:
    name: str
    total: Decimal | None
    band: str
    stars: int


@dataclass(frozen=True)
class EvaluationSummary:
    campaign: Any  # evaluations.models.Campaign
    year: int
    state: str
    rows: list[EvaluationRow]
    figure: Figure


@dataclass
class CompoundDashboard:
    """Everything the compound dashboard shows; ``figures`` has every FIGURE_COLUMNS key."""

    compound: Compound
    now: dt.datetime
    month_start: dt.date
    last_month_start: dt.date
    figures: dict[str, Figure]
    states: list[tuple[str, Any]]
    complaints_by_tier: list[TierRow]
    oldest_overdue: list[Any]  # issues.models.Issue, longest past deadline first (≤ 5)
    oldest_open: Any  # issues.models.Issue | None
    rates: list[RateRow]
    action_items: list[ActionItemRow]
    joint_meeting: JointMeetingStatus
    pledges_attention: list[Any]  # pledges.selectors.ItemStatus (at risk / missed)
    evaluation: EvaluationSummary | None
    warnings: list[Any] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        """Plain values (JSON-safe) of the figures, as stored in the roll-up."""
        return {key: _json_value(fig.value) for key, fig in self.figures.items()}


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    kind: str


@dataclass
class ComparisonRow:
    compound: Compound
    values: dict[str, Any]  # FIGURE_COLUMNS key -> value (None when unknown)
    computed_at: dt.datetime | None

    def display(self, key: str) -> str:
        return format_value(self.values.get(key), FIGURE_COLUMNS[key][1])

    @property
    def cells(self) -> list[tuple[str, Any, str]]:
        """``(key, value, display)`` per column, in column order (for templates)."""
        return [(k, self.values.get(k), self.display(k)) for k in FIGURE_COLUMNS]


@dataclass(frozen=True)
class TrendSeries:
    compound: Compound
    key: str
    values: list[float | int | None]  # aligned with Comparison.months


@dataclass
class Comparison:
    """Compounds side by side (rows), sortable by any column, with 12-month trends."""

    columns: list[Column]
    rows: list[ComparisonRow]
    months: list[dt.date]  # first days, oldest first, TREND_MONTHS of them
    trends: dict[str, list[TrendSeries]]  # TREND_KEYS key -> one series per compound
    missing: list[Compound]  # no roll-up yet (refresh queued by the view)
    sort: str
    descending: bool


@dataclass(frozen=True)
class Period:
    """A work-summary period: ``2026H1``, ``2026H2`` (half_year) or ``2026`` (year)."""

    code: str
    kind: str  # WorkSummary.Kind value
    start: dt.date
    end: dt.date  # inclusive

    @property
    def start_dt(self) -> dt.datetime:
        return _day_start(self.start)

    @property
    def end_dt(self) -> dt.datetime:
        """Exclusive end: 00:00 of the day after the last day."""
        return _day_start(self.end + dt.timedelta(days=1))


# --- helpers ------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def trend_months(*, now: dt.datetime | None = None, months: int = TREND_MONTHS) -> list[dt.date]:
    """First days of the last ``months`` months, oldest first, ending with this month."""
    this = month_start(timezone.localdate(now) if now else timezone.localdate())
    return [add_months(this, -i) for i in range(months - 1, -1, -1)]


_PERIOD_RE = re.compile(r"^(\d{4})(?:H([12]))?$")


def period_parse(code: str) -> Period:
    """``2026H1`` → Jan–Jun, ``2026H2`` → Jul–Dec, ``2026`` → the year.

    Raises ``ValueError`` with a user-facing message for anything else.
    """
    text = str(code or "").strip().upper()[:10]
    match = _PERIOD_RE.match(text)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ValueError(_("Enter a period like 2026H1, 2026H2 or 2026."))
    year = int(match.group(1))
    half = match.group(2)
    if half == "1":
        return Period(text, WorkSummary.Kind.HALF_YEAR, dt.date(year, 1, 1), dt.date(year, 6, 30))
    if half == "2":
        return Period(text, WorkSummary.Kind.HALF_YEAR, dt.date(year, 7, 1), dt.date(year, 12, 31))
    return Period(text, WorkSummary.Kind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))


def _fig(key: str, value: Any, url_name: str = "", query: dict | None = None, **kw) -> Figure:
    label, kind = FIGURE_COLUMNS.get(key) or TREND_KEYS.get(key) or (key, "count")
    return Figure(
        key=key,
        label=kw.pop("label", label),
        value=value,
        url_name=url_name,
        query=query or {},
        kind=kw.pop("kind", kind),
        **kw,
    )


# --- places and who sees them -----------------------------------------------------------


def group_compounds(
    *, community: Community | None = None, street: Street | None = None
) -> QuerySet[Compound]:
    """The compounds of a community or of a street (one query when evaluated)."""
    qs = Compound.objects.select_related("community__street")
    if community is not None:
        qs = qs.filter(community=community)
    elif street is not None:
        qs = qs.filter(community__street=street)
    else:
        qs = qs.none()
    return qs.order_by("community__name", "name", "pk")


def visible_compounds(*, person) -> QuerySet[Compound]:
    """Compounds whose dashboard the person may open (same decision as
    ``dashboard.view_compound``): compound party org / joint-meeting office of the
    compound; RC, RC committee, community party org of its community; street bodies
    of its street; superusers everything."""
    if person is None or not getattr(person, "is_authenticated", False):
        return Compound.objects.none()
    if not person.is_active:
        return Compound.objects.none()
    qs = Compound.objects.select_related("community__street").order_by(
        "community__name", "name", "pk"
    )
    if person.is_superuser:
        return qs
    seats = Membership.objects.current().filter(person=person, role__in=STAFF_ROLES)
    return qs.filter(
        Q(
            pk__in=seats.filter(organization__kind__in=COMPOUND_DASHBOARD_KINDS).values(
                "organization__compound"
            )
        )
        | Q(
            community__in=seats.filter(organization__kind__in=COMMUNITY_DASHBOARD_KINDS).values(
                "organization__community"
            )
        )
        | Q(
            community__street__in=seats.filter(
                organization__kind__in=STREET_DASHBOARD_KINDS
            ).values("organization__street")
        )
    ).distinct()


def visible_communities(*, person) -> QuerySet[Community]:
    """Communities whose comparison the person may open (``dashboard.view_community``)."""
    if person is None or not getattr(person, "is_authenticated", False) or not person.is_active:
        return Community.objects.none()
    qs = Community.objects.select_related("street").order_by("name", "pk")
    if person.is_superuser:
        return qs
    seats = Membership.objects.current().filter(person=person, role__in=STAFF_ROLES)
    return qs.filter(
        Q(
            pk__in=seats.filter(organization__kind__in=COMMUNITY_DASHBOARD_KINDS).values(
                "organization__community"
            )
        )
        | Q(
            street__in=seats.filter(organization__kind__in=STREET_DASHBOARD_KINDS).values(
                "organization__street"
            )
        )
    ).distinct()


def visible_streets(*, person) -> QuerySet[Street]:
    """Streets whose comparison the person may open (``dashboard.view_street``)."""
    if person is None or not getattr(person, "is_authenticated", False) or not person.is_active:
        return Street.objects.none()
    qs = Street.objects.order_by("name", "pk")
    if person.is_superuser:
        return qs
    seats = Membership.objects.current().filter(person=person, role__in=STAFF_ROLES)
    return qs.filter(
        pk__in=seats.filter(organization__kind__in=STREET_DASHBOARD_KINDS).values(
            "organization__street"
        )
    ).distinct()


# --- the compound dashboard ---------------------------------------------------------------


def _complaint_figures(compound: Compound, now: dt.datetime) -> dict[str, Any]:
    """Open complaints by tier × state, overdue, oldest (seed: 协同联动 第二条 督办).

    Counted on the compound's complaints directly (issues.selectors.issue_counts, one
    grouped query) — the same issues the compound party organization's queue holds,
    since it covers every complaint of its compound; going through the queue query
    made the page 7× slower at 1.2 M complaints (bench/results/2026-11-28.md). The
    figures are shown only where that organization exists, as before.
    """
    from issues.models import Issue
    from issues.selectors import issue_counts, issue_oldest_open, issue_overdue_oldest

    slug = compound.slug
    states = [(s.value, s.label) for s in Issue.Status if s.value in Issue.OPEN_STATES]
    party = organization_of_kind(compound=compound, kind=Kind.COMPOUND_PARTY)
    counts: dict[tuple[str, str], int] = {}
    overdue_list: list = []
    oldest = None
    overdue_total = 0
    if party is not None:
        numbers = issue_counts(compound=compound, now=now)
        counts = numbers.by_tier_status
        overdue_total = numbers.overdue
        if overdue_total:
            overdue_list = issue_overdue_oldest(compound=compound, now=now)
        oldest = issue_oldest_open(compound=compound, created_at=numbers.oldest_created_at)
    rows = []
    for tier in Issue.Tier:
        cells = [
            Figure(
                key=f"complaints_{tier.value}_{state}",
                label=label,
                value=counts.get((tier.value, state), 0),
                url_name="issues:queue",
                query={"compound": slug, "status": state},
            )
            for state, label in states
        ]
        total = sum(c.value for c in cells)
        rows.append(
            TierRow(
                tier=tier.value,
                label=tier.label,
                cells=cells,
                total=Figure(
                    key=f"complaints_{tier.value}",
                    label=tier.label,
                    value=total,
                    url_name="issues:board",
                    query={"compound": slug, "tier": tier.value},
                ),
            )
        )
    open_total = sum(counts.values())
    oldest_days = (now - oldest.created_at).days if oldest is not None else None
    figures = {
        "complaints_open": _fig("complaints_open", open_total, "issues:queue", {"compound": slug}),
        "complaints_overdue": _fig(
            "complaints_overdue", overdue_total, "issues:queue", {"compound": slug, "overdue": "on"}
        ),
        "complaints_oldest_days": _fig(
            "complaints_oldest_days",
            oldest_days,
            "issues:staff_detail" if oldest is not None else "issues:queue",
            {} if oldest is not None else {"compound": slug},
            url_args=(oldest.tracking_number,) if oldest is not None else (),
        ),
    }
    return {
        "states": states,
        "rows": rows,
        "overdue_list": overdue_list,
        "oldest": oldest,
        "figures": figures,
        "available": party is not None,
    }


def _rates(compound: Compound, this_start: dt.date) -> list[RateRow]:
    """The three rates (三率) of this month and last month (issues.selectors.issue_rates)."""
    from issues.selectors import issue_rates

    next_start = add_months(this_start, 1)
    last_start = add_months(this_start, -1)
    now_rates = issue_rates(
        compound=compound, start=_day_start(this_start), end=_day_start(next_start)
    )
    last_rates = issue_rates(
        compound=compound, start=_day_start(last_start), end=_day_start(this_start)
    )
    out = []
    for key in ("response_rate", "resolution_rate", "satisfaction_rate"):
        label = TREND_KEYS[key][0]
        query = {"compound": compound.slug}
        out.append(
            RateRow(
                key=key,
                label=label,
                this_month=_fig(key, getattr(now_rates, key), "issues:board", query),
                last_month=_fig(
                    f"{key}_last",
                    getattr(last_rates, key),
                    "issues:board",
                    query,
                    label=label,
                    kind="rate",
                ),
            )
        )
    return out


def _action_items(compound: Compound, now: dt.datetime, month_end: dt.datetime):
    """Open agreed items per responsible body: due by the end of this month (not yet late)
    and overdue (past due, still open) — meetings.selectors.action_items_due_counts, the
    one source the comparisons read too; seed: 联席会议议事规则 第五条."""
    from meetings.selectors import action_items_due_counts

    counts = action_items_due_counts(
        compounds=[compound], now=now, until=month_end, by_organization=True
    )
    rows = [{"organization_id": org_id, **row} for (_c, org_id), row in counts.items()]
    out = []
    slug = compound.slug
    for row in sorted(rows, key=lambda r: (r["kind"], r["organization_id"] or 0)):
        if not row["due"] and not row["overdue"]:
            continue
        org_id = row["organization_id"]
        org = Organization(pk=org_id, name=row["name"], kind=row["kind"])
        query = {"compound": slug, "status": "open"}
        if org_id:
            query["organization"] = org_id
        out.append(
            ActionItemRow(
                organization=org,
                due=_fig("action_items_due", row["due"], "meetings:action_items", query),
                overdue=_fig(
                    "action_items_overdue",
                    row["overdue"],
                    "meetings:action_items",
                    {**query, "overdue": "on"},
                ),
            )
        )
    total_due = sum(r["due"] for r in rows)
    total_overdue = sum(r["overdue"] for r in rows)
    figures = {
        "action_items_due": _fig(
            "action_items_due",
            total_due,
            "meetings:action_items",
            {"compound": slug, "status": "open"},
        ),
        "action_items_overdue": _fig(
            "action_items_overdue",
            total_overdue,
            "meetings:action_items",
            {"compound": slug, "status": "open", "overdue": "on"},
        ),
    }
    return out, figures


JOINT_STATUS_LABELS = {
    "held": _("Held"),
    "scheduled": _("Scheduled"),
    "cancelled": _("Cancelled"),
    "none": _("Not scheduled"),
}


def _joint_meeting(compound: Compound, start: dt.datetime, end: dt.datetime) -> JointMeetingStatus:
    """This month's joint meeting (meetings.selectors.meeting_list; 小区党组织服务承诺 1,
    联席会议议事规则 第三条 每月最后一周召开)."""
    from meetings.models import Meeting
    from meetings.selectors import HELD_STATES, meeting_list

    meetings = list(
        meeting_list(compound=compound, kinds=[Meeting.Kind.JOINT]).filter(
            start__gte=start, start__lt=end
        )
    )
    held = [m for m in meetings if m.status in HELD_STATES]
    waiting = (Meeting.Status.DRAFT, Meeting.Status.NOTICE_SENT)
    planned = [m for m in meetings if m.status in waiting]
    if held:
        status, meeting = "held", held[0]
    elif planned:
        status, meeting = "scheduled", planned[-1]
    elif meetings:
        status, meeting = "cancelled", meetings[0]
    else:
        status, meeting = "none", None
    figure = _fig(
        "joint_meeting_held",
        status == "held",
        "meetings:detail" if meeting is not None else "meetings:list",
        {} if meeting is not None else {"compound": compound.slug, "kind": Meeting.Kind.JOINT},
        url_args=(meeting.pk,) if meeting is not None else (),
        note=JOINT_STATUS_LABELS[status],
    )
    return JointMeetingStatus(
        status=status, label=JOINT_STATUS_LABELS[status], meeting=meeting, figure=figure
    )


def _disclosures(compound: Compound, today: dt.date, month_last: dt.date) -> dict[str, Figure]:
    """Scheduled disclosures due by the end of this month and not yet published, and
    periods of this year published late or missing (disclosures.selectors.schedule_compliance;
    seed: 公示承诺制度 第二、三条)."""
    from disclosures.selectors import schedule_compliance

    rows = schedule_compliance(compound=compound, start=dt.date(today.year, 1, 1), end=month_last)
    due = sum(1 for r in rows if r.status == "not_due" and r.due <= month_last)
    late = sum(1 for r in rows if r.status in ("late", "missing"))
    query = {"compound": compound.slug, "period": str(today.year)}
    return {
        "disclosures_due": _fig("disclosures_due", due, "disclosures:compliance", query),
        "disclosures_late": _fig("disclosures_late", late, "disclosures:compliance", query),
    }


def _pledges(compound: Compound, today: dt.date):
    """Pledge items at risk or missed this year (pledges.selectors.pledge_item_statuses)."""
    from pledges.selectors import pledge_item_statuses

    statuses = pledge_item_statuses(compound=compound, year=today.year, on=today)
    attention = [s for s in statuses if s.status in ("at_risk", "missed")]
    query = {"compound": compound.slug, "year": today.year}
    figures = {
        "pledges_at_risk": _fig(
            "pledges_at_risk",
            sum(1 for s in attention if s.status == "at_risk"),
            "pledges:board",
            query,
        ),
        "pledges_missed": _fig(
            "pledges_missed",
            sum(1 for s in attention if s.status == "missed"),
            "pledges:board",
            query,
        ),
    }
    return attention, figures


def _cases(compound: Compound) -> Figure:
    """Open accountability cases (pledges.selectors.cases_for; PMC pledge 问责退出)."""
    from pledges.selectors import cases_for

    return _fig(
        "cases_open",
        cases_for(compound=compound, status="open").count(),
        "pledges:case_list",
        {"compound": compound.slug},
    )


def _evaluation(compound: Compound) -> EvaluationSummary | None:
    """The latest evaluation whose results are public (evaluations.selectors.public_campaigns;
    seed: 评议监督考核制度 第五条). Score = mean weighted total of the organizations."""
    from evaluations.results import BANDS, campaign_results
    from evaluations.selectors import public_campaigns

    campaign = public_campaigns().filter(compound=compound).order_by("-year", "-pk").first()
    if campaign is None:
        return None
    rows = []
    for result in campaign_results(campaign):
        target = result.target
        name = (
            str(target.organization.name)
            if target.organization_id and not target.is_member
            else str(getattr(target.member, "name", "") or target)
        )
        if target.is_member:
            continue
        rows.append(
            EvaluationRow(
                name=name,
                total=result.weighted_total,
                band=BANDS.get(result.band, result.band),
                stars=result.stars,
            )
        )
    totals = [r.total for r in rows if r.total is not None]
    score = round(float(sum(totals) / len(totals)), 1) if totals else None
    figure = _fig(
        "evaluation_score",
        score,
        "evaluations:results",
        {},
        url_args=(campaign.pk,),
        note=str(campaign.year),
    )
    return EvaluationSummary(
        campaign=campaign, year=campaign.year, state=campaign.state, rows=rows, figure=figure
    )


def compound_dashboard(*, compound: Compound, now: dt.datetime | None = None) -> CompoundDashboard:
    """The compound dashboard (issue 8 §1), live from the apps' selectors.

    Figures: open complaints by tier and state, overdue and the oldest; the three rates
    this month vs last; agreed items due / overdue per body; this month's joint meeting;
    disclosures due / late; pledge items at risk / missed; open accountability cases;
    the latest evaluation. A constant number of queries (≈ 20) whatever the data size.
    Overdue means strictly past the stored deadline (a minute late counts).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    this_start = month_start(today)
    next_start = add_months(this_start, 1)
    complaints = _complaint_figures(compound, now)
    rates = _rates(compound, this_start)
    items, item_figures = _action_items(compound, now, _day_start(next_start))
    joint = _joint_meeting(compound, _day_start(this_start), _day_start(next_start))
    attention, pledge_figures = _pledges(compound, today)
    evaluation = _evaluation(compound)
    figures: dict[str, Figure] = {}
    figures.update(complaints["figures"])
    for row in rates:
        figures[row.key] = row.this_month
    figures.update(item_figures)
    figures["joint_meeting_held"] = joint.figure
    figures.update(_disclosures(compound, today, next_start - dt.timedelta(days=1)))
    figures.update(pledge_figures)
    figures["cases_open"] = _cases(compound)
    figures["evaluation_score"] = (
        evaluation.figure
        if evaluation is not None
        else _fig("evaluation_score", None, "evaluations:list", {})
    )
    warnings = []
    if not complaints["available"]:
        warnings.append(
            _("This compound has no compound party organization: complaints are not counted.")
        )
    return CompoundDashboard(
        compound=compound,
        now=now,
        month_start=this_start,
        last_month_start=add_months(this_start, -1),
        figures={key: figures[key] for key in FIGURE_COLUMNS},
        states=complaints["states"],
        complaints_by_tier=complaints["rows"],
        oldest_overdue=complaints["overdue_list"],
        oldest_open=complaints["oldest"],
        rates=rates,
        action_items=items,
        joint_meeting=joint,
        pledges_attention=attention,
        evaluation=evaluation,
        warnings=warnings,
    )


# --- monthly roll-up ----------------------------------------------------------------------


def month_figures(*, compound: Compound, month: dt.date) -> dict[str, Any]:
    """The TREND_KEYS values of one compound for one calendar month (period figures:
    complaints filed and the three rates, joint meetings held, agreed items due that
    month completed, disclosures due that month published on time)."""
    from disclosures.selectors import schedule_compliance
    from issues.selectors import issue_rates
    from meetings.models import Meeting
    from meetings.selectors import action_item_stats, meeting_count

    start = month_start(month)
    end = add_months(start, 1)
    rates = issue_rates(compound=compound, start=_day_start(start), end=_day_start(end))
    stats = action_item_stats(compound=compound, start=_day_start(start), end=_day_start(end))
    total = sum(s.total for s in stats)
    done = sum(s.done_on_time + s.done_late for s in stats)
    rows = schedule_compliance(compound=compound, start=start, end=end - dt.timedelta(days=1))
    due_rows = [r for r in rows if start <= r.due < end and r.status != "not_due"]
    on_time = sum(1 for r in due_rows if r.status == "on_time")
    return {
        "complaints_filed": rates.total,
        "response_rate": rates.response_rate,
        "resolution_rate": rates.resolution_rate,
        "satisfaction_rate": rates.satisfaction_rate,
        "joint_meetings_held": meeting_count(
            compound=compound, kinds=[Meeting.Kind.JOINT], start=start, end=end
        ),
        "action_items_completion": round(done / total, 4) if total else None,
        "disclosures_on_time": round(on_time / len(due_rows), 4) if due_rows else None,
    }


def snapshot_figures(
    *, compound: Compound, month: dt.date, now: dt.datetime | None = None
) -> dict[str, Any]:
    """What the roll-up stores for (compound, month): ``{"trend": {...}}`` and, for the
    current month, ``{"current": {FIGURE_COLUMNS values}}`` from :func:`compound_dashboard`."""
    now = now or timezone.now()
    data: dict[str, Any] = {"trend": month_figures(compound=compound, month=month)}
    if month_start(month) == month_start(timezone.localdate(now)):
        data["current"] = compound_dashboard(compound=compound, now=now).values()
    return data


def compound_trend(
    *, compound: Compound, now: dt.datetime | None = None, months: int = TREND_MONTHS
) -> tuple[list[dt.date], dict[str, list[Any]]]:
    """12-month series of one compound from the roll-up (one query):
    ``(months, {TREND_KEYS key: [value per month]})``; a month without a row gives None."""
    axis = trend_months(now=now, months=months)
    rows = {
        s.month: s.figures.get("trend", {})
        for s in CompoundSnapshot.objects.filter(compound=compound, month__gte=axis[0])
    }
    return axis, {key: [rows.get(m, {}).get(key) for m in axis] for key in TREND_KEYS}


# Figures that move with the clock and with every meeting held or item closed: the
# comparison reads them live from the same meetings selectors the compound dashboard
# uses, so both show the same number at the same moment (issue 13 item 7). Two queries
# whatever the number of compounds; the other figures come from the roll-up.
LIVE_KEYS = ("action_items_due", "action_items_overdue", "joint_meeting_held")


def _overlay_live(rows: list[ComparisonRow], *, now: dt.datetime | None) -> None:
    from meetings.models import Meeting
    from meetings.selectors import action_items_due_counts, meetings_held_counts

    if not rows:
        return
    now = now or timezone.now()
    this_start = month_start(timezone.localdate(now))
    start, end = _day_start(this_start), _day_start(add_months(this_start, 1))
    compounds = [row.compound for row in rows]
    items = action_items_due_counts(compounds=compounds, now=now, until=end)
    held = meetings_held_counts(
        compounds=compounds, kinds=[Meeting.Kind.JOINT], start=start, end=end
    )
    for row in rows:
        counts = items.get(row.compound.pk, {})
        row.values["action_items_due"] = counts.get("due", 0)
        row.values["action_items_overdue"] = counts.get("overdue", 0)
        row.values["joint_meeting_held"] = held.get(row.compound.pk, 0) > 0


def group_comparison(
    *,
    compounds: Iterable[Compound],
    now: dt.datetime | None = None,
    sort: str = "",
    descending: bool = False,
) -> Comparison:
    """The figures per compound side by side and the 12-month trends (issue 8 §2).

    Four queries whatever the number of compounds (the compounds, if a queryset, the
    roll-up rows, and the two ``LIVE_KEYS`` reads). Figures other than ``LIVE_KEYS`` are
    as of each row's ``computed_at`` (refreshed by the beat task
    ``dashboard.snapshots_refresh``); compounds without a current row are listed in
    ``missing`` and show "—". ``sort`` is a FIGURE_COLUMNS key (unknown → by name);
    unknown values sort last.
    """
    compounds = list(compounds)
    axis = trend_months(now=now)
    current_month = axis[-1]
    by_compound: dict[int, dict[dt.date, CompoundSnapshot]] = defaultdict(dict)
    for snap in CompoundSnapshot.objects.filter(
        compound__in=[c.pk for c in compounds], month__gte=axis[0]
    ).only("compound_id", "month", "figures", "computed_at"):
        by_compound[snap.compound_id][snap.month] = snap
    rows, missing = [], []
    trends: dict[str, list[TrendSeries]] = {key: [] for key in TREND_KEYS}
    for compound in compounds:
        snaps = by_compound.get(compound.pk, {})
        current = snaps.get(current_month)
        values = (current.figures.get("current") if current else None) or {}
        if not values:
            missing.append(compound)
        rows.append(
            ComparisonRow(
                compound=compound,
                values={key: values.get(key) for key in FIGURE_COLUMNS},
                computed_at=current.computed_at if current else None,
            )
        )
        for key in TREND_KEYS:
            trends[key].append(
                TrendSeries(
                    compound=compound,
                    key=key,
                    values=[
                        (snaps[m].figures.get("trend", {}).get(key) if m in snaps else None)
                        for m in axis
                    ],
                )
            )
    _overlay_live(rows, now=now)
    if sort in FIGURE_COLUMNS:

        def sort_key(row: ComparisonRow):
            value = row.values.get(sort)
            if value is None:
                return (1, 0)
            number = float(value)
            return (0, -number if descending else number)

        rows.sort(key=lambda r: (sort_key(r), r.compound.name))
    else:
        sort = ""
        rows.sort(key=lambda r: r.compound.name, reverse=descending)
    return Comparison(
        columns=[Column(key, label, kind) for key, (label, kind) in FIGURE_COLUMNS.items()],
        rows=rows,
        months=axis,
        trends=trends,
        missing=missing,
        sort=sort,
        descending=descending,
    )


# --- work summaries ---------------------------------------------------------------------


def summary_figures(*, compound: Compound, period: Period) -> dict[str, Any]:
    """The figures a work summary reports for a period (seed: 联席会议议事规则 第六条):
    meetings held by kind, topics handled, agreed items done, complaints by tier and
    outcome with the three rates, pledge items met, disclosures on time, the evaluation.
    JSON-safe; stored in ``WorkSummary.figures``."""
    from disclosures.selectors import schedule_compliance
    from issues.models import Issue
    from issues.selectors import issue_rates
    from meetings.models import AgendaTopic, Meeting
    from meetings.selectors import action_item_stats, compound_topics, meeting_count
    from pledges.selectors import pledge_item_statuses

    start, end = period.start_dt, period.end_dt
    meetings = {
        kind: meeting_count(compound=compound, kinds=[kind], start=start, end=end)
        for kind in Meeting.Kind.values
    }
    topics = compound_topics(compound=compound).filter(
        Q(meeting__start__gte=start, meeting__start__lt=end)
        | Q(meeting__isnull=True, created_at__gte=start, created_at__lt=end)
    )
    topic_counts = {
        row["status"]: row["n"]
        for row in topics.order_by().values("status").annotate(n=Count("pk"))
    }
    stats = action_item_stats(compound=compound, start=start, end=end)
    items = {
        "total": sum(s.total for s in stats),
        "done_on_time": sum(s.done_on_time for s in stats),
        "done_late": sum(s.done_late for s in stats),
        "open_overdue": sum(s.open_overdue for s in stats),
        "by_organization": [
            {
                "organization": str(s.organization.name),
                "total": s.total,
                "done_on_time": s.done_on_time,
                "done_late": s.done_late,
                "open_overdue": s.open_overdue,
            }
            for s in stats
        ],
    }
    rates = issue_rates(compound=compound, start=start, end=end)
    by_tier: dict[str, dict[str, int]] = {t.value: {} for t in Issue.Tier}
    for row in _period_issue_counts(compound, start, end):
        by_tier[row["tier"]][row["status"]] = row["n"]
    complaints = {
        "filed": rates.total,
        "by_tier": by_tier,
        "response_rate": rates.response_rate,
        "resolution_rate": rates.resolution_rate,
        "satisfaction_rate": rates.satisfaction_rate,
        "rated": rates.rated,
        "solved": rates.solved,
    }
    statuses = pledge_item_statuses(
        compound=compound, year=period.start.year, on=min(period.end, timezone.localdate())
    )
    pledge_counts: dict[str, int] = defaultdict(int)
    for s in statuses:
        pledge_counts[str(s.status)] += 1
    rows = schedule_compliance(compound=compound, start=period.start, end=period.end)
    disclosure_counts: dict[str, int] = defaultdict(int)
    for r in rows:
        disclosure_counts[r.status] += 1
    evaluation = None
    if period.kind == WorkSummary.Kind.YEAR or period.end.month == 12:
        summary = _evaluation(compound)
        if summary is not None and summary.year == period.start.year:
            evaluation = {
                "year": summary.year,
                "score": summary.figure.value,
                "rows": [
                    {
                        "name": r.name,
                        "total": _json_value(r.total),
                        "band": str(r.band),
                        "stars": r.stars,
                    }
                    for r in summary.rows
                ],
            }
    return {
        "period": period.code,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "meetings": meetings,
        "topics": {
            "total": sum(topic_counts.values()),
            "accepted": topic_counts.get(AgendaTopic.Status.ACCEPTED, 0),
            "by_status": topic_counts,
        },
        "action_items": items,
        "complaints": complaints,
        "pledges": {"total": len(statuses), "by_status": dict(pledge_counts)},
        "disclosures": {"total": len(rows), "by_status": dict(disclosure_counts)},
        "evaluation": evaluation,
    }


def _period_issue_counts(compound: Compound, start, end) -> list[dict]:
    """Complaints of the compound filed in [start, end) by tier and status (all statuses,
    merged ones left out like ``issue_rates`` does).

    Adapter: issues.selectors has no count by tier and outcome for a period (its queues
    hide finished issues); this one read of ``issues.models`` stays here until issues
    offers it (integration request in docs/dashboard.md).
    """
    from issues.models import Issue

    return list(
        Issue.objects.filter(compound=compound, created_at__gte=start, created_at__lt=end)
        .exclude(status=Issue.Status.MERGED)
        .order_by()
        .values("tier", "status")
        .annotate(n=Count("pk"))
    )


def work_summary_list(*, compounds: Iterable[Compound]) -> QuerySet[WorkSummary]:
    """Work summaries of these compounds, newest period first."""
    return (
        WorkSummary.objects.filter(compound__in=compounds)
        .select_related("compound", "submitted_to")
        .order_by("-period_start", "compound__name", "kind")
    )


def work_summary_detail(*, pk: int) -> WorkSummary | None:
    return (
        WorkSummary.objects.select_related(
            "compound__community__street", "submitted_to", "created_by", "approved_by"
        )
        .filter(pk=pk)
        .first()
    )


def work_summary_events(*, summary: WorkSummary) -> QuerySet:
    return summary.events.select_related("actor").order_by("at", "pk")
