"""The compliance engine: every measured pledge item, every period, one set-based pass.

seed: 小区党组织服务承诺 and 物业管理委员会服务承诺 (every numbered promise); 公示承诺制度
第四条 ("建立承诺履诺监督管理").

For each compound the engine loads every piece of evidence it needs for the
whole evaluation window in bulk — activities, inspections and findings kept
here, complaint clocks (``issues/pledge_evidence.py``, one query for all
periods), disclosure schedule compliance (one call per compound) and meeting
counts (one call per distinct (kinds, period), shared by every item asking the
same) — and then computes each (item, measure, period) in Python. The query
count therefore does not grow with the number of items.

Results are stored in :class:`PeriodResult`. A result becomes ``final`` when
its period has ended and nothing in it is still pending (a complaint clock
still running, an unattested item); final rows are never recomputed, so a
later change to an item does not rewrite history. Alarms (:class:`PledgeAlarm`)
are unique per (item, measure, period, kind): a warning before the period ends
to the responsible organization, a miss notice to the compound party
organization, each sent once however often the scan runs.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from huashan import periods
from huashan.directory.models import Compound, Membership, Organization
from issues.pledge_evidence import complaint_deadline_shares, concentrated_demands_resolved

from . import evidence
from .measures import measures_of
from .models import (
    REQUIRED_SAFETY_AREAS,
    Activity,
    Attestation,
    Finding,
    Inspection,
    PeriodResult,
    PledgeAlarm,
    PledgeEvent,
    PledgeItem,
    ResultStatus,
    RuleKind,
)
from .notices import notify_organization

S = ResultStatus
_KIND_OF_MONTHS = {months: kind for kind, months in periods.MONTHS.items()}


def periods_for(*, period_months: int, year: int) -> list[tuple[dt.date, dt.date]]:
    """Calendar-aligned periods of a year: ``[(first day, last day)]``."""
    kind = _KIND_OF_MONTHS[period_months]
    first = periods.Period(kind, year, 1)
    return [(p.start, p.end) for p in (first.shift(i) for i in range(12 // period_months))]


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _span(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start 00:00, day after end 00:00)`` in Asia/Shanghai."""
    return _aware(start), _aware(end + dt.timedelta(days=1))


@dataclass
class Task:
    item: PledgeItem
    measure: int
    rule_kind: str
    params: dict
    start: dt.date
    end: dt.date


@dataclass
class Outcome:
    status: str
    figures: dict
    evidence: list = field(default_factory=list)
    settled: bool = True  # nothing pending: may become final once the period has ended


@dataclass
class ReportRow:
    compound: Compound
    item: PledgeItem
    measure: int
    label: str
    period_start: dt.date
    period_end: dt.date
    status: str
    figures: dict
    final: bool


@dataclass
class EvaluationReport:
    at: dt.datetime
    rows: list[ReportRow] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    frozen_skipped: int = 0
    alarms: int = 0


class Context:
    """Evidence of one compound for the evaluation window, loaded lazily, once."""

    def __init__(self, compound: Compound, tasks: list[Task], *, at: dt.datetime):
        self.compound = compound
        self.tasks = tasks
        self.at = at
        self.today = timezone.localdate(at)
        self.low = min(t.start for t in tasks)
        self.high = max(t.end for t in tasks)
        self._cache: dict[str, Any] = {}
        self._meetings: dict[tuple, int | None] = {}
        self._satisfaction: dict[tuple, float | None] = {}

    def _once(self, key: str, loader):
        if key not in self._cache:
            self._cache[key] = loader()
        return self._cache[key]

    # own evidence
    def activities(self) -> list[dict]:
        def load():
            rows = list(
                Activity.objects.filter(
                    compound=self.compound, held_on__gte=self.low, held_on__lte=self.high
                ).values("pk", "kind", "held_on", "title")
            )
            through = Activity.participants.through
            people = defaultdict(set)
            for activity_id, person_id in through.objects.filter(
                activity_id__in=[r["pk"] for r in rows]
            ).values_list("activity_id", "person_id"):
                people[activity_id].add(person_id)
            for row in rows:
                row["people"] = people[row["pk"]]
            return rows

        return self._once("activities", load)

    def members(self) -> dict[int, set[int]]:
        """Current members of the compound's organizations (for "each member" rules)."""

        def load():
            out: dict[int, set[int]] = defaultdict(set)
            for org_id, person_id in (
                Membership.objects.current(on=self.today)
                .filter(organization__compound=self.compound)
                .values_list("organization_id", "person_id")
            ):
                out[org_id].add(person_id)
            return out

        return self._once("members", load)

    def inspections(self) -> list[dict]:
        return self._once(
            "inspections",
            lambda: list(
                Inspection.objects.filter(
                    compound=self.compound,
                    inspected_on__gte=self.low,
                    inspected_on__lte=self.high,
                ).values("pk", "kind", "inspected_on", "areas")
            ),
        )

    def findings(self) -> list[dict]:
        return self._once(
            "findings",
            lambda: list(
                Finding.objects.filter(
                    inspection__compound=self.compound,
                    inspection__inspected_on__gte=self.low,
                    inspection__inspected_on__lte=self.high,
                ).values(
                    "pk",
                    "inspection__kind",
                    "inspection__inspected_on",
                    "rectify_due",
                    "fixed_at",
                )
            ),
        )

    def attestations(self) -> dict[tuple, Attestation]:
        def load():
            items = {t.item.pk for t in self.tasks}
            return {
                (a.item_id, a.measure, a.period_start): a
                for a in Attestation.objects.filter(item_id__in=items)
            }

        return self._once("attestations", load)

    # other modules' evidence
    def complaint_shares(self) -> dict:
        def load():
            periods = {
                _span(t.start, t.end) for t in self.tasks if t.rule_kind == RuleKind.DEADLINE_RATE
            }
            return complaint_deadline_shares(compound=self.compound, periods=periods, now=self.at)

        return self._once("shares", load)

    def concentrated(self) -> list[dict]:
        def load():
            spans = [
                _span(t.start, t.end) for t in self.tasks if t.rule_kind == RuleKind.ONE_OFF_BY_DATE
            ]
            return concentrated_demands_resolved(
                compound=self.compound,
                start=min(s[0] for s in spans),
                end=max(s[1] for s in spans),
                min_reporters=2,
            )

        return self._once("concentrated", load)

    def compliance(self) -> list | None:
        return self._once(
            "compliance",
            lambda: evidence.schedule_compliance(
                compound=self.compound, start=self.low, end=self.high
            ),
        )

    def meeting_count(self, kinds: list[str], start: dt.date, end: dt.date) -> int | None:
        key = (tuple(sorted(kinds)), start, end)
        if key not in self._meetings:
            span = _span(start, end)
            self._meetings[key] = evidence.meeting_count(
                compound=self.compound, kinds=list(key[0]), start=span[0], end=span[1]
            )
        return self._meetings[key]

    def satisfaction(self, organization: Organization, year: int) -> float | None:
        key = (organization.pk, year)
        if key not in self._satisfaction:
            self._satisfaction[key] = evidence.evaluation_satisfaction(
                compound=self.compound, organization=organization, year=year
            )
        return self._satisfaction[key]


# --- rules ------------------------------------------------------------------------


def _closed(task: Task, ctx: Context) -> bool:
    return ctx.today > task.end


def _warning_window(task: Task, ctx: Context) -> bool:
    return (task.end - ctx.today).days < task.item.warn_lead_days


def _count_status(count: int, target: int, task: Task, ctx: Context) -> str:
    if count >= target:
        return S.MET
    if _closed(task, ctx):
        return S.MISSED
    return S.AT_RISK if _warning_window(task, ctx) else S.ON_TRACK


def _rate_status(percent: float | None, threshold: float, task: Task, ctx: Context) -> str:
    closed = _closed(task, ctx)
    if percent is None or percent >= threshold:
        return S.MET if closed else S.ON_TRACK
    return S.MISSED if closed else S.AT_RISK


def _count_inspections(task: Task, ctx: Context, figures: dict[str, Any]) -> Outcome:
    """≥ N inspections of the kinds in the period; with ``require_safety_areas`` the period
    counts as done only if its inspections together covered every area of
    ``REQUIRED_SAFETY_AREAS`` (小区党组织服务承诺 第7条 "每季度开展消防、电梯等设施的全面排查").
    """
    p = task.params
    rows = [
        r
        for r in ctx.inspections()
        if r["kind"] in p["kinds"] and task.start <= r["inspected_on"] <= task.end
    ]
    links = [
        {"kind": "inspection", "id": r["pk"], "date": r["inspected_on"].isoformat()}
        for r in rows[:20]
    ]
    figures["count"] = len(rows)
    counted = len(rows)
    if p.get("require_safety_areas"):
        covered = {code for r in rows for code in (r.get("areas") or ())}
        uncovered = [str(code) for code in REQUIRED_SAFETY_AREAS if code not in covered]
        if uncovered:
            # The inspections are shown; none counts until the areas are all covered.
            figures["uncovered"] = uncovered
            counted = 0
    return Outcome(_count_status(counted, p["min_count"], task, ctx), figures, links)


def rule_count_per_period(task: Task, ctx: Context) -> Outcome:
    """≥ N meetings / activities / inspections per period.

    seed: 小区党组织服务承诺 第1、4、5、7、9条; 物业管理委员会服务承诺 第8、9条.
    """
    p = task.params
    kinds, target = p["kinds"], p["min_count"]
    figures: dict[str, Any] = {"target": target}
    links: list[dict] = []
    if p["source"] == "meeting":
        count = ctx.meeting_count(kinds, task.start, task.end)
        if count is None:
            return Outcome(S.NOT_YET_DUE, {"source_unavailable": "meetings"}, settled=False)
        figures["count"] = count
        return Outcome(_count_status(count, target, task, ctx), figures)
    if p["source"] == "inspection":
        return _count_inspections(task, ctx, figures)
    rows = [
        r for r in ctx.activities() if r["kind"] in kinds and task.start <= r["held_on"] <= task.end
    ]
    links = [
        {"kind": "activity", "id": r["pk"], "date": r["held_on"].isoformat(), "label": r["title"]}
        for r in rows[:20]
    ]
    if not p.get("per_member"):
        figures["count"] = len(rows)
        return Outcome(_count_status(len(rows), target, task, ctx), figures, links)
    members = ctx.members().get(task.item.responsible.pk, set())
    per_person: dict[int, int] = defaultdict(int)
    for row in rows:
        for person_id in row["people"] & members:
            per_person[person_id] += 1
    done = sum(1 for person_id in members if per_person[person_id] >= target)
    figures.update({"members": len(members), "members_met": done, "count": len(rows)})
    if not members:
        return Outcome(S.NOT_YET_DUE, {**figures, "no_members": True}, links, settled=False)
    return Outcome(_count_status(done, len(members), task, ctx), figures, links)


def rule_deadline_rate(task: Task, ctx: Context) -> Outcome:
    """Share of complaints handled within 48 h / 7 working days / 3 days / 7 days
    (小区党组织服务承诺 第3条; 物业管理委员会服务承诺 第3条)."""
    p = task.params
    shares = ctx.complaint_shares()[_span(task.start, task.end)]
    figures: dict[str, Any] = {"threshold": p["threshold"]}
    percents = []
    pending = 0
    for clock in p["clocks"]:
        share = shares[clock]
        figures[clock] = {
            "decided": share.decided,
            "in_time": share.in_time,
            "pending": share.pending,
            "percent": share.percent,
        }
        pending += share.pending
        if share.percent is not None:
            percents.append(share.percent)
    worst = min(percents) if percents else None
    figures["percent"] = worst
    status = _rate_status(worst, p["threshold"], task, ctx)
    return Outcome(status, figures, [{"kind": "complaints"}], settled=pending == 0)


def _code(value) -> str:
    return getattr(value, "code", value) or ""


def rule_disclosure_on_time(task: Task, ctx: Context) -> Outcome:
    """Scheduled disclosures published on time (公示承诺制度 第二条; 小区党组织服务承诺 第2条;
    物业管理委员会服务承诺 第1、2条)."""
    p = task.params
    rows = ctx.compliance()
    if rows is None:
        return Outcome(S.NOT_YET_DUE, {"source_unavailable": "disclosures"}, settled=False)
    categories = set(p["categories"])
    rows = [
        r
        for r in rows
        if _code(r.category) in categories
        and r.due is not None
        and task.start <= _day(r.due)
        and _day(r.due) <= task.end
    ]
    counts = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    decided = counts["on_time"] + counts["late"] + counts["missing"]
    figures = {
        "threshold": p["threshold"],
        "scheduled": len(rows),
        "on_time": counts["on_time"],
        "late": counts["late"],
        "missing": counts["missing"],
        "not_due": counts["not_due"],
        "percent": round(100 * counts["on_time"] / decided, 1) if decided else None,
    }
    links = [
        {"kind": "disclosure", "id": getattr(r.disclosure, "pk", None), "label": _code(r.category)}
        for r in rows
        if r.disclosure is not None
    ][:20]
    if not rows:
        return Outcome(S.NOT_YET_DUE, {**figures, "no_schedule": True}, settled=False)
    status = _rate_status(figures["percent"], p["threshold"], task, ctx)
    return Outcome(status, figures, links, settled=counts["not_due"] == 0)


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def rule_rate_threshold(task: Task, ctx: Context) -> Outcome:
    """Inspection findings rectified ≥ 90 % (物业管理委员会服务承诺 第9条) or fixed within
    3 days (小区党组织服务承诺 第7条)."""
    p = task.params
    kinds = set(p["inspection_kinds"])
    rows = [
        r
        for r in ctx.findings()
        if r["inspection__kind"] in kinds
        and task.start <= r["inspection__inspected_on"] <= task.end
    ]
    ok = decided = pending = 0
    for row in rows:
        fixed, due = row["fixed_at"], row["rectify_due"]
        if p["measure"] == "findings_fixed_on_time":
            if fixed is not None:
                decided += 1
                ok += int(fixed <= due)
            elif due < ctx.at:
                decided += 1
            else:
                pending += 1
        else:  # findings_rectified: fixed at all, counted once the deadline has passed
            if fixed is not None:
                decided += 1
                ok += 1
            elif due < ctx.at:
                decided += 1
            else:
                pending += 1
    percent = round(100 * ok / decided, 1) if decided else None
    figures = {
        "threshold": p["threshold"],
        "findings": len(rows),
        "decided": decided,
        "ok": ok,
        "pending": pending,
        "percent": percent,
    }
    status = _rate_status(percent, p["threshold"], task, ctx)
    return Outcome(status, figures, [{"kind": "findings"}], settled=pending == 0)


def rule_one_off_by_date(task: Task, ctx: Context) -> Outcome:
    """Done once by a date: 上任3个月内推动解决1-2项业主集中诉求 (物业管理委员会服务承诺 第7条)."""
    p = task.params
    low, high = _span(task.start, task.end)
    rows = [
        r
        for r in ctx.concentrated()
        if low <= r["resolved_at"] < high and r["reporters"] >= p.get("min_reporters", 3)
    ]
    figures = {"target": p["min_count"], "count": len(rows), "due": task.end.isoformat()}
    links = [{"kind": "complaint", "id": r["pk"], "label": r["tracking_number"]} for r in rows]
    return Outcome(_count_status(len(rows), p["min_count"], task, ctx), figures, links)


def rule_evaluation_threshold(task: Task, ctx: Context) -> Outcome:
    """Annual satisfaction ≥ 60 % (物业管理委员会服务承诺 第4条); from the evaluations module,
    or a reviewer's attested value until that module exists."""
    p = task.params
    value = ctx.satisfaction(task.item.responsible, task.start.year)
    source = "evaluation"
    if value is None:
        attestation = ctx.attestations().get((task.item.pk, task.measure, task.start))
        if attestation is not None and attestation.value is not None:
            value, source = float(attestation.value), "attestation"
    if value is None:
        return Outcome(S.NOT_YET_DUE, {"threshold": p["threshold"]}, settled=False)
    figures = {"threshold": p["threshold"], "percent": value, "source": source}
    if value >= p["threshold"]:
        return Outcome(S.MET, figures)
    return Outcome(S.MISSED if _closed(task, ctx) else S.AT_RISK, figures)


def rule_attested(task: Task, ctx: Context) -> Outcome:
    """Not measurable by the system: a reviewer's judgement with evidence (评议认定)."""
    attestation = ctx.attestations().get((task.item.pk, task.measure, task.start))
    if attestation is None:
        return Outcome(S.NOT_YET_DUE, {}, settled=False)
    figures = {"judgement": attestation.judgement, "evidence": attestation.evidence[:500]}
    return Outcome(S.ATTESTED, figures, [{"kind": "attestation", "id": attestation.pk}])


RULES = {
    RuleKind.COUNT_PER_PERIOD: rule_count_per_period,
    RuleKind.DEADLINE_RATE: rule_deadline_rate,
    RuleKind.DISCLOSURE_ON_TIME: rule_disclosure_on_time,
    RuleKind.RATE_THRESHOLD: rule_rate_threshold,
    RuleKind.ONE_OFF_BY_DATE: rule_one_off_by_date,
    RuleKind.EVALUATION_THRESHOLD: rule_evaluation_threshold,
    RuleKind.ATTESTED: rule_attested,
}


# --- the pass ------------------------------------------------------------------------


def _periods(rule_kind: str, params: dict, year: int) -> list[tuple[dt.date, dt.date]]:
    if rule_kind == RuleKind.ONE_OFF_BY_DATE:
        return [(dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["due"]))]
    return periods_for(period_months=int(params["period_months"]), year=year)


def _tasks(items: list[PledgeItem], existing: dict, today: dt.date, report) -> list[Task]:
    tasks = []
    for item in items:
        for measure, rule_kind, params in measures_of(item):
            if rule_kind not in RULES:
                continue
            for start, end in _periods(rule_kind, params, item.letter.year):
                if start > today:
                    continue
                row = existing.get((item.pk, measure, start))
                if row is not None and row.final:
                    report.frozen_skipped += 1
                    continue
                tasks.append(Task(item, measure, rule_kind, params, start, end))
    return tasks


def evaluate(*, at: dt.datetime | None = None, compounds=None) -> EvaluationReport:
    """Compute every item's status for every started period of the current and last year."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    report = EvaluationReport(at=at)
    items_qs = PledgeItem.objects.filter(
        active=True, letter__year__in=(today.year - 1, today.year)
    ).select_related("letter__compound", "letter__organization", "responsible_org")
    if compounds is not None:
        items_qs = items_qs.filter(letter__compound__in=compounds)
    items = list(items_qs)
    if not items:
        return report
    existing = {
        (r.item_id, r.measure, r.period_start): r
        for r in PeriodResult.objects.filter(
            item__active=True, item__letter__year__in=(today.year - 1, today.year)
        ).filter(item_id__in=[i.pk for i in items])
    }
    by_compound: dict[int, list[Task]] = defaultdict(list)
    for task in _tasks(items, existing, today, report):
        by_compound[task.item.letter.compound_id].append(task)
    run_token = secrets.token_hex(8)
    for tasks in by_compound.values():
        compound = tasks[0].item.letter.compound
        ctx = Context(compound, tasks, at=at)
        _evaluate_compound(ctx, existing, report, run_token)
    return report


def _new_result(task, outcome, ctx: Context, *, final: bool, label: str) -> PeriodResult:
    """The first result of a measure for a period."""
    return PeriodResult(
        item=task.item,
        measure=task.measure,
        label=label,
        period_start=task.start,
        period_end=task.end,
        status=outcome.status,
        figures=outcome.figures,
        evidence=outcome.evidence,
        final=final,
        computed_at=ctx.at,
    )


def _update_result(row: PeriodResult, outcome, ctx: Context, *, final: bool, label: str) -> bool:
    """Bring a stored result up to date; False when nothing changed (it is not rewritten)."""
    if (row.status, row.figures, row.evidence, row.final, row.label) == (
        outcome.status,
        outcome.figures,
        outcome.evidence,
        final,
        label,
    ):
        return False
    row.status, row.figures, row.evidence = outcome.status, outcome.figures, outcome.evidence
    row.final, row.label, row.computed_at = final, label, ctx.at
    return True


def _save(
    ctx: Context,
    report: EvaluationReport,
    run_token: str,
    *,
    new_rows: list[PeriodResult],
    changed: list[PeriodResult],
    events: list[PledgeEvent],
    alarms: list[PledgeAlarm],
) -> None:
    """Write one compound's results, events and alarms at once; notify the new alarms."""
    with transaction.atomic():
        PeriodResult.objects.bulk_create(new_rows, batch_size=500)
        if changed:
            PeriodResult.objects.bulk_update(
                changed,
                ["status", "figures", "evidence", "final", "label", "computed_at"],
                batch_size=500,
            )
        PledgeEvent.objects.bulk_create(events, batch_size=500)
        report.created += len(new_rows)
        report.updated += len(changed)
        if alarms:
            PledgeAlarm.objects.bulk_create(alarms, ignore_conflicts=True)
            ours = list(
                PledgeAlarm.objects.filter(
                    run_token=run_token, item__letter__compound=ctx.compound
                ).select_related("item", "organization")
            )
            report.alarms += len(ours)
            _notify_alarms(ours, ctx)


def _evaluate_compound(ctx: Context, existing: dict, report: EvaluationReport, run_token: str):
    new_rows: list[PeriodResult] = []
    changed: list[PeriodResult] = []
    events: list[PledgeEvent] = []
    alarms: list[PledgeAlarm] = []
    party = None
    for task in ctx.tasks:
        outcome = RULES[task.rule_kind](task, ctx)
        final = ctx.today > task.end and outcome.settled
        label = task.params.get("label", "")
        row = existing.get((task.item.pk, task.measure, task.start))
        old_status = row.status if row is not None else ""
        if row is None:
            new_rows.append(_new_result(task, outcome, ctx, final=final, label=label))
        elif _update_result(row, outcome, ctx, final=final, label=label):
            changed.append(row)
        if old_status != outcome.status:
            events.append(
                PledgeEvent(
                    compound=ctx.compound,
                    letter=task.item.letter,
                    item=task.item,
                    verb="period_status",
                    from_state=old_status,
                    to_state=outcome.status,
                    note=f"{label} {task.start}–{task.end}".strip(),
                    public=True,
                    at=ctx.at,
                )
            )
        report.rows.append(
            ReportRow(
                ctx.compound,
                task.item,
                task.measure,
                label,
                task.start,
                task.end,
                outcome.status,
                outcome.figures,
                final,
            )
        )
        kind = None
        if outcome.status == S.AT_RISK and not _closed(task, ctx) and _warning_window(task, ctx):
            kind, org = PledgeAlarm.Kind.DUE_SOON, task.item.responsible
        elif outcome.status == S.MISSED and final:
            if party is None:
                party = (
                    Organization.objects.filter(
                        compound=ctx.compound, kind="compound_party"
                    ).first()
                    or task.item.responsible
                )
            kind, org = PledgeAlarm.Kind.OVERDUE, party
        if kind is not None:
            alarms.append(
                PledgeAlarm(
                    item=task.item,
                    measure=task.measure,
                    period_start=task.start,
                    kind=kind,
                    organization=org,
                    run_token=run_token,
                    created_at=ctx.at,
                )
            )
    _save(ctx, report, run_token, new_rows=new_rows, changed=changed, events=events, alarms=alarms)


def _notify_alarms(alarms: list[PledgeAlarm], ctx: Context) -> None:
    """One message per organization and alarm kind, listing its items."""
    grouped: dict[tuple[int, str], list[PledgeAlarm]] = defaultdict(list)
    for alarm in alarms:
        grouped[(alarm.organization_id, alarm.kind)].append(alarm)
    for (_org_id, kind), rows in grouped.items():
        organization = rows[0].organization
        lines = [
            f"{a.item.number or ''} {a.item.heading or a.item.text[:30]} ({a.period_start})"
            for a in rows
        ]
        if kind == PledgeAlarm.Kind.DUE_SOON:
            subject = gettext("%(count)d pledge items at risk before the period ends") % {
                "count": len(rows)
            }
        else:
            subject = gettext("%(count)d pledge items missed") % {"count": len(rows)}
        notify_organization(organization, subject=subject, body="\n".join(lines))
