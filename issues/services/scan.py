"""The deadline scan and the auto-close scan (Celery beat and the issues_scan_deadlines command)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.directory.models import (
    Compound,
    Organization,
    Person,
    mask_name,
)
from huashan.notify.services import (
    OutboxMessage,
    notifications_create_bulk,
    organization_messages,
)

from ..models import (
    ALARMS_SETTLED,
    ClockPolicy,
    Issue,
    IssueAlarm,
    IssueEvent,
    Referral,
    SupervisionOrder,
    WhistleSummons,
)
from ._common import DEFAULT_WARN_HOURS, SUPERVISOR_KINDS, Clock, Stage, Status, Tier
from .clocks import running_clocks
from .closing import issue_close_auto
from .notifications import _intake_orgs, _org_recipients, _orgs_of_kinds


@dataclass
class ScanReport:
    """What one deadline scan did: one line per alarm it raised."""

    warned: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)


# --- scans (Celery beat and the issues_scan_deadlines command) -----------------------

#: Due items claimed, notified and recorded per transaction (bench analysis 2026-11-28).
SCAN_BATCH_SIZE = 1000
#: Issue bookmarks set per UPDATE (after their batches committed).
SCAN_BOOKMARKS_PER_UPDATE = 10 * SCAN_BATCH_SIZE


@dataclass
class _Due:
    issue: Issue
    clock: str
    due: dt.datetime
    stage: str
    organizations: list[Organization] = field(default_factory=list)
    persons: list[Person] = field(default_factory=list)


def _stage(due: dt.datetime, now: dt.datetime, warn: dt.timedelta) -> str | None:
    if due <= now:
        return Stage.OVERDUE
    if due - warn <= now:
        return Stage.DUE_SOON
    return None


def issue_alarm_bookmarks_reset(*, compound) -> int:
    """Forget the scan's bookmarks of a compound's complaints (after its warning window changed).

    ``alarm_recheck_at`` was computed with the old ``ClockPolicy.warn_before_hours``;
    cleared, the next scan recomputes it (alarms already raised stay unique).
    Returns the number of complaints touched.
    """
    return Issue.objects.filter(compound=compound, alarm_recheck_at__isnull=False).update(
        alarm_recheck_at=None
    )


def _alarm_recheck_at(
    clocks: Iterable[tuple[str, dt.datetime]], *, now: dt.datetime, warn: dt.timedelta
) -> dt.datetime:
    """When the scan next has something to do for these clocks: the next warning or breach."""
    upcoming = []
    for _clock, due in clocks:
        if now < due - warn:
            upcoming.append(due - warn)
        elif now < due:
            upcoming.append(due)
    return min(upcoming, default=ALARMS_SETTLED)


LEGACY_CLOCK_LABEL = _("Periodic explanation to residents (legacy matter)")
PUBLIC_CLOCKS = frozenset({Clock.RESPONSE, Clock.FEEDBACK, Clock.PLAN, Clock.HAZARD})

# The rows travel as one JSON document, as in notifications_create_bulk: json.dumps is
# C, while an array parameter is adapted element by element in Python.
_CLAIM_ALARMS_SQL = f"""
INSERT INTO {IssueAlarm._meta.db_table} (issue_id, clock, stage, due, created_at)
SELECT a.i, a.c, a.s, a.d, %s FROM json_to_recordset(%s::json)
    AS a(i bigint, c varchar, s varchar, d timestamptz)
ON CONFLICT ON CONSTRAINT issue_alarm_once DO NOTHING
RETURNING issue_id, clock, stage, due
"""
# Optimistic: only rows not changed since the scan read them (same ``xmin``) get the
# bookmark; a row a service changed meanwhile keeps its cleared bookmark for the next run.
_SET_RECHECK_SQL = f"""
UPDATE {Issue._meta.db_table} AS issue SET alarm_recheck_at = bookmark.a
FROM json_to_recordset(%s::json) AS bookmark(i bigint, a timestamptz, v text)
WHERE issue.id = bookmark.i AND issue.xmin::text = bookmark.v
"""
_INSERT_EVENTS_SQL = f"""
INSERT INTO {IssueEvent._meta.db_table}
    (issue_id, actor_id, organization_id, at, verb, from_state, to_state, note, public)
SELECT e.i, NULL, NULL, %s, %s, '', '', e.n, e.p
FROM json_to_recordset(%s::json) AS e(i bigint, n text, p boolean)
"""


def _set_based() -> bool:
    """PostgreSQL: the scan's set-based statements (arrays, ``xmin``, ``ON CONSTRAINT``).

    Anything else (SQLite under ``make run``) takes the portable row-by-row path with
    the same outcome: alarms claimed once through the unique constraint, bookmarks
    written only on rows whose clocks did not move since the scan read them.
    """
    return connection.vendor == "postgresql"


def _json_rows(rows: list[dict]) -> str:
    """Rows for ``json_to_recordset`` (one object each; datetimes already ISO 8601 with
    their offset, which is exact)."""
    return json.dumps(rows, ensure_ascii=False)


_LINK_PROBE = "HS-0000-PROBE"
# What running_clocks() and the messages read, as plain rows (:class:`_DueIssue`): a
# model instance per due issue (and per compound and organization joined) cost more
# than the rest of the scan's Python (bench/results/2026-12-07-late-1m.md).
_SCAN_ISSUE_FIELDS = (
    "pk",
    "tracking_number",
    "compound_id",
    "tier",
    "status",
    "accepted_at",
    "paused_at",
    "response_due",
    "feedback_due",
    "is_complex",
    "plan_given_at",
    "plan_due",
    "is_hazard",
    "hazard_due",
    "assigned_org_id",
)


@dataclass(slots=True)
class _DueIssue:
    """A due issue as the scan reads it: the fields of :data:`_SCAN_ISSUE_FIELDS` (what
    ``running_clocks`` and the messages use), its compound and responsible organization
    (shared per scan), and the row version its bookmark is written against."""

    pk: int
    tracking_number: str
    compound_id: int
    tier: str
    status: str
    accepted_at: dt.datetime | None
    paused_at: dt.datetime | None
    response_due: dt.datetime | None
    feedback_due: dt.datetime | None
    is_complex: bool
    plan_given_at: dt.datetime | None
    plan_due: dt.datetime | None
    is_hazard: bool
    hazard_due: dt.datetime | None
    assigned_org_id: int | None
    row_version: object = None
    compound: Compound | None = None
    assigned_org: Organization | None = None


_SCAN_TEXTS = {
    **{clock.value: clock.label for clock in Clock},
    "legacy": LEGACY_CLOCK_LABEL,
    "warning_subject": _("Due soon: %(clock)s for %(number)s"),
    "warning_body": _("The deadline is %(due)s."),
    "breach_subject": _("Deadline missed: %(clock)s for %(number)s"),
    "breach_body": _("The deadline was %(due)s. Responsible: %(who)s."),
    "breach_note": _("Deadline missed: %(clock)s (%(due)s)."),
}


@dataclass
class _Scan:
    """One scan's clock, report and caches (per organization / compound, not per alarm)."""

    now: dt.datetime
    warn_hours: dict[int, int]
    report: ScanReport = field(default_factory=ScanReport)
    members: dict[int, list[Person]] = field(default_factory=dict)
    supervisors: dict[int, list[Organization]] = field(default_factory=dict)
    intake: dict[int, list[Organization]] = field(default_factory=dict)
    explainers: dict[int, list[Organization]] = field(default_factory=dict)
    link_pattern: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    deadline_texts: dict[tuple, str] = field(default_factory=dict)
    compounds: dict[int, Compound] = field(default_factory=dict)
    organizations: dict[int, Organization] = field(default_factory=dict)

    def text(self, name: str) -> str:
        """A message of :data:`_SCAN_TEXTS`, translated once per scan, not once per alarm."""
        if name not in self.texts:
            self.texts[name] = str(_SCAN_TEXTS[name])
        return self.texts[name]

    def deadline_text(self, due: dt.datetime) -> str:
        """``workdays.format_deadline(due)``, once per minute of the scan's deadlines.

        The text shows the date and the minute, and a deadline at exactly midnight as
        24:00 of the day before: it depends on the minute and on whether the deadline
        is exactly on it, so that pair is the key (due times are rarely equal).
        """
        exact = not (due.second or due.microsecond)
        key = (due.replace(second=0, microsecond=0), exact)
        if key not in self.deadline_texts:
            self.deadline_texts[key] = workdays.format_deadline(due)
        return self.deadline_texts[key]

    def attach(self, issues: list[_DueIssue]) -> None:
        """Give the batch's issues their compound and responsible organization: read
        once per scan (one query each for those not read yet), shared by every row."""
        for cache, model, key in (
            (self.compounds, Compound, "compound_id"),
            (self.organizations, Organization, "assigned_org_id"),
        ):
            missing = {getattr(i, key) for i in issues} - cache.keys() - {None}
            if missing:
                cache.update(model.objects.in_bulk(missing))
        for issue in issues:
            issue.compound = self.compounds[issue.compound_id]
            if issue.assigned_org_id is not None:
                issue.assigned_org = self.organizations[issue.assigned_org_id]

    def staff_link(self, issue: Issue) -> str:
        # One reverse() per scan, not per alarm (tracking numbers are URL-safe).
        if not self.link_pattern:
            try:
                probe = reverse("issues:staff_detail", args=[_LINK_PROBE])
            except NoReverseMatch:
                probe = f"/issues/{_LINK_PROBE}/manage/"
            self.link_pattern = probe.replace(_LINK_PROBE, "{}")
        return self.link_pattern.format(issue.tracking_number)

    def warn_for(self, compound_id: int) -> dt.timedelta:
        return dt.timedelta(hours=self.warn_hours.get(compound_id, DEFAULT_WARN_HOURS))

    def add(self, found: dict, issue: Issue, clock: str, due: dt.datetime, org=None, person=None):
        stage = _stage(due, self.now, self.warn_for(issue.compound_id))
        if stage is None:
            return
        key = (issue.pk, str(clock), str(stage), due)
        item = found.setdefault(key, _Due(issue=issue, clock=key[1], due=due, stage=key[2]))
        if org is not None and org not in item.organizations:
            item.organizations.append(org)
        if person is not None and person not in item.persons:
            item.persons.append(person)


def issue_scan_deadlines(*, now: dt.datetime | None = None) -> ScanReport:
    """Warn before a deadline, tell supervisors on breach, record the breach — once.

    seed: 协同联动 第二条 (督办 by the compound party organization and the RC's
    环境和物业管理委员会); 小区党组织服务承诺 第3条, 第7条; 物业管理委员会服务承诺 第3条.

    Set-based (STYLE.md "Time"; healthchecks' ``sendalerts``), in batches of
    :data:`SCAN_BATCH_SIZE`, one transaction each:

    * the issues' own clocks: due issues whose bookmark ``alarm_recheck_at`` is
      unset or reached are locked (``SKIP LOCKED``), their alarms claimed, and the
      bookmark moved to the next warning or breach (``ALARMS_SETTLED`` when all
      are breached). ``_refresh_next_deadline`` clears it whenever the clocks
      change, so an idle rerun is one indexed query that returns nothing;
    * referrals, whistle report-ins and supervision orders: rows with no alarm yet
      at their current stage (``NOT EXISTS`` on the alarm's unique key).

    Alarms are claimed with one ``INSERT … ON CONFLICT ON CONSTRAINT
    issue_alarm_once DO NOTHING RETURNING``: only returned rows notify, so a scan
    run twice, or rerun after its worker was killed mid-way, notifies once.
    Events and notifications of a batch are bulk-inserted in the same transaction;
    webhook / e-mail delivery happens after commit (the outbox sweep covers failures).
    """
    now = now or timezone.now()
    warn_hours = dict(ClockPolicy.objects.values_list("compound_id", "warn_before_hours"))
    scan = _Scan(now=now, warn_hours=warn_hours)
    horizon = now + dt.timedelta(hours=max([DEFAULT_WARN_HOURS, *warn_hours.values()]))
    open_states = list(Issue.OPEN_STATES)

    _scan_issue_clocks(scan, horizon, open_states)
    _scan_side_clocks(scan, horizon, open_states)
    return scan.report


def _scan_issue_clocks(scan: _Scan, horizon: dt.datetime, open_states: list[str]) -> None:
    """The issues' own clocks, in batches, each batch's alarms in one transaction; the
    bookmarks after the alarms they cover committed."""
    now = scan.now
    due_issues = (
        # A paused issue's hazard clock still runs (小区党组织服务承诺 第7条): while paused,
        # next_deadline is the hazard's (clocks.running_clocks).
        Issue.objects.filter(status__in=open_states, next_deadline__lte=horizon)
        .filter(Q(paused_at__isnull=True) | Q(is_hazard=True))
        .filter(Q(alarm_recheck_at__isnull=True) | Q(alarm_recheck_at__lte=now))
        .annotate(
            row_version=RawSQL(f'"{Issue._meta.db_table}".xmin::text', ())
            if _set_based()
            else F("next_deadline")
        )
        .order_by("next_deadline", "pk")
        .values_list(*_SCAN_ISSUE_FIELDS, "row_version")
    )
    # Bookmarks are written after the alarms they cover committed, many batches per
    # statement: a kill in between leaves them unset, and the rerun re-claims nothing.
    bookmarks: tuple[list, list, list] = ([], [], [])
    rows = due_issues.iterator(chunk_size=SCAN_BATCH_SIZE)
    while batch := [_DueIssue(*row) for row in islice(rows, SCAN_BATCH_SIZE)]:
        scan.attach(batch)
        found: dict[tuple, _Due] = {}
        for issue in batch:
            clocks = running_clocks(issue)
            for clock, due in clocks:
                scan.add(found, issue, clock, due)
            warn = scan.warn_for(issue.compound_id)
            bookmarks[0].append(issue.pk)
            bookmarks[1].append(_alarm_recheck_at(clocks, now=now, warn=warn))
            bookmarks[2].append(issue.row_version)
        with transaction.atomic():
            _raise_alarms(scan, list(found.values()))
        if len(bookmarks[0]) >= SCAN_BOOKMARKS_PER_UPDATE:
            _set_bookmarks(bookmarks)
    _set_bookmarks(bookmarks)


def _not_alarmed(now: dt.datetime, clock: str, issue_ref: str, due_ref: str) -> Exists:
    """No alarm yet for this clock, due time and its current stage (the alarm's unique key)."""
    return ~Exists(
        IssueAlarm.objects.filter(
            issue=OuterRef(issue_ref),
            clock=clock,
            due=OuterRef(due_ref),
            stage=Case(
                When(due__lte=now, then=Value(Stage.OVERDUE)), default=Value(Stage.DUE_SOON)
            ),
        )
    )


def _scan_side_clocks(scan: _Scan, horizon: dt.datetime, open_states: list[str]) -> None:
    """Referrals, whistle report-ins and supervision orders with no alarm at their stage."""
    now = scan.now
    found: dict[tuple, _Due] = {}
    referrals = (
        Referral.objects.filter(
            acknowledged_at__isnull=True,
            ack_due__lte=horizon,
            issue__status__in=open_states,
            issue__paused_at__isnull=True,
        )
        .filter(_not_alarmed(now, Clock.REFERRAL, "issue", "ack_due"))
        .select_related("issue__compound", "issue__assigned_org", "organization")
    )
    for referral in referrals.iterator(chunk_size=SCAN_BATCH_SIZE):
        scan.add(found, referral.issue, Clock.REFERRAL, referral.ack_due, org=referral.organization)
    summonses = (
        WhistleSummons.objects.filter(
            reported_at__isnull=True,
            whistle__report_due__lte=horizon,
            whistle__issue__status__in=open_states,
        )
        .filter(_not_alarmed(now, Clock.WHISTLE, "whistle__issue", "whistle__report_due"))
        .select_related(
            "whistle__issue__compound", "whistle__issue__assigned_org", "organization", "person"
        )
    )
    for summons in summonses.iterator(chunk_size=SCAN_BATCH_SIZE):
        scan.add(
            found,
            summons.whistle.issue,
            Clock.WHISTLE,
            summons.whistle.report_due,
            org=summons.organization,
            person=summons.person,
        )
    orders = (
        SupervisionOrder.objects.filter(
            fulfilled_at__isnull=True, due__lte=horizon, issue__status__in=open_states
        )
        .filter(_not_alarmed(now, Clock.SUPERVISION, "issue", "due"))
        .select_related("issue__compound", "issue__assigned_org", "organization")
    )
    for order in orders.iterator(chunk_size=SCAN_BATCH_SIZE):
        scan.add(found, order.issue, Clock.SUPERVISION, order.due, org=order.organization)
    items = list(found.values())
    for start in range(0, len(items), SCAN_BATCH_SIZE):
        with transaction.atomic():
            _raise_alarms(scan, items[start : start + SCAN_BATCH_SIZE])


def _set_bookmarks(bookmarks: tuple[list, list, list]) -> None:
    if bookmarks[0]:
        # In primary-key order: the rows are visited in the table's physical order.
        rows = sorted(zip(*bookmarks, strict=True))
        if _set_based():
            with connection.cursor() as cursor:
                cursor.execute(
                    _SET_RECHECK_SQL,
                    [
                        _json_rows(
                            [
                                {"i": pk, "a": at.isoformat(), "v": version}
                                for pk, at, version in rows
                            ]
                        )
                    ],
                )
        else:  # the row's clocks are its version: moved clocks keep the cleared bookmark
            for pk, at, next_deadline in rows:
                Issue.objects.filter(pk=pk, next_deadline=next_deadline).update(alarm_recheck_at=at)
        for column in bookmarks:
            column.clear()


def _raise_alarms(scan: _Scan, items: list[_Due]) -> None:
    """Claim the items' alarms in one statement; notify and record only the claimed ones.

    Runs inside the caller's transaction: a rollback takes claims, events and
    notifications back together.
    """
    if not items:
        return
    items.sort(key=lambda item: (item.due, item.issue.pk, item.clock, item.stage))
    if _set_based():
        with connection.cursor() as cursor:
            cursor.execute(
                _CLAIM_ALARMS_SQL,
                [
                    scan.now,
                    _json_rows(
                        [
                            {
                                "i": item.issue.pk,
                                "c": item.clock,
                                "s": item.stage,
                                "d": item.due.isoformat(),
                            }
                            for item in items
                        ]
                    ),
                ],
            )
            claimed = {(row[0], row[1], row[2], row[3]) for row in cursor.fetchall()}
    else:
        claimed = set()
        for item in items:
            try:
                with transaction.atomic():
                    IssueAlarm.objects.create(
                        issue_id=item.issue.pk,
                        clock=item.clock,
                        stage=item.stage,
                        due=item.due,
                        created_at=scan.now,
                    )
            except IntegrityError:  # claimed by an earlier or a concurrent run
                continue
            claimed.add((item.issue.pk, item.clock, item.stage, item.due))
    messages: list[OutboxMessage] = []
    events: list[tuple[int, str, bool]] = []  # breach events: (issue, note, public)
    for item in items:
        if (item.issue.pk, item.clock, item.stage, item.due) not in claimed:
            continue
        event = _alarm_messages(scan, item, messages)
        if event is not None:
            events.append(event)
        line = f"{item.issue.tracking_number} {item.clock} {item.due.isoformat()}"
        (scan.report.breached if item.stage == Stage.OVERDUE else scan.report.warned).append(line)
    notifications_create_bulk(messages)
    if events and not _set_based():
        IssueEvent.objects.bulk_create(
            IssueEvent(issue_id=pk, at=scan.now, verb="deadline_breached", note=note, public=public)
            for pk, note, public in events
        )
    elif events:
        with connection.cursor() as cursor:
            cursor.execute(
                _INSERT_EVENTS_SQL,
                [
                    scan.now,
                    "deadline_breached",
                    _json_rows([{"i": pk, "n": note, "p": public} for pk, note, public in events]),
                ],
            )


def _org_messages(
    scan: _Scan, org: Organization, *, subject: str, body: str, link: str
) -> list[OutboxMessage]:
    """What :func:`notify_organization` writes, as rows for one bulk INSERT."""
    return organization_messages(
        organization=org,
        subject=subject,
        body=body,
        link=link,
        recipients=_org_recipients(org, scan.members),
    )


def _alarm_messages(
    scan: _Scan, item: _Due, messages: list[OutboxMessage]
) -> tuple[int, str, bool] | None:
    """Append the alarm's notifications to ``messages``; the breach event's row, if a breach."""
    issue = item.issue
    clock_label = scan.text(item.clock)
    legacy = item.clock == Clock.FEEDBACK and issue.tier == Tier.LEGACY
    if legacy:
        # 历史遗留: the feedback clock is the periodic explanation (协同联动 第五条).
        clock_label = scan.text("legacy")
    due_text = scan.deadline_text(item.due)
    if item.organizations:
        targets = item.organizations
    elif issue.assigned_org_id:
        targets = [issue.assigned_org]
    else:
        if issue.compound_id not in scan.intake:
            scan.intake[issue.compound_id] = _intake_orgs(issue.compound)
        targets = scan.intake[issue.compound_id]
    if legacy:
        # "三方共同向居民做好解释说明": the explanation is the RC's, the PMC's and the
        # company's together (each confirms it), so each is warned and named, not only the
        # body the complaint is assigned to.
        if issue.compound_id not in scan.explainers:
            scan.explainers[issue.compound_id] = _orgs_of_kinds(
                issue.compound, Organization.THREE_PARTIES
            )
        targets = targets + [o for o in scan.explainers[issue.compound_id] if o not in targets]
    link = scan.staff_link(issue)
    if item.stage == Stage.DUE_SOON:
        subject = scan.text("warning_subject") % {
            "clock": clock_label,
            "number": issue.tracking_number,
        }
        body = scan.text("warning_body") % {"due": due_text}
        notified = targets
    else:
        subject = scan.text("breach_subject") % {
            "clock": clock_label,
            "number": issue.tracking_number,
        }
        body = scan.text("breach_body") % {
            "due": due_text,
            "who": "、".join([o.name for o in targets] + [mask_name(p.name) for p in item.persons]),
        }
        if issue.compound_id not in scan.supervisors:
            scan.supervisors[issue.compound_id] = _orgs_of_kinds(issue.compound, SUPERVISOR_KINDS)
        supervisors = scan.supervisors[issue.compound_id]
        notified = supervisors + [o for o in targets if o not in supervisors]
    for org in notified:
        messages.extend(_org_messages(scan, org, subject=subject, body=body, link=link))
    for person in item.persons:
        if person.is_active:
            messages.append(
                OutboxMessage(
                    channel="inbox", recipient=person, subject=subject, body=body, link=link
                )
            )
    if item.stage == Stage.DUE_SOON:
        return None
    note = scan.text("breach_note") % {"clock": clock_label, "due": due_text}
    return (issue.pk, note, item.clock in PUBLIC_CLOCKS)


def issue_auto_close_scan(*, now: dt.datetime | None = None) -> list[str]:
    """Close resolved issues after ``auto_close_days`` without objection; returns numbers."""
    now = now or timezone.now()
    days = [p.auto_close_days for p in ClockPolicy.objects.all()]
    shortest = min([ClockPolicy._meta.get_field("auto_close_days").default, *days])
    candidates = Issue.objects.filter(
        status=Status.RESOLVED, resolved_at__lte=now - dt.timedelta(days=shortest)
    ).order_by("resolved_at", "pk")
    closed = []
    for issue in candidates.iterator(chunk_size=200):
        if issue_close_auto(issue=issue, now=now) is not None:
            closed.append(issue.tracking_number)
    return closed
