"""Every number and cadence of the two letters and the disclosure schedules, from the templates.

One test per number: it quotes the seed sentence, checks the value the template
gave the provisioned obligation, and its effect with a boundary case on each side
(one short of the number / the number; the last day of a period / the first day
of the next). Changing a number in ``provisioning/seed.py`` breaks its test.

The items are provisioned for a real compound through the real templates; the
evidence is handed to the engine's rule through a small stand-in of its context
(the evidence queries themselves are tested in tests/pledges).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from disclosures.models import Schedule, periods_overlapping
from huashan import workdays
from huashan.periods import add_months
from issues.pledge_evidence import Share
from pledges.engine import RULES, Task, _span, periods_for
from pledges.measures import measures_of
from pledges.models import REQUIRED_SAFETY_AREAS, PledgeItem, ResultStatus
from provisioning import seed
from provisioning.models import ObligationTemplate
from provisioning.services import provision_compound
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
S = ResultStatus
YEAR = 2026


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def items(templates):
    world = compound_world()
    provision_compound(compound=world.compound, year=YEAR)
    out = {}
    for item in PledgeItem.objects.filter(letter__compound=world.compound).select_related(
        "letter__organization"
    ):
        out[(item.letter.organization.kind, item.number)] = item
    return out


class Ctx:
    """The engine's context, holding the evidence a test hands it."""

    def __init__(
        self,
        *,
        today,
        meetings=0,
        activities=(),
        inspections=(),
        findings=(),
        members=None,
        concentrated=(),
        shares=None,
        compliance=(),
        satisfaction=None,
    ):
        self.today = today
        self.at = dt.datetime.combine(today, dt.time(12), tzinfo=SH)
        self._meetings = meetings
        self._activities = list(activities)
        self._inspections = list(inspections)
        self._findings = list(findings)
        self._members = members or {}
        self._concentrated = list(concentrated)
        self._shares = shares
        self._compliance = list(compliance)
        self._satisfaction = satisfaction

    def meeting_count(self, kinds, start, end):
        return self._meetings

    def activities(self):
        return self._activities

    def inspections(self):
        return self._inspections

    def findings(self):
        return self._findings

    def members(self):
        return self._members

    def concentrated(self):
        return self._concentrated

    def complaint_shares(self):
        return self._shares

    def compliance(self):
        return self._compliance

    def satisfaction(self, organization, year):
        return self._satisfaction

    def attestations(self):
        return {}


def measure(item, index=0):
    _i, rule_kind, params = measures_of(item)[index]
    return rule_kind, params


def judge(item, index, ctx, start, end):
    rule_kind, params = measure(item, index)
    task = Task(item=item, measure=index, rule_kind=rule_kind, params=params, start=start, end=end)
    return RULES[rule_kind](task, ctx).status


def first_period(params):
    return periods_for(period_months=int(params["period_months"]), year=YEAR)[0]


# --- counts per period ----------------------------------------------------------------

COUNTS = [
    # (org kind, item, measure, seed sentence, min count, period months, evidence source)
    (
        "compound_party",
        1,
        0,
        "每月至少召开1次社区党组织、物业管理委员会、物业三方联席会议",
        1,
        1,
        "meeting",
    ),
    ("compound_party", 4, 0, "每季度参与1次志愿服务活动", 1, 3, "member"),
    ("compound_party", 5, 0, "每月组织党员学习政策法规及物业管理知识", 1, 1, "activity"),
    ("compound_party", 5, 1, "每年开展2次物业管理委员会与物业专题培训", 2, 12, "activity"),
    ("compound_party", 7, 0, "督促物业每季度开展消防、电梯等设施的全面排查", 1, 3, "inspection"),
    ("compound_party", 9, 0, "每年组织4次以上邻里活动", 4, 12, "activity"),
    ("pmc", 8, 0, "每季度组织1次业主恳谈会", 1, 3, "meeting"),
    ("pmc", 8, 1, "每年开展2次社区文化活动", 2, 12, "activity"),
    ("pmc", 9, 0, "每月联合业主代表检查物业保洁、安保、设施维护情况", 1, 1, "inspection"),
]


def _count_ctx(source, params, n, day, today, item):
    kinds = params["kinds"]
    if source == "meeting":
        return Ctx(today=today, meetings=n)
    if source == "inspection":
        # 小区党组织服务承诺 第7条: enough inspections cover the required areas (消防、电梯)
        areas = list(REQUIRED_SAFETY_AREAS) if params.get("require_safety_areas") else []
        rows = [{"pk": i, "kind": kinds[0], "inspected_on": day, "areas": areas} for i in range(n)]
        return Ctx(today=today, inspections=rows)
    if source == "member":
        rows = [
            {"pk": i, "kind": kinds[0], "held_on": day, "title": "x", "people": {1, 2}}
            for i in range(n)
        ]
        return Ctx(today=today, activities=rows, members={item.responsible.pk: {1, 2}})
    rows = [{"pk": i, "kind": kinds[0], "held_on": day, "title": "x"} for i in range(n)]
    return Ctx(today=today, activities=rows)


@pytest.mark.parametrize(
    ("org", "number", "index", "sentence", "count", "months", "source"),
    COUNTS,
    ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in COUNTS],
)
def test_count_and_cadence_of_each_counted_promise(
    items, org, number, index, sentence, count, months, source
):
    item = items[(org, number)]
    assert sentence in item.text
    _kind, params = measure(item, index)
    assert (params["min_count"], params["period_months"]) == (count, months)
    start, end = first_period(params)
    # A calendar period of ``months`` months from 1 January.
    assert start == dt.date(YEAR, 1, 1)
    assert end + dt.timedelta(days=1) == add_months(start, months)
    closed = end + dt.timedelta(days=1)
    # One short of the number on the period's last day: missed; the number: met.
    short = _count_ctx(source, params, count - 1, end, closed, item)
    enough = _count_ctx(source, params, count, end, closed, item)
    assert judge(item, index, short, start, end) == S.MISSED
    assert judge(item, index, enough, start, end) == S.MET
    if source != "meeting":  # the first day of the next period does not count
        late = _count_ctx(source, params, count, closed, closed, item)
        assert judge(item, index, late, start, end) == S.MISSED


# --- rates ------------------------------------------------------------------------------


def _findings(ok, total, day, due):
    return [
        {
            "pk": i,
            "inspection__kind": kind,
            "inspection__inspected_on": day,
            "rectify_due": due,
            "fixed_at": due - dt.timedelta(hours=1) if i < ok else None,
        }
        for i in range(total)
        for kind in ("quarterly_safety", "monthly_service")
    ]


@pytest.mark.parametrize(
    ("org", "number", "sentence", "threshold", "months", "below", "meets"),
    [
        ("compound_party", 7, "发现问题限期3日内整改", 100, 3, (9, 10), (10, 10)),
        ("pmc", 9, "问题整改率达90%以上", 90, 3, (8, 9), (9, 10)),
    ],
    ids=["party-7-fixed-on-time", "pmc-9-rectified"],
)
def test_rectification_rate_threshold(
    items, org, number, sentence, threshold, months, below, meets
):
    item = items[(org, number)]
    assert sentence in item.text
    _kind, params = measure(item, 1)
    assert (params["threshold"], params["period_months"]) == (threshold, months)
    start, end = first_period(params)
    closed = end + dt.timedelta(days=1)
    due = at(end.year, end.month, end.day, 9)
    missed = Ctx(today=closed, findings=_findings(*below, end, due))
    met = Ctx(today=closed, findings=_findings(*meets, end, due))
    assert judge(item, 1, missed, start, end) == S.MISSED
    assert judge(item, 1, met, start, end) == S.MET


@pytest.mark.parametrize(
    ("org", "number", "sentence", "clocks"),
    [
        (
            "compound_party",
            3,
            "承诺48小时内响应业主诉求，7个工作日内反馈处理进展",
            ["response", "feedback"],
        ),
        ("pmc", 3, "常规问题48小时内答复，复杂问题7日内明确解决方案", ["response", "plan"]),
    ],
    ids=["party-3", "pmc-3"],
)
def test_complaint_clocks_every_complaint_in_time(items, org, number, sentence, clocks):
    item = items[(org, number)]
    assert sentence in item.text
    _kind, params = measure(item)
    assert (params["clocks"], params["threshold"], params["period_months"]) == (clocks, 100, 3)
    start, end = first_period(params)
    span = _span(start, end)
    closed = end + dt.timedelta(days=1)
    one_late = {c: Share(decided=100, in_time=99) for c in clocks}
    all_in_time = {c: Share(decided=100, in_time=100) for c in clocks}
    assert judge(item, 0, Ctx(today=closed, shares={span: one_late}), start, end) == S.MISSED
    assert judge(item, 0, Ctx(today=closed, shares={span: all_in_time}), start, end) == S.MET


@pytest.mark.parametrize(
    ("code", "policy", "amount", "sentence"),
    [
        ("deadline.response_48h", "response_48h", 48, "48小时内响应"),
        ("deadline.feedback_7_working_days", "feedback_7_working_days", 7, "7个工作日内反馈"),
        ("deadline.plan_7_days", "plan_7_days", 7, "7日内明确解决方案"),
        ("deadline.hazard_3_days", "hazard_3_days", 3, "限期3日内整改"),
    ],
)
def test_deadline_policy_templates_name_the_working_day_clock(
    templates, code, policy, amount, sentence
):
    """The clocks' numbers live in huashan.workdays; the template names that source."""
    template = ObligationTemplate.objects.get(code=code, version=1)
    assert sentence in template.quote
    assert template.body == {"policy": policy, "source": "huashan.workdays"}
    assert workdays.policy_by_code(policy).amount == amount


def test_pmc_4_satisfaction_below_60_percent(items):
    """物业管理委员会服务承诺 第4条 "满意度低于60%的委员主动辞职"."""
    item = items[("pmc", 4)]
    assert "满意度低于60%" in item.text
    _kind, params = measure(item)
    assert (params["threshold"], params["period_months"]) == (60, 12)
    start, end = first_period(params)
    closed = end + dt.timedelta(days=1)
    assert judge(item, 0, Ctx(today=closed, satisfaction=59.9), start, end) == S.MISSED
    assert judge(item, 0, Ctx(today=closed, satisfaction=60.0), start, end) == S.MET


def _rows(code, due, status):
    return SimpleNamespace(category=code, due=due, status=status, disclosure=None)


@pytest.mark.parametrize(
    ("org", "number", "sentence", "categories", "months"),
    [
        (
            "compound_party",
            2,
            "监督物业管理委员会每半年公示公共收益收支及维修资金使用情况",
            ["public_revenue", "maintenance_fund", "company_service_progress"],
            6,
        ),
        ("pmc", 1, "每半年通过线上线下渠道向全体业主汇报决议执行情况", ["owners_assembly"], 6),
        ("pmc", 2, "每季度公开维修资金使用台账", ["public_revenue", "maintenance_fund"], 3),
    ],
    ids=["party-2", "pmc-1", "pmc-2"],
)
def test_disclosure_promises_measure_their_period(items, org, number, sentence, categories, months):
    item = items[(org, number)]
    assert sentence in item.text
    _kind, params = measure(item)
    assert (params["categories"], params["threshold"], params["period_months"]) == (
        categories,
        100,
        months,
    )
    start, end = first_period(params)
    closed = end + dt.timedelta(days=1)
    code = categories[0]
    # A late disclosure due on the period's last day counts against it; one due the
    # day after belongs to the next period.
    inside = Ctx(today=closed, compliance=[_rows(code, end, "on_time"), _rows(code, end, "late")])
    outside = Ctx(
        today=closed, compliance=[_rows(code, end, "on_time"), _rows(code, closed, "late")]
    )
    assert judge(item, 0, inside, start, end) == S.MISSED
    assert judge(item, 0, outside, start, end) == S.MET


def test_party_10_red_black_list_is_quarterly(items):
    """小区党组织服务承诺 第10条 "建立物业服务‘红黑榜’季度考评机制"."""
    item = items[("compound_party", 10)]
    assert "季度考评机制" in item.text
    _kind, params = measure(item)
    assert params["period_months"] == 3
    assert len(periods_for(period_months=params["period_months"], year=YEAR)) == 4


# --- 物业管理委员会服务承诺 第7条 -------------------------------------------------------------


def test_pmc_7_one_or_two_demands_within_three_months_of_taking_office(templates):
    """物业管理委员会服务承诺 第7条 "上任3个月内推动解决1-2项业主集中诉求": elected
    2026-05-10, a demand resolved on 2026-08-10 at 23:59 counts, one at 08-11 00:00 not."""
    from huashan.directory.models import Membership

    world = compound_world()
    Membership.objects.filter(organization=world.orgs.pmc).update(start=dt.date(2026, 5, 10))
    provision_compound(compound=world.compound, year=YEAR)
    item = PledgeItem.objects.get(letter__organization=world.orgs.pmc, number=7)
    assert "上任3个月内推动解决1-2项业主集中诉求" in item.text
    _kind, params = measure(item)
    assert (params["min_count"], params["min_reporters"]) == (1, 3)
    start, end = dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["due"])
    assert (start, end) == (dt.date(2026, 5, 10), dt.date(2026, 8, 10))
    closed = dt.date(2026, 8, 11)

    def rows(when, reporters=3):
        return [{"pk": 1, "resolved_at": when, "reporters": reporters, "tracking_number": "T"}]

    in_time = Ctx(today=closed, concentrated=rows(at(2026, 8, 10, 23, 59)))
    too_late = Ctx(today=closed, concentrated=rows(at(2026, 8, 11, 0, 0)))
    too_few = Ctx(today=closed, concentrated=rows(at(2026, 8, 10, 12), reporters=2))
    assert judge(item, 0, in_time, start, end) == S.MET
    assert judge(item, 0, too_late, start, end) == S.MISSED
    assert judge(item, 0, too_few, start, end) == S.MISSED


# --- disclosure schedules (公示承诺制度) --------------------------------------------------

PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}
SCHEDULE_CASES = [
    ("pmc", "public_revenue", "monthly", "每月公示小区公共收益收支明细"),
    ("pmc", "public_revenue", "half_yearly", "每半年公布1次小区公共收益收支明细"),
    ("pmc", "maintenance_fund", "quarterly", "每季度公开维修资金使用台账"),
    ("pmc", "pmc_work_affairs", "quarterly", "每季度公示1次工作事务"),
    ("pmc", "pmc_performance", "yearly", "每年至少公布1次履职情况及工作经费使用情况"),
    ("pmc", "public_revenue_audit", "yearly", "落实小区公共收益年度审计制度"),
    ("pmc", "owners_assembly", "half_yearly", "每半年通过线上线下渠道向全体业主汇报决议执行情况"),
    ("property_company", "company_service_progress", "monthly", "督促物业每月公开服务事项完成进度"),
    ("property_company", "service_report_quarterly", "quarterly", "《物业服务季度报告》"),
    ("property_company", "service_report_annual", "yearly", "《物业服务年度报告》"),
    ("property_company", "company_project_head", "yearly", "物业服务投诉电话"),
    ("property_company", "company_services_fees", "yearly", "收费项目、收费标准、收费方式"),
    ("property_company", "company_contractors", "yearly", "日常维修保养单位的名称、资质"),
    ("property_company", "company_fees_funds", "yearly", "公共水电分摊费用情况"),
    ("property_company", "company_parking", "yearly", "停车位、车库的销售、出租、分配以及使用情况"),
    ("property_company", "company_renovation_safety", "yearly", "结构变动等安全事项"),
    ("compound_party", "personnel", "yearly", "姓名、职务、联系方式等基本信息"),
    ("compound_party", "pledges", "yearly", "“三方”年度服务承诺"),
]


def test_every_schedule_of_the_templates_is_tested_here():
    assert {(s[1], s[2], s[3]) for s in seed.SCHEDULES} == {c[:3] for c in SCHEDULE_CASES}


@pytest.mark.parametrize(
    ("org", "category", "cadence", "sentence"),
    SCHEDULE_CASES,
    ids=[f"{c[1]}-{c[2]}" for c in SCHEDULE_CASES],
)
def test_disclosure_schedule_cadence(templates, org, category, cadence, sentence):
    world = compound_world()
    provision_compound(compound=world.compound, year=YEAR)
    schedule = Schedule.objects.get(
        compound=world.compound,
        organization__kind=org,
        category__code=category,
        cadence=cadence,
    )
    template = next(t for t in seed.SCHEDULES if t[1:4] == (org, category, cadence))
    assert sentence in template[5]
    assert schedule.seed_article == template[4]
    year = periods_overlapping(cadence, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    assert len(year) == PERIODS_PER_YEAR[cadence]
    first_end = year[0][1]
    # The first period's last day and the next period's first day are in different periods.
    assert periods_overlapping(cadence, first_end, first_end)[0] == year[0]
    after = first_end + dt.timedelta(days=1)
    assert periods_overlapping(cadence, after, after)[0] != year[0]


# --- joint meeting, evaluation ----------------------------------------------------------------


def test_joint_meeting_held_in_the_last_week_of_each_month(templates):
    """联席会议议事规则 第三条 "通常于每月最后一周召开"; 第六条 "每半年开展一次工作小结，
    每年开展一次工作总结"."""
    template = ObligationTemplate.objects.get(code="joint_meeting.schedule", version=1)
    assert "每月最后一周" in template.quote
    body = template.body
    assert (body["cadence"], body["min_count"], body["last_week_days"]) == ("monthly", 1, 7)
    assert body["summary_cadences"] == ["half_yearly", "yearly"]


def test_evaluation_in_december_with_the_four_areas(templates):
    """评议监督考核制度 第一条 "通常于每年12月开展"; 第四条 the four areas."""
    from evaluations.services.base import DEFAULT_TEMPLATE

    template = ObligationTemplate.objects.get(code="evaluation.criteria", version=1)
    assert template.body["month"] == 12
    assert template.editor == "street"
    groups = [(name, [tuple(c) for c in criteria]) for name, criteria in template.body["groups"]]
    assert groups == DEFAULT_TEMPLATE
    assert sum(points for _n, criteria in groups for _c, points in criteria) == 100
