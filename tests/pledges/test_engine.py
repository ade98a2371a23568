"""The compliance engine: every rule kind at month / quarter / half-year / year boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from pledges.engine import evaluate, periods_for
from pledges.models import Activity, Inspection, PeriodResult, PledgeAlarm, RuleKind
from tests.factories.issues import IssueFactory
from tests.factories.pledges import (
    ActivityFactory,
    AttestationFactory,
    FindingFactory,
    InspectionFactory,
    PledgeItemFactory,
    pledge_world,
)
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db

YEAR = 2026
# period_months -> (first period start, first period last day)
BOUNDARIES = {
    1: (dt.date(YEAR, 1, 1), dt.date(YEAR, 1, 31)),
    3: (dt.date(YEAR, 1, 1), dt.date(YEAR, 3, 31)),
    6: (dt.date(YEAR, 1, 1), dt.date(YEAR, 6, 30)),
    12: (dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)),
}


def result(item, start, measure=0) -> PeriodResult:
    return PeriodResult.objects.get(item=item, measure=measure, period_start=start)


def noon(day: dt.date) -> dt.datetime:
    return at(day.year, day.month, day.day, 12)


def count_item(world, months, *, kinds=("study",), min_count=1, **extra):
    params = {
        "source": "activity",
        "kinds": list(kinds),
        "min_count": min_count,
        "per_member": False,
        "period_months": months,
        **extra,
    }
    return PledgeItemFactory(letter=world.letter, params=params, warn_lead_days=7)


def test_periods_are_calendar_aligned():
    assert periods_for(period_months=3, year=2026) == [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
    ]
    assert periods_for(period_months=1, year=2024)[1] == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


@pytest.mark.parametrize("months", [1, 3, 6, 12])
def test_count_per_period_on_track_at_risk_missed_at_boundaries(freeze, months):
    start, end = BOUNDARIES[months]
    freeze(noon(start))
    world = pledge_world(year=YEAR)
    item = count_item(world, months, min_count=2)

    freeze(noon(end - dt.timedelta(days=10)))
    ActivityFactory(organization=world.party, kind=Activity.Kind.STUDY, held_on=start)
    evaluate()
    assert result(item, start).status == "on_track"
    assert result(item, start).figures["count"] == 1

    freeze(noon(end - dt.timedelta(days=2)))
    evaluate()
    assert result(item, start).status == "at_risk"
    assert not result(item, start).final

    # The last second of the period still belongs to it; one minute later it is closed.
    freeze(at(end.year, end.month, end.day, 23, 59))
    evaluate()
    assert result(item, start).status == "at_risk"
    next_day = end + dt.timedelta(days=1)
    freeze(at(next_day.year, next_day.month, next_day.day, 0, 1))
    evaluate()
    row = result(item, start)
    assert (row.status, row.final) == ("missed", True)


@pytest.mark.parametrize("months", [1, 3, 6, 12])
def test_count_per_period_met_at_boundary(freeze, months):
    start, end = BOUNDARIES[months]
    freeze(noon(start))
    world = pledge_world(year=YEAR)
    item = count_item(world, months, min_count=2)
    freeze(at(end.year, end.month, end.day, 20))
    ActivityFactory(organization=world.party, kind=Activity.Kind.STUDY, held_on=start)
    ActivityFactory(organization=world.party, kind=Activity.Kind.STUDY, held_on=end)
    # Another kind and the next period do not count.
    ActivityFactory(organization=world.party, kind=Activity.Kind.TRAINING, held_on=end)
    evaluate()
    assert result(item, start).status == "met"
    next_day = end + dt.timedelta(days=1)
    freeze(noon(next_day))
    evaluate()
    row = result(item, start)
    assert (row.status, row.final, row.figures["count"]) == ("met", True, 2)


def test_per_member_volunteer_rule_counts_each_party_member(freeze):
    freeze(noon(dt.date(YEAR, 1, 5)))
    world = pledge_world(year=YEAR)
    from tests.factories.directory import MembershipFactory

    second = MembershipFactory(organization=world.party, role="member").person
    item = PledgeItemFactory(
        letter=world.letter,
        params={
            "source": "activity",
            "kinds": ["volunteer"],
            "min_count": 1,
            "per_member": True,
            "period_months": 3,
        },
    )
    ActivityFactory(
        organization=world.party, kind="volunteer", participants=[world.party_secretary]
    )
    freeze(noon(dt.date(YEAR, 4, 1)))
    evaluate()
    row = result(item, dt.date(YEAR, 1, 1))
    assert row.status == "missed"
    assert (row.figures["members"], row.figures["members_met"]) == (2, 1)
    # A new quarter: both take part → met.
    ActivityFactory(
        organization=world.party,
        kind="volunteer",
        held_on=dt.date(YEAR, 4, 1),
        participants=[world.party_secretary, second],
    )
    evaluate()
    assert result(item, dt.date(YEAR, 4, 1)).status == "met"


def _rate_item(world, months, **params):
    return PledgeItemFactory(
        letter=world.letter,
        rule_kind=RuleKind.DEADLINE_RATE,
        params={"clocks": ["response"], "threshold": 90, "period_months": months, **params},
    )


@pytest.mark.parametrize("months", [1, 3, 6, 12])
def test_48_hour_rule_from_real_complaints(freeze, months):
    start, end = BOUNDARIES[months]
    freeze(noon(start))
    world = pledge_world(year=YEAR)
    item = _rate_item(world, months)
    created = noon(start)
    # 9 answered in time, 1 answered late: 90 % → met; a pending one does not count yet.
    for n in range(10):
        IssueFactory(
            compound=world.compound,
            created_at=created,
            accepted_at=created + dt.timedelta(hours=47 if n < 9 else 49),
        )
    freeze(noon(end - dt.timedelta(days=1)))
    IssueFactory(compound=world.compound, created_at=noon(end - dt.timedelta(days=1)))
    evaluate()
    row = result(item, start)
    assert row.status == "on_track"
    assert row.figures["response"] == {"decided": 10, "in_time": 9, "pending": 1, "percent": 90.0}
    # One more late answer drops it below 90 %: at risk while the period runs …
    IssueFactory(
        compound=world.compound, created_at=created, accepted_at=created + dt.timedelta(hours=60)
    )
    evaluate()
    assert result(item, start).status == "at_risk"
    # … and missed once the period is over and no clock is running any more.
    freeze(noon(end + dt.timedelta(days=3)))
    evaluate()
    row = result(item, start)
    assert (row.status, row.final) == ("missed", True)
    assert row.figures["response"]["decided"] == 12


def test_rate_result_stays_open_while_a_clock_runs_past_period_end(freeze):
    start = BOUNDARIES[1][0]
    freeze(at(YEAR, 1, 31, 22))
    world = pledge_world(year=YEAR)
    item = _rate_item(world, 1)
    IssueFactory(compound=world.compound, created_at=at(YEAR, 1, 31, 22))
    freeze(at(YEAR, 2, 1, 10))
    evaluate()
    row = result(item, start)
    assert (row.status, row.final) == ("met", False)  # nothing decided yet
    freeze(at(YEAR, 2, 3, 10))  # 48 h passed without an answer
    evaluate()
    row = result(item, start)
    assert (row.status, row.final) == ("missed", True)


def test_hazard_clock_uses_is_hazard_complaints_only(freeze):
    freeze(noon(dt.date(YEAR, 1, 2)))
    world = pledge_world(year=YEAR)
    item = _rate_item(world, 3, clocks=["hazard"], threshold=100)
    created = noon(dt.date(YEAR, 1, 2))
    IssueFactory(
        compound=world.compound,
        created_at=created,
        is_hazard=True,
        hazard_due=created + dt.timedelta(days=3),
        resolved_at=created + dt.timedelta(days=4),
        status="resolved",
    )
    IssueFactory(compound=world.compound, created_at=created)  # not a hazard
    freeze(noon(dt.date(YEAR, 4, 2)))
    evaluate()
    row = result(item, dt.date(YEAR, 1, 1))
    assert row.status == "missed"
    assert row.figures["hazard"]["decided"] == 1


def _findings_item(world, months, measure="findings_rectified", threshold=90):
    return PledgeItemFactory(
        letter=world.letter,
        rule_kind=RuleKind.RATE_THRESHOLD,
        params={
            "measure": measure,
            "inspection_kinds": ["monthly_service"],
            "threshold": threshold,
            "period_months": months,
        },
    )


@pytest.mark.parametrize("months", [1, 3, 6, 12])
def test_rate_threshold_findings_rectified(freeze, months):
    start, end = BOUNDARIES[months]
    freeze(noon(start))
    world = pledge_world(year=YEAR)
    item = _findings_item(world, months)
    inspection = InspectionFactory(organization=world.pmc, inspected_on=start)
    due = noon(start) + dt.timedelta(days=3)
    fixed = [FindingFactory(inspection=inspection, rectify_due=due) for _ in range(9)]
    late = FindingFactory(inspection=inspection, rectify_due=due)
    for finding in fixed:
        finding.fixed_at = noon(start) + dt.timedelta(days=1)
        finding.save()
    freeze(noon(end - dt.timedelta(days=1)) if months > 1 else noon(end))
    evaluate()
    assert result(item, start).status == "on_track"  # 9 / 10 = 90 %
    other = InspectionFactory(organization=world.pmc, inspected_on=start)
    FindingFactory(inspection=other, rectify_due=due)
    evaluate()
    assert result(item, start).status == "at_risk"  # 9 / 11
    freeze(noon(end + dt.timedelta(days=1)))
    evaluate()
    assert result(item, start).status == "missed"
    assert result(item, start).figures["percent"] == pytest.approx(81.8)
    assert late.fixed_at is None


def test_findings_fixed_on_time_met(freeze):
    freeze(noon(dt.date(YEAR, 1, 10)))
    world = pledge_world(year=YEAR)
    item = _findings_item(world, 3, measure="findings_fixed_on_time", threshold=100)
    inspection = InspectionFactory(
        organization=world.pmc,
        kind=Inspection.Kind.MONTHLY_SERVICE,
        inspected_on=dt.date(YEAR, 1, 10),
    )
    FindingFactory(
        inspection=inspection,
        rectify_due=at(YEAR, 1, 13, 23, 59),
        fixed_at=at(YEAR, 1, 12, 9),
    )
    freeze(noon(dt.date(YEAR, 4, 1)))
    evaluate()
    assert result(item, dt.date(YEAR, 1, 1)).status == "met"


def _one_off_item(world):
    return PledgeItemFactory(
        letter=world.letter,
        rule_kind=RuleKind.ONE_OFF_BY_DATE,
        params={
            "start": f"{YEAR}-01-01",
            "due": f"{YEAR}-03-31",
            "months": 3,
            "min_count": 1,
            "min_reporters": 2,
        },
        warn_lead_days=14,
    )


def test_one_off_by_date_on_track_at_risk_missed(freeze):
    freeze(noon(dt.date(YEAR, 1, 2)))
    world = pledge_world(year=YEAR)
    item = _one_off_item(world)
    evaluate()
    assert result(item, dt.date(YEAR, 1, 1)).status == "on_track"
    freeze(noon(dt.date(YEAR, 3, 25)))
    evaluate()
    assert result(item, dt.date(YEAR, 1, 1)).status == "at_risk"
    freeze(noon(dt.date(YEAR, 4, 1)))
    evaluate()
    row = result(item, dt.date(YEAR, 1, 1))
    assert (row.status, row.final) == ("missed", True)


def test_one_off_by_date_met_by_concentrated_demand(freeze):
    from issues.models import MeToo

    freeze(noon(dt.date(YEAR, 1, 2)))
    world = pledge_world(year=YEAR)
    item = _one_off_item(world)
    issue = IssueFactory(
        compound=world.compound, status="resolved", resolved_at=noon(dt.date(YEAR, 2, 1))
    )
    single = IssueFactory(
        compound=world.compound, status="resolved", resolved_at=noon(dt.date(YEAR, 2, 1))
    )
    evaluate()
    assert result(item, dt.date(YEAR, 1, 1)).status == "on_track"  # one reporter each
    MeToo.objects.create(issue=issue, person=world.neighbour)
    evaluate()
    row = result(item, dt.date(YEAR, 1, 1))
    assert row.status == "met"
    assert [e["label"] for e in row.evidence] == [issue.tracking_number]
    assert single.tracking_number not in str(row.evidence)


def test_evaluation_threshold_from_attested_value(freeze):
    freeze(noon(dt.date(YEAR, 1, 2)))
    world = pledge_world(year=YEAR)
    item = PledgeItemFactory(
        letter=world.letter,
        rule_kind=RuleKind.EVALUATION_THRESHOLD,
        params={"threshold": 60, "period_months": 12},
    )
    freeze(noon(dt.date(YEAR, 12, 20)))
    evaluate()
    assert result(item, dt.date(YEAR, 1, 1)).status == "not_yet_due"
    AttestationFactory(item=item, period_start=dt.date(YEAR, 1, 1), value=55)
    evaluate()
    assert result(item, dt.date(YEAR, 1, 1)).status == "at_risk"
    freeze(noon(dt.date(YEAR + 1, 1, 1)))
    evaluate()
    row = result(item, dt.date(YEAR, 1, 1))
    assert (row.status, row.final, row.figures["percent"]) == ("missed", True, 55.0)


def test_evaluation_threshold_met(freeze):
    freeze(noon(dt.date(YEAR, 1, 2)))
    world = pledge_world(year=YEAR)
    item = PledgeItemFactory(
        letter=world.letter,
        rule_kind=RuleKind.EVALUATION_THRESHOLD,
        params={"threshold": 60, "period_months": 12},
    )
    AttestationFactory(item=item, period_start=dt.date(YEAR, 1, 1), value=60)
    freeze(noon(dt.date(YEAR + 1, 1, 1)))
    evaluate()
    assert result(item, dt.date(YEAR, 1, 1)).status == "met"


def test_attested_item(freeze):
    freeze(noon(dt.date(YEAR, 1, 2)))
    world = pledge_world(year=YEAR)
    item = PledgeItemFactory(
        letter=world.letter, rule_kind=RuleKind.ATTESTED, params={"period_months": 6}
    )
    freeze(noon(dt.date(YEAR, 7, 1)))
    evaluate()
    row = result(item, dt.date(YEAR, 1, 1))
    assert (row.status, row.final) == ("not_yet_due", False)
    AttestationFactory(item=item, period_start=dt.date(YEAR, 1, 1), judgement="missed")
    evaluate()
    row = result(item, dt.date(YEAR, 1, 1))
    assert (row.status, row.final, row.figures["judgement"]) == ("attested", True, "missed")


def test_disclosure_on_time_from_real_schedules(freeze):
    from disclosures.models import Cadence, Schedule
    from tests.factories.disclosures import DisclosureFactory, category

    freeze(noon(dt.date(YEAR, 1, 2)))
    world = pledge_world(year=YEAR)
    Schedule.objects.create(
        compound=world.compound,
        organization=world.pmc,
        category=category("public_revenue"),
        cadence=Cadence.MONTHLY,
        starts_on=dt.date(YEAR, 1, 1),
    )
    item = PledgeItemFactory(
        letter=world.letter,
        rule_kind=RuleKind.DISCLOSURE_ON_TIME,
        params={"categories": ["public_revenue"], "threshold": 100, "period_months": 3},
    )
    freeze(noon(dt.date(YEAR, 4, 20)))
    evaluate()
    row = result(item, dt.date(YEAR, 1, 1))
    assert row.status in ("missed", "not_yet_due")
    if row.status == "missed":
        assert row.figures["missing"] >= 1
    assert DisclosureFactory is not None


def test_closed_period_results_unchanged_after_item_edit(freeze):
    from pledges import services

    freeze(noon(dt.date(YEAR, 1, 2)))
    world = pledge_world(year=YEAR)
    item = count_item(world, 1, min_count=1)
    ActivityFactory(organization=world.party, kind="study", held_on=dt.date(YEAR, 1, 3))
    freeze(noon(dt.date(YEAR, 2, 10)))
    evaluate()
    january = result(item, dt.date(YEAR, 1, 1))
    assert (january.status, january.final) == ("met", True)
    # The rule is made stricter: January stays as computed, February uses the new rule.
    services.item_update(
        actor=world.party_secretary,
        item=item,
        text=item.text,
        rule_kind=item.rule_kind,
        params={**item.params, "min_count": 5},
    )
    evaluate()
    january.refresh_from_db()
    assert (january.status, january.figures["target"]) == ("met", 1)
    assert result(item, dt.date(YEAR, 2, 1)).figures["target"] == 5


def test_alarm_sent_once_across_repeated_runs(freeze):
    from huashan.notify.models import Notification

    freeze(noon(dt.date(YEAR, 1, 2)))
    world = pledge_world(year=YEAR)
    item = count_item(world, 1)
    freeze(noon(dt.date(YEAR, 1, 28)))
    for _ in range(3):
        evaluate()
    assert PledgeAlarm.objects.filter(item=item, kind="due_soon").count() == 1
    warned = Notification.objects.filter(recipient=world.party_secretary).count()
    assert warned == 1
    freeze(noon(dt.date(YEAR, 2, 1)))
    for _ in range(3):
        evaluate()
    assert PledgeAlarm.objects.filter(item=item, kind="overdue").count() == 1
    # The miss goes to the compound party organization (the secretary here): one more.
    assert Notification.objects.filter(recipient=world.party_secretary).count() == warned + 1


def test_miss_notifies_compound_party_org_for_pmc_item(freeze):
    from huashan.notify.models import Notification
    from tests.factories.pledges import PledgeLetterFactory

    freeze(noon(dt.date(YEAR, 1, 2)))
    world = pledge_world(year=YEAR)
    letter = PledgeLetterFactory(organization=world.pmc, compound=world.compound, year=YEAR)
    item = PledgeItemFactory(
        letter=letter,
        params={
            "source": "inspection",
            "kinds": ["monthly_service"],
            "min_count": 1,
            "per_member": False,
            "period_months": 1,
        },
    )
    freeze(noon(dt.date(YEAR, 2, 1)))
    evaluate()
    alarm = PledgeAlarm.objects.get(item=item, kind="overdue", period_start=dt.date(YEAR, 1, 1))
    assert alarm.organization == world.party
    assert Notification.objects.filter(recipient=world.party_secretary).exists()
    assert (
        Notification.objects.filter(recipient=world.people.pmc, subject__contains="missed").count()
        == 0
    )


def _items(world, n):
    kinds = ["study", "training", "volunteer"]
    for i in range(n):
        count_item(world, [1, 3, 12][i % 3], kinds=[kinds[i % 3]])
        _rate_item(world, 3)
        _findings_item(world, 3)


def test_engine_query_count_does_not_grow_with_items(freeze, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    freeze(noon(dt.date(YEAR, 1, 2)))
    small, large = pledge_world(year=YEAR), pledge_world(year=YEAR)
    _items(small, 2)
    _items(large, 12)
    freeze(noon(dt.date(YEAR, 5, 10)))

    def queries(world):
        PeriodResult.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            evaluate(compounds=[world.compound])
        return len(ctx.captured_queries)

    few, many = queries(small), queries(large)
    assert PeriodResult.objects.filter(item__letter=large.letter).count() > 40
    assert many == few
