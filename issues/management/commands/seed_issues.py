"""Seed ≈200 demo complaints for 江南花山郡 across tiers and states (deterministic, idempotent).

Why rows and events are written directly (in bulk) instead of through the
services: the demo needs a *history* — issues filed weeks ago, accepted late,
breached, resolved, rated, auto-closed — and every service stamps
``timezone.now()``; only writing the rows lets them carry past timestamps.
It is also ~50× faster (one bulk insert per table instead of ~30 queries per
step). Everything that matters is still computed by the same code the
services use: tracking numbers from ``tracking_numbers_allocate``, deadlines
from ``huashan.workdays`` through ``clocks_for`` / ``running_clocks``, and
one event row per transition, so timelines, queues, rates and scans behave as
if the services had run. No notifications are written (this is history).

Idempotent: if the compound already has ≥ 200 seeded issues (marked by a
private ``seed_issues`` event) the command does nothing. Run ``seed_demo``
first; ``random.Random(2026)`` makes every run produce the same data.
"""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections import defaultdict

from django.apps import apps as django_apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from huashan import workdays
from huashan.directory.models import Compound, Membership, Organization, Person, Residency
from huashan.directory.selectors import organization_of_kind
from issues.models import (
    Category,
    Issue,
    IssueAlarm,
    IssueEvent,
    MeToo,
    Referral,
    Satisfaction,
    SupervisionOrder,
    Whistle,
    WhistleSummons,
)
from issues.services import (
    _refresh_next_deadline,
    clock_policy_for,
    clocks_for,
    running_clocks,
    tracking_numbers_allocate,
)

COMPOUND_SLUG = "jiangnan-huashan"
TARGET = 200
MARKER = "seed_issues"
Kind = Organization.Kind
S = Issue.Status
T = Issue.Tier

DESCRIPTIONS = {
    "environment": [
        "楼道里堆放的纸箱和旧家具很久没人清理，有异味，也挡住了消防通道。",
        "垃圾分类点的垃圾桶满了两天没有清运，周围苍蝇很多。",
        "地下车库入口积水发臭，保洁没有及时处理。",
    ],
    "greening": [
        "中心花园的树枝长得太长，挡住了低层住户的采光，希望修剪。",
        "草坪被人踩出一条路，黄土裸露，下雨全是泥。",
        "绿化带里的灌木枯死了一片，一直没有补种。",
    ],
    "security": [
        "北门门禁坏了，外卖和陌生人随便进出，晚上不安全。",
        "地下车库几个监控摄像头不亮，前几天有电动车被偷。",
        "夜间巡逻很少看到保安，希望加强。",
    ],
    "parking": [
        "消防通道上长期有车辆乱停，救护车进不来。",
        "充电桩数量太少，每天晚上排队，电动车只能拉线充电。",
        "道闸经常抬杆失灵，早高峰堵车。",
    ],
    "elevator": [
        "电梯运行时有异响，还出现过突然下坠的感觉，非常害怕。",
        "电梯按钮失灵，已经困人一次，维保单位没有来检查。",
        "电梯年检合格证过期了还没有更新公示。",
    ],
    "fire_safety": [
        "楼道灭火器压力表指针在红区，已经失效。",
        "消防门被人用砖头顶住常开，闭门器坏了。",
        "有住户在楼道里给电动车充电，存在很大火灾隐患。",
    ],
    "water_power": [
        "楼道声控灯坏了一周，晚上很黑，老人上下楼不方便。",
        "二次供水水箱清洗记录没有公示，自来水有黄色沉淀。",
        "公共区域水管漏水，水费分摊是不是我们业主承担？",
    ],
    "noise": [
        "晚上十一点后还有装修电钻声音，严重影响休息。",
        "地下车库排风机噪音很大，低层住户晚上睡不着。",
        "广场舞音响声音太大，持续到晚上十点。",
    ],
    "renovation": [
        "楼上装修疑似拆改承重墙，希望物业和相关部门查看。",
        "装修垃圾直接堆在楼道口，没有按规定清运。",
        "有住户封闭公共露台，占用公共部位。",
    ],
    "fees_revenue": [
        "电梯广告和场地租赁的公共收益去向没有公示，希望公开明细。",
        "公摊水电费比去年涨了不少，希望说明计算方法。",
        "维修资金使用了但没有看到公示的工程明细。",
    ],
    "other": [
        "小区快递柜太少，快递经常堆在门口。",
        "希望在中心广场增加几张休息座椅。",
        "小区大门口的宣传栏内容很久没更新。",
    ],
}
PLACES = ["北门", "南门", "中心花园", "地下车库B区", "垃圾分类点", "东侧围墙", "儿童游乐区"]
PROGRESS = [
    "已安排维修人员现场查看。",
    "配件已订购，预计3个工作日内到货。",
    "已与相关住户沟通，正在协调。",
    "已联系维保单位，明天上午到场。",
    "现场已初步处理，后续跟进中。",
]
EXPLANATIONS = [
    "已完成维修并现场验收，附处理前后照片，请业主查看。",
    "已清理完毕，并安排保洁每日巡查，避免再次堆放。",
    "已与当事住户沟通并签订整改承诺，后续由物业每周检查。",
    "经三方协商，由物业负责更换设施，费用从公共收益列支，已公示。",
]
REJECTIONS = [
    "该问题属于市政道路范围，不在小区物业管理范围内，已帮您转告12345热线，请关注市政回复。",
    "经核实为同一住户家中内部管道问题，属业主自行维修范围，物业可提供有偿上门服务。",
]
CONSULTATIONS = [
    "三方协商意见：由物业服务企业负责整改，物业管理委员会监督，居委会环境和物业管理委员会跟踪督办。",
    "三方协商意见：召开业主代表听证会后确定方案，费用使用情况按季度公示。",
]
# target state -> weight
STATES = [
    (S.SUBMITTED, 16),
    (S.ACCEPTED, 14),
    (S.TRANSFERRED, 24),
    (S.IN_PROGRESS, 34),
    (S.WAITING_REPORTER, 8),
    (S.RESOLVED, 22),
    (S.CLOSED, 60),
    (S.REJECTED, 12),
    (S.MERGED, 10),
]
TIERS = [(T.SMALL, 74), (T.BIG, 12), (T.HARD, 9), (T.LEGACY, 5)]
RATINGS = [
    (Satisfaction.Rating.SATISFIED, 60),
    (Satisfaction.Rating.BASIC, 25),
    (Satisfaction.Rating.UNSATISFIED, 15),
]
STATE_ORDER = [
    S.SUBMITTED,
    S.ACCEPTED,
    S.TRANSFERRED,
    S.IN_PROGRESS,
    S.RESOLVED,
    S.CLOSED,
]


def _demo_phone(rng, reporter, index: int) -> str:
    """The account's mobile; without an account a typed number, except every fifth such
    complaint, filed with no contact at all (匿名反映，不留联系方式; issue 13 item 9). The
    random draw is made either way, so the rest of the demo stays the same."""
    if reporter is not None:
        return reporter.mobile
    typed = f"139{rng.randint(10**7, 10**8 - 1)}"
    return "" if index % 5 == 0 else typed


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


class Command(BaseCommand):
    help = "Create ≈200 demo complaints for 江南花山郡 (run seed_demo first). Idempotent."

    def handle(self, *args, **options):
        compound = Compound.objects.filter(slug=COMPOUND_SLUG).first()
        if compound is None:
            raise CommandError(
                f"Compound {COMPOUND_SLUG!r} does not exist: run `manage.py seed_demo` first."
            )
        seeded = Issue.objects.filter(compound=compound, events__verb=MARKER).distinct().count()
        if seeded >= TARGET:
            self.stdout.write(
                f"{compound.name}: {seeded} demo issues already there; nothing to do."
            )
            return
        created = seed_issues(compound=compound)
        self.stdout.write(self.style.SUCCESS(f"{compound.name}: {created} demo issues created."))


def _ensure_default_categories() -> None:
    """Recreate the default categories if they are gone (a flushed test database).

    The data migration owns the list; reuse it rather than keep a second copy.
    """
    if Category.objects.exists():
        return
    migration = importlib.import_module("issues.migrations.0003_categories")
    migration.create_categories(django_apps, None)


class _Builder:
    """Collects rows in memory, then writes each table in one bulk insert."""

    def __init__(self, compound: Compound, rng: random.Random, now: dt.datetime) -> None:
        self.compound = compound
        self.rng = rng
        self.now = now
        self.clocks = clocks_for(clock_policy_for(compound))
        self.categories = {c.code: c for c in Category.objects.filter(active=True)}
        self.orgs = {
            kind: organization_of_kind(compound=compound, kind=kind) for kind in Kind.values
        }
        self.staff: dict[str, Person | None] = {}
        for kind, org in self.orgs.items():
            membership = (
                Membership.objects.current()
                .filter(organization=org)
                .exclude(role__in=["party_member", "owner_representative"])
                .select_related("person")
                .order_by("pk")
                .first()
                if org
                else None
            )
            self.staff[kind] = membership.person if membership else None
        self.party_members = list(
            Person.objects.filter(
                memberships__organization=self.orgs.get(Kind.COMPOUND_PARTY),
                memberships__role="party_member",
            ).order_by("pk")
        )
        self.residents = list(
            Person.objects.filter(
                residencies__household__building__compound=compound,
                residencies__status=Residency.Status.VERIFIED,
            )
            .distinct()
            .order_by("pk")
        )
        self.buildings = list(compound.buildings.order_by("sort_key", "number"))
        self.events: dict[int, list[IssueEvent]] = defaultdict(list)
        self.referrals: dict[int, list[Referral]] = defaultdict(list)
        self.satisfactions: dict[int, Satisfaction] = {}
        self.whistles: dict[int, tuple[Whistle, list[WhistleSummons]]] = {}
        self.orders: dict[int, SupervisionOrder] = {}
        self.me_toos: dict[int, list[MeToo]] = defaultdict(list)

    # -- time helpers --
    def later(self, t: dt.datetime, lo_hours: float, hi_hours: float) -> dt.datetime:
        return min(t + dt.timedelta(hours=self.rng.uniform(lo_hours, hi_hours)), self.now)

    def event(self, index, at, verb, *, actor=None, frm="", to="", note="", public=True, org=None):
        self.events[index].append(
            IssueEvent(
                actor=actor,
                at=at,
                verb=verb,
                from_state=frm,
                to_state=to,
                note=note,
                public=public,
                organization=org,
            )
        )

    def build(self, index: int, issue: Issue, target: str, open_by_category: dict) -> None:
        rng = self.rng
        office = self.staff.get(Kind.JOINT_MEETING_OFFICE) or self.staff.get(Kind.COMPOUND_PARTY)
        t = issue.created_at
        self.event(index, t, "submit", actor=issue.reporter, to=S.SUBMITTED)
        self.event(index, t, MARKER, public=False, note="")
        status = S.SUBMITTED
        feedback_from = t

        if target == S.MERGED:
            candidates = [i for i in open_by_category.get(issue.category_id, []) if i is not issue]
            if candidates:
                into = candidates[0]
                t = self.later(t, 1, 30)
                issue.merged_into = into
                issue.status = S.MERGED
                issue.closed_at = t
                issue.public_explanation = (
                    f"与 {into.tracking_number} 为同一问题，已合并处理，请关注该问题进展。"
                )
                self.event(
                    index,
                    t,
                    "merge",
                    actor=office,
                    frm=status,
                    to=S.MERGED,
                    note=issue.public_explanation,
                )
                issue.last_public_update_at = t
                return
            target = S.REJECTED
        if target == S.REJECTED:
            if rng.random() < 0.5:
                t = self.later(t, 1, 40)
                issue.accepted_at = t
                self.event(index, t, "accept", actor=office, frm=status, to=S.ACCEPTED)
                status = S.ACCEPTED
            t = self.later(t, 2, 48)
            issue.public_explanation = rng.choice(REJECTIONS)
            issue.status, issue.closed_at = S.REJECTED, t
            issue.accepted_at = issue.accepted_at or t
            self.event(
                index,
                t,
                "reject",
                actor=office,
                frm=status,
                to=S.REJECTED,
                note=issue.public_explanation,
            )
            issue.last_public_update_at = t
            return

        reach = STATE_ORDER.index(target) if target in STATE_ORDER else 1
        if target == S.WAITING_REPORTER:
            reach = rng.choice([0, 1, 3])
        # Mostly on time, sometimes late (the response rate should not be 100 %).
        if reach >= 1:
            t = self.later(t, 0.5, 60 if rng.random() < 0.15 else 40)
            issue.accepted_at = t
            self.event(index, t, "accept", actor=office, frm=status, to=S.ACCEPTED)
            status, feedback_from = S.ACCEPTED, t
            if issue.tier != T.SMALL:
                self.tier_up(index, issue, t, office)
        if reach >= 2:
            org_kind = Kind.PROPERTY_COMPANY if rng.random() < 0.7 else Kind.PMC
            org = self.orgs.get(org_kind)
            if org is not None:
                t = self.later(t, 0.5, 12)
                issue.assigned_org = org
                fix_ack = None
                if reach >= 3:
                    fix_ack = self.later(t, 0.5, 30)
                self.referrals[index].append(
                    Referral(
                        organization=org,
                        purpose=Referral.Purpose.FIX,
                        created_at=t,
                        created_by=office,
                        ack_due=workdays.deadline(t, self.clocks.response),
                        acknowledged_at=fix_ack,
                        acknowledged_by=self.staff.get(org_kind) if fix_ack else None,
                    )
                )
                if issue.tier == T.SMALL:
                    for kind, purpose in (
                        (Kind.COMPOUND_PARTY, Referral.Purpose.SUPERVISE),
                        (Kind.RC_PROPERTY_COMMITTEE, Referral.Purpose.SUPERVISE),
                        (Kind.COMMUNITY_PARTY, Referral.Purpose.FILE),
                        (Kind.RESIDENTS_COMMITTEE, Referral.Purpose.FILE),
                    ):
                        if self.orgs.get(kind):
                            supervise = purpose == Referral.Purpose.SUPERVISE
                            self.referrals[index].append(
                                Referral(
                                    organization=self.orgs[kind],
                                    purpose=purpose,
                                    created_at=t,
                                    created_by=office,
                                    ack_due=workdays.deadline(t, self.clocks.response)
                                    if supervise
                                    else None,
                                    acknowledged_at=self.later(t, 1, 30) if supervise else None,
                                )
                            )
                self.event(
                    index,
                    t,
                    "transfer",
                    actor=office,
                    frm=status,
                    to=S.TRANSFERRED,
                    note=f"已转办至{org.name}。",
                    org=org,
                )
                status, feedback_from = S.TRANSFERRED, t
        if reach >= 3:
            worker = (
                self.staff.get(
                    Kind.PROPERTY_COMPANY
                    if issue.assigned_org and issue.assigned_org.kind == Kind.PROPERTY_COMPANY
                    else Kind.PMC
                )
                or office
            )
            t = self.later(t, 1, 24)
            self.event(index, t, "start", actor=worker, frm=status, to=S.IN_PROGRESS)
            status = S.IN_PROGRESS
            for _ in range(rng.randint(0, 2)):
                t = self.later(t, 12, 120)
                self.event(index, t, "progress", actor=worker, note=rng.choice(PROGRESS))
                feedback_from = t
            if issue.is_complex and rng.random() < 0.7:
                t = self.later(t, 4, 100)
                issue.plan_given_at = t
                self.event(
                    index,
                    t,
                    "plan",
                    actor=worker,
                    note="解决方案：分两步整改，先临时处置，再彻底修复，月底前完成。",
                )
                feedback_from = t
            if issue.tier == T.HARD:
                self.whistle(index, issue, t, reported=target in (S.RESOLVED, S.CLOSED))
            if issue.assigned_org and rng.random() < 0.12 and target == S.IN_PROGRESS:
                due = self.later(t, 24, 96)
                self.orders[index] = SupervisionOrder(
                    issued_by=self.staff.get(Kind.COMPOUND_PARTY),
                    organization=issue.assigned_org,
                    issued_at=t,
                    due=max(due, t + dt.timedelta(hours=24)),
                    instruction="请于期限内完成整改并在平台反馈进展。",
                )
                self.event(
                    index,
                    t,
                    "supervision_order",
                    actor=self.staff.get(Kind.COMPOUND_PARTY),
                    note="督办：请于期限内完成整改并在平台反馈进展。",
                    org=issue.assigned_org,
                )
        if target == S.WAITING_REPORTER:
            t = self.later(t, 1, 24)
            issue.accepted_at = issue.accepted_at or t
            issue.paused_at = t
            self.event(
                index,
                t,
                "wait_for_reporter",
                actor=office,
                frm=status,
                to=S.WAITING_REPORTER,
                note="请补充具体楼栋和单元，方便我们安排人员上门。",
            )
            status = S.WAITING_REPORTER
        if target in (S.RESOLVED, S.CLOSED):
            worker = self.staff.get(Kind.PROPERTY_COMPANY) or office
            t = self.later(t, 4, 96 if target == S.CLOSED else 12)
            issue.resolved_at = t
            issue.public_explanation = rng.choice(EXPLANATIONS)
            self.event(
                index,
                t,
                "resolve",
                actor=worker,
                frm=status,
                to=S.RESOLVED,
                note=issue.public_explanation,
            )
            status = S.RESOLVED
            if issue.reporter_id and rng.random() < 0.75:
                rating = _pick(rng, RATINGS)
                at = self.later(t, 2, 72)
                solved = rating != Satisfaction.Rating.UNSATISFIED or rng.random() < 0.3
                self.satisfactions[index] = Satisfaction(
                    contacted=rng.random() < 0.9,
                    solved=solved,
                    rating=rating,
                    comment="" if rng.random() < 0.6 else "处理及时，态度很好。",
                    created_at=at,
                )
                self.event(
                    index,
                    at,
                    "rate",
                    actor=issue.reporter,
                    note=f"评价：{Satisfaction.Rating(rating).label}",
                )
            if target == S.CLOSED:
                auto = t + dt.timedelta(days=self.clocks.policy.auto_close_days)
                if auto <= self.now and rng.random() < 0.5:
                    issue.closed_at = auto
                    self.event(
                        index,
                        auto,
                        "auto_close",
                        frm=status,
                        to=S.CLOSED,
                        note="处理完毕后7日内无异议，系统自动关闭。",
                    )
                else:
                    issue.closed_at = self.later(t, 2, 48)
                    self.event(
                        index,
                        issue.closed_at,
                        "confirm",
                        actor=issue.reporter,
                        frm=status,
                        to=S.CLOSED,
                        note="报告人确认处理结果。",
                    )
                status = S.CLOSED
        issue.status = status
        if issue.tier == T.BIG and rng.random() < 0.6:
            issue.consultation_result = rng.choice(CONSULTATIONS)
            self.event(
                index,
                self.later(t, 1, 24),
                "consultation",
                actor=office,
                note=issue.consultation_result,
            )
        issue.last_public_update_at = max(e.at for e in self.events[index] if e.public)
        if status in Issue.OPEN_STATES:
            policy = self.clocks.legacy if issue.tier == T.LEGACY else self.clocks.feedback
            issue.feedback_due = workdays.deadline(feedback_from, policy)
            open_by_category.setdefault(issue.category_id, []).append(issue)
            self.add_me_toos(index, issue)
        _refresh_next_deadline(issue)

    def tier_up(self, index, issue, t, office) -> None:
        issue.is_complex = True
        issue.plan_due = workdays.deadline(t, self.clocks.plan)
        self.event(
            index,
            t,
            "tier",
            actor=office,
            note=f"分流为“{T(issue.tier).label}”：涉及多方责任，需要联合处理。",
        )
        if issue.tier == T.BIG:
            for kind, purpose in (
                (Kind.COMPOUND_PARTY, Referral.Purpose.INVESTIGATE),
                (Kind.RC_PROPERTY_COMMITTEE, Referral.Purpose.INVESTIGATE),
                (Kind.RESIDENTS_COMMITTEE, Referral.Purpose.DECIDE),
            ):
                if self.orgs.get(kind):
                    self.referrals[index].append(
                        Referral(
                            organization=self.orgs[kind],
                            purpose=purpose,
                            created_at=t,
                            created_by=office,
                            ack_due=workdays.deadline(t, self.clocks.response),
                            acknowledged_at=self.later(t, 2, 40),
                        )
                    )

    def whistle(self, index, issue, t, *, reported: bool) -> None:
        """社区吹哨、党员报到 (协同联动 第三条). Never the street whistle: that one is blown only
        by the community party organization asking the street on a joint meeting's proposal
        (第四条; seed_meetings takes a complaint that way)."""
        rng = self.rng
        organizations_only = rng.random() < 0.3  # some whistles summon no party member
        blower = self.staff.get(Kind.COMMUNITY_PARTY)
        orgs = [
            o
            for o in (self.orgs.get(Kind.PMC), self.orgs.get(Kind.PROPERTY_COMPANY))
            if o is not None
        ]
        persons = [] if organizations_only else self.party_members[:2]
        if not orgs and not persons:
            return
        due = workdays.deadline(t, self.clocks.response)
        whistle = Whistle(
            level=Whistle.Level.COMMUNITY,
            blown_by=blower,
            blown_at=t,
            report_due=due,
            reason="问题涉及多方职责，需协调多方力量共同解决。",
        )
        summonses = []
        for target in [*orgs, *persons]:
            done = reported or rng.random() < 0.6
            at = self.later(t, 1, 40) if done else None
            summonses.append(
                WhistleSummons(
                    organization=target if isinstance(target, Organization) else None,
                    person=target if isinstance(target, Person) else None,
                    reported_at=at,
                    contribution="派员参加现场协调并落实分工。" if done else "",
                    rating=rng.choice([3, 4, 5]) if done and rng.random() < 0.5 else None,
                )
            )
        self.whistles[index] = (whistle, summonses)
        names = "、".join(o.name for o in orgs) + (f"及{len(persons)}名党员" if persons else "")
        self.event(
            index,
            t,
            f"whistle_{whistle.level}",
            actor=blower,
            note=f"{whistle.get_level_display()}：召集{names}。{whistle.reason}",
        )

    def add_me_toos(self, index, issue) -> None:
        if not issue.is_public or self.rng.random() > 0.3:
            return
        others = [p for p in self.residents if p.pk != issue.reporter_id]
        for person in self.rng.sample(others, k=min(len(others), self.rng.randint(1, 3))):
            self.me_toos[index].append(MeToo(person=person, created_at=issue.created_at))


@transaction.atomic
def seed_issues(*, compound: Compound, count: int = TARGET) -> int:
    """Write ``count`` demo issues with their events; returns how many were created."""
    rng = random.Random(2026)
    now = timezone.now()
    _ensure_default_categories()
    builder = _Builder(compound, rng, now)
    if not builder.categories:
        raise CommandError("No active complaint category: activate one in the admin.")
    codes = sorted(builder.categories)
    specs = []
    for _ in range(count):
        target = _pick(rng, STATES)
        recent = target in (S.SUBMITTED, S.ACCEPTED, S.WAITING_REPORTER)
        days_ago = rng.uniform(0.2, 6) if recent else rng.uniform(1, 120)
        if target == S.RESOLVED:  # still inside the auto-close window
            days_ago = rng.uniform(1, 5)
        created = now - dt.timedelta(days=days_ago)
        created = created.replace(hour=rng.randint(7, 21), minute=rng.randint(0, 59))
        specs.append((min(created, now - dt.timedelta(minutes=30)), target))
    specs.sort(key=lambda s: s[0])
    numbers_by_year: dict[int, list[str]] = {}
    for year in sorted({timezone.localtime(c).year for c, _t in specs}):
        n = sum(1 for c, _t in specs if timezone.localtime(c).year == year)
        numbers_by_year[year] = tracking_numbers_allocate(year=year, count=n)
    issues: list[Issue] = []
    open_by_category: dict[int, list[Issue]] = {}
    for index, (created, target) in enumerate(specs):
        code = rng.choice(codes)
        category = builder.categories[code]
        tier = _pick(rng, TIERS)
        if target in (S.SUBMITTED, S.REJECTED, S.MERGED):
            tier = T.SMALL
        logged_in = builder.residents and rng.random() < 0.7
        reporter = rng.choice(builder.residents) if logged_in else None
        building = (
            rng.choice(builder.buildings) if builder.buildings and rng.random() < 0.7 else None
        )
        hazard = category.safety_related
        issue = Issue(
            compound=compound,
            tracking_number=numbers_by_year[timezone.localtime(created).year].pop(0),
            category=category,
            building=building,
            unit=f"{rng.randint(1, 2)}单元" if building else "",
            location_text="" if building else rng.choice(PLACES),
            description=rng.choice(DESCRIPTIONS.get(code, DESCRIPTIONS["other"])),
            is_public=rng.random() < 0.8,
            is_hazard=hazard,
            tier=tier,
            reporter=reporter,
            reporter_name=reporter.name if reporter else "",
            reporter_phone=_demo_phone(rng, reporter, index),
            share_identity=rng.random() < 0.3,
            hotline_number=f"12345-{rng.randint(10**7, 10**8 - 1)}" if rng.random() < 0.1 else "",
            created_at=created,
            response_due=workdays.deadline(created, builder.clocks.response),
            feedback_due=workdays.deadline(created, builder.clocks.feedback),
            hazard_due=workdays.deadline(created, builder.clocks.hazard) if hazard else None,
        )
        builder.build(index, issue, target, open_by_category)
        issues.append(issue)
    # Merge targets must exist before their duplicates: insert in two passes.
    first = [i for i in issues if i.merged_into is None]
    Issue.objects.bulk_create(first)
    for issue in issues:
        if issue.merged_into is not None:
            issue.merged_into_id = issue.merged_into.pk
    Issue.objects.bulk_create([i for i in issues if i.merged_into is not None])

    events, referrals, satisfactions, orders, me_toos = [], [], [], [], []
    for index, issue in enumerate(issues):
        for row in builder.events[index]:
            row.issue = issue
            events.append(row)
        for row in builder.referrals[index]:
            row.issue = issue
            referrals.append(row)
        if index in builder.satisfactions:
            builder.satisfactions[index].issue = issue
            satisfactions.append(builder.satisfactions[index])
        if index in builder.orders:
            builder.orders[index].issue = issue
            orders.append(builder.orders[index])
        for row in builder.me_toos[index]:
            row.issue = issue
            me_toos.append(row)
    IssueEvent.objects.bulk_create(events, batch_size=500)
    Referral.objects.bulk_create(referrals, batch_size=500)
    Satisfaction.objects.bulk_create(satisfactions, batch_size=500)
    SupervisionOrder.objects.bulk_create(orders, batch_size=500)
    MeToo.objects.bulk_create(me_toos, batch_size=500, ignore_conflicts=True)
    whistle_rows = []
    for index, (whistle, summonses) in builder.whistles.items():
        whistle.issue = issues[index]
        whistle_rows.append((whistle, summonses))
    Whistle.objects.bulk_create([w for w, _s in whistle_rows])
    summons_rows = []
    for whistle, summonses in whistle_rows:
        for summons in summonses:
            summons.whistle = whistle
            summons_rows.append(summons)
    WhistleSummons.objects.bulk_create(summons_rows, batch_size=500)
    _record_past_breaches(issues, referrals, whistle_rows, orders, now=now)
    return len(issues)


def _record_past_breaches(issues, referrals, whistle_rows, orders, *, now) -> None:
    """Deadlines that passed in the seeded history get their alarm and event, as if the
    beat scan had run then; otherwise the first real scan would flood every inbox."""
    alarms: dict[tuple, IssueAlarm] = {}
    events = []

    def breach(issue, clock, due, public):
        key = (issue.pk, clock, due)
        if due > now or key in alarms:
            return
        alarms[key] = IssueAlarm(issue=issue, clock=clock, stage="overdue", due=due, created_at=due)
        events.append(
            IssueEvent(
                issue=issue,
                at=due,
                verb="deadline_breached",
                note=f"{IssueAlarm.Clock(clock).label}：已超期。",
                public=public,
            )
        )

    by_pk = {i.pk: i for i in issues}
    for issue in issues:
        if issue.paused_at is None:
            for clock, due in running_clocks(issue):
                breach(issue, clock, due, True)
    for referral in referrals:
        issue = by_pk[referral.issue_id]
        if referral.ack_due and referral.acknowledged_at is None and issue.is_open:
            breach(issue, IssueAlarm.Clock.REFERRAL, referral.ack_due, False)
    for whistle, summonses in whistle_rows:
        issue = by_pk[whistle.issue_id]
        if issue.is_open and any(s.reported_at is None for s in summonses):
            breach(issue, IssueAlarm.Clock.WHISTLE, whistle.report_due, False)
    for order in orders:
        issue = by_pk[order.issue_id]
        if issue.is_open and order.fulfilled_at is None:
            breach(issue, IssueAlarm.Clock.SUPERVISION, order.due, False)
    IssueAlarm.objects.bulk_create(alarms.values(), batch_size=500, ignore_conflicts=True)
    IssueEvent.objects.bulk_create(events, batch_size=500)
