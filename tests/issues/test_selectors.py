"""Selectors: public board, queues, similarity, tracking look-up, the three rates.

seed: 公示承诺制度 第一条 (progress is public); 评议监督考核制度 第四条 (受理及解决情况).
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from issues import selectors, services
from issues.models import Category, Issue, Satisfaction
from tests.factories.issues import (
    IssueEventFactory,
    IssueFactory,
    ReferralFactory,
    SatisfactionFactory,
    WhistleFactory,
    WhistleSummonsFactory,
)
from tests.factories.world import compound_world

CN = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(db):
    return compound_world()


def test_public_board_hides_private_and_merged_and_shows_last_public_note(world):
    public = IssueFactory(compound=world.compound)
    IssueEventFactory(issue=public, note="内部", public=False)
    IssueEventFactory(issue=public, note="已派维修工", public=True)
    IssueFactory(compound=world.compound, is_public=False)
    IssueFactory(compound=world.compound, status=Issue.Status.MERGED)
    IssueFactory()  # another compound
    board = list(selectors.issue_public_board(compound=world.compound))
    assert board == [public]
    assert board[0].last_public_note == "已派维修工"


def test_public_board_filters(world):
    greening = Category.objects.get(code="greening")
    a = IssueFactory(compound=world.compound, category=greening, tier="big")
    b = IssueFactory(compound=world.compound, building=world.building, status="accepted")
    assert list(selectors.issue_public_board(compound=world.compound, category=greening)) == [a]
    assert list(selectors.issue_public_board(compound=world.compound, tier="big")) == [a]
    assert list(selectors.issue_public_board(compound=world.compound, status="accepted")) == [b]
    assert list(selectors.issue_public_board(compound=world.compound, building=world.building)) == [
        b
    ]
    assert (
        selectors.issue_public_detail(
            compound=world.compound, tracking_number=a.tracking_number.lower()
        )
        == a
    )


def test_public_timeline_only_public_events(world):
    issue = IssueFactory(compound=world.compound)
    IssueEventFactory(issue=issue, public=False, note="内部")
    shown = IssueEventFactory(issue=issue, public=True, note="公开")
    assert list(selectors.issue_public_timeline(issue=issue)) == [shown]


def test_similar_open_uses_trigrams_on_chinese_text(world):
    """issue 3 §1: show open issues that look the same before submitting."""
    env = Category.objects.get(code="environment")
    same = IssueFactory(
        compound=world.compound, category=env, description="3栋楼道垃圾堆放很久没人清理，有异味"
    )
    IssueFactory(compound=world.compound, category=env, description="小区门口的路灯坏了")
    IssueFactory(
        compound=world.compound,
        category=env,
        description="3栋楼道垃圾堆放很久没人清理",
        status=Issue.Status.CLOSED,
    )
    IssueFactory(
        compound=world.compound,
        category=env,
        description="3栋楼道垃圾堆放很久没人清理",
        is_public=False,
    )
    found = selectors.issue_similar_open(
        compound=world.compound, category=env, description="楼道垃圾很久没人清理"
    )
    assert found == [same]


def test_find_by_tracking_needs_the_right_code(world):
    result = services.issue_submit(
        actor=None,
        compound=world.compound,
        category=Category.objects.get(code="noise"),
        description="晚上11点后装修噪音",
        location_text="5栋",
        reporter_phone="13912345678",
        client_key=str(uuid.uuid4()),
    )
    number = result.issue.tracking_number
    assert selectors.issue_find_by_tracking(tracking_number=number, code=result.tracking_code)
    assert selectors.issue_find_by_tracking(tracking_number=number, code="AAAAAAAAAA") is None
    assert selectors.issue_find_by_tracking(tracking_number=number, code="") is None
    assert (
        selectors.issue_find_by_tracking(tracking_number="HS-2000-999999", code="AAAAAAAAAA")
        is None
    )
    # A logged-in reporter's issue has no code: nothing matches it.
    own = IssueFactory(compound=world.compound)
    assert selectors.issue_find_by_tracking(tracking_number=own.tracking_number, code="") is None


def test_queue_for_org_sorted_by_deadline_nulls_last_and_overdue_flag(world):
    now = timezone.now()
    org = world.orgs.property_company
    later = IssueFactory(compound=world.compound, assigned_org=org, status="transferred")
    later.next_deadline = now + dt.timedelta(days=3)
    later.save()
    overdue = IssueFactory(
        compound=world.compound,
        assigned_org=org,
        status="in_progress",
        next_deadline=now - dt.timedelta(hours=1),
    )
    none = IssueFactory(
        compound=world.compound, assigned_org=org, status="resolved", next_deadline=None
    )
    referred = IssueFactory(compound=world.compound, next_deadline=now + dt.timedelta(days=1))
    ReferralFactory(issue=referred, organization=org)
    IssueFactory(compound=world.compound)  # not transferred to the company
    queue = list(selectors.issue_queue_for_org(organization=org))
    assert queue == [overdue, referred, later, none]
    assert [i.is_overdue for i in queue] == [True, False, False, False]
    assert list(selectors.issue_queue_for_org(organization=org, overdue=True)) == [overdue]
    assert list(
        selectors.issue_queue_for_org(organization=org, q=overdue.tracking_number[-6:])
    ) == [overdue]


def test_queue_for_supervising_org_covers_whole_compound(world):
    mine = IssueFactory(compound=world.compound)
    IssueFactory()  # elsewhere
    assert list(selectors.issue_queue_for_org(organization=world.orgs.community_party)) == [mine]
    assert list(selectors.issue_queue_for_person(person=world.people.joint_meeting_office)) == [
        mine
    ]
    assert list(selectors.issue_queue_for_person(person=world.resident)) == []


def test_queue_includes_referred_and_whistled_issues_and_narrows_to_a_compound(world):
    org = world.orgs.property_company
    assigned = IssueFactory(compound=world.compound, assigned_org=org)
    referred = IssueFactory(compound=world.compound)
    ReferralFactory(issue=referred, organization=org)
    whistled = IssueFactory()  # another compound: only the summons brings it in
    WhistleSummonsFactory(whistle=WhistleFactory(issue=whistled), organization=org)
    IssueFactory(compound=world.compound)  # not the company's
    assert set(selectors.issue_queue_for_org(organization=org)) == {assigned, referred, whistled}
    assert set(selectors.issue_queue_for_person(person=world.people.property_company)) == {
        assigned,
        referred,
        whistled,
    }
    narrowed = selectors.issue_queue_for_org(organization=org, compound=world.compound)
    assert set(narrowed) == {assigned, referred}
    other = selectors.issue_queue_for_person(
        person=world.people.property_company, compound=whistled.compound
    )
    assert list(other) == [whistled]
    # Narrowing never widens: the other compound's own complaints stay out.
    IssueFactory(compound=whistled.compound)
    assert list(other.all()) == [whistled]


def test_issue_counts_overdue_and_oldest(world):
    now = timezone.now()
    old = IssueFactory(
        compound=world.compound,
        created_at=now - dt.timedelta(days=30),
        tier="big",
        status="in_progress",
        next_deadline=now - dt.timedelta(days=2),
    )
    late = IssueFactory(
        compound=world.compound,
        created_at=now - dt.timedelta(days=3),
        next_deadline=now - dt.timedelta(hours=1),
    )
    IssueFactory(  # past its deadline but paused: not overdue
        compound=world.compound,
        created_at=now - dt.timedelta(days=2),
        next_deadline=now - dt.timedelta(hours=1),
        paused_at=now - dt.timedelta(days=1),
        status="waiting_reporter",
    )
    IssueFactory(compound=world.compound, status="closed", created_at=now - dt.timedelta(days=90))
    IssueFactory(created_at=now - dt.timedelta(days=99))  # another compound
    counts = selectors.issue_counts(compound=world.compound, now=now)
    assert counts.by_tier_status == {
        ("big", "in_progress"): 1,
        ("small", "submitted"): 1,
        ("small", "waiting_reporter"): 1,
    }
    assert (counts.open, counts.overdue) == (3, 2)
    assert counts.oldest_created_at == old.created_at
    assert selectors.issue_overdue_oldest(compound=world.compound, now=now) == [old, late]
    oldest = selectors.issue_oldest_open(
        compound=world.compound, created_at=counts.oldest_created_at
    )
    assert oldest == old
    empty = selectors.issue_counts(compound=IssueFactory(status="closed").compound, now=now)
    assert (empty.open, empty.overdue, empty.oldest_created_at) == (0, 0, None)


def test_public_version_and_stamp_follow_every_event(world):
    issue = IssueFactory(compound=world.compound)
    private = IssueFactory(compound=world.compound, is_public=False)
    before = selectors.issue_public_version()
    stamp = selectors.issue_public_stamp(
        compound=world.compound, tracking_number=issue.tracking_number.lower()
    )
    assert stamp["pk"] == issue.pk
    assert stamp["newest_event"] is None
    event = IssueEventFactory(issue=issue)
    assert selectors.issue_public_version() == event.pk > before
    stamp = selectors.issue_public_stamp(
        compound=world.compound, tracking_number=issue.tracking_number
    )
    assert stamp["newest_event"] == event.pk
    assert (
        selectors.issue_public_stamp(
            compound=world.compound, tracking_number=private.tracking_number
        )
        is None
    )
    other = compound_world()
    assert (
        selectors.issue_public_stamp(compound=other.compound, tracking_number=issue.tracking_number)
        is None
    )


def test_rates_hand_computed(world):
    """Response = in time / all; resolution = solved / rated;
    satisfaction = (满意+基本满意) / rated.

    Five issues in November 2025:
      1 accepted in 2 h, rated satisfied + solved
      2 accepted in 47 h, rated basic + solved
      3 accepted in 50 h (late), rated unsatisfied + not solved
      4 never accepted (late by definition), not rated
      5 accepted in 1 h, rated unsatisfied + solved
    Expected: response 3/5, resolution 3/4, satisfaction 2/4.
    A merged issue and an issue filed in December are not counted.
    """
    t0 = dt.datetime(2025, 11, 10, 9, 0, tzinfo=CN)
    cases = [
        (2, ("satisfied", True)),
        (47, ("basic", True)),
        (50, ("unsatisfied", False)),
        (None, None),
        (1, ("unsatisfied", True)),
    ]
    for hours, rating in cases:
        issue = IssueFactory(
            compound=world.compound,
            created_at=t0,
            accepted_at=t0 + dt.timedelta(hours=hours) if hours is not None else None,
        )
        if rating:
            SatisfactionFactory(issue=issue, rating=rating[0], solved=rating[1])
    IssueFactory(compound=world.compound, created_at=t0, status=Issue.Status.MERGED)
    IssueFactory(compound=world.compound, created_at=dt.datetime(2025, 12, 2, tzinfo=CN))
    rates = selectors.issue_rates(
        compound=world.compound,
        start=dt.datetime(2025, 11, 1, tzinfo=CN),
        end=dt.datetime(2025, 12, 1, tzinfo=CN),
    )
    assert (rates.total, rates.responded_in_time) == (5, 3)
    assert (rates.rated, rates.solved, rates.satisfied_or_basic) == (4, 3, 2)
    assert rates.response_rate == 0.6
    assert rates.resolution_rate == 0.75
    assert rates.satisfaction_rate == 0.5
    assert set(selectors.FORMULAS) == {"response_rate", "resolution_rate", "satisfaction_rate"}


def test_rates_per_organization_and_empty_period(world):
    t0 = dt.datetime(2025, 11, 10, 9, 0, tzinfo=CN)
    company = world.orgs.property_company
    IssueFactory(
        compound=world.compound,
        created_at=t0,
        accepted_at=t0,
        assigned_org=company,
    )
    IssueFactory(compound=world.compound, created_at=t0)
    rates = selectors.issue_rates(
        organization=company,
        start=dt.datetime(2025, 11, 1, tzinfo=CN),
        end=dt.datetime(2025, 12, 1, tzinfo=CN),
    )
    assert (rates.total, rates.responded_in_time, rates.response_rate) == (1, 1, 1.0)
    assert rates.satisfaction_rate is None
    empty = selectors.issue_rates(
        compound=world.compound,
        start=dt.datetime(2020, 1, 1, tzinfo=CN),
        end=dt.datetime(2020, 2, 1, tzinfo=CN),
    )
    assert empty.total == 0
    assert empty.response_rate is None
    assert Satisfaction.Rating.BASIC in Satisfaction.Rating.values


def _make_issues(world, n):
    org = world.orgs.property_company
    for i in range(n):
        issue = IssueFactory(
            compound=world.compound,
            building=world.building,
            assigned_org=org,
            status="transferred",
        )
        IssueEventFactory(issue=issue, note=f"进展{i}")
        ReferralFactory(issue=issue, organization=org)


def _iterate(qs):
    for issue in qs:
        _ = (
            issue.category.name,
            issue.building.number if issue.building else "",
            issue.assigned_org.name if issue.assigned_org else "",
            issue.compound.name,
            issue.last_public_note,
            issue.me_too_count,
        )


@pytest.mark.parametrize("count", [10, 200])
def test_board_and_queue_query_counts_do_not_grow(world, count, django_assert_max_num_queries):
    """issue 3 "Tests that must exist": the same number of queries at 10 and 200 issues."""
    _make_issues(world, count)
    with django_assert_max_num_queries(1):
        _iterate(selectors.issue_public_board(compound=world.compound))
    # The queues fetch the referred / whistled issue ids (and a supervisor's compounds)
    # first, so the main query's OR can use indexes (bench/results/2026-11-28.md).
    with django_assert_max_num_queries(2):
        _iterate(selectors.issue_queue_for_org(organization=world.orgs.property_company))
    with django_assert_max_num_queries(3):
        _iterate(selectors.issue_queue_for_org(organization=world.orgs.compound_party))
    with django_assert_max_num_queries(3):
        _iterate(selectors.issue_queue_for_person(person=world.people.property_company))


# --- visibility (issue 14 item 3; docs/roles.md "Complaints: who sees what") -----------


def test_issue_public_is_what_the_reporters_made_public_and_nothing_else(world):
    """公示承诺制度 第一条: progress is public where the reporter allowed it."""
    public = IssueFactory(compound=world.compound, is_public=True)
    private = IssueFactory(compound=world.compound, is_public=False)

    assert public in selectors.issue_public()
    assert private not in selectors.issue_public()


def test_visible_to_flags_the_reporter_per_row_as_the_rule_does(world):
    """协同联动 第二条: the property company works a transferred complaint; the reporter is
    shown to it only when shared; the supervising bodies and the superuser always."""
    from tests.factories.directory import PersonFactory

    company = world.orgs.property_company
    hidden = IssueFactory(compound=world.compound, assigned_org=company, share_identity=False)
    shared = IssueFactory(compound=world.compound, assigned_org=company, share_identity=True)

    def flags(person) -> dict[int, bool]:
        rows = selectors.issue_visible_to(person=person, reporter_flag=True)
        return dict(
            rows.filter(pk__in=[hidden.pk, shared.pk]).values_list("pk", "reporter_visible")
        )

    assert flags(world.people.property_company) == {hidden.pk: False, shared.pk: True}
    assert flags(world.people.compound_party) == {hidden.pk: True, shared.pk: True}
    assert flags(PersonFactory(is_superuser=True)) == {hidden.pk: True, shared.pk: True}
    assert flags(world.neighbour) == {}
    unflagged = selectors.issue_visible_to(person=world.people.compound_party).get(pk=hidden.pk)
    assert not hasattr(unflagged, "reporter_visible")


def test_public_stamp_by_slug_and_never_of_a_merged_complaint(world):
    """The anonymous page's version reads the compound by its slug in the same query."""
    issue = IssueFactory(compound=world.compound)
    event = IssueEventFactory(issue=issue)
    stamp = selectors.issue_public_stamp(
        compound_slug=world.compound.slug, tracking_number=f" {issue.tracking_number.lower()} "
    )
    assert (stamp["pk"], stamp["compound_id"], stamp["newest_event"]) == (
        issue.pk,
        world.compound.pk,
        event.pk,
    )
    assert stamp["status"] == issue.status
    assert stamp["last_public_update_at"] == issue.last_public_update_at
    other = compound_world()
    assert (
        selectors.issue_public_stamp(
            compound_slug=other.compound.slug, tracking_number=issue.tracking_number
        )
        is None
    )
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.MERGED)
    assert (
        selectors.issue_public_stamp(
            compound_slug=world.compound.slug, tracking_number=issue.tracking_number
        )
        is None
    )
