"""Dashboard figures equal counts computed independently from the factories' data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import selectors
from dashboard.services import snapshot_refresh
from issues.models import Issue
from meetings.models import ActionItem, Meeting
from pledges.models import AccountabilityCase
from tests.factories.directory import CompoundFactory
from tests.factories.issues import IssueFactory, SatisfactionFactory
from tests.factories.meetings import ActionItemFactory, MeetingFactory
from tests.factories.pledges import AccountabilityCaseFactory

from .conftest import NOW, TZ

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)

# (tier, status, next_deadline offset from NOW, paused)
SPECS = [
    ("small", "submitted", -MINUTE, False),  # overdue by one minute
    ("small", "submitted", MINUTE, False),  # due in a minute: not overdue
    ("small", "in_progress", dt.timedelta(days=3), False),
    ("big", "transferred", -dt.timedelta(days=5), False),  # overdue
    ("big", "waiting_reporter", -dt.timedelta(days=5), True),  # paused: not overdue
    ("hard", "accepted", dt.timedelta(days=1), False),
    ("legacy", "in_progress", None, False),
    ("small", "resolved", None, False),  # not open
    ("small", "closed", None, False),  # not open
    ("big", "rejected", None, False),  # not open
]


def _issues(compound, specs=SPECS, created=None):
    made = []
    for i, (tier, status, offset, paused) in enumerate(specs):
        made.append(
            IssueFactory(
                compound=compound,
                tier=tier,
                status=status,
                created_at=created or NOW - dt.timedelta(days=10 + i),
                next_deadline=NOW + offset if offset is not None else None,
                paused_at=NOW - dt.timedelta(days=1) if paused else None,
            )
        )
    return made


def test_complaint_figures_match_independent_counts(world, other_world):
    _issues(world.compound)
    _issues(other_world.compound)  # must not leak into the first compound's figures
    board = selectors.compound_dashboard(compound=world.compound)

    open_specs = [s for s in SPECS if s[1] in Issue.OPEN_STATES]
    overdue = [s for s in open_specs if s[2] is not None and s[2] < dt.timedelta(0) and not s[3]]
    assert board.figures["complaints_open"].value == len(open_specs) == 7
    assert board.figures["complaints_overdue"].value == len(overdue) == 2
    assert len(board.oldest_overdue) == 2
    # Longest past deadline first.
    assert board.oldest_overdue[0].next_deadline == NOW - dt.timedelta(days=5)
    for row in board.complaints_by_tier:
        expected = {}
        for tier, status, _o, _p in open_specs:
            if tier == row.tier:
                expected[status] = expected.get(status, 0) + 1
        got = {c.key.rsplit(f"{row.tier}_", 1)[1]: c.value for c in row.cells if c.value}
        assert got == expected
        assert row.total.value == sum(expected.values())
    oldest_created = min(
        i.created_at
        for i in Issue.objects.filter(compound=world.compound, status__in=Issue.OPEN_STATES)
    )
    assert board.figures["complaints_oldest_days"].value == (NOW - oldest_created).days
    assert board.figures["complaints_open"].url.startswith("/issues/queue/")
    assert f"compound={world.compound.slug}" in board.figures["complaints_open"].url


def test_rates_this_month_vs_last_split_at_midnight(world):
    """A complaint filed at 24:00 of the last day of February (= 00:00 of 1 March) counts
    for March; one a second earlier for February."""
    last_second_feb = dt.datetime(2026, 2, 28, 23, 59, 59, tzinfo=TZ)
    midnight = dt.datetime(2026, 3, 1, 0, 0, tzinfo=TZ)
    feb = IssueFactory(
        compound=world.compound,
        status="closed",
        created_at=last_second_feb,
        accepted_at=last_second_feb + dt.timedelta(hours=1),
    )
    march = IssueFactory(
        compound=world.compound,
        status="closed",
        created_at=midnight,
        accepted_at=midnight + dt.timedelta(hours=60),  # answered late
    )
    SatisfactionFactory(issue=feb, solved=True, rating="satisfied")
    SatisfactionFactory(issue=march, solved=False, rating="dissatisfied")
    board = selectors.compound_dashboard(compound=world.compound)
    rates = {r.key: r for r in board.rates}
    assert rates["response_rate"].this_month.value == 0.0
    assert rates["response_rate"].last_month.value == 1.0
    assert rates["resolution_rate"].this_month.value == 0.0
    assert rates["satisfaction_rate"].last_month.value == 1.0
    assert rates["satisfaction_rate"].change == -1.0
    assert board.figures["complaints_open"].value == 0


def test_action_items_due_and_overdue_by_organization(world):
    meeting = MeetingFactory(compound=world.compound)
    pmc, company = world.orgs.pmc, world.orgs.property_company

    def item(org, due_at, status=ActionItem.Status.OPEN):
        return ActionItemFactory(
            meeting=meeting,
            responsible_organization=org,
            due_at=due_at,
            due_date=due_at.date(),
            status=status,
        )

    item(pmc, NOW - MINUTE)  # overdue by one minute
    item(pmc, NOW + MINUTE)  # due this month, not yet late
    item(pmc, NOW - dt.timedelta(days=40), ActionItem.Status.IN_PROGRESS)  # overdue
    item(company, NOW + dt.timedelta(days=5), ActionItem.Status.SUBMITTED)  # due
    item(company, NOW - dt.timedelta(days=2), ActionItem.Status.DONE)  # done: nothing
    item(company, NOW - dt.timedelta(days=2), ActionItem.Status.CANCELLED)  # cancelled
    item(company, dt.datetime(2026, 4, 1, 0, 0, tzinfo=TZ))  # next month: not due yet
    board = selectors.compound_dashboard(compound=world.compound)
    rows = {r.organization.pk: r for r in board.action_items}
    assert (rows[pmc.pk].due.value, rows[pmc.pk].overdue.value) == (1, 2)
    assert (rows[company.pk].due.value, rows[company.pk].overdue.value) == (1, 0)
    assert board.figures["action_items_due"].value == 2
    assert board.figures["action_items_overdue"].value == 2
    assert f"organization={pmc.pk}" in rows[pmc.pk].overdue.url
    assert "overdue=on" in rows[pmc.pk].overdue.url


def test_joint_meeting_cases_and_unknowns(world):
    board = selectors.compound_dashboard(compound=world.compound)
    assert board.joint_meeting.status == "none"
    assert board.figures["joint_meeting_held"].value is False
    assert board.figures["evaluation_score"].value is None
    assert board.figures["evaluation_score"].display == "—"

    MeetingFactory(compound=world.compound, start=NOW - dt.timedelta(days=40))  # February
    planned = MeetingFactory(
        compound=world.compound, start=NOW + dt.timedelta(days=9), status=Meeting.Status.DRAFT
    )
    board = selectors.compound_dashboard(compound=world.compound)
    assert board.joint_meeting.status == "scheduled"
    assert board.joint_meeting.meeting == planned
    held = MeetingFactory(compound=world.compound, start=NOW - dt.timedelta(days=2))
    AccountabilityCaseFactory(organization=world.orgs.pmc)
    AccountabilityCaseFactory(organization=world.orgs.pmc)
    AccountabilityCaseFactory(
        organization=world.orgs.pmc,
        status=AccountabilityCase.Status.DECIDED,
        outcome=AccountabilityCase.Outcome.WARNED,
        reasons="已整改。",
    )
    board = selectors.compound_dashboard(compound=world.compound)
    assert board.joint_meeting.status == "held"
    assert board.joint_meeting.figure.url == f"/meetings/{held.pk}/"
    assert board.figures["cases_open"].value == 2
    assert board.figures["disclosures_late"].value == 0
    assert board.figures["pledges_missed"].value == 0


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_compound_dashboard_queries_do_not_grow_with_data(world):
    meeting = MeetingFactory(compound=world.compound)
    _issues(world.compound)
    ActionItemFactory(meeting=meeting, responsible_organization=world.orgs.pmc)
    small = _queries(lambda: selectors.compound_dashboard(compound=world.compound))
    for _ in range(4):
        _issues(world.compound)
    for org in (world.orgs.pmc, world.orgs.property_company, world.orgs.residents_committee):
        ActionItemFactory.create_batch(3, meeting=meeting, responsible_organization=org)
    large = _queries(lambda: selectors.compound_dashboard(compound=world.compound))
    assert small == large
    assert large <= 30


def test_comparison_is_constant_in_queries_and_matches_live_figures(world, other_world):
    _issues(world.compound)
    _issues(other_world.compound, SPECS[:3])
    compounds = [world.compound, other_world.compound]
    for compound in compounds:
        snapshot_refresh(compound=compound)
    group = selectors.group_compounds(community=world.compound.community)
    two = _queries(lambda: selectors.group_comparison(compounds=group.all()))

    more = [CompoundFactory(community=world.compound.community) for _ in range(4)]
    for compound in more:
        _issues(compound, SPECS[:2])
        snapshot_refresh(compound=compound)
    six = _queries(lambda: selectors.group_comparison(compounds=group.all()))
    # The compounds, every roll-up row at once, and the two live reads (LIVE_KEYS).
    assert two == six == 4

    comparison = selectors.group_comparison(
        compounds=group.all(), sort="complaints_open", descending=True
    )
    assert len(comparison.rows) == 6
    assert comparison.rows[0].compound == world.compound
    for row in comparison.rows:
        live = selectors.compound_dashboard(compound=row.compound).values()
        assert row.values == live
    assert len(comparison.months) == 12
    assert comparison.months[-1] == dt.date(2026, 3, 1)
    filed = {s.compound.pk: s.values[-1] for s in comparison.trends["complaints_filed"]}
    # The issues were filed in late February / early March (NOW - 10..19 days).
    in_march = sum(1 for i in range(len(SPECS)) if (NOW - dt.timedelta(days=10 + i)).month == 3)
    assert filed[world.compound.pk] == in_march


def test_comparison_lists_compounds_without_roll_up(world, other_world):
    comparison = selectors.group_comparison(compounds=[world.compound, other_world.compound])
    assert comparison.missing == [world.compound, other_world.compound]
    values = comparison.rows[0].values
    assert all(v is None for k, v in values.items() if k not in selectors.LIVE_KEYS)
    assert comparison.rows[0].display("response_rate") == "—"
    # Read live whatever the roll-up (issue 13 item 7).
    assert {k: values[k] for k in selectors.LIVE_KEYS} == {
        "action_items_due": 0,
        "action_items_overdue": 0,
        "joint_meeting_held": False,
    }
    # An unknown sort key is ignored, not an error.
    assert selectors.group_comparison(compounds=[world.compound], sort="x; DROP").sort == ""


@pytest.mark.parametrize(
    ("code", "start", "end", "kind"),
    [
        ("2026H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "half_year"),
        ("2026h2", dt.date(2026, 7, 1), dt.date(2026, 12, 31), "half_year"),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "year"),
    ],
)
def test_period_parse(code, start, end, kind):
    period = selectors.period_parse(code)
    assert (period.start, period.end, period.kind) == (start, end, kind)


@pytest.mark.parametrize("code", ["", "2026H3", "26H1", "2026Q1", "x" * 5000, "1999", "<b>"])
def test_period_parse_rejects_bad_input(code):
    with pytest.raises(ValueError, match="2026H1"):
        selectors.period_parse(code)


def _february_row(world, *, computed_at, rates):
    from dashboard.models import CompoundSnapshot

    return CompoundSnapshot.objects.create(
        compound=world.compound,
        month=dt.date(2026, 2, 1),
        figures={"trend": {"complaints_filed": 4, **rates}},
        computed_at=computed_at,
    )


def test_last_month_rates_come_from_its_final_roll_up_row(world):
    """A roll-up row computed after February ended holds February's rates: the dashboard
    reads them there (the trend shows the same figures) instead of counting February."""
    feb = IssueFactory(
        compound=world.compound,
        status="closed",
        created_at=dt.datetime(2026, 2, 10, 9, 0, tzinfo=TZ),
        accepted_at=dt.datetime(2026, 2, 10, 10, 0, tzinfo=TZ),
    )
    SatisfactionFactory(issue=feb, solved=True, rating="satisfied")
    _february_row(
        world,
        computed_at=dt.datetime(2026, 3, 1, 0, 5, tzinfo=TZ),
        rates={"response_rate": 0.75, "resolution_rate": 0.5, "satisfaction_rate": None},
    )
    rates = {r.key: r for r in selectors.compound_dashboard(compound=world.compound).rates}
    assert rates["response_rate"].last_month.value == 0.75
    assert rates["resolution_rate"].last_month.value == 0.5
    assert rates["satisfaction_rate"].last_month.value is None


def test_last_month_rates_are_live_while_its_roll_up_row_predates_the_month_end(world):
    feb = IssueFactory(
        compound=world.compound,
        status="closed",
        created_at=dt.datetime(2026, 2, 10, 9, 0, tzinfo=TZ),
        accepted_at=dt.datetime(2026, 2, 10, 10, 0, tzinfo=TZ),
    )
    SatisfactionFactory(issue=feb, solved=True, rating="satisfied")
    _february_row(
        world,
        computed_at=dt.datetime(2026, 2, 28, 23, 59, tzinfo=TZ),  # before February ended
        rates={"response_rate": 0.25, "resolution_rate": 0.0, "satisfaction_rate": 0.0},
    )
    rates = {r.key: r for r in selectors.compound_dashboard(compound=world.compound).rates}
    assert rates["response_rate"].last_month.value == 1.0
    assert rates["resolution_rate"].last_month.value == 1.0
    assert rates["satisfaction_rate"].last_month.value == 1.0


def test_open_tally_index_covers_exactly_the_open_states():
    """The compound dashboard's open-complaint tally reads the partial index of migration
    dashboard 0002; PostgreSQL uses it only while its states are the query's."""
    import importlib

    migration = importlib.import_module("dashboard.migrations.0002_issue_open_tally_index")
    assert tuple(migration.OPEN_STATES) == tuple(Issue.OPEN_STATES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [migration.INDEX])
        (definition,) = cursor.fetchone()
    assert "INCLUDE (id, created_at, next_deadline, paused_at, is_hazard)" in definition
