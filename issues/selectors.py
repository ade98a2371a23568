"""Read queries for residents' complaints: public board, queues, visibility, the three rates.

Every list selector joins what its callers show (``select_related``) and
annotates the last public update, so the number of queries does not grow with
the number of issues (tests assert it at 10 and 200 issues).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Compound, Membership, Organization, Person
from huashan.directory.rules import STAFF_ROLES
from huashan.directory.selectors import compound_organizations

from .models import Issue, IssueEvent, MeToo, Referral, Satisfaction, WhistleSummons
from .rules import SUPERVISOR_KINDS
from .services import tracking_code_matches

Status = Issue.Status

#: The three rates (三率), as shown on the public page (issue 3 §6; 评议监督考核制度
#: 第四条 "居民反映投诉问题受理及问题解决情况").
FORMULAS = {
    "response_rate": _(
        "Response rate = issues accepted (or answered) within the response deadline "
        "÷ all issues filed in the period. Rejected issues count: an issue answered late "
        "stays late whatever happens to it afterwards."
    ),
    "resolution_rate": _(
        "Resolution rate = issues the reporter says are solved ÷ issues the reporter rated"
    ),
    "satisfaction_rate": _(
        "Satisfaction rate = (satisfied + basically satisfied) ÷ issues the reporter rated"
    ),
}
#: Issues merged into another are not counted (the surviving issue is).
RATES_NOTE = _("Issues merged into another issue are counted once, under the surviving issue.")

# Fields the board and queues show; joined once.
LIST_RELATED = ("compound", "category", "building", "assigned_org")


def _with_last_public(qs: QuerySet[Issue]) -> QuerySet[Issue]:
    last = IssueEvent.objects.filter(issue=OuterRef("pk"), public=True).order_by("-at", "-pk")
    return qs.annotate(
        last_public_at=Subquery(last.values("at")[:1]),
        last_public_note=Subquery(last.values("note")[:1]),
        last_public_verb=Subquery(last.values("verb")[:1]),
        # A correlated count, not Count("me_toos"): a join + GROUP BY made the
        # database group every public issue of the compound before taking one
        # page (bench/results/2026-11-28.md: list + count 180 ms -> 46 ms).
        me_too_count=Coalesce(
            Subquery(
                MeToo.objects.filter(issue=OuterRef("pk"))
                .order_by()
                .values("issue")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        ),
    )


def issue_public() -> QuerySet[Issue]:
    """Complaints anyone may read in the public, masked view — the reporter allowed it
    (``is_public``; 公示承诺制度 第一条 the progress is public) — without their reporter.

    The anonymous branch of the visibility rule (docs/roles.md "Complaints: who sees
    what"): the public board, its Atom feed and Open311 read through here and never
    show a name, mobile or account.
    """
    return Issue.objects.filter(is_public=True)


def issue_public_board(
    *,
    compound: Compound,
    category=None,
    status: str | None = None,
    tier: str | None = None,
    building=None,
) -> QuerySet[Issue]:
    """Issues the reporters allowed to be public (公示承诺制度 第一条), newest first.

    Never select the reporter here: pages mask it, and there is nothing to mask
    if it is not loaded. Merged duplicates are left out (their survivor shows).
    """
    qs = issue_public().filter(compound=compound).exclude(status=Status.MERGED)
    if category is not None:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if tier:
        qs = qs.filter(tier=tier)
    if building is not None:
        qs = qs.filter(building=building)
    return _with_last_public(qs.select_related(*LIST_RELATED)).order_by("-created_at", "-pk")


def issue_public_detail(*, compound: Compound, tracking_number: str) -> Issue | None:
    """One public issue of the compound by its tracking number, or None."""
    return (
        issue_public_board(compound=compound)
        .filter(tracking_number=str(tracking_number or "").strip().upper())
        .first()
    )


def issue_public_version() -> int:
    """The version of every public complaint page: the newest complaint event's id.

    Every change of an issue (filing, "me too", each transition, a rating) writes
    an :class:`IssueEvent` (issues.services), so a new id means the board, the
    three rates or a detail page may have changed; the fragment cache keys carry
    this number and a change is visible on the next request (公示承诺制度 第四条:
    progress is public *and timely*). One backward step on the primary key: as
    cheap as the bare probe's query, whatever the number of complaints.
    """
    return IssueEvent.objects.aggregate(newest=Max("pk"))["newest"] or 0


#: The stamp of one public complaint: the row, its newest event id. Written out once: the
#: anonymous complaint page asks it on every request, and building it through the ORM
#: cost more than running it (issue 20: 7.7 ms a hit, 1 query, of which 2 ms SQL).
_PUBLIC_STAMP_SQL = """
    SELECT i.id, i.compound_id, i.tracking_number, i.status, i.last_public_update_at,
           (SELECT MAX(e.id) FROM {events} e WHERE e.issue_id = i.id)
    FROM {issues} i INNER JOIN {compounds} c ON c.id = i.compound_id
    WHERE {compound_match} AND i.is_public AND i.tracking_number = %s AND i.status <> %s
    LIMIT 1
"""
_STAMP_KEYS = ("pk", "compound_id", "tracking_number", "status", "last_public_update_at")


def issue_public_stamp(
    *, compound: Compound | None = None, tracking_number: str, compound_slug: str = ""
) -> dict | None:
    """What the public detail page needs before its cached part, in one indexed query:
    the issue exists, is public and not merged (as :func:`issue_public_detail`), whether
    it is open (the "me too" form) and the version of its public part (its newest
    event id and last public update). None when there is no such public issue.

    The compound is given as an object or, for the anonymous page cache's version (one
    query in all, issue 20), by ``compound_slug``; the row then carries ``compound_id``."""
    if compound is not None:
        compound_match, value = "c.id = %s", compound.pk
    elif compound_slug:
        compound_match, value = "c.slug = %s", str(compound_slug)
    else:
        return None
    quote = connection.ops.quote_name
    sql = _PUBLIC_STAMP_SQL.format(
        events=quote(IssueEvent._meta.db_table),
        issues=quote(Issue._meta.db_table),
        compounds=quote(Compound._meta.db_table),
        compound_match=compound_match,
    )
    number = str(tracking_number or "").strip().upper()
    with connection.cursor() as cursor:
        cursor.execute(sql, [value, number, Status.MERGED.value])
        row = cursor.fetchone()
    if row is None:
        return None
    stamp = dict(zip(_STAMP_KEYS, row[:5], strict=True))
    stamp["newest_event"] = row[5]
    return stamp


def issue_public_timeline(*, issue: Issue) -> QuerySet[IssueEvent]:
    """The resident-visible events, oldest first; no actor (staff names stay internal)."""
    return (
        IssueEvent.objects.filter(issue=issue, public=True)
        .select_related("organization")
        .order_by("at", "pk")
    )


def issue_similar_open(
    *,
    compound: Compound,
    category,
    building=None,
    description: str,
    limit: int = 5,
) -> list[Issue]:
    """Open public issues that look the same, best match first (pg_trgm works for Chinese).

    Shown before submitting so the resident can add "me too" instead of a duplicate.
    """
    text = (description or "").strip()[:500]
    qs = Issue.objects.filter(
        compound=compound, category=category, status__in=Issue.OPEN_STATES, is_public=True
    ).select_related(*LIST_RELATED)
    if building is not None:
        qs = qs.filter(Q(building=building) | Q(building__isnull=True))
    if not text:
        return list(qs.order_by("-created_at")[:limit])
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return list(
            qs.annotate(similarity=TrigramSimilarity("description", text))
            .filter(similarity__gte=0.1)
            .order_by("-similarity", "-created_at")[:limit]
        )
    # SQLite: no trigrams; any 2-character piece of the text in common.
    pieces = {text[i : i + 2] for i in range(0, max(len(text) - 1, 1))}
    match = Q()
    for piece in list(pieces)[:20]:
        match |= Q(description__contains=piece)
    return list(qs.filter(match).order_by("-created_at")[:limit])


def _covered_compounds_q(organizations: QuerySet[Organization], prefix: str = "") -> Q:
    """Compounds covered by these organizations (own compound, community, street)."""
    return (
        Q(
            **{
                f"{prefix}compound__in": organizations.filter(compound__isnull=False).values(
                    "compound"
                )
            }
        )
        | Q(
            **{
                f"{prefix}compound__community__in": organizations.filter(
                    community__isnull=False
                ).values("community")
            }
        )
        | Q(
            **{
                f"{prefix}compound__community__street__in": organizations.filter(
                    street__isnull=False
                ).values("street")
            }
        )
    )


def _involved_q(org_ids) -> Q:
    return (
        Q(assigned_org__in=org_ids)
        | Q(pk__in=Referral.objects.filter(organization__in=org_ids).values("issue"))
        | Q(pk__in=WhistleSummons.objects.filter(organization__in=org_ids).values("whistle__issue"))
    )


def _involved_issue_ids(org_ids: list[int]) -> list[int]:
    """Issues referred or whistled to these organizations, as a list of ids (one query).

    Fetched first on purpose: ``assigned_org IN (…) OR pk IN (SELECT …)`` made
    PostgreSQL scan every complaint; with a plain id list the OR is a bitmap OR
    of two indexes (bench/results/2026-11-28.md, staff queue).
    """
    if not org_ids:
        return []
    referred = (
        Referral.objects.filter(organization__in=org_ids)
        .order_by()
        .values_list("issue_id", flat=True)
    )
    whistled = (
        WhistleSummons.objects.filter(organization__in=org_ids)
        .order_by()
        .values_list("whistle__issue_id", flat=True)
    )
    return sorted(set(referred.union(whistled)))


def _covered_compound_ids(organizations: list[Organization]) -> list[int]:
    """Compounds the supervising bodies among these organizations cover (their own
    compound, community or street; not the street office, which works on what is
    transferred to it), as a list of ids (one query; none when nobody supervises)."""
    supervising = [
        org.pk
        for org in organizations
        if org.kind in SUPERVISOR_KINDS and org.kind != Organization.Kind.STREET_OFFICE
    ]
    if not supervising:
        return []
    orgs = Organization.objects.filter(pk__in=supervising)
    return list(
        Compound.objects.filter(
            Q(pk__in=orgs.filter(compound__isnull=False).values("compound"))
            | Q(community__in=orgs.filter(community__isnull=False).values("community"))
            | Q(community__street__in=orgs.filter(street__isnull=False).values("street"))
        ).values_list("pk", flat=True)
    )


def _work_q(organizations: list[Organization]) -> Q:
    """Issues these organizations work on: all of their compounds for supervising bodies
    (except the street office), otherwise those transferred, referred or whistled to
    them — as plain id lists, so each branch of the OR uses an index."""
    org_ids = [org.pk for org in organizations]
    q = Q(assigned_org__in=org_ids)
    issue_ids = _involved_issue_ids(org_ids)
    if issue_ids:
        q |= Q(pk__in=issue_ids)
    compound_ids = _covered_compound_ids(organizations)
    if compound_ids:
        q |= Q(compound__in=compound_ids)
    return q


def _queue(qs: QuerySet[Issue], *, q=None, status=None, overdue=None) -> QuerySet[Issue]:
    now = timezone.now()
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=[*Issue.OPEN_STATES, Status.RESOLVED])
    if q:
        term = str(q).strip()[:100]
        qs = qs.filter(
            Q(tracking_number__icontains=term)
            | Q(description__icontains=term)
            | Q(location_text__icontains=term)
            | Q(hotline_number__icontains=term)
        )
    overdue_q = _overdue_q(now)
    if overdue is True:
        qs = qs.filter(overdue_q)
    elif overdue is False:
        qs = qs.exclude(overdue_q)
    return (
        _with_last_public(qs.select_related(*LIST_RELATED))
        .annotate(
            is_overdue=Case(
                When(overdue_q, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by(F("next_deadline").asc(nulls_last=True), "created_at", "pk")
    )


def issue_queue_for_org(
    *, organization: Organization, q=None, status=None, overdue=None, compound=None
) -> QuerySet[Issue]:
    """An organization's work queue, nearest deadline first, overdue flagged (issue 3 §7);
    ``compound`` narrows it to one compound (never widens it)."""
    qs = Issue.objects.filter(_work_q([organization]))
    if compound is not None:
        qs = qs.filter(compound=compound)
    return _queue(qs, q=q, status=status, overdue=overdue)


def issue_queue_for_person(
    *, person: Person, q=None, status=None, overdue=None, compound=None
) -> QuerySet[Issue]:
    """The queues of all the person's current staff seats together (superuser: everything);
    ``compound`` narrows it to one compound (never widens it)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return Issue.objects.none()
    if person.is_superuser:
        qs = Issue.objects.all()
    else:
        orgs = list(
            Organization.objects.filter(
                memberships__in=Membership.objects.current().filter(
                    person=person, role__in=STAFF_ROLES
                )
            ).distinct()
        )
        if not orgs:
            return Issue.objects.none()
        qs = Issue.objects.filter(_work_q(orgs))
    if compound is not None:
        qs = qs.filter(compound=compound)
    return _queue(qs, q=q, status=status, overdue=overdue)


def issue_queue_version(*, person: Person) -> tuple[tuple[tuple[int, str], ...], int | None]:
    """The person's current seats ``(organization id, role)`` and the newest issue event
    id, in one indexed query: the version of the person's work queue page (issue 20).

    Every change to a complaint, its referrals and its whistles goes through
    ``issues.services`` and writes an ``IssueEvent`` in the same transaction, so a new
    newest id means "something in some queue may have changed"; a change of seats
    changes the first part. (A person without seats — a superuser — costs a second,
    equally cheap query.)"""
    newest = IssueEvent.objects.order_by("-pk").values("pk")[:1]
    rows = list(
        Membership.objects.current()
        .filter(person_id=person.pk)
        .annotate(newest_event=Subquery(newest))
        .order_by("pk")
        .values_list("organization_id", "role", "newest_event")
    )
    if rows:
        return tuple((org, role) for org, role, _n in rows), rows[0][2]
    return (), IssueEvent.objects.aggregate(newest=Max("pk"))["newest"]


def issue_queue_fresh_for(issues, *, now: dt.datetime | None = None) -> int | None:
    """Seconds until the first of ``issues`` (a page of the queue) turns overdue on the
    clock alone, or None when none will: how long a rendered page stays true."""
    now = now or timezone.now()
    upcoming = [
        issue.next_deadline
        for issue in issues
        if issue.next_deadline
        and issue.next_deadline >= now
        and (issue.paused_at is None or issue.is_hazard)
    ]
    return int((min(upcoming) - now).total_seconds()) if upcoming else None


def _visibility_qs(person: Person) -> tuple[Q, Q]:
    """``(sees the issue, sees its reporter)`` for an active, non-superuser person: the
    rules ``issues.view_issue`` / ``issues.view_reporter`` (issues/rules.py) as filters.

    Only staff seats count (``STAFF_ROLES``): a party member, owner representative or
    resident group leader is a resident with a voice, not staff (docs/roles.md), however
    the complaint was referred or whistled to their organization. One query (the seats).
    """
    staff_seats = Membership.objects.current().filter(person=person, role__in=STAFF_ROLES)
    org_ids = list(staff_seats.values_list("organization_id", flat=True))
    supervising = Organization.objects.filter(
        kind__in=SUPERVISOR_KINDS, memberships__in=staff_seats
    )
    # 党员报到 (seed: 协同联动 第三条): a person summoned in person sees that complaint.
    involved = Q(pk__in=WhistleSummons.objects.filter(person=person).values("whistle__issue"))
    # Their own complaints and those of the compounds their bodies supervise: with the reporter.
    in_full = Q(reporter=person)
    if org_ids:
        in_full |= _covered_compounds_q(supervising)
        involved |= _involved_q(org_ids)
    return in_full | involved, in_full | (Q(share_identity=True) & involved)


def issue_visible_to(*, person: Person | None, reporter_flag: bool = False) -> QuerySet[Issue]:
    """Every issue the person may open in full (the decision of ``issues.view_issue``).

    With ``reporter_flag`` each row carries ``reporter_visible``: whether the person may
    see who reported it (``issues.view_reporter``) — the field-level half of the same
    rule, computed in the query so a list asks no question per row. The property company
    and the PMC never see a reporter who did not agree (``share_identity``; seed:
    协同联动 第二条 routes the complaint to them, not the complainant).
    """
    if person is None or not getattr(person, "is_authenticated", False) or not person.is_active:
        return Issue.objects.none()
    if person.is_superuser:
        qs = Issue.objects.all()
        return qs.annotate(reporter_visible=Value(True)) if reporter_flag else qs
    sees, sees_reporter = _visibility_qs(person)
    qs = Issue.objects.filter(sees)
    if reporter_flag:
        qs = qs.annotate(
            reporter_visible=Case(
                When(sees_reporter, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    return qs


def issue_for_reporter(*, person: Person | None) -> QuerySet[Issue]:
    """The person's own issues, newest first."""
    if person is None or not getattr(person, "is_authenticated", False):
        return Issue.objects.none()
    return _with_last_public(
        Issue.objects.filter(reporter=person).select_related(*LIST_RELATED)
    ).order_by("-created_at", "-pk")


def issue_find_by_tracking(*, tracking_number: str, code: str) -> Issue | None:
    """The issue if number and code match, else None — the same answer (and work) for a
    wrong code and an unknown number, so numbers cannot be enumerated."""
    number = str(tracking_number or "").strip().upper()[:20]
    issue = (
        Issue.objects.select_related(*LIST_RELATED).filter(tracking_number=number).first()
        if number
        else None
    )
    stored = issue.tracking_code_hash if issue is not None else ""
    if tracking_code_matches(stored, code) and issue is not None:
        return issue
    return None


@dataclass(frozen=True)
class IssueRates:
    """三率 for a period; a rate is None when its denominator is 0."""

    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    responded_in_time: int
    total: int
    solved: int
    rated: int
    satisfied_or_basic: int


#: Issues the rates count: all but those merged into another (counted once, as the survivor).
COUNTED_STATES = tuple(s for s in Status.values if s != Status.MERGED)


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def issue_rates(
    *,
    compound: Compound | None = None,
    organization: Organization | None = None,
    start: dt.datetime,
    end: dt.datetime,
) -> IssueRates:
    """The three rates of issues filed in ``[start, end)``; see :data:`FORMULAS`.

    ``organization`` limits to issues transferred to it (assigned, or a fix
    referral). One aggregate query.
    """
    # "Every status but merged" as a list: the index (compound, status, -created_at)
    # then reads only the period's issues, not every issue of the compound.
    qs = Issue.objects.filter(created_at__gte=start, created_at__lt=end, status__in=COUNTED_STATES)
    if compound is not None:
        qs = qs.filter(compound=compound)
    if organization is not None:
        qs = qs.filter(
            Q(assigned_org=organization)
            | Q(
                pk__in=Referral.objects.filter(
                    organization=organization, purpose=Referral.Purpose.FIX
                ).values("issue")
            )
        )
    rated_q = Q(satisfaction__isnull=False)
    numbers = qs.aggregate(
        total=Count("pk"),
        responded_in_time=Count(
            "pk", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("response_due"))
        ),
        rated=Count("pk", filter=rated_q),
        solved=Count("pk", filter=rated_q & Q(satisfaction__solved=True)),
        satisfied_or_basic=Count(
            "pk",
            filter=rated_q
            & Q(
                satisfaction__rating__in=[
                    Satisfaction.Rating.SATISFIED,
                    Satisfaction.Rating.BASIC,
                ]
            ),
        ),
    )
    return IssueRates(
        response_rate=_ratio(numbers["responded_in_time"], numbers["total"]),
        resolution_rate=_ratio(numbers["solved"], numbers["rated"]),
        satisfaction_rate=_ratio(numbers["satisfied_or_basic"], numbers["rated"]),
        **numbers,
    )


@dataclass(frozen=True)
class IssueCounts:
    """Open complaints of a compound: per (tier, status), overdue, the oldest filing time."""

    by_tier_status: dict[tuple[str, str], int]
    overdue: int
    oldest_created_at: dt.datetime | None

    @property
    def open(self) -> int:
        return sum(self.by_tier_status.values())


def _overdue_q(now: dt.datetime) -> Q:
    # Strictly past a running deadline: the staff queue's "overdue". While paused only the
    # hazard clock runs, and next_deadline is then the hazard's (小区党组织服务承诺 第7条).
    return Q(next_deadline__lt=now) & (Q(paused_at__isnull=True) | Q(is_hazard=True))


def issue_counts(*, compound: Compound, now: dt.datetime | None = None) -> IssueCounts:
    """The compound's open complaints per tier × status, how many are overdue and when the
    oldest was filed — one grouped query on the index ``(compound, status, -created_at)``
    (seed: 协同联动 第二条 督办: the supervising bodies watch what is open and late).

    The same issues the compound party organization's queue holds in the open states
    (it covers every complaint of its compound), without the queue's joins.
    """
    now = now or timezone.now()
    rows = (
        Issue.objects.filter(compound=compound, status__in=Issue.OPEN_STATES)
        .order_by()
        .values("tier", "status")
        .annotate(
            n=Count("pk"), overdue=Count("pk", filter=_overdue_q(now)), oldest=Min("created_at")
        )
    )
    by_tier_status: dict[tuple[str, str], int] = {}
    overdue = 0
    oldest = None
    for row in rows:
        by_tier_status[(row["tier"], row["status"])] = row["n"]
        overdue += row["overdue"]
        if oldest is None or row["oldest"] < oldest:
            oldest = row["oldest"]
    return IssueCounts(by_tier_status=by_tier_status, overdue=overdue, oldest_created_at=oldest)


def issue_overdue_oldest(
    *, compound: Compound, now: dt.datetime | None = None, limit: int = 5
) -> list[Issue]:
    """The compound's open complaints longest past their running deadline (category
    joined), read along ``issue_running_clock_idx`` (next_deadline WHERE not paused)."""
    now = now or timezone.now()
    return list(
        Issue.objects.filter(_overdue_q(now), compound=compound, status__in=Issue.OPEN_STATES)
        .select_related("category")
        .order_by("next_deadline", "created_at", "pk")[:limit]
    )


def issue_oldest_open(*, compound: Compound, created_at: dt.datetime | None) -> Issue | None:
    """The compound's oldest open complaint, given its filing time from
    :func:`issue_counts` (an index lookup instead of sorting every open complaint)."""
    if created_at is None:
        return None
    return (
        Issue.objects.filter(compound=compound, status__in=Issue.OPEN_STATES, created_at=created_at)
        .order_by("pk")
        .first()
    )


#: Party organizations whose members a community whistle summons (党员报到).
WHISTLE_PARTY_KINDS = (Organization.Kind.COMPOUND_PARTY, Organization.Kind.COMMUNITY_PARTY)


def whistle_candidate_persons(*, compound: Compound) -> QuerySet[Person]:
    """Party members a whistle may summon individually: active people with a current seat
    in the compound party organization or the community party organization acting for
    the compound (seed: 协同联动 第三条 社区吹哨、党员报到)."""
    party_orgs = (
        compound_organizations(compound=compound).filter(kind__in=WHISTLE_PARTY_KINDS).values("pk")
    )
    seats = Membership.objects.current().filter(organization_id__in=party_orgs)
    return Person.objects.filter(pk__in=seats.values("person_id"), is_active=True).order_by(
        "name", "pk"
    )


def referral_ack_allowed(*, person, referral: Referral) -> bool:
    """Whether the person may acknowledge (签收) the referral: it is not yet acknowledged
    and the person sits in the referred organization (the ``issues.view_queue`` rule that
    ``referral_acknowledge`` checks). A closed issue's referral can still be signed for:
    a "for the record" (备档) referral is often received after the issue closed."""
    return bool(
        referral.acknowledged_at is None
        and person.has_perm("issues.view_queue", referral.organization)
    )


def issue_has_open_duplicates(*, issue: Issue) -> bool:
    """Whether other issues were merged into this one (shown as "also reported by")."""
    return Issue.objects.filter(merged_into=issue).exists()


def issue_is_overdue(issue: Issue, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    running = issue.paused_at is None or issue.is_hazard
    return bool(issue.next_deadline and running and issue.next_deadline < now)


__all__ = [
    "FORMULAS",
    "IssueCounts",
    "IssueRates",
    "issue_counts",
    "issue_find_by_tracking",
    "issue_for_reporter",
    "issue_oldest_open",
    "issue_overdue_oldest",
    "issue_public",
    "issue_public_board",
    "issue_public_detail",
    "issue_public_stamp",
    "issue_public_timeline",
    "issue_public_version",
    "issue_queue_for_org",
    "issue_queue_for_person",
    "issue_queue_fresh_for",
    "issue_queue_version",
    "issue_rates",
    "issue_similar_open",
    "issue_visible_to",
    "referral_ack_allowed",
    "whistle_candidate_persons",
]
