"""Reads for the board, staff pages, API, PDFs and other apps' dashboards.

Every selector runs a constant number of queries whatever the data size
(STYLE.md: asserted at two sizes in tests/disclosures/test_selectors.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from huashan import periods
from huashan.directory.models import Compound, Membership, Organization
from huashan.directory.rules import PUBLISHER_ROLES
from meetings.models import OwnersAssemblyMotion

from .models import (
    CADENCE_PERIOD_TYPE,
    Category,
    Disclosure,
    DisclosureAttachment,
    DisclosureEvent,
    Ledger,
    LedgerLine,
    Objection,
    ObjectionEvent,
    Report,
    ResolutionFollowUp,
    Schedule,
    period_due,
    periods_overlapping,
)

State = Disclosure.State


def period_bounds(code: str) -> tuple[dt.date, dt.date, str]:
    """``"2026Q3"`` → (2026-07-01, 2026-09-30, "quarter"); ``"2026"`` → the year, "year"."""
    period = periods.parse(
        code,
        kinds=(periods.QUARTER, periods.YEAR),
        message=gettext("Give the period as 2026Q3 (a quarter) or 2026 (a year)."),
    )
    return period.start, period.end, period.kind


def categories() -> QuerySet[Category]:
    return Category.objects.all()


def _public_base() -> QuerySet[Disclosure]:
    return Disclosure.objects.select_related("category", "organization", "compound")


def board_disclosures(
    *,
    compound: Compound,
    category: Category | str | None = None,
    organization: Organization | int | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    q: str = "",
    archive: bool = False,
) -> QuerySet[Disclosure]:
    """The public board (阳光码 target): current postings, or the archive.

    Current = published. Archive = expired or archived (superseded versions are
    reached through their current version's history). ``category`` may be a code.
    """
    qs = _public_base().filter(compound=compound)
    qs = qs.filter(state__in=(State.EXPIRED, State.ARCHIVED) if archive else (State.PUBLISHED,))
    if isinstance(category, str) and category:
        qs = qs.filter(category__code=category)
    elif isinstance(category, Category):
        qs = qs.filter(category=category)
    if organization is not None:
        qs = qs.filter(organization=organization)
    if period_start is not None:
        qs = qs.filter(Q(period_end__gte=period_start) | Q(period_end__isnull=True))
    if period_end is not None:
        qs = qs.filter(Q(period_start__lte=period_end) | Q(period_start__isnull=True))
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body_markdown__icontains=q))
    return qs.order_by("category__sort_order", "-published_at", "-pk")


def _board_version_sql() -> str:
    tables = {
        "compound": Compound._meta.db_table,
        "disclosure": Disclosure._meta.db_table,
        "event": DisclosureEvent._meta.db_table,
        "objection": Objection._meta.db_table,
        "objection_event": ObjectionEvent._meta.db_table,
    }
    return """
        SELECT c.*,
          (SELECT max(d.updated_at) FROM {disclosure} d WHERE d.compound_id = c.id) AS v_updated,
          (SELECT max(e.id) FROM {event} e JOIN {disclosure} d ON d.id = e.disclosure_id
            WHERE d.compound_id = c.id) AS v_event,
          (SELECT max(o.id) FROM {objection} o JOIN {disclosure} d ON d.id = o.disclosure_id
            WHERE d.compound_id = c.id) AS v_objection,
          (SELECT max(e.id) FROM {objection_event} e
            JOIN {objection} o ON o.id = e.objection_id
            JOIN {disclosure} d ON d.id = o.disclosure_id
            WHERE d.compound_id = c.id) AS v_answer
        FROM {compound} c WHERE c.slug = %s
    """.format(**tables)


def board_compound(*, slug: str) -> Compound | None:
    """The compound of a public board, with ``board_version`` (one query), or None.

    The version changes with everything the board shows: a publication, a correction
    (the old version becomes superseded), an expiry or an archiving (each saves the row
    and writes an event), an objection filed or answered. Expiry is a state the
    ``disclosures_expire_due`` beat job writes (seed: 公示承诺制度 第四条 公示期限), not a
    date compared at read time, so the version needs no clock. Event ids are included
    because two changes can share a timestamp (frozen clocks, one transaction).

    Plain SQL on purpose: this runs on every board request, and compiling the same
    four subqueries through the ORM cost three times the query itself (bench).
    """
    row = next(iter(Compound.objects.raw(_board_version_sql(), [slug])), None)
    if row is not None:
        row.board_version = (
            # str(): a datetime on PostgreSQL, already text on SQLite (`make run`).
            str(row.v_updated or ""),
            row.v_event,
            row.v_objection,
            row.v_answer,
        )
    return row


def disclosure_public_get(*, pk: int) -> Disclosure | None:
    """A public disclosure with its attachments and ledger loaded; None for drafts."""
    return (
        _public_base()
        .filter(pk=pk, state__in=Disclosure.PUBLIC_STATES)
        .select_related("ledger")
        .prefetch_related("attachments")
        .first()
    )


def disclosure_versions(*, disclosure: Disclosure) -> list[Disclosure]:
    """Every public version of the disclosure's lineage, oldest first (one query)."""
    root = disclosure.root_id or disclosure.pk
    return list(
        Disclosure.objects.filter(Q(pk=root) | Q(root_id=root))
        .filter(state__in=Disclosure.PUBLIC_STATES)
        .order_by("version")
    )


@dataclass(frozen=True)
class PublicObjection:
    """An objection as the public sees it: objector masked (PIPL)."""

    pk: int
    objector: str
    body: str
    created_at: dt.datetime
    answer_due: dt.datetime
    state: str
    state_label: str
    answer: str
    answered_at: dt.datetime | None
    overdue: bool
    disclosure_version: int


def disclosure_objections_public(*, disclosure: Disclosure) -> list[PublicObjection]:
    """Objections and answers of the whole lineage, objector shown as 张**."""
    root = disclosure.root_id or disclosure.pk
    now = timezone.now()
    rows = (
        Objection.objects.filter(Q(disclosure_id=root) | Q(disclosure__root_id=root))
        .select_related("objector", "disclosure")
        .order_by("created_at", "pk")
    )
    return [
        PublicObjection(
            pk=o.pk,
            objector=o.objector.masked_name,
            body=o.body,
            created_at=o.created_at,
            answer_due=o.answer_due,
            state=o.state,
            state_label=str(o.get_state_display()),
            answer=o.answer,
            answered_at=o.answered_at,
            overdue=o.state == Objection.State.OPEN and o.answer_due < now,
            disclosure_version=o.disclosure.version,
        )
        for o in rows
    ]


def staff_disclosures(
    *, compound: Compound, organizations=None, state: str | None = None
) -> QuerySet[Disclosure]:
    """All disclosures of a compound, drafts included (staff list)."""
    qs = _public_base().filter(compound=compound)
    if organizations is not None:
        qs = qs.filter(organization__in=organizations)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-pk")


def publisher_organizations(*, person, compound: Compound) -> list[Organization]:
    """Organizations serving ``compound`` in whose name ``person`` may publish."""
    if person is None or not getattr(person, "is_authenticated", False):
        return []
    covering = (
        Q(compound=compound)
        | Q(community_id=compound.community_id)
        | Q(street__communities__compounds=compound)
    )
    qs = Organization.objects.filter(covering)
    if not person.is_superuser:
        qs = qs.filter(
            memberships__in=Membership.objects.current().filter(
                person=person, role__in=PUBLISHER_ROLES
            )
        )
    return list(qs.distinct().order_by("kind", "name"))


def ledger_lines(*, ledger: Ledger) -> QuerySet[LedgerLine]:
    return ledger.lines.order_by("line_no")


def open_objections(*, organizations) -> QuerySet[Objection]:
    """Objections waiting for an answer from these organizations, oldest deadline first."""
    return (
        Objection.objects.filter(
            state=Objection.State.OPEN, disclosure__organization__in=organizations
        )
        .select_related("disclosure", "objector")
        .order_by("answer_due")
    )


def compound_reports(*, compound: Compound) -> QuerySet[Report]:
    return Report.objects.filter(compound=compound).order_by("-created_at", "-pk")


# --- schedule compliance -------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceRow:
    """One period of one obligation. ``disclosure`` is the current version, if published."""

    schedule: Schedule
    organization: Organization
    category: Category
    period_start: dt.date
    period_end: dt.date
    due: dt.date
    status: str  # "on_time" | "late" | "missing" | "not_due"
    disclosure: Disclosure | None
    published_on: dt.date | None = None


COMPLIANCE_STATUSES = ("on_time", "late", "missing", "not_due")


def compliance_status_label(status: str) -> str:
    return {
        "on_time": gettext("On time"),
        "late": gettext("Late"),
        "missing": gettext("Missing"),
        "not_due": gettext("Not yet due"),
    }[status]


ScheduledPeriod = tuple[Schedule, dt.date, dt.date, dt.date]


def _scheduled_periods(
    *, compound: Compound, start: dt.date, end: dt.date, organization: Organization | None
) -> list[ScheduledPeriod]:
    """``(schedule, period start, period end, due day)`` of every active schedule's periods
    overlapping [start, end] (none before the schedule starts)."""
    schedules = Schedule.objects.filter(compound=compound, active=True).select_related(
        "organization", "category"
    )
    if organization is not None:
        schedules = schedules.filter(organization=organization)
    periods: list[ScheduledPeriod] = []
    for schedule in schedules.order_by("organization__kind", "category__sort_order", "cadence"):
        for p_start, p_end in periods_overlapping(schedule.cadence, start, end):
            if p_start < schedule.starts_on:
                continue
            periods.append((schedule, p_start, p_end, period_due(p_end, schedule.due_day)))
    return periods


def _publications(
    compound: Compound, periods: list[ScheduledPeriod]
) -> tuple[dict[tuple, dt.datetime], dict[tuple, Disclosure]]:
    """For each (organization, category, period type, period start): when any version was
    first published, and the current (not superseded) version. One query."""
    first_published: dict[tuple, dt.datetime] = {}
    current: dict[tuple, Disclosure] = {}
    found = (
        Disclosure.objects.filter(
            compound=compound,
            state__in=Disclosure.PUBLIC_STATES,
            organization_id__in={p[0].organization_id for p in periods},
            category_id__in={p[0].category_id for p in periods},
            period_start__gte=min(p[1] for p in periods),
            period_start__lte=max(p[1] for p in periods),
        )
        .only(
            "pk",
            "title",
            "state",
            "version",
            "organization_id",
            "category_id",
            "period_type",
            "period_start",
            "published_at",
        )
        .order_by("published_at", "pk")
    )
    for d in found:
        key = (d.organization_id, d.category_id, d.period_type, d.period_start)
        if d.published_at is not None:
            first_published.setdefault(key, d.published_at)
        if d.state != State.SUPERSEDED:
            current[key] = d
    return first_published, current


def schedule_compliance(
    *,
    compound: Compound,
    start: dt.date,
    end: dt.date,
    organization: Organization | None = None,
) -> list[ComplianceRow]:
    """On time / late / missing / not yet due for every scheduled period overlapping
    [start, end] (seed: 公示承诺制度 第二、三条; pledge letters' disclosure items).

    Two queries, whatever the number of schedules or periods. The first
    publication of any version counts (a correction does not make a period late).
    """
    today = timezone.localdate()
    periods = _scheduled_periods(compound=compound, start=start, end=end, organization=organization)
    if not periods:
        return []
    first_published, current = _publications(compound, periods)
    rows = []
    for schedule, p_start, p_end, due in periods:
        key = (
            schedule.organization_id,
            schedule.category_id,
            CADENCE_PERIOD_TYPE[schedule.cadence],
            p_start,
        )
        published = first_published.get(key)
        published_on = timezone.localdate(published) if published else None
        if published_on is not None:
            status = "on_time" if published_on <= due else "late"
        else:
            status = "missing" if due < today else "not_due"
        rows.append(
            ComplianceRow(
                schedule=schedule,
                organization=schedule.organization,
                category=schedule.category,
                period_start=p_start,
                period_end=p_end,
                due=due,
                status=status,
                disclosure=current.get(key),
                published_on=published_on,
            )
        )
    return rows


# --- report content ---------------------------------------------------------------------


@dataclass
class OrganizationSection:
    organization: Organization
    categories: list[tuple[Category, list[Disclosure]]] = field(default_factory=list)


@dataclass
class ReportContent:
    compound: Compound
    start: dt.date
    end: dt.date
    sections: list[OrganizationSection]
    compliance: list[ComplianceRow]
    objections: list[Objection]
    disclosure_count: int
    ledger_count: int


def report_content(*, compound: Compound, start: dt.date, end: dt.date) -> ReportContent:
    """Everything the quarterly / annual report prints: disclosures published in the
    period (current versions), grouped by organization and category, with ledgers
    and lines; the compliance table; objections with answers. Constant queries."""
    start_at = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    end_at = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    disclosures = list(
        Disclosure.objects.filter(
            compound=compound,
            state__in=(State.PUBLISHED, State.EXPIRED, State.ARCHIVED),
        )
        .filter(
            Q(published_at__gte=start_at, published_at__lt=end_at)
            | Q(period_start__lte=end, period_end__gte=start)
        )
        .select_related("organization", "category", "ledger")
        .prefetch_related(
            Prefetch("ledger__lines", queryset=LedgerLine.objects.order_by("line_no")),
            Prefetch("attachments", queryset=DisclosureAttachment.objects.order_by("pk")),
        )
        .order_by("organization__kind", "organization__name", "category__sort_order", "pk")
    )
    grouped: dict[int, OrganizationSection] = {}
    by_category: dict[tuple[int, int], list[Disclosure]] = defaultdict(list)
    ledger_count = 0
    for d in disclosures:
        section = grouped.setdefault(d.organization_id, OrganizationSection(d.organization))
        key = (d.organization_id, d.category_id)
        if key not in by_category:
            section.categories.append((d.category, by_category[key]))
        by_category[key].append(d)
        d.report_ledger = getattr(d, "ledger", None)
        if d.report_ledger is not None:
            ledger_count += 1
    objections = list(
        Objection.objects.filter(disclosure__compound=compound)
        .filter(created_at__gte=start_at, created_at__lt=end_at)
        .select_related("objector", "disclosure")
        .order_by("created_at", "pk")
    )
    return ReportContent(
        compound=compound,
        start=start,
        end=end,
        sections=list(grouped.values()),
        compliance=schedule_compliance(compound=compound, start=start, end=end),
        objections=objections,
        disclosure_count=len(disclosures),
        ledger_count=ledger_count,
    )


# --- owners' assembly resolutions: the half-yearly report (物管会服务承诺 1) -------------


@dataclass
class ResolutionRow:
    """One passed resolution in a half-year's report on resolutions.

    ``followup`` is what was recorded for this half-year (None: still missing);
    ``last`` the latest report of an earlier half-year, carried forward as "last
    reported" while this one is missing.
    """

    motion: object
    followup: object | None
    last: object | None

    @property
    def missing(self) -> bool:
        return self.followup is None

    @property
    def shown(self):
        """What the page shows: this half-year's report, else the last one."""
        return self.followup or self.last


def resolution_report(*, compound: Compound, period: periods.Period) -> list[ResolutionRow]:
    """Every resolution the owners passed up to the end of ``period`` (a half-year), oldest
    first, with its report for the period and the last earlier one.

    seed: 物业管理委员会服务承诺 1 "每半年…向全体业主汇报决议执行情况，对未落实事项公开说明
    原因并制定整改计划". Two queries whatever the number of resolutions or reports.
    """
    motions = list(
        OwnersAssemblyMotion.objects.filter(
            compound=compound,
            passed=True,
            stage__in=(
                OwnersAssemblyMotion.Stage.DECIDED,
                OwnersAssemblyMotion.Stage.RESULT_PUBLISHED,
            ),
            decided_at__lt=period.end_dt,
        )
        .only("pk", "compound_id", "title", "decided_at", "stage", "passed")
        .order_by("decided_at", "pk")
    )
    latest: dict[int, list] = {}
    followups = ResolutionFollowUp.objects.filter(
        compound=compound, motion_id__in=[m.pk for m in motions], period__lte=period.code
    ).order_by("motion_id", "-period")
    for row in followups:  # newest first per motion: keep this half-year's and the one before
        kept = latest.setdefault(row.motion_id, [])
        if len(kept) < 2:
            kept.append(row)
    rows = []
    for motion in motions:
        kept = latest.get(motion.pk, [])
        current = kept[0] if kept and kept[0].period == period.code else None
        earlier = [r for r in kept if r is not current]
        rows.append(ResolutionRow(motion, current, earlier[0] if earlier else None))
    return rows


def resolution_report_disclosure(*, compound: Compound, period: periods.Period):
    """The PMC's owners' assembly disclosure for the half-year, if posted (one query)."""
    return (
        Disclosure.objects.filter(
            compound=compound,
            category__code="owners_assembly",
            period_type=periods.HALF_YEAR,
            period_start=period.start,
            state__in=(State.PUBLISHED, State.EXPIRED, State.ARCHIVED),
        )
        .only("pk", "title", "published_at")
        .order_by("-published_at", "-pk")
        .first()
    )
