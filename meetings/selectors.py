"""Read queries of the meetings app: pages, API, PDFs, dashboards and other apps.

Every function's query count does not grow with the data (related rows are
joined or prefetched). Cross-app contract (docs/wave 2): ``meeting_count``,
``meetings_held_counts``, ``action_items_due_counts``, ``absence_streaks``,
``action_item_stats``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils import timezone

from huashan.core.compiled import CompiledQuery
from huashan.directory import rules as directory_rules
from huashan.directory.models import Compound, Membership, Organization, Person

from .models import (
    ActionItem,
    ActionItemEvent,
    ActionItemUpdate,
    AgendaTopic,
    AgendaTopicEvent,
    Attendance,
    DecisionReport,
    DecisionReportEvent,
    DecisionReportRecipient,
    EarlyIntervention,
    ForumOpinion,
    Meeting,
    MeetingEvent,
    MeetingMember,
    Minutes,
    MotionEvent,
    MotionVote,
    Notice,
    NoticeReceipt,
    OwnersAssemblyMotion,
    Summary,
    SummarySignature,
)
from .models.forums import HomeVisitEvent

HELD_STATES = (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED, Meeting.Status.CLOSED)


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time.min, tzinfo=timezone.get_current_timezone())


# --- cross-app contract ----------------------------------------------------------


def meetings_held_counts(*, compounds, kinds: list[str], start, end) -> dict[int, int]:
    """``{compound pk: meetings of kinds actually held with a start in [start, end)}``
    for many compounds in one query (compounds without one are absent, i.e. 0).

    The one definition of "held" (``HELD_STATES``) every page counts with: the compound
    dashboard, the community and street comparisons, the pledge engine (issue 13 item 7).
    """
    rows = (
        Meeting.objects.filter(
            compound__in=compounds,
            kind__in=list(kinds),
            status__in=HELD_STATES,
            start__gte=_as_datetime(start),
            start__lt=_as_datetime(end),
        )
        .order_by()
        .values("compound_id")
        .annotate(n=Count("pk"))
    )
    return {row["compound_id"]: row["n"] for row in rows}


def meeting_count(*, compound: Compound, kinds: list[str], start, end) -> int:
    """Meetings of ``kinds`` actually held with a start in [start, end).

    For 小区党组织服务承诺 1 (每月至少召开1次联席会议) and the PMC pledge 8 (每季度1次业主恳谈会).
    """
    counts = meetings_held_counts(compounds=[compound], kinds=kinds, start=start, end=end)
    return counts.get(compound.pk, 0)


def action_items_due_counts(
    *, compounds, now: dt.datetime, until: dt.datetime, by_organization: bool = False
) -> dict[tuple[int, int | None] | int, dict[str, int]]:
    """Open agreed items per compound (or per (compound, responsible organization) with
    ``by_organization``, which adds the body's ``name`` and ``kind``):
    ``{"due": due in [now, until), "overdue": past due at now}``.
    One query for any number of compounds; keys without an open item due are absent.

    "本月到期议定事项" and "超期议定事项" on every dashboard come from here, so the compound
    dashboard and the community and street comparisons agree at the same moment
    (seed: 联席会议议事规则 第五条; issue 13 item 7).
    """
    fields = ["compound_id"]
    if by_organization:
        fields += [
            "responsible_organization_id",
            "responsible_organization__name",
            "responsible_organization__kind",
        ]
    rows = (
        ActionItem.objects.filter(compound__in=compounds, status__in=ActionItem.OPEN_STATES)
        .order_by()
        .values(*fields)
        .annotate(
            due=Count("pk", filter=Q(due_at__gte=now, due_at__lt=until)),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
        )
    )
    out: dict = {}
    for row in rows:
        key = (
            (row["compound_id"], row["responsible_organization_id"])
            if by_organization
            else row["compound_id"]
        )
        out[key] = {"due": row["due"], "overdue": row["overdue"]}
        if by_organization:
            out[key]["name"] = row["responsible_organization__name"] or ""
            out[key]["kind"] = row["responsible_organization__kind"] or ""
    return out


@dataclass(frozen=True)
class AbsenceStreak:
    person: Person
    organization: Organization
    consecutive_unexcused: int
    last_meeting: Meeting


def absence_streaks(
    *, compound: Compound, organization_kind: str = "pmc", kinds: list[str] | None = None
) -> list[AbsenceStreak]:
    """Current streaks of consecutive unexcused absences at work meetings.

    seed: 物业管理委员会服务承诺 10 (连续3次无故缺席工作会议 → 主动辞职). For each current
    member of the compound's organization(s) of ``organization_kind``, walk the held
    meetings of ``kinds`` (default: PMC working meetings) to which they were called,
    newest first, counting ``unexcused`` until anything else. A held meeting without
    an attendance record for the person breaks the streak (nobody is flagged on a
    missing record). Only streaks ≥ 1 are returned, longest first. Three queries.
    """
    kinds = list(kinds or [Meeting.Kind.PMC_WORKING])
    memberships = list(
        Membership.objects.current()
        .filter(organization__kind=organization_kind)
        .filter(
            Q(organization__compound=compound) | Q(organization__community_id=compound.community_id)
        )
        .exclude(role__in=("party_member", "owner_representative", "resident_group_leader"))
        .select_related("person", "organization")
        .order_by("person_id", "pk")
    )
    by_person: dict[int, Membership] = {}
    for m in memberships:
        by_person.setdefault(m.person_id, m)
    if not by_person:
        return []
    status_sq = Attendance.objects.filter(
        meeting_id=OuterRef("meeting_id"), person_id=OuterRef("person_id")
    ).values("status")[:1]
    rows = (
        MeetingMember.objects.filter(
            meeting__compound=compound,
            meeting__kind__in=kinds,
            meeting__status__in=HELD_STATES,
            person_id__in=list(by_person),
        )
        .annotate(att=Subquery(status_sq), start=F("meeting__start"))
        .values_list("person_id", "meeting_id", "att")
        .order_by("person_id", "-meeting__start", "-meeting_id")
    )
    streaks: dict[int, tuple[int, int]] = {}  # person -> (count, latest meeting id)
    done: set[int] = set()
    for person_id, meeting_id, att in rows:
        if person_id in done:
            continue
        if att == Attendance.Status.UNEXCUSED:
            count, latest = streaks.get(person_id, (0, meeting_id))
            streaks[person_id] = (count + 1, latest)
        else:
            done.add(person_id)
    if not streaks:
        return []
    meetings = Meeting.objects.in_bulk([latest for _c, latest in streaks.values()])
    result = [
        AbsenceStreak(
            person=by_person[pid].person,
            organization=by_person[pid].organization,
            consecutive_unexcused=count,
            last_meeting=meetings[latest],
        )
        for pid, (count, latest) in streaks.items()
    ]
    result.sort(key=lambda s: (-s.consecutive_unexcused, s.person.name))
    return result


@dataclass(frozen=True)
class ActionItemStats:
    organization: Organization
    total: int
    done_on_time: int
    done_late: int
    open_overdue: int
    completion_rate: Decimal | None  # done / total, 4 places; None when total is 0


def action_item_stats(*, compound: Compound, start, end) -> list[ActionItemStats]:
    """Completion of agreed items due in [start, end), per responsible organization.

    seed: 联席会议议事规则 第五条 (落实或整改). ``done_on_time``: accepted and reported
    done by the due time; ``done_late``: accepted after it; ``open_overdue``: still
    open and past due now. Cancelled items are left out. Two queries.
    """
    now = timezone.now()
    done = Q(status=ActionItem.Status.DONE)
    rows = (
        ActionItem.objects.filter(
            compound=compound, due_at__gte=_as_datetime(start), due_at__lt=_as_datetime(end)
        )
        .exclude(status=ActionItem.Status.CANCELLED)
        .values("responsible_organization_id")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=done & Q(completed_at__lte=F("due_at"))),
            late=Count("pk", filter=done & Q(completed_at__gt=F("due_at"))),
            overdue=Count("pk", filter=Q(status__in=ActionItem.OPEN_STATES) & Q(due_at__lt=now)),
        )
        .order_by("responsible_organization_id")
    )
    rows = list(rows)
    orgs = Organization.objects.in_bulk([r["responsible_organization_id"] for r in rows])
    out = []
    for r in rows:
        total = r["total"]
        rate = (
            (Decimal(r["on_time"] + r["late"]) / Decimal(total)).quantize(Decimal("0.0001"))
            if total
            else None
        )
        out.append(
            ActionItemStats(
                organization=orgs[r["responsible_organization_id"]],
                total=total,
                done_on_time=r["on_time"],
                done_late=r["late"],
                open_overdue=r["overdue"],
                completion_rate=rate,
            )
        )
    out.sort(key=lambda s: (s.organization.kind, s.organization.name))
    return out


# --- meetings ---------------------------------------------------------------------


def meeting_list(
    *,
    compound: Compound,
    kinds: list[str] | None = None,
    year: int | None = None,
    status: str | None = None,
) -> QuerySet[Meeting]:
    """Meetings of a compound, newest first, with chair and notice joined."""
    qs = Meeting.objects.filter(compound=compound).select_related(
        "compound", "chair", "convener", "organization", "notice", "summary"
    )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if year:
        qs = qs.filter(start__year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-start", "-pk")


#: The event tables whose newest id versions the meeting page (``meeting_page_head``).
#: Every change the meeting page shows goes through ``meetings.services``, which writes
#: one of these events in the same transaction (meeting, agenda topic, agreed item,
#: forum and home visit, decision report, motion).
_PAGE_VERSION_EVENTS = (
    MeetingEvent,
    AgendaTopicEvent,
    ActionItemEvent,
    HomeVisitEvent,
    DecisionReportEvent,
    MotionEvent,
)


@dataclass(frozen=True)
class MeetingPageHead:
    """What a request for the meeting page needs before its cached copy is looked up: the
    meeting (pk and compound only: what the view permission reads) and the page's version
    (:func:`meeting_page_head`)."""

    pk: int
    compound_id: int
    version: tuple[int | None, ...]

    @property
    def meeting(self) -> Meeting:
        """The meeting as the permission rules see it (pk and compound; the compound itself
        loads on first use, which only a refused request needs)."""
        return Meeting(pk=self.pk, compound_id=self.compound_id)


def meeting_page_head(*, pk: int, user) -> MeetingPageHead | None:
    """The meeting page's head in **one statement**, compiled once per process: the
    meeting's compound, the newest id of each meetings event table (the page's version,
    :data:`_PAGE_VERSION_EVENTS`) and ``user``'s current seats covering that compound —
    the rows ``meetings.view_meeting`` decides on (``directory.rules.seats_in_compound``).

    The seats are kept in ``user``'s permission cache for this request, so the view's own
    ``has_perm`` check runs the rule unchanged without a query of its own (issue 20: a
    cache hit is the person and this statement). None if there is no such meeting."""
    person_pk = directory_rules.active_person_pk(user)
    cache = directory_rules.permission_cache(user) if person_pk is not None else None
    on = cache["day"] if cache is not None else timezone.localdate()
    rows = _PAGE_HEAD.rows(pk, on, person_pk if person_pk is not None else 0)
    if not rows:
        return None
    meeting_pk, compound_pk, *version, seats = rows[0]
    if cache is not None:
        cache.setdefault("seats", {})[compound_pk] = frozenset(
            tuple(seat.split(_SEAT_JOIN, 1)) for seat in (seats or "").split(_SEATS_JOIN) if seat
        )
    return MeetingPageHead(pk=meeting_pk, compound_id=compound_pk, version=tuple(version))


#: Separators of the seats list read by :func:`meeting_page_head`: organization kinds and
#: roles are lowercase codes (``[a-z_]``), so neither ever occurs in them.
_SEAT_JOIN = ":"
_SEATS_JOIN = ","


class _JoinedText(Aggregate):
    """The rows' text joined with ``,`` (``STRING_AGG``; SQLite: ``GROUP_CONCAT``)."""

    function = "STRING_AGG"
    template = f"%(function)s(%(distinct)s%(expressions)s, '{_SEATS_JOIN}')"
    allow_distinct = True
    output_field = TextField()

    def as_sqlite(self, compiler, backend, **extra_context):
        return super().as_sql(
            compiler,
            backend,
            function="GROUP_CONCAT",
            template="%(function)s(%(distinct)s%(expressions)s)",
            **extra_context,
        )


def _page_head_query(pk: int, on: dt.date, person_pk: int) -> QuerySet:
    seats = (
        Membership.objects.current(on)
        .filter(person_id=person_pk)
        # ``directory.rules.covering_q`` said through the meeting's compound: its own
        # organizations, its community's, its street's (one row each, no fan-out over
        # the street's communities and compounds: half the planning time of the rule's
        # own joins).
        .filter(
            Q(organization__compound_id=OuterRef("compound_id"))
            | Q(organization__community_id=OuterRef("compound__community_id"))
            | Q(organization__street_id=OuterRef("compound__community__street_id"))
        )
        .order_by()
        .values("person_id")
        .annotate(
            seats=_JoinedText(
                Concat("organization__kind", Value(_SEAT_JOIN), "role", output_field=TextField()),
                distinct=True,
            )
        )
        .values("seats")
    )
    return (
        Meeting.objects.filter(pk=pk)
        .annotate(**{f"_v{i}": _newest_id(model) for i, model in enumerate(_PAGE_VERSION_EVENTS)})
        .annotate(_seats=Subquery(seats, output_field=TextField()))
        .order_by()
        .values_list(
            "pk",
            "compound_id",
            *(f"_v{i}" for i in range(len(_PAGE_VERSION_EVENTS))),
            "_seats",
        )
    )


def _newest_id(model) -> RawSQL:
    """``(SELECT MAX(id) FROM <events>)``: an index-only read, written out because the
    ORM spent longer compiling six ``Subquery`` annotations than PostgreSQL spent running
    them (issue 20: the meeting page's cache hit; the statement is now also compiled only
    once, in :func:`meeting_page_head`)."""
    quote = connection.ops.quote_name
    return RawSQL(
        f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})", []
    )


_PAGE_HEAD = CompiledQuery(_page_head_query, (-90_001, dt.date(1901, 1, 1), -90_002))


def meeting_detail(*, pk: int) -> Meeting | None:
    """The meeting with what every meeting view shows about it, notice, summary and the
    chair's delegation included (one query; ``meeting_page`` reuses them)."""
    return (
        Meeting.objects.select_related(
            "compound__community__street",
            "chair",
            # The chair's 委托 shown in the header (_chair_record.html): no query of its own.
            "chair_delegation__delegator",
            "convener",
            "organization",
            "notice",
            "summary__approved_by",
        )
        .filter(pk=pk)
        .first()
    )


def meeting_members(*, meeting: Meeting) -> QuerySet[MeetingMember]:
    return meeting.members.select_related("person", "organization").order_by(
        "role", "organization__kind", "pk"
    )


def meeting_agenda(*, meeting: Meeting) -> QuerySet[AgendaTopic]:
    """The accepted topics in order (the agenda of the notice)."""
    return (
        AgendaTopic.objects.filter(meeting=meeting, status=AgendaTopic.Status.ACCEPTED)
        .select_related("issue", "proposer", "proposer_organization", "action_item")
        .order_by("order", "pk")
    )


def meeting_topics_pending(*, meeting: Meeting) -> QuerySet[AgendaTopic]:
    """Topics waiting for the office's decision: proposed for this meeting, unassigned
    ones of the compound, and deferred ones."""
    return (
        AgendaTopic.objects.filter(compound_id=meeting.compound_id)
        .filter(
            Q(meeting=meeting, status=AgendaTopic.Status.PROPOSED)
            | Q(
                meeting__isnull=True,
                status__in=(AgendaTopic.Status.PROPOSED, AgendaTopic.Status.DEFERRED),
            )
        )
        .select_related("issue", "proposer", "proposer_organization", "action_item")
        .order_by("created_at", "pk")
    )


def compound_topics(*, compound: Compound, status: str | None = None) -> QuerySet[AgendaTopic]:
    qs = AgendaTopic.objects.filter(compound=compound).select_related(
        "meeting", "issue", "proposer", "proposer_organization", "action_item"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def meeting_follow_up_items(*, meeting: Meeting) -> QuerySet[ActionItem]:
    """ "Follow-up of previous decisions" (前次议定事项落实情况) on a joint meeting's agenda:
    every agreed item of an earlier meeting of the compound still open when this
    meeting starts, overdue first (seed: 联席会议议事规则 第五条)."""
    return (
        ActionItem.objects.filter(
            compound_id=meeting.compound_id,
            status__in=ActionItem.OPEN_STATES,
            meeting__start__lt=meeting.start,
        )
        .exclude(meeting=meeting)
        .select_related("meeting", "responsible_organization", "responsible_person")
        .order_by("due_at", "pk")
    )


def meeting_minutes(*, meeting: Meeting) -> QuerySet[Minutes]:
    return (
        Minutes.objects.filter(meeting=meeting)
        .select_related("topic", "updated_by")
        .order_by(F("topic__order").asc(nulls_first=True), "pk")
    )


@dataclass
class AttendanceRow:
    member: MeetingMember
    attendance: Attendance | None


@dataclass
class MeetingPage:
    """Everything the meeting page shows, in a fixed number of queries."""

    meeting: Meeting
    members: list[MeetingMember]
    attendance: list[AttendanceRow]
    agenda: list[AgendaTopic]
    pending_topics: list[AgendaTopic]
    follow_up: list[ActionItem]
    minutes_by_topic: dict[int | None, Minutes]
    notice: Notice | None
    receipts: list[NoticeReceipt]
    summary: Summary | None
    signatures: list[SummarySignature]
    action_items: list[ActionItem]
    opinions: list[ForumOpinion]
    events: list = field(default_factory=list)

    @property
    def unsigned_receipts(self) -> list[NoticeReceipt]:
        return [r for r in self.receipts if r.signed_at is None]


def _joined(meeting: Meeting, name: str, load):
    """A reverse one-to-one row (notice, summary): from ``select_related`` when it was
    joined (``meeting_detail``), else one query."""
    if getattr(Meeting, name).is_cached(meeting):
        return getattr(meeting, name, None)
    return load()


def meeting_page(*, meeting: Meeting, with_minutes: bool = True) -> MeetingPage:
    """All rows the meeting page needs, in a fixed number of queries (about 11; the
    notice and summary come with ``meeting_detail``; opinions only for forums, the only
    meetings that have them; ``with_minutes=False`` skips the minutes the meeting page
    does not show). seed: 联席会议议事规则 第三—五条; 协同联动机制 第六条."""
    members = list(meeting_members(meeting=meeting))
    attendance = {a.person_id: a for a in Attendance.objects.filter(meeting=meeting)}
    notice = _joined(meeting, "notice", lambda: Notice.objects.filter(meeting=meeting).first())
    receipts = list(notice.receipts.select_related("organization", "signed_by")) if notice else []
    summary = _joined(
        meeting,
        "summary",
        lambda: Summary.objects.filter(meeting=meeting).select_related("approved_by").first(),
    )
    signatures = (
        list(summary.signatures.select_related("organization", "signed_by")) if summary else []
    )
    minutes = meeting_minutes(meeting=meeting) if with_minutes else []
    opinions = (
        list(
            meeting.opinions.select_related("issue", "topic", "household__building").order_by(
                "created_at", "pk"
            )
        )
        if meeting.is_forum
        else []
    )
    return MeetingPage(
        meeting=meeting,
        members=members,
        attendance=[AttendanceRow(m, attendance.get(m.person_id)) for m in members],
        agenda=list(meeting_agenda(meeting=meeting)),
        pending_topics=list(meeting_topics_pending(meeting=meeting)),
        follow_up=list(meeting_follow_up_items(meeting=meeting)),
        minutes_by_topic={m.topic_id: m for m in minutes},
        notice=notice,
        receipts=receipts,
        summary=summary,
        signatures=signatures,
        action_items=list(
            meeting.action_items.select_related(
                "responsible_organization", "responsible_person", "raised_by"
            ).order_by("due_at", "pk")
        ),
        opinions=opinions,
        events=list(meeting.events.select_related("actor").order_by("at", "pk")),
    )


def notice_receipts_pending(*, person: Person) -> QuerySet[NoticeReceipt]:
    """Notices the person's bodies still have to sign for (签收)."""
    orgs = Membership.objects.current().filter(person=person).values("organization_id")
    return (
        NoticeReceipt.objects.filter(organization_id__in=orgs, signed_at__isnull=True)
        .exclude(notice__meeting__status=Meeting.Status.CANCELLED)
        .select_related("notice__meeting", "organization")
        .order_by("notice__issued_at")
    )


def summary_signatures_pending(*, person: Person) -> QuerySet[SummarySignature]:
    """Summaries the person's bodies still have to countersign (会签) or sign for."""
    orgs = Membership.objects.current().filter(person=person).values("organization_id")
    return (
        SummarySignature.objects.filter(organization_id__in=orgs, signed_at__isnull=True)
        .filter(
            Q(kind=SummarySignature.Kind.COUNTERSIGN, summary__status=Summary.Status.COUNTERSIGNING)
            | Q(kind=SummarySignature.Kind.RECEIPT, summary__status=Summary.Status.DISTRIBUTED)
        )
        .select_related("summary__meeting", "organization")
        .order_by("pk")
    )


# --- action items ------------------------------------------------------------------


def action_item_list(
    *,
    compound: Compound,
    status: str | None = None,
    organization: Organization | None = None,
    overdue: bool | None = None,
    meeting: Meeting | None = None,
) -> QuerySet[ActionItem]:
    """Agreed items of a compound, nearest due first (status ``open`` = every open state)."""
    qs = ActionItem.objects.filter(compound=compound).select_related(
        "meeting", "responsible_organization", "responsible_person", "raised_by"
    )
    if status == "open":
        qs = qs.filter(status__in=ActionItem.OPEN_STATES)
    elif status:
        qs = qs.filter(status=status)
    if organization is not None:
        qs = qs.filter(responsible_organization=organization)
    if meeting is not None:
        qs = qs.filter(meeting=meeting)
    if overdue is True:
        qs = qs.filter(status__in=ActionItem.OPEN_STATES, due_at__lt=timezone.now())
    elif overdue is False:
        qs = qs.exclude(status__in=ActionItem.OPEN_STATES, due_at__lt=timezone.now())
    return qs.order_by("due_at", "pk")


def action_item_detail(*, pk: int) -> ActionItem | None:
    return (
        ActionItem.objects.select_related(
            "compound",
            "meeting",
            "topic",
            "responsible_organization",
            "responsible_person",
            "raised_by",
            "accepted_by",
        )
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ActionItemUpdate.objects.select_related("author").order_by(
                    "created_at", "pk"
                ),
            ),
            "events",
        )
        .filter(pk=pk)
        .first()
    )


# --- decision reports and motions ---------------------------------------------------


def decision_report_list(*, compound: Compound, status: str | None = None):
    qs = DecisionReport.objects.filter(compound=compound).select_related("organization", "filed_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def decision_report_detail(*, pk: int) -> DecisionReport | None:
    return (
        DecisionReport.objects.select_related("compound", "organization", "filed_by", "hearing")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=DecisionReportRecipient.objects.select_related(
                    "organization", "acknowledged_by", "answered_by"
                ),
            ),
            Prefetch(
                "interventions",
                queryset=EarlyIntervention.objects.select_related("organization", "invited_by"),
            ),
            "events",
        )
        .filter(pk=pk)
        .first()
    )


def motion_list(*, compound: Compound, stage: str | None = None):
    qs = OwnersAssemblyMotion.objects.filter(compound=compound).select_related("proposed_by")
    if stage:
        qs = qs.filter(stage=stage)
    return qs.order_by("-created_at", "-pk")


def motion_detail(*, pk: int) -> OwnersAssemblyMotion | None:
    return (
        OwnersAssemblyMotion.objects.select_related("compound", "proposed_by", "hearing")
        .prefetch_related("events")
        .filter(pk=pk)
        .first()
    )


def motion_votes(*, motion: OwnersAssemblyMotion) -> QuerySet[MotionVote]:
    return motion.votes.select_related("household__building", "voter").order_by(
        "household__building__sort_key", "household__unit", "household__room"
    )


def work_summaries_status(*, compounds, today=None) -> dict[int, list[dict]]:
    """``{compound pk: [row, …]}`` — the half-year briefs and annual summaries due so far
    (联席会议议事规则 第六条 "每半年开展一次工作小结，每年开展一次工作总结"), newest first.

    Each row: ``period``, ``kind``, ``label``, ``start``, ``end``, ``due``, ``submitted``
    (a submitted ``dashboard.WorkSummary`` covers it), ``due_soon`` (within the reminder
    window), ``overdue`` (due date passed, not submitted) and ``missing`` (= overdue).
    Periods are counted from the compound's first joint meeting (the portal in use), for
    this year and the last. Two queries whatever the number of compounds.
    """
    import datetime as _dt

    from django.db.models import Min
    from django.utils.translation import gettext

    from dashboard.models import WorkSummary

    from .services.summaries import WORK_SUMMARY_REMIND_DAYS, work_summary_due_periods

    today = today or timezone.localdate()
    compounds = list(compounds)
    if not compounds:
        return {}
    first = dict(
        Meeting.objects.filter(compound__in=compounds, kind=Meeting.Kind.JOINT)
        .exclude(status=Meeting.Status.CANCELLED)
        .values("compound_id")
        .annotate(first=Min("start"))
        .values_list("compound_id", "first")
    )
    periods = [p for y in (today.year - 1, today.year) for p in work_summary_due_periods(y)]
    periods = [p for p in periods if p["end"] < today]
    submitted = set(
        WorkSummary.objects.filter(
            compound__in=compounds,
            state=WorkSummary.State.SUBMITTED,
            period__in={code for p in periods for code in p["covered_by"]},
        ).values_list("compound_id", "period")
    )
    labels = {
        "half_year": gettext("half-year work brief %(period)s"),
        "year": gettext("annual work summary %(period)s"),
    }
    window = _dt.timedelta(days=WORK_SUMMARY_REMIND_DAYS)
    out: dict[int, list[dict]] = {}
    for compound in compounds:
        started = first.get(compound.pk)
        rows = []
        for p in periods:
            if started is None or timezone.localtime(started).date() > p["end"]:
                continue
            done = any((compound.pk, code) in submitted for code in p["covered_by"])
            overdue = not done and today > p["due"]
            rows.append(
                {
                    **p,
                    "label": labels[p["kind"]] % {"period": p["period"]},
                    "submitted": done,
                    "due_soon": not done and p["due"] - window <= today <= p["due"],
                    "overdue": overdue,
                    "missing": overdue,
                }
            )
        out[compound.pk] = sorted(rows, key=lambda r: (r["due"], r["period"]), reverse=True)
    return out
