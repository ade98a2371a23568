"""Seed a year of demo disclosures for 江南花山郡 (deterministic, idempotent, bulk).

Every scheduled obligation (the templates of ``provisioning``, set up by provisioning) gets a
posting for each period since 1 January of last year that is already due — except
one *missing* period (the property company's monthly service progress, two
months back) and one *late* one (the PMC's maintenance-fund ledger of the first
quarter in the window, posted 5 days after its due date). The categories
without a schedule get one posting each. Financial categories carry ledgers
whose totals add up. One public-revenue statement is corrected (version 2), and
one owner's objection is answered while another is still open.

Rows are written directly (like ``seed_issues``) so they can carry past dates;
totals come from ``disclosures.ledger`` and bodies from ``disclosures.sanitize``.
Idempotent: does nothing when the compound already has a ``seeded`` event.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from disclosures.ledger import LedgerInput, LedgerLineInput, ledger_totals, ledger_write
from disclosures.models import (
    CADENCE_PERIOD_TYPE,
    Cadence,
    Category,
    Disclosure,
    DisclosureEvent,
    Objection,
    ObjectionEvent,
    PeriodType,
    Schedule,
    period_due,
    period_label,
    periods_overlapping,
)
from disclosures.sanitize import markdown_to_safe_html
from disclosures.services import objection_policy
from huashan import workdays
from huashan.directory.models import Compound, Membership, Organization, Person, Residency
from huashan.directory.rules import PUBLISHER_ROLES
from huashan.directory.selectors import organization_of_kind
from provisioning.services import provision_compound

COMPOUND_SLUG = "jiangnan-huashan"
MARKER = "seeded"
Kind = Organization.Kind
State = Disclosure.State

LEDGER_ITEMS = {
    "public_revenue": (
        [("地面停车位租金", "业主"), ("电梯广告收入", "某传媒公司"), ("快递柜场地费", "丰巢")],
        [("公共区域照明电费", "国网江夏供电"), ("审计费", "某会计师事务所"), ("业主活动支出", "")],
    ),
    "maintenance_fund": (
        [("维修资金利息", "江夏区住房维修资金中心")],
        [
            ("3栋电梯主板更换", "某电梯公司"),
            ("屋面防水修缮", "某建筑公司"),
            ("消防泵维修", "某消防公司"),
        ],
    ),
    "pmc_performance": (
        [("工作经费拨付", "业主大会")],
        [("办公用品", "文具店"), ("会议场地", "社区"), ("培训费", "街道物业专委会")],
    ),
    "company_fees_funds": (
        [("物业服务费", "业主"), ("公共水电分摊", "业主")],
        [("公共水费", "江夏水务"), ("公共电费", "国网江夏供电")],
    ),
}
ONE_OFF = {
    "issue_consultation": (Kind.JOINT_MEETING_OFFICE, "北门门禁故障“三方”协商落实意见"),
    "issue_progress": (Kind.COMPOUND_PARTY, "地下车库渗水（历史遗留）办理进展"),
    "company_selection": (Kind.PMC, "物业服务企业续聘情况公示"),
    "company_project_head": (Kind.PROPERTY_COMPANY, "物业项目负责人及投诉电话"),
    "company_services_fees": (Kind.PROPERTY_COMPANY, "物业服务内容、标准及收费标准"),
    "company_contractors": (Kind.PROPERTY_COMPANY, "电梯、消防、监控维保单位及应急预案"),
    "company_fees_funds": (Kind.PROPERTY_COMPANY, "物业费收缴及公共水电分摊情况"),
    "company_parking": (Kind.PROPERTY_COMPANY, "停车位出租及使用情况"),
    "company_renovation_safety": (Kind.PROPERTY_COMPANY, "装饰装修及房屋结构安全须知"),
    "company_other": (Kind.PROPERTY_COMPANY, "二次供水水箱清洗公告"),
    "candidate_pledges": (Kind.PMC, "物业管理委员会候选人“三诺”"),
    "meeting_summary": (Kind.JOINT_MEETING_OFFICE, "联席会议纪要"),
    "pmc_decision": (Kind.PMC, "关于使用维修资金更换3栋电梯的决策报告"),
}


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


class Command(BaseCommand):
    help = "Seed a year of demo disclosures for jiangnan-huashan (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--compound", default=COMPOUND_SLUG)

    def handle(self, *args, compound: str, **options):
        found = Compound.objects.filter(slug=compound).first()
        if found is None:
            raise CommandError(f"no compound {compound!r}; run seed_demo first")
        if DisclosureEvent.objects.filter(disclosure__compound=found, verb=MARKER).exists():
            self.stdout.write("disclosures already seeded")
            return
        with transaction.atomic():
            count = self._seed(found)
        self.stdout.write(f"seeded {count} disclosures")

    def _publisher(self, organization: Organization | None) -> Person | None:
        if organization is None:
            return None
        membership = (
            Membership.objects.current()
            .filter(organization=organization, role__in=PUBLISHER_ROLES)
            .select_related("person")
            .order_by("pk")
            .first()
        )
        return membership.person if membership else None

    def _seed(self, compound: Compound) -> int:
        rng = random.Random(2026)
        today = timezone.localdate()
        window_start = dt.date(today.year - 1, 1, 1)
        categories = {c.code: c for c in Category.objects.all()}
        # The schedules come from the obligation templates, as for any compound.
        provision_compound(compound=compound, year=today.year)
        Schedule.objects.filter(compound=compound).update(starts_on=window_start)
        schedules = list(
            Schedule.objects.filter(compound=compound).select_related("organization", "category")
        )
        rows: list[tuple[Disclosure, str | None, Person | None]] = []

        missing_key, late_key = self._gaps(schedules, window_start, today)
        self._scheduled_rows(
            rows, compound, schedules, rng, window_start, today, missing_key, late_key
        )
        self._one_off_rows(rows, compound, categories, rng, today)
        self._write(rows, rng, today)
        self._correction_and_objections(compound, rows, today)
        return len(rows)

    def _gaps(self, schedules, window_start: dt.date, today: dt.date) -> tuple:
        """(schedule pk, period start) of the one period left missing and the one posted late."""
        missing_key = late_key = None
        progress = [s for s in schedules if s.category.code == "company_service_progress"]
        if progress:
            periods = [
                p
                for p in periods_overlapping(Cadence.MONTHLY, window_start, today)
                if period_due(p[1], progress[0].due_day) < today
            ]
            if len(periods) >= 2:
                missing_key = (progress[0].pk, periods[-2][0])
        fund = [s for s in schedules if s.category.code == "maintenance_fund"]
        if fund:
            late_key = (
                fund[0].pk,
                periods_overlapping(Cadence.QUARTERLY, today - dt.timedelta(days=300), today)[0][0],
            )

        return missing_key, late_key

    def _scheduled_rows(
        self, rows, compound, schedules, rng, window_start, today, missing_key, late_key
    ) -> None:
        """One disclosure per scheduled period already due (except the missing one)."""
        for schedule in schedules:
            publisher = self._publisher(schedule.organization)
            for start, end in periods_overlapping(schedule.cadence, window_start, today):
                if start < window_start:
                    continue
                due = period_due(end, schedule.due_day)
                if due >= today or (schedule.pk, start) == missing_key:
                    continue
                if (schedule.pk, start) == late_key:
                    published_on = due + dt.timedelta(days=5)
                else:
                    published_on = min(end + dt.timedelta(days=rng.randint(1, 7)), due)
                label = period_label(CADENCE_PERIOD_TYPE[schedule.cadence], start)
                code = schedule.category.code
                body = (
                    f"## {label}{schedule.category.name}\n\n"
                    f"{schedule.organization.name}依据《{schedule.seed_article}》公示如下，"
                    "欢迎业主监督。如有异议，请在公示期内提出。"
                )
                disclosure = self._disclosure(
                    compound,
                    schedule.organization,
                    schedule.category,
                    title=f"{label}{schedule.category.name}",
                    body=body,
                    period_type=CADENCE_PERIOD_TYPE[schedule.cadence],
                    start=start,
                    end=end,
                    published_on=published_on,
                    today=today,
                )
                rows.append((disclosure, code if code in LEDGER_ITEMS else None, publisher))

    def _one_off_rows(self, rows, compound, categories, rng, today) -> None:
        """The one-off disclosures (no period)."""
        for code, (kind, title) in ONE_OFF.items():
            organization = organization_of_kind(compound=compound, kind=kind)
            if organization is None or code not in categories:
                continue
            published_on = today - dt.timedelta(days=rng.randint(5, 40))
            disclosure = self._disclosure(
                compound,
                organization,
                categories[code],
                title=title,
                body=f"{title}。\n\n详情见附件或到物业服务中心查阅。",
                period_type=PeriodType.NONE,
                start=None,
                end=None,
                published_on=published_on,
                today=today,
            )
            rows.append(
                (
                    disclosure,
                    code if code in LEDGER_ITEMS else None,
                    self._publisher(organization),
                )
            )

    def _write(self, rows, rng, today) -> None:
        """Write the disclosures, their events and ledgers, and the seed's marker."""
        Disclosure.objects.bulk_create([row[0] for row in rows], batch_size=500)
        events = []
        for disclosure, ledger_code, publisher in rows:
            events.append(
                DisclosureEvent(
                    disclosure=disclosure,
                    actor=publisher,
                    verb="published",
                    from_state=State.DRAFT,
                    to_state=State.PUBLISHED,
                    at=disclosure.published_at,
                )
            )
            if disclosure.state == State.EXPIRED:
                events.append(
                    DisclosureEvent(
                        disclosure=disclosure,
                        verb="expired",
                        from_state=State.PUBLISHED,
                        to_state=State.EXPIRED,
                        at=_aware(disclosure.posting_end + dt.timedelta(days=1), 1),
                    )
                )
            if ledger_code:
                ledger_write(disclosure, self._ledger(rng, ledger_code, disclosure, today))
        events.append(DisclosureEvent(disclosure=rows[0][0], verb=MARKER, note="seed_disclosures"))
        DisclosureEvent.objects.bulk_create(events, batch_size=1000)

    def _disclosure(
        self, compound, organization, category, *, title, body, period_type, start, end,
        published_on, today,
    ) -> Disclosure:  # fmt: skip
        long_term = category.long_term
        posting_end = (
            None
            if long_term
            else published_on + dt.timedelta(days=max(category.min_posting_days or 0, 30))
        )
        state = State.EXPIRED if posting_end and posting_end < today else State.PUBLISHED
        return Disclosure(
            compound=compound,
            organization=organization,
            category=category,
            period_type=period_type,
            period_start=start,
            period_end=end,
            title=title,
            body_markdown=body,
            body_html=markdown_to_safe_html(body),
            posting_start=published_on,
            posting_end=posting_end,
            long_term=long_term,
            state=state,
            published_at=_aware(published_on),
            created_at=_aware(published_on, 9),
        )

    def _ledger(self, rng, code, disclosure, today) -> LedgerInput:
        incomes, expenses = LEDGER_ITEMS[code]
        start = disclosure.period_start or (today - dt.timedelta(days=60))
        end = disclosure.period_end or today
        span = max((end - start).days, 0)
        lines = []
        for items, direction in ((incomes, "income"), (expenses, "expense")):
            for item, counterparty in items:
                for _ in range(rng.randint(1, 3)):
                    lines.append(
                        LedgerLineInput(
                            date=start + dt.timedelta(days=rng.randint(0, span)),
                            item=item,
                            counterparty=counterparty,
                            amount=Decimal(rng.randint(5000, 800000)) / 100,
                            direction=direction,
                            category=disclosure.category.name,
                        )
                    )
        lines.sort(key=lambda ln: ln.date)
        opening = Decimal(rng.randint(1_000_000, 9_000_000)) / 100
        income, expense = ledger_totals(lines)
        return LedgerInput(
            opening_balance=opening,
            stated_income=income,
            stated_expense=expense,
            stated_closing_balance=opening + income - expense,
            lines=lines,
        )

    def _correction_and_objections(self, compound, rows, today) -> None:
        revenue = [
            d
            for d, code, _p in rows
            if code == "public_revenue" and d.period_type == PeriodType.MONTH
        ]
        owners = list(
            Person.objects.filter(
                residencies__status=Residency.Status.VERIFIED,
                residencies__relation=Residency.Relation.OWNER,
                residencies__household__building__compound=compound,
                is_active=True,
            )
            .distinct()
            .order_by("pk")[:2]
        )
        if not revenue:
            return
        latest = revenue[-1]
        publisher = self._publisher(latest.organization)
        if owners:
            self._answered_objection(latest, owners[0], publisher)
        if len(revenue) >= 2:
            self._correction(revenue[-2], publisher, today)
        if len(owners) >= 2:
            self._open_objection(rows, owners[1])

    def _answered_objection(self, latest, owner, publisher) -> None:
        """An owner's objection to the latest monthly revenue, answered two days later."""
        filed = latest.published_at + dt.timedelta(days=1)
        answered = Objection.objects.create(
            disclosure=latest,
            objector=owner,
            body="电梯广告收入比上月少了很多，请说明原因。",
            created_at=filed,
            answer_due=workdays.deadline(filed, objection_policy()),
            state=Objection.State.ANSWERED,
            answer="本月一块广告屏合同到期，新合同下月起执行，收入将恢复。合同可到物管会办公室查阅。",
            answered_by=publisher,
            answered_at=filed + dt.timedelta(days=2),
        )
        ObjectionEvent.objects.bulk_create(
            [
                ObjectionEvent(objection=answered, actor=owner, verb="filed", at=filed),
                ObjectionEvent(
                    objection=answered,
                    actor=publisher,
                    verb="answered",
                    from_state="open",
                    to_state="answered",
                    at=answered.answered_at,
                ),
            ]
        )

    def _correction(self, older, publisher, today) -> None:
        """The month before is corrected: a second version with one more ledger line."""
        corrected_on = older.posting_start + dt.timedelta(days=3)
        older_state = older.state
        Disclosure.objects.filter(pk=older.pk).update(state=State.SUPERSEDED)
        posting_end = corrected_on + dt.timedelta(days=30)
        new = Disclosure.objects.create(
            compound=older.compound,
            organization=older.organization,
            category=older.category,
            period_type=older.period_type,
            period_start=older.period_start,
            period_end=older.period_end,
            title=older.title,
            body_markdown=older.body_markdown + "\n\n（更正：补录一笔快递柜场地费。）",
            body_html=markdown_to_safe_html(
                older.body_markdown + "\n\n（更正：补录一笔快递柜场地费。）"
            ),
            posting_start=corrected_on,
            posting_end=posting_end,
            state=State.EXPIRED if posting_end < today else older_state,
            version=2,
            previous=older,
            root=older,
            correction_reason="漏记一笔快递柜场地费，更正收入合计。",
            published_at=_aware(corrected_on),
        )
        ledger_write(new, self._corrected_ledger(older))
        DisclosureEvent.objects.bulk_create(
            [
                DisclosureEvent(
                    disclosure=older,
                    actor=publisher,
                    verb="superseded",
                    from_state=older_state,
                    to_state=State.SUPERSEDED,
                    at=new.published_at,
                    note=new.correction_reason,
                ),
                DisclosureEvent(
                    disclosure=new,
                    actor=publisher,
                    verb="corrected",
                    to_state=new.state,
                    at=new.published_at,
                    note=new.correction_reason,
                ),
            ]
        )

    def _corrected_ledger(self, older) -> LedgerInput:
        """The older version's ledger with the forgotten income line added."""
        ledger = older.ledger
        lines = [
            LedgerLineInput(
                date=ln.date,
                item=ln.item,
                amount=ln.amount,
                direction=ln.direction,
                counterparty=ln.counterparty,
                category=ln.category,
            )
            for ln in ledger.lines.all()
        ]
        lines.append(
            LedgerLineInput(
                date=older.period_start,
                item="快递柜场地费（补录）",
                amount=Decimal("600.00"),
                direction="income",
                counterparty="丰巢",
                category=older.category.name,
            )
        )
        income, expense = ledger_totals(lines)
        return LedgerInput(
            opening_balance=ledger.opening_balance,
            stated_income=income,
            stated_expense=expense,
            stated_closing_balance=ledger.opening_balance + income - expense,
            lines=lines,
        )

    def _open_objection(self, rows, owner) -> None:
        """An objection to the parking disclosure, filed yesterday and still open."""
        current = [
            d
            for d, _c, _p in rows
            if d.state == State.PUBLISHED and d.category.code == "company_parking"
        ]
        if current:
            filed = timezone.now() - dt.timedelta(days=1)
            open_objection = Objection.objects.create(
                disclosure=current[0],
                objector=owner,
                body="出租给外来车辆的车位数量与实际不符。",
                created_at=filed,
                answer_due=workdays.deadline(filed, objection_policy()),
            )
            ObjectionEvent.objects.create(
                objection=open_objection, actor=owner, verb="filed", at=filed
            )
