"""Reads for the pledge board, staff pages, PDFs, dashboards and evaluations.

seed: 公示承诺制度 第四条 ("年度服务承诺，公示期限一般为长期"; "三诺"线上线下公示).
Every function here runs a constant number of queries, whatever the number of
items or periods.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from huashan.directory.models import Compound, Organization

from .models import (
    AccountabilityCase,
    Activity,
    Attestation,
    CandidatePledge,
    CareService,
    Election,
    Finding,
    Inspection,
    PeriodResult,
    PledgeEvent,
    PledgeItem,
    PledgeLetter,
    ResultStatus,
)

#: Worst first: the item's headline status is the worst current status of its measures.
SEVERITY = {
    ResultStatus.MISSED: 0,
    ResultStatus.AT_RISK: 1,
    ResultStatus.NOT_YET_DUE: 2,
    ResultStatus.ON_TRACK: 3,
    ResultStatus.ATTESTED: 4,
    ResultStatus.MET: 5,
}


@dataclass
class ItemStatus:
    """An item with its current result per measure and its whole history."""

    item: PledgeItem
    letter: PledgeLetter
    organization: Organization
    current: PeriodResult | None = None
    measures: list[PeriodResult] = field(default_factory=list)
    results: list[PeriodResult] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.current.status if self.current is not None else ResultStatus.NOT_YET_DUE


def _current(results: list[PeriodResult], on: dt.date) -> list[PeriodResult]:
    """Per measure: the result of the period containing ``on``, else the latest one."""
    by_measure: dict[int, list[PeriodResult]] = defaultdict(list)
    for row in results:
        by_measure[row.measure].append(row)
    out = []
    for measure in sorted(by_measure):
        rows = sorted(by_measure[measure], key=lambda r: r.period_start)
        containing = [r for r in rows if r.period_start <= on <= r.period_end]
        out.append(containing[-1] if containing else rows[-1])
    return out


def _statuses(items: list[PledgeItem], on: dt.date) -> list[ItemStatus]:
    out = []
    for item in items:
        results = list(item.results.all())
        measures = _current(results, on) if results else []
        worst = min(measures, key=lambda r: SEVERITY.get(r.status, 9)) if measures else None
        out.append(
            ItemStatus(
                item=item,
                letter=item.letter,
                organization=item.letter.organization,
                current=worst,
                measures=measures,
                results=results,
            )
        )
    return out


def _items(letters_q) -> QuerySet[PledgeItem]:
    return (
        PledgeItem.objects.filter(letter__in=letters_q)
        .select_related("letter__organization", "letter__compound", "responsible_org")
        .prefetch_related(
            Prefetch("results", queryset=PeriodResult.objects.order_by("measure", "period_start"))
        )
        .order_by("letter__organization__kind", "letter_id", "position", "number", "pk")
    )


def pledge_item_statuses(
    *, compound: Compound, year: int, on: dt.date | None = None
) -> list[ItemStatus]:
    """Every item of the compound's letters of ``year`` with its status (for evaluations and
    dashboards). Three queries."""
    on = on or min(timezone.localdate(), dt.date(year, 12, 31))
    letters = PledgeLetter.objects.filter(compound=compound, year=year)
    return _statuses(list(_items(letters)), on)


def _board_version_sql() -> str:
    from evaluations.models import QuarterRating  # evaluations reads pledges: no cycle here

    tables = {
        "rating": QuarterRating._meta.db_table,
        "compound": Compound._meta.db_table,
        "letter": PledgeLetter._meta.db_table,
        "item": PledgeItem._meta.db_table,
        "result": PeriodResult._meta.db_table,
        "attestation": Attestation._meta.db_table,
        "event": PledgeEvent._meta.db_table,
    }
    # One subquery per table, its aggregates joined into one text (planning the former
    # twelve subqueries took 6.6 ms of a request whose execution took 1.8 ms; issue 20).
    return """
        SELECT c.*,
          (SELECT count(*) || '|' || COALESCE(CAST(max(l.updated_at) AS TEXT), '')
            FROM {letter} l WHERE l.compound_id = c.id AND l.year = %(year)s) AS v_letters,
          (SELECT count(*) || '|' || COALESCE(CAST(max(i.updated_at) AS TEXT), '')
            FROM {item} i JOIN {letter} l ON l.id = i.letter_id
            WHERE l.compound_id = c.id AND l.year = %(year)s) AS v_items,
          (SELECT count(*) || '|' || COALESCE(CAST(max(r.computed_at) AS TEXT), '')
                  || '|' || COALESCE(max(r.id), 0)
            FROM {result} r JOIN {item} i ON i.id = r.item_id JOIN {letter} l ON l.id = i.letter_id
            WHERE l.compound_id = c.id AND l.year = %(year)s) AS v_results,
          (SELECT max(a.id) FROM {attestation} a
            JOIN {item} i ON i.id = a.item_id JOIN {letter} l ON l.id = i.letter_id
            WHERE l.compound_id = c.id AND l.year = %(year)s) AS v_attestation,
          (SELECT max(e.id) FROM {event} e JOIN {letter} l ON l.id = e.letter_id
            WHERE l.compound_id = c.id AND l.year = %(year)s) AS v_event,
          (SELECT count(*) || '|' || COALESCE(max(q.id), 0) || '|'
                  || COALESCE(CAST(max(q.rated_at) AS TEXT), '')
            FROM {rating} q WHERE q.compound_id = c.id AND q.verdict <> %(pending)s) AS v_rl
        FROM {compound} c WHERE c.slug = %(slug)s
    """.format(**tables)


def board_compound(*, slug: str, year: int) -> Compound | None:
    """The compound of the public pledge board, with ``board_version`` for ``year`` and
    ``redlist_version`` (one query), or None.

    The version changes with everything the board shows for the year: a letter written,
    edited or published; an item added or changed (its open results are deleted, so the
    count drops); a period result computed or recomputed (``computed_at``; new rows);
    an attestation; any pledge event of the year's letters (a status change at the same
    instant). It also holds today's date: the board shows, per measure, the result of
    the period containing today (``_current``), so the choice moves with the calendar.
    seed: 公示承诺制度 第四条 (年度服务承诺 长期公示).

    Plain SQL on purpose: it runs on every board request (see disclosures.selectors).
    """
    from evaluations.models import QuarterRating

    verdict = QuarterRating.Verdict
    params = {"slug": slug, "year": year, "pending": verdict.PENDING.value}
    row = next(iter(Compound.objects.raw(_board_version_sql(), params)), None)
    if row is not None:
        # Plain SQL that runs on SQLite too (`make run`): each aggregate comes back as text.
        row.board_version = (
            timezone.localdate().isoformat(),
            row.v_letters,
            row.v_items,
            row.v_results,
            row.v_attestation,
            row.v_event,
        )
        # The red/black list under the board (小区党组织服务承诺 第10条). Every rating is
        # written by ``evaluations.services.redlist`` with ``rated_at = now``, so the count,
        # the newest row and the newest rating time change with every change of the list.
        # Not part of ``board_version``: the cached body does not show it; the whole-page
        # cache's version adds it.
        row.redlist_version = (row.v_rl,)
    return row


def letters_for_compound(
    *, compound: Compound, year: int | None = None, published_only: bool = True
) -> QuerySet[PledgeLetter]:
    qs = PledgeLetter.objects.filter(compound=compound).select_related("organization")
    if year is not None:
        qs = qs.filter(year=year)
    if published_only:
        qs = qs.filter(published=True)
    return qs.order_by("-year", "organization__kind", "pk")


def letter_board(*, letter: PledgeLetter, on: dt.date | None = None) -> list[ItemStatus]:
    """One letter's items with their current status and history (public board)."""
    on = on or min(timezone.localdate(), dt.date(letter.year, 12, 31))
    return _statuses(list(_items(PledgeLetter.objects.filter(pk=letter.pk))), on)


def item_history(*, item: PledgeItem) -> QuerySet[PeriodResult]:
    return item.results.order_by("measure", "-period_start")


def activities_for(
    *,
    compound: Compound,
    kind: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Activity]:
    qs = (
        Activity.objects.filter(compound=compound)
        .select_related("organization")
        .prefetch_related("photos")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if start:
        qs = qs.filter(held_on__gte=start)
    if end:
        qs = qs.filter(held_on__lte=end)
    return qs.order_by("-held_on", "-pk")


def inspections_for(
    *,
    compound: Compound,
    kind: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Inspection]:
    qs = (
        Inspection.objects.filter(compound=compound)
        .select_related("organization", "inspector")
        .prefetch_related("findings", "owner_representatives")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if start:
        qs = qs.filter(inspected_on__gte=start)
    if end:
        qs = qs.filter(inspected_on__lte=end)
    return qs.order_by("-inspected_on", "-pk")


def findings_open(*, compound: Compound) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(inspection__compound=compound, fixed_at__isnull=True)
        .select_related("inspection", "escalated_issue")
        .order_by("rectify_due", "pk")
    )


def elections_for(*, compound: Compound) -> QuerySet[Election]:
    return Election.objects.filter(compound=compound).order_by("-held_on", "-pk")


def candidate_pledges_for(
    *, compound: Compound, election: Election | None = None, published_only: bool = True
) -> QuerySet[CandidatePledge]:
    qs = CandidatePledge.objects.filter(election__compound=compound).select_related(
        "election", "candidate"
    )
    if election is not None:
        qs = qs.filter(election=election)
    if published_only:
        qs = qs.filter(published_at__isnull=False)
    return qs.order_by("-election__held_on", "candidate__name", "kind")


def cases_for(*, compound: Compound, status: str | None = None) -> QuerySet[AccountabilityCase]:
    qs = AccountabilityCase.objects.filter(compound=compound).select_related(
        "organization", "person", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-opened_at", "-pk")


def case_timeline(*, case: AccountabilityCase) -> QuerySet[PledgeEvent]:
    return case.events.select_related("actor").order_by("at", "pk")


def care_services_of_year(*, compound: Compound, year: int) -> dict:
    """The year's care services (小区党组织服务承诺 第9条 "联动物业提供独居老人关爱、儿童托管等
    便民服务") with their count and households served, for the pledge evidence page."""
    rows = list(
        CareService.objects.filter(compound=compound, served_on__year=year).select_related(
            "organization"
        )
    )
    return {
        "rows": rows,
        "count": len(rows),
        "households": sum(r.households_served for r in rows),
    }


def care_organizers_for(*, compound: Compound, user) -> QuerySet[Organization]:
    """The organizations ``user`` may record a care service for: the compound party
    organization or the property company of ``compound`` in which they hold a current seat
    (every such organization for a superuser), as ``care_service_record`` allows."""
    from huashan.directory.models import Membership

    from .services.care import CARE_ORGANIZER_KINDS

    organizers = Organization.objects.filter(compound=compound, kind__in=CARE_ORGANIZER_KINDS)
    if not getattr(user, "is_superuser", False):
        seats = Membership.objects.current().filter(person_id=getattr(user, "pk", None))
        organizers = organizers.filter(pk__in=seats.values("organization_id"))
    return organizers.order_by("kind", "name", "pk")
