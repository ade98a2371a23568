"""The compliance engine's rules, one at a time, on in-memory evidence (no database): the
fast direct tests of ``pledges/engine.py`` in the mutation run. The pass itself (loading,
storing, alarms) is tested through the database in ``tests/pledges/test_engine.py``.

The pledges measured (小区党组织服务承诺 / 物业管理委员会服务承诺):

* 党 第4条 "每季度参与1次志愿服务活动"; 第7条 "督促物业每季度开展消防、电梯等设施的全面
  排查，发现问题限期3日内整改"; 第3条 "承诺48小时内响应业主诉求，7个工作日内反馈处理进展"
* 物 第1条 "每月公示小区公共收益收支明细"; 第4条 "满意度低于60%的委员主动辞职";
  第7条 "上任3个月内推动解决1-2项业主集中诉求"; 第9条 "问题整改率达90%以上"
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from pledges import engine
from pledges.models import ResultStatus as S
from pledges.models import RuleKind

CN = dt.timezone(dt.timedelta(hours=8))
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


class Ctx:
    """The evidence a rule reads, given in memory."""

    def __init__(self, today, **evidence):
        self.today = today
        self.at = dt.datetime.combine(today, dt.time(12, 0), tzinfo=CN)
        self.evidence = evidence

    def meeting_count(self, kinds, start, end):
        self.asked = (kinds, start, end)
        return self.evidence.get("meetings")

    def inspections(self):
        return self.evidence.get("inspections", [])

    def activities(self):
        return self.evidence.get("activities", [])

    def members(self):
        return self.evidence.get("members", {})

    def complaint_shares(self):
        return self.evidence["shares"]

    def compliance(self):
        return self.evidence.get("compliance")

    def findings(self):
        return self.evidence.get("findings", [])

    def concentrated(self):
        return self.evidence.get("concentrated", [])

    def satisfaction(self, organization, year):
        self.asked = (organization, year)
        return self.evidence.get("satisfaction")

    def attestations(self):
        return self.evidence.get("attestations", {})


ORG = SimpleNamespace(pk=10)
ITEM = SimpleNamespace(pk=1, warn_lead_days=7, responsible=ORG)


def _task(params, rule_kind=RuleKind.COUNT_PER_PERIOD, span=Q1, measure=0):
    return engine.Task(ITEM, measure, rule_kind, params, *span)


# --- periods ---------------------------------------------------------------------------


def test_periods_of_a_year_are_calendar_aligned():
    """ "每季度参与1次" is four quarters, "每月公示" twelve months, "每年" one year."""
    quarters = engine.periods_for(period_months=3, year=2026)
    assert quarters == [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    ]
    months = engine.periods_for(period_months=1, year=2026)
    assert len(months) == 12
    assert months[1] == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert engine.periods_for(period_months=12, year=2026) == [
        (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    ]
    assert engine.periods_for(period_months=6, year=2026)[1][0] == dt.date(2026, 7, 1)


def test_a_one_off_pledge_has_its_own_dates_and_the_others_the_years_periods():
    """物 第7条 "上任3个月内": from the start to the due date, not a calendar period."""
    params = {"start": "2026-02-10", "due": "2026-05-10", "period_months": 3}
    assert engine._periods(RuleKind.ONE_OFF_BY_DATE, params, 2026) == [
        (dt.date(2026, 2, 10), dt.date(2026, 5, 10))
    ]
    assert engine._periods(RuleKind.COUNT_PER_PERIOD, {"period_months": "3"}, 2026)[0] == Q1


@pytest.mark.django_db  # the site's time zone
def test_span_runs_from_00_00_to_the_next_days_00_00_china_time():
    """A quarter "每季度" ends at 24:00 of its last day, Asia/Shanghai."""
    low, high = engine._span(*Q1)
    assert low == dt.datetime(2026, 1, 1, tzinfo=CN)
    assert high == dt.datetime(2026, 4, 1, tzinfo=CN)
    assert engine._aware(dt.date(2026, 1, 1)).utcoffset() == dt.timedelta(hours=8)


# --- status from a count ---------------------------------------------------------------


def test_a_period_is_closed_only_after_its_last_day():
    """ "每季度": the quarter is open through 31 March, closed from 1 April."""
    task = _task({})
    assert not engine._closed(task, Ctx(dt.date(2026, 3, 31)))
    assert engine._closed(task, Ctx(dt.date(2026, 4, 1)))


def test_the_warning_window_is_the_items_lead_days_before_the_end():
    """A warning comes ``warn_lead_days`` (7) before the quarter ends, not earlier."""
    task = _task({})
    assert not engine._warning_window(task, Ctx(dt.date(2026, 3, 24)))  # 7 days left
    assert engine._warning_window(task, Ctx(dt.date(2026, 3, 25)))  # 6 days left


def test_count_status_on_each_side_of_the_target():
    """ "每季度参与1次": one is met, none is missed once closed, at risk near the end."""
    task = _task({})
    open_early, open_late, closed = (
        Ctx(dt.date(2026, 2, 1)),
        Ctx(dt.date(2026, 3, 30)),
        Ctx(dt.date(2026, 4, 1)),
    )
    assert engine._count_status(1, 1, task, open_early) == S.MET
    assert engine._count_status(2, 1, task, closed) == S.MET
    assert engine._count_status(0, 1, task, closed) == S.MISSED
    assert engine._count_status(0, 1, task, open_late) == S.AT_RISK
    assert engine._count_status(0, 1, task, open_early) == S.ON_TRACK


def test_rate_status_on_each_side_of_the_threshold():
    """物 第9条 "问题整改率达90%以上": 90 is met, 89.9 is not; nothing decided is not a miss."""
    task = _task({})
    open_, closed = Ctx(dt.date(2026, 2, 1)), Ctx(dt.date(2026, 4, 1))
    assert engine._rate_status(90.0, 90, task, closed) == S.MET
    assert engine._rate_status(90.0, 90, task, open_) == S.ON_TRACK
    assert engine._rate_status(None, 90, task, closed) == S.MET
    assert engine._rate_status(None, 90, task, open_) == S.ON_TRACK
    assert engine._rate_status(89.9, 90, task, closed) == S.MISSED
    assert engine._rate_status(89.9, 90, task, open_) == S.AT_RISK


# --- count per period --------------------------------------------------------------------


def test_meetings_counted_by_the_meetings_module():
    """A count of meetings per period, read for exactly the period's days and kinds."""
    params = {"source": "meeting", "kinds": ["joint"], "min_count": 1}
    ctx = Ctx(dt.date(2026, 4, 1), meetings=1)
    out = engine.rule_count_per_period(_task(params), ctx)
    assert (out.status, out.figures, out.settled) == (S.MET, {"target": 1, "count": 1}, True)
    assert ctx.asked == (["joint"], *Q1)
    out = engine.rule_count_per_period(_task(params), Ctx(dt.date(2026, 4, 1), meetings=0))
    assert out.status == S.MISSED
    out = engine.rule_count_per_period(_task(params), Ctx(dt.date(2026, 4, 1)))
    assert out.status == S.NOT_YET_DUE
    assert out.figures == {"source_unavailable": "meetings"}
    assert out.settled is False


def test_inspections_in_the_period_and_of_the_kinds_count():
    """党 第7条 "每季度开展消防、电梯等设施的全面排查": the quarter's own inspections count."""
    rows = [
        {"pk": 1, "kind": "fire", "inspected_on": dt.date(2026, 1, 1)},
        {"pk": 2, "kind": "fire", "inspected_on": dt.date(2026, 3, 31)},
        {"pk": 3, "kind": "fire", "inspected_on": dt.date(2025, 12, 31)},
        {"pk": 4, "kind": "fire", "inspected_on": dt.date(2026, 4, 1)},
        {"pk": 5, "kind": "lift", "inspected_on": dt.date(2026, 2, 1)},
    ]
    params = {"source": "inspection", "kinds": ["fire"], "min_count": 2}
    out = engine.rule_count_per_period(_task(params), Ctx(dt.date(2026, 4, 1), inspections=rows))
    assert out.status == S.MET
    assert out.figures == {"target": 2, "count": 2}
    assert out.evidence == [
        {"kind": "inspection", "id": 1, "date": "2026-01-01"},
        {"kind": "inspection", "id": 2, "date": "2026-03-31"},
    ]
    params["min_count"] = 3
    out = engine.rule_count_per_period(_task(params), Ctx(dt.date(2026, 4, 1), inspections=rows))
    assert out.status == S.MISSED


def test_evidence_links_are_at_most_twenty():
    """The result page lists at most twenty pieces of evidence; all of them count."""
    rows = [
        {"pk": i, "kind": "fire", "inspected_on": dt.date(2026, 2, 1), "held_on": None}
        for i in range(25)
    ]
    params = {"source": "inspection", "kinds": ["fire"], "min_count": 1}
    out = engine.rule_count_per_period(_task(params), Ctx(dt.date(2026, 4, 1), inspections=rows))
    assert len(out.evidence) == 20
    assert out.figures["count"] == 25
    acts = [
        {"pk": i, "kind": "v", "held_on": dt.date(2026, 2, 1), "title": "t", "people": set()}
        for i in range(21)
    ]
    params = {"source": "activity", "kinds": ["v"], "min_count": 1}
    out = engine.rule_count_per_period(_task(params), Ctx(dt.date(2026, 4, 1), activities=acts))
    assert len(out.evidence) == 20


def _act(pk, day, people, kind="volunteer"):
    return {"pk": pk, "kind": kind, "held_on": day, "title": f"a{pk}", "people": set(people)}


def test_activities_in_the_period_and_of_the_kinds_count():
    """党 第9条 "每年组织4次以上邻里活动": activities of the kinds, inside the period."""
    acts = [
        _act(1, dt.date(2026, 1, 1), []),
        _act(2, dt.date(2026, 3, 31), []),
        _act(3, dt.date(2026, 4, 1), []),
        _act(4, dt.date(2025, 12, 31), []),
        _act(5, dt.date(2026, 2, 1), [], kind="study"),
    ]
    params = {"source": "activity", "kinds": ["volunteer"], "min_count": 2}
    out = engine.rule_count_per_period(_task(params), Ctx(dt.date(2026, 4, 1), activities=acts))
    assert out.status == S.MET
    assert out.figures == {"target": 2, "count": 2}
    assert out.evidence[0] == {"kind": "activity", "id": 1, "date": "2026-01-01", "label": "a1"}


def test_each_member_must_reach_the_target():
    """党 第4条 "党组织成员……每季度参与1次志愿服务活动": every member, not the group."""
    acts = [
        _act(1, dt.date(2026, 2, 1), [100, 101, 999]),
        _act(2, dt.date(2026, 2, 2), [100]),
    ]
    params = {"source": "activity", "kinds": ["volunteer"], "min_count": 1, "per_member": True}
    ctx = Ctx(dt.date(2026, 4, 1), activities=acts, members={10: {100, 101}})
    out = engine.rule_count_per_period(_task(params), ctx)
    assert out.status == S.MET
    assert out.figures == {"target": 1, "members": 2, "members_met": 2, "count": 2}
    params["min_count"] = 2  # member 101 took part once: not every member reached two
    out = engine.rule_count_per_period(_task(params), ctx)
    assert out.status == S.MISSED
    assert out.figures["members_met"] == 1
    ctx = Ctx(dt.date(2026, 4, 1), activities=acts, members={10: {100, 101, 102}})
    params["min_count"] = 1
    out = engine.rule_count_per_period(_task(params), ctx)
    assert out.figures["members_met"] == 2
    assert out.status == S.MISSED


def test_an_organization_without_members_is_not_judged():
    """ "党组织成员" with no member on record: nothing to judge yet, and not settled."""
    params = {"source": "activity", "kinds": ["volunteer"], "min_count": 1, "per_member": True}
    ctx = Ctx(dt.date(2026, 4, 1), activities=[], members={11: {1}})
    out = engine.rule_count_per_period(_task(params), ctx)
    assert out.status == S.NOT_YET_DUE
    assert out.figures == {
        "target": 1,
        "members": 0,
        "members_met": 0,
        "count": 0,
        "no_members": True,
    }
    assert out.settled is False


# --- complaint deadlines ------------------------------------------------------------------


def _share(decided, in_time, pending, percent):
    return SimpleNamespace(decided=decided, in_time=in_time, pending=pending, percent=percent)


def test_the_worst_clock_decides_the_complaint_rate():
    """党 第3条 "48小时内响应……7个工作日内反馈": the weaker of the two shares counts."""
    shares = {
        engine._span(*Q1): {
            "response": _share(10, 10, 0, 100.0),
            "feedback": _share(10, 8, 0, 80.0),
        }
    }
    params = {"clocks": ["response", "feedback"], "threshold": 90}
    task = _task(params, RuleKind.DEADLINE_RATE)
    out = engine.rule_deadline_rate(task, Ctx(dt.date(2026, 4, 1), shares=shares))
    assert out.status == S.MISSED
    assert out.figures["percent"] == 80.0
    assert out.figures["threshold"] == 90
    assert out.figures["feedback"] == {"decided": 10, "in_time": 8, "pending": 0, "percent": 80.0}
    assert out.evidence == [{"kind": "complaints"}]
    assert out.settled is True


@pytest.mark.django_db  # the site's time zone
def test_a_pending_complaint_keeps_the_rate_unsettled_and_no_share_is_no_miss():
    """A complaint whose "7个工作日" still run is pending: the result may change."""
    shares = {
        engine._span(*Q1): {
            "response": _share(0, 0, 1, None),
            "feedback": _share(0, 0, 0, None),
        }
    }
    params = {"clocks": ["response", "feedback"], "threshold": 90}
    task = _task(params, RuleKind.DEADLINE_RATE)
    out = engine.rule_deadline_rate(task, Ctx(dt.date(2026, 4, 1), shares=shares))
    assert out.figures["percent"] is None
    assert out.status == S.MET
    assert out.settled is False


# --- disclosures on time ----------------------------------------------------------------


def _row(category, due, status, disclosure=None):
    return SimpleNamespace(category=category, due=due, status=status, disclosure=disclosure)


def test_disclosures_due_in_the_period_count_by_status():
    """物 第1条 "每月公示小区公共收益收支明细": the ones due in the period, on time or not."""
    rows = [
        _row("income", dt.date(2026, 1, 1), "on_time", SimpleNamespace(pk=7)),
        _row(SimpleNamespace(code="income"), dt.date(2026, 3, 31), "late"),
        _row("income", dt.date(2026, 2, 10), "missing"),
        _row("income", dt.date(2026, 2, 11), "on_time"),
        _row("income", dt.date(2026, 4, 1), "on_time"),
        _row("income", dt.date(2025, 12, 31), "on_time"),
        _row("income", None, "on_time"),
        _row("fees", dt.date(2026, 2, 1), "on_time"),
    ]
    params = {"categories": ["income"], "threshold": 50}
    task = _task(params, RuleKind.DISCLOSURE_ON_TIME)
    out = engine.rule_disclosure_on_time(task, Ctx(dt.date(2026, 4, 1), compliance=rows))
    assert out.figures == {
        "threshold": 50,
        "scheduled": 4,
        "on_time": 2,
        "late": 1,
        "missing": 1,
        "not_due": 0,
        "percent": 50.0,
    }
    assert out.status == S.MET
    assert out.evidence == [{"kind": "disclosure", "id": 7, "label": "income"}]
    assert out.settled is True


def test_a_disclosure_not_yet_due_keeps_the_result_open():
    """ "每月公示": a month's disclosure not yet due is neither on time nor late."""
    rows = [_row("income", dt.date(2026, 3, 31), "not_due")]
    task = _task({"categories": ["income"], "threshold": 90}, RuleKind.DISCLOSURE_ON_TIME)
    out = engine.rule_disclosure_on_time(task, Ctx(dt.date(2026, 3, 1), compliance=rows))
    assert out.figures["percent"] is None
    assert out.figures["not_due"] == 1
    assert out.settled is False
    assert out.status == S.ON_TRACK


def test_no_schedule_or_no_source_is_not_judged():
    """ "每月公示" with nothing scheduled in the period: nothing to judge, not settled."""
    task = _task({"categories": ["income"], "threshold": 90}, RuleKind.DISCLOSURE_ON_TIME)
    out = engine.rule_disclosure_on_time(task, Ctx(dt.date(2026, 4, 1), compliance=[]))
    assert out.status == S.NOT_YET_DUE
    assert out.figures["no_schedule"] is True
    assert out.settled is False
    out = engine.rule_disclosure_on_time(task, Ctx(dt.date(2026, 4, 1)))
    assert out.status == S.NOT_YET_DUE
    assert out.figures == {"source_unavailable": "disclosures"}
    assert out.settled is False


def test_disclosure_links_are_at_most_twenty_and_a_rate_below_the_threshold_misses():
    """ "每月公示": 1 of 21 on time is a miss; the page lists twenty of them."""
    rows = [_row("income", dt.date(2026, 2, 1), "late", SimpleNamespace(pk=i)) for i in range(20)]
    rows.append(_row("income", dt.date(2026, 2, 1), "on_time", SimpleNamespace(pk=99)))
    task = _task({"categories": ["income"], "threshold": 90}, RuleKind.DISCLOSURE_ON_TIME)
    out = engine.rule_disclosure_on_time(task, Ctx(dt.date(2026, 4, 1), compliance=rows))
    assert len(out.evidence) == 20
    assert out.figures["percent"] == round(100 / 21, 1)
    assert out.status == S.MISSED


def test_code_and_day_read_categories_and_due_moments():
    """A category is its code; a due moment is its China-time day."""
    assert engine._code(SimpleNamespace(code="income")) == "income"
    assert engine._code("fees") == "fees"
    assert engine._code(None) == ""
    assert engine._day(dt.date(2026, 3, 31)) == dt.date(2026, 3, 31)
    assert engine._day(dt.datetime(2026, 3, 31, 23, 0)) == dt.date(2026, 3, 31)  # noqa: DTZ001


@pytest.mark.django_db  # the site's time zone
def test_an_aware_due_moment_is_read_in_china_time():
    """Due 31 March 17:00 UTC is 1 April in Wuhan: outside the first quarter."""
    assert engine._day(dt.datetime(2026, 3, 31, 17, 0, tzinfo=dt.UTC)) == dt.date(2026, 4, 1)


# --- findings rectified -------------------------------------------------------------------


def _finding(fixed, due, kind="monthly", day=dt.date(2026, 2, 1)):
    return {
        "inspection__kind": kind,
        "inspection__inspected_on": day,
        "rectify_due": due,
        "fixed_at": fixed,
    }


D0 = dt.datetime(2026, 2, 4, 12, 0, tzinfo=CN)  # a finding's due moment


def test_findings_fixed_on_time_count_only_when_fixed_by_the_due_moment():
    """党 第7条 "发现问题限期3日内整改": fixed at the due moment is in time, a second later not."""
    rows = [
        _finding(D0, D0),
        _finding(D0 + dt.timedelta(seconds=1), D0),
        _finding(None, D0),  # not fixed, past due: decided, not ok
        _finding(None, dt.datetime(2026, 4, 2, 12, 0, tzinfo=CN)),  # still running
        _finding(None, dt.datetime(2026, 4, 3, 12, 0, tzinfo=CN), day=dt.date(2026, 1, 1)),
        _finding(D0, D0, day=dt.date(2026, 3, 31)),
        _finding(D0, D0, kind="other"),
        _finding(D0, D0, day=dt.date(2026, 4, 1)),
        _finding(D0, D0, day=dt.date(2025, 12, 31)),
    ]
    params = {"measure": "findings_fixed_on_time", "inspection_kinds": ["monthly"], "threshold": 90}
    out = engine.rule_rate_threshold(_task(params), Ctx(dt.date(2026, 4, 1), findings=rows))
    assert out.figures == {
        "threshold": 90,
        "findings": 6,
        "decided": 4,
        "ok": 2,
        "pending": 2,
        "percent": 50.0,
    }
    assert out.status == S.MISSED
    assert out.settled is False
    assert out.evidence == [{"kind": "findings"}]


def test_findings_rectified_count_when_fixed_at_all():
    """物 第9条 "问题整改率达90%以上": fixed late still counts as rectified."""
    rows = [
        _finding(D0 + dt.timedelta(days=5), D0),
        _finding(D0, D0),
        _finding(None, D0),
        _finding(None, dt.datetime(2026, 4, 2, 12, 0, tzinfo=CN)),
        _finding(None, dt.datetime(2026, 4, 1, 12, 0, tzinfo=CN)),  # due exactly now: pending
    ]
    params = {"measure": "findings_rectified", "inspection_kinds": ["monthly"], "threshold": 50}
    out = engine.rule_rate_threshold(_task(params), Ctx(dt.date(2026, 4, 1), findings=rows))
    assert out.figures["decided"] == 3
    assert out.figures["ok"] == 2
    assert out.figures["pending"] == 2
    assert out.figures["percent"] == 66.7
    assert out.status == S.MET
    params["measure"] = "findings_fixed_on_time"
    rows = [_finding(None, dt.datetime(2026, 4, 1, 12, 0, tzinfo=CN))]  # due exactly now
    out = engine.rule_rate_threshold(_task(params), Ctx(dt.date(2026, 4, 1), findings=rows))
    assert out.figures["pending"] == 1
    assert out.figures["percent"] is None
    assert out.settled is False


# --- one-off by a date ----------------------------------------------------------------------


@pytest.mark.django_db  # the site's time zone
def test_concentrated_demands_resolved_inside_the_window_and_by_enough_reporters():
    """物 第7条 "上任3个月内推动解决1-2项业主集中诉求": resolved in the window, by 3+ reporters."""
    low, high = engine._span(*Q1)
    rows = [
        {"pk": 1, "resolved_at": low, "reporters": 3, "tracking_number": "A1"},
        {
            "pk": 2,
            "resolved_at": high - dt.timedelta(seconds=1),
            "reporters": 5,
            "tracking_number": "A2",
        },
        {"pk": 3, "resolved_at": high, "reporters": 5, "tracking_number": "A3"},
        {
            "pk": 4,
            "resolved_at": low - dt.timedelta(seconds=1),
            "reporters": 5,
            "tracking_number": "A4",
        },
        {"pk": 5, "resolved_at": low, "reporters": 2, "tracking_number": "A5"},
    ]
    params = {"min_count": 2}
    task = _task(params, RuleKind.ONE_OFF_BY_DATE)
    out = engine.rule_one_off_by_date(task, Ctx(dt.date(2026, 4, 1), concentrated=rows))
    assert out.figures == {"target": 2, "count": 2, "due": "2026-03-31"}
    assert out.status == S.MET
    assert out.evidence == [
        {"kind": "complaint", "id": 1, "label": "A1"},
        {"kind": "complaint", "id": 2, "label": "A2"},
    ]
    params["min_reporters"] = 2
    out = engine.rule_one_off_by_date(task, Ctx(dt.date(2026, 4, 1), concentrated=rows))
    assert out.figures["count"] == 3


# --- satisfaction ----------------------------------------------------------------------------


def test_satisfaction_at_the_threshold_is_met_and_below_it_is_missed():
    """物 第4条 "满意度低于60%的委员主动辞职": 60 % is met, 59.9 % is not."""
    task = _task({"threshold": 60}, RuleKind.EVALUATION_THRESHOLD)
    ctx = Ctx(dt.date(2026, 4, 1), satisfaction=60.0)
    out = engine.rule_evaluation_threshold(task, ctx)
    assert out.status == S.MET
    assert out.figures == {"threshold": 60, "percent": 60.0, "source": "evaluation"}
    assert ctx.asked == (ORG, 2026)
    out = engine.rule_evaluation_threshold(task, Ctx(dt.date(2026, 4, 1), satisfaction=59.9))
    assert out.status == S.MISSED
    out = engine.rule_evaluation_threshold(task, Ctx(dt.date(2026, 3, 1), satisfaction=59.9))
    assert out.status == S.AT_RISK


def test_satisfaction_from_an_attestation_until_an_evaluation_exists():
    """物 第4条 "满意度": a reviewer's attested value stands in for the evaluation."""
    task = _task({"threshold": 60}, RuleKind.EVALUATION_THRESHOLD, measure=2)
    attest = {(1, 2, Q1[0]): SimpleNamespace(value="75.5")}
    out = engine.rule_evaluation_threshold(task, Ctx(dt.date(2026, 4, 1), attestations=attest))
    assert out.figures == {"threshold": 60, "percent": 75.5, "source": "attestation"}
    assert out.status == S.MET
    empty = {(1, 2, Q1[0]): SimpleNamespace(value=None)}
    for attestations in ({}, empty):
        ctx = Ctx(dt.date(2026, 4, 1), attestations=attestations)
        out = engine.rule_evaluation_threshold(task, ctx)
        assert out.status == S.NOT_YET_DUE
        assert out.figures == {"threshold": 60}
        assert out.settled is False


def test_an_attested_item_shows_the_judgement_and_its_evidence():
    """评议认定: a reviewer's judgement with evidence (up to 500 characters shown)."""
    task = _task({}, RuleKind.ATTESTED, measure=1)
    attest = {(1, 1, Q1[0]): SimpleNamespace(pk=5, judgement="met", evidence="x" * 600)}
    out = engine.rule_attested(task, Ctx(dt.date(2026, 4, 1), attestations=attest))
    assert out.status == S.ATTESTED
    assert out.figures == {"judgement": "met", "evidence": "x" * 500}
    assert out.evidence == [{"kind": "attestation", "id": 5}]
    out = engine.rule_attested(task, Ctx(dt.date(2026, 4, 1)))
    assert (out.status, out.figures, out.settled) == (S.NOT_YET_DUE, {}, False)


def test_every_rule_kind_has_its_rule():
    """公示承诺制度 第四条 "建立承诺履诺监督管理": each kind of pledge is measured."""
    assert {
        RuleKind.COUNT_PER_PERIOD: engine.rule_count_per_period,
        RuleKind.DEADLINE_RATE: engine.rule_deadline_rate,
        RuleKind.DISCLOSURE_ON_TIME: engine.rule_disclosure_on_time,
        RuleKind.RATE_THRESHOLD: engine.rule_rate_threshold,
        RuleKind.ONE_OFF_BY_DATE: engine.rule_one_off_by_date,
        RuleKind.EVALUATION_THRESHOLD: engine.rule_evaluation_threshold,
        RuleKind.ATTESTED: engine.rule_attested,
    } == engine.RULES


def test_an_outcome_is_settled_with_no_evidence_by_default():
    """A result with nothing pending may become final once its period has ended."""
    out = engine.Outcome(S.MET, {})
    assert out.settled is True
    assert out.evidence == []
    report = engine.EvaluationReport(at=None)
    assert (report.rows, report.created, report.updated, report.frozen_skipped, report.alarms) == (
        [],
        0,
        0,
        0,
        0,
    )
    row = engine.ReportRow(None, ITEM, 0, "l", *Q1, S.MET, {}, True)
    assert (row.item, row.period_end, row.status, row.final) == (ITEM, Q1[1], S.MET, True)
    assert (engine.EvaluationReport(at=None).created, engine.EvaluationReport(at=None).alarms) == (
        0,
        0,
    )


# --- which periods are computed -------------------------------------------------------------


def _item(pk, rule_kind, params):
    return SimpleNamespace(
        pk=pk, rule_kind=rule_kind, params=params, letter=SimpleNamespace(year=2026)
    )


def test_tasks_are_the_started_periods_not_yet_final_of_every_known_measure():
    """ "每季度参与1次": by 15 May the first two quarters have started; a final one stays."""
    quarterly = {"period_months": 3}
    items = [
        _item(1, "unknown_kind", {"also": [{"rule_kind": RuleKind.ATTESTED, "params": quarterly}]}),
        _item(2, RuleKind.COUNT_PER_PERIOD, quarterly),
    ]
    existing = {
        (2, 0, dt.date(2026, 1, 1)): SimpleNamespace(final=True),
        (2, 0, dt.date(2026, 4, 1)): SimpleNamespace(final=False),
        (1, 1, dt.date(2026, 1, 1)): SimpleNamespace(final=True),
    }
    report = engine.EvaluationReport(at=None)
    tasks = engine._tasks(items, existing, dt.date(2026, 5, 15), report)
    assert [(t.item.pk, t.measure, t.rule_kind, t.start, t.end) for t in tasks] == [
        (1, 1, RuleKind.ATTESTED, dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (2, 0, RuleKind.COUNT_PER_PERIOD, dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
    ]
    assert report.frozen_skipped == 2


def test_a_stored_result_is_rewritten_only_when_something_changed():
    """A final result is history: an unchanged one is not rewritten (nor re-stamped)."""
    at = dt.datetime(2026, 4, 1, 12, 0, tzinfo=CN)
    row = SimpleNamespace(
        status=S.MET, figures={"count": 1}, evidence=[], final=True, label="l", computed_at=None
    )
    ctx = SimpleNamespace(at=at)
    same = engine.Outcome(S.MET, {"count": 1})
    assert engine._update_result(row, same, ctx, final=True, label="l") is False
    assert row.computed_at is None
    changed = engine.Outcome(S.MISSED, {"count": 0}, [{"kind": "x"}])
    assert engine._update_result(row, changed, ctx, final=False, label="m") is True
    assert (row.status, row.figures, row.evidence, row.final, row.label, row.computed_at) == (
        S.MISSED,
        {"count": 0},
        [{"kind": "x"}],
        False,
        "m",
        at,
    )


def test_a_period_starting_today_is_computed_and_one_starting_tomorrow_is_not():
    """ "每季度参与1次": on 1 April the second quarter has started; on 31 March it has not."""
    items = [_item(2, RuleKind.COUNT_PER_PERIOD, {"period_months": 3})]
    report = engine.EvaluationReport(at=None)
    on_first_day = engine._tasks(items, {}, dt.date(2026, 4, 1), report)
    assert [t.start for t in on_first_day] == [dt.date(2026, 1, 1), dt.date(2026, 4, 1)]
    day_before = engine._tasks(items, {}, dt.date(2026, 3, 31), report)
    assert [t.start for t in day_before] == [dt.date(2026, 1, 1)]


# --- the evidence context: each source read once, for the right window ----------------------


class _Calls:
    """A stand-in for another module's evidence function: records each call's arguments."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return self.answer(**kwargs) if callable(self.answer) else self.answer


COMPOUND = SimpleNamespace(pk=7, name="华山小区")
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def _context(*tasks, at=dt.datetime(2026, 5, 10, 12, 0, tzinfo=CN)):
    return engine.Context(COMPOUND, list(tasks), at=at)


@pytest.mark.django_db  # the site's time zone
def test_the_context_spans_its_tasks_and_reads_today_in_china_time():
    """A quarter "每季度" is judged by the Asia/Shanghai date: 20:00 UTC on 31 March is
    already 1 April, the day the first quarter is closed."""
    at = dt.datetime(2026, 3, 31, 20, 0, tzinfo=dt.UTC)
    ctx = _context(_task({}, span=Q2), _task({}, span=Q1), at=at)
    assert (ctx.compound, ctx.at, ctx.today) == (COMPOUND, at, dt.date(2026, 4, 1))
    assert (ctx.low, ctx.high) == (Q1[0], Q2[1])
    assert len(ctx.tasks) == 2


@pytest.mark.django_db  # the site's time zone
def test_meetings_are_counted_once_per_kinds_and_period(monkeypatch):
    """党 第1条 "每月至少召开1次…会议" and the like: every item asking the same kinds for the same
    period shares one count; another period or other kinds is another count, for exactly
    that period's days (00:00 of the first to 00:00 after the last, China time)."""
    counts = {("joint", "party"): 2}
    fake = _Calls(
        lambda compound, kinds, start, end: counts.get(tuple(kinds)) if start.month == 1 else 5
    )
    monkeypatch.setattr(engine.evidence, "meeting_count", fake)
    ctx = _context(_task({}), _task({}, span=Q2))
    assert ctx.meeting_count(["party", "joint"], *Q1) == 2
    assert ctx.meeting_count(["joint", "party"], *Q1) == 2
    assert len(fake.calls) == 1
    assert fake.calls[0] == {
        "compound": COMPOUND,
        "kinds": ["joint", "party"],
        "start": dt.datetime(2026, 1, 1, tzinfo=CN),
        "end": dt.datetime(2026, 4, 1, tzinfo=CN),
    }
    assert ctx.meeting_count(["joint", "party"], *Q2) == 5
    assert ctx.meeting_count(["study"], *Q1) is None  # the meetings module has no such count
    assert ctx.meeting_count(["study"], *Q1) is None
    assert len(fake.calls) == 3


@pytest.mark.django_db  # the site's time zone
def test_satisfaction_is_read_once_per_organization_and_year(monkeypatch):
    """物 第4条 "满意度低于60%的委员主动辞职": one evaluation result per organization and year,
    also when there is none yet."""
    fake = _Calls(
        lambda compound, organization, year: {(10, 2026): 72.5}.get((organization.pk, year))
    )
    monkeypatch.setattr(engine.evidence, "evaluation_satisfaction", fake)
    ctx = _context(_task({}))
    assert ctx.satisfaction(ORG, 2026) == 72.5
    assert ctx.satisfaction(ORG, 2026) == 72.5
    assert fake.calls == [{"compound": COMPOUND, "organization": ORG, "year": 2026}]
    assert ctx.satisfaction(ORG, 2025) is None
    assert ctx.satisfaction(ORG, 2025) is None
    assert ctx.satisfaction(SimpleNamespace(pk=11), 2026) is None
    assert len(fake.calls) == 3


@pytest.mark.django_db  # the site's time zone
def test_disclosure_compliance_is_read_once_for_the_whole_window(monkeypatch):
    """公示承诺制度 第二条: one compliance reading covers every period asked, from the first
    day of the earliest to the last day of the latest."""
    rows = [SimpleNamespace(category="public_revenue")]
    fake = _Calls(rows)
    monkeypatch.setattr(engine.evidence, "schedule_compliance", fake)
    ctx = _context(_task({}, span=Q2), _task({}))
    assert ctx.compliance() is rows
    assert ctx.compliance() is rows
    assert fake.calls == [{"compound": COMPOUND, "start": Q1[0], "end": Q2[1]}]


@pytest.mark.django_db  # the site's time zone
def test_complaint_shares_are_read_for_the_deadline_items_periods_only(monkeypatch):
    """党 第3条 "承诺48小时内响应业主诉求": the complaint clocks are read once, for the periods of
    the complaint-rate items (not the other items'), as they stand at the evaluation moment."""
    fake = _Calls({"shares": 1})
    monkeypatch.setattr(engine, "complaint_deadline_shares", fake)
    ctx = _context(_task({}, RuleKind.DEADLINE_RATE), _task({}, span=Q2))
    assert ctx.complaint_shares() == {"shares": 1}
    assert ctx.complaint_shares() == {"shares": 1}
    assert fake.calls == [
        {"compound": COMPOUND, "periods": {engine._span(*Q1)}, "now": ctx.at},
    ]


@pytest.mark.django_db  # the site's time zone
def test_concentrated_demands_are_read_once_over_the_one_off_windows(monkeypatch):
    """物 第7条 "上任3个月内推动解决1-2项业主集中诉求": the demands resolved from the earliest
    one-off window's first day to the latest one's end, with two reporters or more (an item
    may ask for two; the rule keeps those with enough reporters)."""
    fake = _Calls([{"pk": 1}])
    monkeypatch.setattr(engine, "concentrated_demands_resolved", fake)
    first = (dt.date(2026, 2, 10), dt.date(2026, 5, 10))
    second = (dt.date(2026, 3, 1), dt.date(2026, 6, 1))
    ctx = _context(
        _task({}, RuleKind.ONE_OFF_BY_DATE, span=second),
        _task({}, RuleKind.ONE_OFF_BY_DATE, span=first),
        _task({}, span=(dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
    )
    assert ctx.concentrated() == [{"pk": 1}]
    assert ctx.concentrated() == [{"pk": 1}]
    assert fake.calls == [
        {
            "compound": COMPOUND,
            "start": dt.datetime(2026, 2, 10, tzinfo=CN),
            "end": dt.datetime(2026, 6, 2, tzinfo=CN),
            "min_reporters": 2,
        }
    ]


# --- one compound's pass: results, status events, alarms (stored by _save) ------------------


def _pass_world():
    """Unsaved model objects: a compound, its PMC with a letter and one quarterly item."""
    from huashan.directory.models import Compound, Organization
    from pledges.models import PledgeItem, PledgeLetter

    compound = Compound(pk=7, name="华山小区")
    pmc = Organization(pk=20, name="物业管理委员会", kind="pmc", compound=compound)
    party = Organization(pk=21, name="小区党支部", kind="compound_party", compound=compound)
    letter = PledgeLetter(pk=3, compound=compound, organization=pmc, year=2026)
    item = PledgeItem(pk=4, letter=letter, number=9, text="问题整改率达90%以上", warn_lead_days=7)
    return SimpleNamespace(compound=compound, pmc=pmc, party=party, letter=letter, item=item)


class _Party:
    """``Organization.objects.filter(compound=…, kind=…).first()``, counted."""

    def __init__(self, party):
        self.party = party
        self.asked = []
        self.objects = self

    def filter(self, **kwargs):
        self.asked.append(kwargs)
        return self

    def first(self):
        return self.party


def _run_pass(monkeypatch, world, outcomes, today, *, existing=None, party="party", params=None):
    """One ``_evaluate_compound`` over the item's tasks (one per outcome, quarter by quarter),
    with the rule answering ``outcomes``; returns what it would store."""
    spans = [Q1, Q2]
    tasks = [
        engine.Task(world.item, 0, RuleKind.ATTESTED, params or {}, *spans[i])
        for i in range(len(outcomes))
    ]
    answers = {task.start: outcome for task, outcome in zip(tasks, outcomes, strict=True)}
    monkeypatch.setitem(engine.RULES, RuleKind.ATTESTED, lambda task, ctx: answers[task.start])
    lookup = _Party(getattr(world, party) if party else None)
    monkeypatch.setattr(engine, "Organization", lookup)
    saved = {}
    monkeypatch.setattr(engine, "_save", lambda ctx, report, token, **kw: saved.update(kw))
    ctx = SimpleNamespace(
        compound=world.compound,
        tasks=tasks,
        today=today,
        at=dt.datetime.combine(today, dt.time(12, 0), tzinfo=CN),
    )
    report = engine.EvaluationReport(at=ctx.at)
    engine._evaluate_compound(ctx, existing or {}, report, "token")
    return SimpleNamespace(report=report, lookup=lookup, **saved)


def test_a_first_result_is_stored_with_a_public_status_event(monkeypatch):
    """公示承诺制度 第四条 "建立承诺履诺监督管理…接受业主监督": a result's status change is a
    public event naming what is measured and the period; not final while the period runs."""
    world = _pass_world()
    out = _run_pass(
        monkeypatch,
        world,
        [engine.Outcome(S.ON_TRACK, {"percent": 95.0})],
        dt.date(2026, 2, 1),
        params={"label": "整改率"},
    )
    [row] = out.new_rows
    assert (row.item, row.label, row.period_start, row.period_end) == (world.item, "整改率", *Q1)
    assert (row.status, row.figures, row.final) == (S.ON_TRACK, {"percent": 95.0}, False)
    assert out.changed == []
    [event] = out.events
    assert (event.compound, event.letter, event.item) == (world.compound, world.letter, world.item)
    assert (event.verb, event.from_state, event.to_state) == ("period_status", "", S.ON_TRACK)
    assert event.note == "整改率 2026-01-01–2026-03-31"
    assert event.public is True
    assert out.alarms == []
    [line] = out.report.rows
    assert (line.compound, line.label, line.status, line.final) == (
        world.compound,
        "整改率",
        S.ON_TRACK,
        False,
    )


def test_without_a_label_the_event_names_the_period_only(monkeypatch):
    """The measure's label is optional: the note is then just the period."""
    world = _pass_world()
    out = _run_pass(monkeypatch, world, [engine.Outcome(S.ON_TRACK, {})], dt.date(2026, 2, 1))
    assert out.new_rows[0].label == ""
    assert out.events[0].note == "2026-01-01–2026-03-31"


def test_a_result_is_final_only_after_the_last_day_and_when_settled(monkeypatch):
    """ "每季度": on 31 March the quarter still runs; from 1 April a settled result is final,
    one with a complaint clock still running is not."""
    world = _pass_world()
    settled = engine.Outcome(S.MET, {})
    pending = engine.Outcome(S.MET, {}, settled=False)
    assert _run_pass(monkeypatch, world, [settled], Q1[1]).new_rows[0].final is False
    assert _run_pass(monkeypatch, world, [settled], dt.date(2026, 4, 1)).new_rows[0].final is True
    assert _run_pass(monkeypatch, world, [pending], dt.date(2026, 4, 1)).new_rows[0].final is False


def test_a_stored_result_is_updated_and_an_event_only_when_its_status_changes(monkeypatch):
    """A status change is recorded once: the same status again is no new event; a stored
    result is updated in place, not stored twice."""
    from pledges.models import PeriodResult

    world = _pass_world()

    def stored(status):
        row = PeriodResult(
            item=world.item, measure=0, period_start=Q1[0], period_end=Q1[1], status=status
        )
        row.figures, row.evidence, row.final, row.label = {}, [], False, ""
        return {(world.item.pk, 0, Q1[0]): row}

    same = _run_pass(
        monkeypatch,
        world,
        [engine.Outcome(S.ON_TRACK, {})],
        dt.date(2026, 2, 1),
        existing=stored(S.ON_TRACK),
    )
    assert (same.new_rows, same.changed, same.events) == ([], [], [])
    moved_existing = stored(S.ON_TRACK)
    moved = _run_pass(
        monkeypatch,
        world,
        [engine.Outcome(S.AT_RISK, {"count": 0})],
        dt.date(2026, 3, 30),
        existing=moved_existing,
    )
    assert moved.new_rows == []
    assert moved.changed == list(moved_existing.values())
    assert moved.changed[0].status == S.AT_RISK
    [event] = moved.events
    assert (event.from_state, event.to_state) == (S.ON_TRACK, S.AT_RISK)


def test_a_warning_goes_to_the_responsible_body_in_the_lead_days_only(monkeypatch):
    """A pledge at risk is warned "warn_lead_days" (7) before its quarter ends, to the body
    that promised it: 6 days left warns, 7 days left does not, nor does an item on track."""
    world = _pass_world()
    at_risk = engine.Outcome(S.AT_RISK, {})
    [alarm] = _run_pass(monkeypatch, world, [at_risk], dt.date(2026, 3, 25)).alarms
    assert (alarm.item, alarm.measure, alarm.period_start) == (world.item, 0, Q1[0])
    assert (alarm.kind, alarm.organization, alarm.run_token) == ("due_soon", world.pmc, "token")
    assert alarm.created_at == dt.datetime(2026, 3, 25, 12, 0, tzinfo=CN)
    assert _run_pass(monkeypatch, world, [at_risk], dt.date(2026, 3, 24)).alarms == []
    on_track = engine.Outcome(S.ON_TRACK, {})
    assert _run_pass(monkeypatch, world, [on_track], dt.date(2026, 3, 25)).alarms == []


def test_a_miss_goes_to_the_compound_party_organization_once_final(monkeypatch):
    """公示承诺制度 第四条 "强化承诺与履诺监督管理": a missed pledge is reported to the compound
    party organization (looked up once per compound), only once the result is final; a met
    one is not reported."""
    world = _pass_world()
    missed = engine.Outcome(S.MISSED, {})
    out = _run_pass(monkeypatch, world, [missed, missed], dt.date(2026, 7, 1))
    assert [(a.kind, a.organization, a.period_start) for a in out.alarms] == [
        ("overdue", world.party, Q1[0]),
        ("overdue", world.party, Q2[0]),
    ]
    assert out.lookup.asked == [{"compound": world.compound, "kind": "compound_party"}]
    unsettled = engine.Outcome(S.MISSED, {}, settled=False)
    assert _run_pass(monkeypatch, world, [unsettled], dt.date(2026, 4, 1)).alarms == []
    met = engine.Outcome(S.MET, {})
    assert _run_pass(monkeypatch, world, [met], dt.date(2026, 4, 1)).alarms == []


def test_a_miss_without_a_party_organization_goes_to_the_responsible_body(monkeypatch):
    """A compound with no party organization yet: the miss still reaches someone."""
    world = _pass_world()
    out = _run_pass(
        monkeypatch, world, [engine.Outcome(S.MISSED, {})], dt.date(2026, 4, 1), party=None
    )
    assert [(a.kind, a.organization) for a in out.alarms] == [("overdue", world.pmc)]


# --- the alarm notices --------------------------------------------------------------------


def test_alarm_notices_one_per_organization_and_kind_listing_the_items(monkeypatch):
    """A warning names the items at risk before the period ends to their body; a miss notice
    names the missed ones (to the compound party organization), one message each."""
    from django.utils import translation

    from pledges.models import PledgeAlarm, PledgeItem

    world = _pass_world()
    unnumbered = PledgeItem(pk=5, letter=world.letter, number=None, text="定" * 40)
    headed = PledgeItem(pk=6, letter=world.letter, number=2, heading="按时公示", text="每月公示")

    def alarm(item, kind, organization, start):
        return PledgeAlarm(item=item, kind=kind, organization=organization, period_start=start)

    alarms = [
        alarm(world.item, "due_soon", world.pmc, Q1[0]),
        alarm(world.item, "overdue", world.party, Q1[0]),
        alarm(unnumbered, "due_soon", world.pmc, Q2[0]),
        alarm(headed, "due_soon", world.pmc, Q1[0]),
    ]
    sent = []
    monkeypatch.setattr(
        engine,
        "notify_organization",
        lambda org, **kw: sent.append((org, kw["subject"], kw["body"])),
    )
    with translation.override("en"):
        engine._notify_alarms(alarms, None)
    assert sent == [
        (
            world.pmc,
            "3 pledge items at risk before the period ends",
            "9 问题整改率达90%以上 (2026-01-01)\n"
            f" {'定' * 30} (2026-04-01)\n"
            "2 按时公示 (2026-01-01)",
        ),
        (world.party, "1 pledge items missed", "9 问题整改率达90%以上 (2026-01-01)"),
    ]
