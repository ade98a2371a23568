"""Seed a year of meetings for 江南花山郡 (deterministic, idempotent, bulk).

* twelve monthly joint meetings (联席会议, 25th of each month, 15:00): the eleven past ones
  held with notice (花山联〔YYYY〕N号), attendance, minutes per topic, a countersigned and
  distributed summary and two agreed items each — all accepted except one still in progress
  and one overdue from last month's meeting; this month's meeting has its notice out and
  the overdue item under "follow-up of previous decisions";
* six monthly PMC working meetings in which one PMC member (林芳) missed the last three
  without excuse (物业管理委员会服务承诺 10);
* an owners' assembly motion (hiring the property company) voted and tallied under Civil
  Code art. 278;
* a decision report on maintenance-fund use with early intervention (协同联动 第七条).

Rows are written directly (like ``seed_issues``) because the demo needs history with past
timestamps; the same helpers the services use compute document numbers, members and the
tally. No notifications are written, except for the one problem taken to the street
(协同联动 第四条), which goes through the services as a real one would. Idempotent: does
nothing when the compound already has a seeded meeting (marker event ``seed_meetings``).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from huashan import workdays
from huashan.directory.models import Compound, Household, Membership, Organization, Person
from huashan.directory.selectors import organization_of_kind
from huashan.periods import add_months
from issues.models import Issue
from meetings.models import (
    ActionItem,
    ActionItemUpdate,
    AgendaTopic,
    Attendance,
    DecisionReport,
    DecisionReportRecipient,
    EarlyIntervention,
    Meeting,
    MeetingEvent,
    MeetingMember,
    Minutes,
    MotionVote,
    Notice,
    NoticeReceipt,
    NoticeSequence,
    OwnersAssemblyMotion,
    Summary,
    SummarySignature,
)
from meetings.services import (
    COPY_RECIPIENT_KINDS,
    MAIN_RECIPIENT_KINDS,
    MEMBER_KINDS,
    MEMBER_ROLES,
    OBSERVER_ROLES,
    notice_document_number,
)
from meetings.services.motions import _new_receipt  # the receipt an online ballot gets
from meetings.services.street_referrals import (
    STREET_TIERS,
    street_referral_propose,
    street_referral_request,
)
from meetings.tally import tally_votes

COMPOUND_SLUG = "jiangnan-huashan"
MARKER = "seed_meetings"
Kind = Organization.Kind
Role = Membership.Role

TOPICS = [
    (
        "地下车库积水整治",
        "业主反映雨天车库入口积水，讨论排水改造方案。",
        "物业公司两周内提交排水改造报价",
    ),
    (
        "电动车充电桩增设",
        "充电桩不足，夜间排队，存在飞线充电隐患。",
        "物业管理委员会牵头选址，物业公司报价",
    ),
    ("中心花园绿化补种", "灌木枯死一片，业主要求补种。", "物业公司月底前完成补种"),
    ("北门门禁维修", "门禁故障，陌生人随意进出。", "物业公司一周内修复并加强巡逻"),
    ("消防通道违停治理", "消防通道长期被占用。", "物业公司设置隔离桩，居委会开展宣传"),
    ("公共收益公示", "业主要求公开电梯广告收益。", "物业管理委员会下月公示收支明细"),
    ("楼道堆物清理", "多栋楼道堆放杂物。", "网格员与物业联合清理"),
    ("垃圾分类督导", "分类点满溢，清运不及时。", "物业公司增加清运频次"),
    ("电梯年检与维保", "5栋电梯频繁故障。", "物业公司督促维保单位彻底检修"),
    ("物业服务季度报告", "审议第三季度物业服务报告。", "报告在公告栏公示30日"),
    ("停车位分配规则", "讨论地面车位分配办法。", "形成方案提交业主大会表决"),
    ("夏季防汛准备", "检查排水设施和应急物资。", "物业公司完成排查并报办公室"),
]


def _aware(day: dt.date, hour: int = 15) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


class Command(BaseCommand):
    help = "Seed a year of demo meetings, agreed items, a motion and a decision report."

    def handle(self, *args, **options):
        compound = Compound.objects.filter(slug=COMPOUND_SLUG).first()
        if compound is None:
            raise CommandError(f"compound {COMPOUND_SLUG!r} not found: run seed_demo first")
        if MeetingEvent.objects.filter(meeting__compound=compound, verb=MARKER).exists():
            self.stdout.write("seed_meetings: already seeded.")
            return
        with transaction.atomic():
            counts = seed(compound)
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_meetings: {counts['meetings']} meetings, {counts['items']} agreed items."
            )
        )


def _org(compound, kind) -> Organization | None:
    return organization_of_kind(compound=compound, kind=kind)


_SEATS: dict = {}


def _seat(org, roles) -> Person | None:
    if org is None:
        return None
    key = (org.pk, tuple(roles))
    if key not in _SEATS:
        _SEATS[key] = _seat_uncached(org, roles)
    return _SEATS[key]


def _seat_uncached(org, roles) -> Person | None:
    m = (
        Membership.objects.current()
        .filter(organization=org, role__in=roles)
        .select_related("person")
        .order_by("role", "pk")
        .first()
    )
    return m.person if m else None


def seed(compound: Compound) -> dict:
    _SEATS.clear()
    rng = random.Random(2026)
    today = timezone.localdate()
    orgs = {k: _org(compound, k) for k in Kind.values}
    chair = _seat(orgs[Kind.COMMUNITY_PARTY], (Role.SECRETARY,)) or _seat(
        orgs[Kind.COMPOUND_PARTY], (Role.SECRETARY,)
    )
    clerk = _seat(orgs[Kind.JOINT_MEETING_OFFICE], (Role.STAFF, Role.CHAIR))
    pmc_chair = _seat(orgs[Kind.PMC], (Role.CHAIR,))
    company_head = _seat(orgs[Kind.PROPERTY_COMPANY], (Role.CHAIR,))

    # Members and observers from today's directory (联席会议议事规则 第三条).
    member_rows: list[tuple[int, int, str]] = []
    seen: set[int] = set()
    current = (
        Membership.objects.current()
        .filter(organization__in=[o for o in orgs.values() if o is not None])
        .select_related("organization")
        .order_by("organization__kind", "pk")
    )
    for m in sorted(current, key=lambda m: m.role not in MEMBER_ROLES):
        if m.person_id in seen:
            continue
        is_member = m.organization.kind in MEMBER_KINDS and m.role in MEMBER_ROLES
        if m.organization.kind == Kind.PROPERTY_COMPANY and m.role == Role.MEMBER:
            is_member = False
        if is_member or m.role in OBSERVER_ROLES:
            seen.add(m.person_id)
            member_rows.append(
                (m.person_id, m.organization_id, "member" if is_member else "observer")
            )

    main = [orgs[k] for k in MAIN_RECIPIENT_KINDS if orgs[k]]
    copies = [orgs[k] for k in COPY_RECIPIENT_KINDS if orgs[k]]
    # Eleven held meetings and the next one (this month's, or next month's when this
    # month's last-week meeting is already past).
    anchor = today.replace(day=25)
    if _aware(anchor) < timezone.now():
        anchor = add_months(anchor, 1)
    months = [add_months(anchor, -i) for i in range(11, -1, -1)]
    meetings: list[Meeting] = []
    for i, day in enumerate(months):
        start = _aware(day)
        past = start < timezone.now()
        meetings.append(
            Meeting(
                compound=compound,
                kind=Meeting.Kind.JOINT,
                title=f"{day.year}年{day.month}月联席会议",
                convener=chair,
                chair=chair,
                place="小区党群服务中心会议室",
                start=start,
                end=start + dt.timedelta(hours=2),
                status=Meeting.Status.CLOSED if past else Meeting.Status.NOTICE_SENT,
                summary_public=i % 3 == 0,
                held_at=start if past else None,
                created_by=clerk,
                created_at=start - dt.timedelta(days=10),
            )
        )
    Meeting.objects.bulk_create(meetings)

    # Notices, numbered per year like notice_number_allocate does.
    per_year: dict[int, int] = {}
    notices = []
    for meeting in meetings:
        year = meeting.start.year
        per_year[year] = per_year.get(year, 0) + 1
        notices.append(
            Notice(
                meeting=meeting,
                year=year,
                number=per_year[year],
                document_number=notice_document_number(year=year, number=per_year[year]),
                body=(
                    f"定于{meeting.start:%Y年%m月%d日} 15:00 在{meeting.place}召开{meeting.title}。"
                ),
                issued_by=clerk,
                issued_at=meeting.start - dt.timedelta(days=7),
            )
        )
    Notice.objects.bulk_create(notices)
    for year, last in per_year.items():
        seq, _ = NoticeSequence.objects.get_or_create(compound=compound, year=year)
        seq.last = max(seq.last, last)
        seq.save()
    receipts = []
    for notice in notices:
        past = notice.meeting.status == Meeting.Status.CLOSED
        for line, bodies in (("main", main), ("copy", copies)):
            for org in bodies:
                signed = past or rng.random() < 0.5
                receipts.append(
                    NoticeReceipt(
                        notice=notice,
                        organization=org,
                        line=line,
                        signed_at=notice.issued_at + dt.timedelta(hours=rng.randint(1, 48))
                        if signed
                        else None,
                        signed_by=_seat(org, tuple(Role)) if signed else None,
                    )
                )
    NoticeReceipt.objects.bulk_create(receipts)
    MeetingMember.objects.bulk_create(
        [
            MeetingMember(meeting=m, person_id=p, organization_id=o, role=r)
            for m in meetings
            for p, o, r in member_rows
        ]
    )

    topics, minutes, attendance, summaries = [], [], [], []
    for i, meeting in enumerate(meetings):
        for j in range(2):
            title, discussion, outcome = TOPICS[(i * 2 + j) % len(TOPICS)]
            topics.append(
                AgendaTopic(
                    compound=compound,
                    meeting=meeting,
                    title=title,
                    description=discussion,
                    proposer=pmc_chair if j else clerk,
                    proposer_organization=orgs[Kind.PMC] if j else orgs[Kind.JOINT_MEETING_OFFICE],
                    status=AgendaTopic.Status.ACCEPTED,
                    order=j + 1,
                    decided_by=clerk,
                    decided_at=meeting.created_at,
                    created_at=meeting.created_at,
                )
            )
    AgendaTopic.objects.bulk_create(topics)
    closed = [m for m in meetings if m.status == Meeting.Status.CLOSED]
    for topic in topics:
        if topic.meeting.status != Meeting.Status.CLOSED:
            continue
        _t, discussion, outcome = next(t for t in TOPICS if t[0] == topic.title)
        minutes.append(
            Minutes(
                meeting=topic.meeting,
                topic=topic,
                discussion=discussion,
                position_party="社区党组织要求三方依法依规、限时办结。",
                position_residents_committee="居委会同意并参与督办。",
                position_pmc="物业管理委员会同意，并将结果向业主公示。",
                position_property_company="物业服务企业表示按期落实。",
                outcome=outcome,
                updated_by=clerk,
                updated_at=topic.meeting.end,
            )
        )
    Minutes.objects.bulk_create(minutes)
    for meeting in closed:
        for p, o, _r in member_rows:
            status = "present" if rng.random() < 0.85 else rng.choice(["excused", "delegate"])
            attendance.append(
                Attendance(
                    meeting=meeting,
                    person_id=p,
                    organization_id=o,
                    status=status,
                    delegate_name="代参会人" if status == "delegate" else "",
                    recorded_by=clerk,
                    recorded_at=meeting.start,
                )
            )
        body_lines = [f"{meeting.title}会议纪要", ""]
        for n, topic in enumerate([t for t in topics if t.meeting is meeting], start=1):
            outcome = next(t for t in TOPICS if t[0] == topic.title)[2]
            body_lines.append(f"{n}. {topic.title}：{outcome}。")
        summaries.append(
            Summary(
                meeting=meeting,
                body="\n".join(body_lines),
                status=Summary.Status.DISTRIBUTED,
                drafted_by=clerk,
                drafted_at=meeting.end + dt.timedelta(days=1),
                approved_by=chair,
                approved_at=meeting.end + dt.timedelta(days=3),
                distributed_at=meeting.end + dt.timedelta(days=3, hours=2),
            )
        )
    Attendance.objects.bulk_create(attendance)
    Summary.objects.bulk_create(summaries)
    SummarySignature.objects.bulk_create(
        [
            SummarySignature(
                summary=s,
                kind=kind,
                organization=org,
                signed_at=s.approved_at - dt.timedelta(hours=3)
                if kind == "countersign"
                else s.distributed_at + dt.timedelta(hours=5),
                signed_by=_seat(org, tuple(Role)),
            )
            for s in summaries
            for kind in ("countersign", "receipt")
            for org in main
        ]
    )

    # Agreed items: all accepted except one overdue from the meeting before last and the
    # last meeting's two (in progress / open) — all three show under follow-up on the
    # upcoming meeting.
    items, updates = [], []
    responsible = [orgs[Kind.PROPERTY_COMPANY], orgs[Kind.PMC]]
    for idx, meeting in enumerate(closed):
        for j, topic in enumerate([t for t in topics if t.meeting is meeting]):
            org = responsible[j % 2]
            is_last = idx == len(closed) - 1
            is_overdue = idx == len(closed) - 2 and j == 0
            if is_last:
                due_date = today + dt.timedelta(days=12 + 8 * j)
                status = ActionItem.Status.IN_PROGRESS if j == 0 else ActionItem.Status.OPEN
            else:
                due_date = timezone.localtime(meeting.start).date() + dt.timedelta(days=14)
                status = ActionItem.Status.OPEN if is_overdue else ActionItem.Status.DONE
            completed = (
                workdays.end_of_day(due_date) - dt.timedelta(days=rng.randint(0, 5))
                if status == ActionItem.Status.DONE and not (idx == 2 and j == 1)
                else workdays.end_of_day(due_date) + dt.timedelta(days=4)
                if status == ActionItem.Status.DONE
                else None
            )
            items.append(
                ActionItem(
                    compound=compound,
                    meeting=meeting,
                    topic=topic,
                    title=next(t for t in TOPICS if t[0] == topic.title)[2],
                    responsible_organization=org,
                    responsible_person=company_head if j % 2 == 0 else pmc_chair,
                    raised_by=orgs[Kind.JOINT_MEETING_OFFICE],
                    due_date=due_date,
                    due_at=workdays.end_of_day(due_date),
                    status=status,
                    completed_at=completed,
                    accepted_by=clerk if status == ActionItem.Status.DONE else None,
                    accepted_at=completed + dt.timedelta(days=1) if completed else None,
                    created_by=clerk,
                    created_at=meeting.end,
                )
            )
    ActionItem.objects.bulk_create(items)
    for item in items:
        updates.append(
            ActionItemUpdate(
                item=item,
                author=item.responsible_person,
                note="已安排人员落实，正在推进。",
                created_at=item.created_at + dt.timedelta(days=3),
            )
        )
        if item.status == ActionItem.Status.DONE:
            updates.append(
                ActionItemUpdate(
                    item=item,
                    author=item.responsible_person,
                    note="已完成。",
                    evidence_text="现场照片及验收单已存档。",
                    is_completion=True,
                    created_at=item.completed_at,
                )
            )
    ActionItemUpdate.objects.bulk_create(updates)

    # PMC working meetings: 林芳 (or the first PMC member) missed the last three.
    pmc = orgs[Kind.PMC]
    pmc_people = list(
        Membership.objects.current()
        .filter(organization=pmc, role__in=MEMBER_ROLES)
        .values_list("person_id", flat=True)
        .order_by("pk")
    )
    absentee = (
        Membership.objects.current()
        .filter(organization=pmc, role=Role.MEMBER)
        .values_list("person_id", flat=True)
        .order_by("pk")
        .first()
    )
    pmc_meetings = []
    for i in range(6):
        day = add_months(today.replace(day=10), -6 + i)
        start = _aware(day, 19)
        pmc_meetings.append(
            Meeting(
                compound=compound,
                kind=Meeting.Kind.PMC_WORKING,
                organization=pmc,
                title=f"物业管理委员会{day.month}月工作会议",
                chair=pmc_chair,
                convener=pmc_chair,
                place="物业管理委员会办公室",
                start=start,
                end=start + dt.timedelta(hours=1, minutes=30),
                status=Meeting.Status.CLOSED,
                held_at=start,
                created_by=pmc_chair,
                created_at=start - dt.timedelta(days=5),
            )
        )
    Meeting.objects.bulk_create(pmc_meetings)
    MeetingMember.objects.bulk_create(
        [
            MeetingMember(meeting=m, person_id=p, organization=pmc, role="member")
            for m in pmc_meetings
            for p in pmc_people
        ]
    )
    Attendance.objects.bulk_create(
        [
            Attendance(
                meeting=m,
                person_id=p,
                organization=pmc,
                status="unexcused" if (p == absentee and i >= 3) else "present",
                recorded_by=pmc_chair,
                recorded_at=m.start,
            )
            for i, m in enumerate(pmc_meetings)
            for p in pmc_people
        ]
    )

    # Owners' assembly motion, voted and tallied (民法典 第二百七十八条).
    households = list(Household.objects.filter(building__compound=compound).order_by("pk"))
    motion = None
    if households:
        total_area = sum((h.area for h in households), Decimal("0"))
        motion = OwnersAssemblyMotion.objects.create(
            compound=compound,
            title="续聘现物业服务企业（2026—2028年）",
            body="物业管理委员会工作小组提议续聘现物业服务企业，合同期两年，服务标准与收费不变。",
            matter=OwnersAssemblyMotion.Matter.COMPANY_SELECTION,
            stage=OwnersAssemblyMotion.Stage.DECIDED,
            proposed_by=pmc_chair,
            working_group="物业选聘工作小组",
            pmc_resolution="全体委员商议同意提交业主大会表决。",
            compound_party_review="小区党支部审议同意。",
            compound_party_reviewed_at=timezone.now() - dt.timedelta(days=50),
            community_party_review="社区党支部审议同意。",
            community_party_reviewed_at=timezone.now() - dt.timedelta(days=48),
            vote_opens_at=timezone.now() - dt.timedelta(days=45),
            vote_closes_at=timezone.now() - dt.timedelta(days=30),
            total_area=total_area,
            total_owners=len(households),
            decided_at=timezone.now() - dt.timedelta(days=29),
            created_at=timezone.now() - dt.timedelta(days=60),
        )
        votes = []
        for h in households:
            r = rng.random()
            if r < 0.8:
                choice = "yes" if rng.random() < 0.72 else rng.choice(["no", "abstain"])
                cast = motion.vote_opens_at + dt.timedelta(hours=rng.randint(1, 300))
                votes.append(
                    MotionVote(
                        motion=motion,
                        household=h,
                        choice=choice,
                        area=h.area,
                        cast_at=cast,
                        confirmed_at=cast,  # an online ballot counts when cast
                        receipt=_new_receipt(),
                    )
                )
        MotionVote.objects.bulk_create(votes)
        result = tally_votes(
            matter=motion.matter,
            votes=[(v.area, v.choice) for v in votes],
            total_area=total_area,
            total_owners=len(households),
        )
        motion.tally = result.as_dict()
        motion.passed = result.passed
        motion.decision_text = ("通过。" if result.passed else "未通过。") + "；".join(
            result.reasons
        )
        motion.save()

    # A decision report on maintenance-fund use with early intervention (协同联动 第七条).
    report = DecisionReport.objects.create(
        compound=compound,
        organization=pmc,
        matter=DecisionReport.Matter.MAINTENANCE_FUND,
        title="3栋、5栋外墙渗水维修使用住宅专项维修资金",
        body="经业主报修和现场勘查，拟使用住宅专项维修资金约 36.8 万元维修外墙渗水，"
        "方案将提交业主大会表决。",
        amount=Decimal("368000.00"),
        status=DecisionReport.Status.PROCEEDING,
        filed_by=pmc_chair,
        filed_at=timezone.now() - dt.timedelta(days=20),
        proceed_at=timezone.now() - dt.timedelta(days=10),
        created_at=timezone.now() - dt.timedelta(days=21),
    )
    DecisionReportRecipient.objects.bulk_create(
        [
            DecisionReportRecipient(
                report=report,
                organization=orgs[k],
                acknowledged_at=report.filed_at + dt.timedelta(days=1),
                acknowledged_by=_seat(orgs[k], tuple(Role)),
                answer="请先公示维修方案和预算。" if k == Kind.COMMUNITY_PARTY else "",
            )
            for k in DecisionReport.RECIPIENT_KINDS
            if orgs[k]
        ]
    )
    EarlyIntervention.objects.bulk_create(
        [
            EarlyIntervention(
                report=report,
                organization=orgs[k],
                invited_by=clerk,
                invited_at=report.filed_at + dt.timedelta(hours=4),
                note="请提前介入，对维修资金使用严格把关。",
            )
            for k in DecisionReport.EARLY_INTERVENTION_KINDS
            if orgs[k]
        ]
    )
    MeetingEvent.objects.bulk_create(
        [
            MeetingEvent(meeting=m, actor=None, verb=MARKER, note="")
            for m in meetings + pmc_meetings
        ]
    )
    _seed_street_referral(compound, meetings, clerk=clerk, secretary=chair)
    return {"meetings": len(meetings) + len(pmc_meetings), "items": len(items)}


def _seed_street_referral(compound, meetings, *, clerk, secretary) -> None:
    """One problem taken to the street (协同联动 第四条), through the services so that it is
    what the page shows for a real one: last held joint meeting's proposal, then the
    community party organization's request, which blows the street whistle. Nothing when the
    compound has no open major, difficult or legacy complaint or nobody holds the seats."""
    held = [m for m in meetings if m.status == Meeting.Status.CLOSED]
    issue = (
        Issue.objects.filter(compound=compound, tier__in=STREET_TIERS, status__in=Issue.OPEN_STATES)
        .order_by("created_at", "pk")
        .first()
    )
    if not held or issue is None or clerk is None or secretary is None:
        return
    referral = street_referral_propose(
        actor=clerk,
        meeting=held[-1],
        issue=issue,
        proposal="该问题涉及小区外市政管网，超出三方和社区的协调能力，建议报请街道协调。",
    )
    street_referral_request(
        actor=secretary,
        referral=referral,
        request_text="请街道召集联席会议，协调市政、水务部门共同处置。",
    )
