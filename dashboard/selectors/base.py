"""Dashboard selectors, part 1: figure keys, value types, periods and who sees which places."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huashan import periods
from huashan.directory.models import Community, Compound, Membership, Organization, Street
from huashan.directory.rules import STAFF_ROLES

from ..models import WorkSummary

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
    return periods.month_start(day)


def add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month ``months`` after (or before) ``day``'s month."""
    return periods.add_months(periods.month_start(day), months)


def trend_months(*, now: dt.datetime | None = None, months: int = TREND_MONTHS) -> list[dt.date]:
    """First days of the last ``months`` months, oldest first, ending with this month."""
    this = month_start(timezone.localdate(now) if now else timezone.localdate())
    return [add_months(this, -i) for i in range(months - 1, -1, -1)]


def period_parse(code: str) -> Period:
    """``2026H1`` → Jan–Jun, ``2026H2`` → Jul–Dec, ``2026`` → the year.

    Raises ``ValueError`` (:class:`huashan.periods.PeriodError`) with a user-facing
    message for anything else.
    """
    period = periods.parse(
        str(code or "").strip()[:10],
        kinds=(periods.HALF_YEAR, periods.YEAR),
        message=_("Enter a period like 2026H1, 2026H2 or 2026."),
    )
    return Period(period.code, WorkSummary.Kind(period.kind), period.start, period.end)


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
