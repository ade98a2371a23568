"""Rules fed by real meeting records: the monthly joint meeting and the absences trigger."""

from __future__ import annotations

import datetime as dt

import pytest

from pledges.engine import evaluate
from pledges.models import AccountabilityCase, PeriodResult, RuleKind
from pledges.services import accountability_scan_absences
from tests.factories.meetings import (
    AttendanceFactory,
    MeetingFactory,
    MeetingMemberFactory,
    last_week_start,
    meeting_world,
)
from tests.factories.pledges import PledgeItemFactory, PledgeLetterFactory
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db
YEAR = 2026


def test_monthly_joint_meeting_rule_from_real_meetings(freeze):
    freeze(at(YEAR, 1, 2, 9))
    world = meeting_world()
    letter = PledgeLetterFactory(
        organization=world.orgs.compound_party, compound=world.compound, year=YEAR
    )
    item = PledgeItemFactory(
        letter=letter,
        rule_kind=RuleKind.COUNT_PER_PERIOD,
        params={
            "source": "meeting",
            "kinds": ["joint"],
            "min_count": 1,
            "per_member": False,
            "period_months": 1,
        },
        warn_lead_days=7,
    )
    MeetingFactory(compound=world.compound, kind="joint", start=last_week_start(YEAR, 1))
    # Not counted: cancelled, another kind, another compound.
    MeetingFactory(
        compound=world.compound, kind="joint", status="cancelled", start=at(YEAR, 2, 10, 15)
    )
    MeetingFactory(compound=world.compound, kind="owners_forum", start=at(YEAR, 2, 11, 15))
    MeetingFactory(kind="joint", start=at(YEAR, 2, 12, 15))
    freeze(at(YEAR, 2, 25, 9))
    evaluate()
    january = PeriodResult.objects.get(item=item, period_start=dt.date(YEAR, 1, 1))
    february = PeriodResult.objects.get(item=item, period_start=dt.date(YEAR, 2, 1))
    assert (january.status, january.final, january.figures["count"]) == ("met", True, 1)
    assert (february.status, february.figures["count"]) == ("at_risk", 0)
    MeetingFactory(compound=world.compound, kind="joint", start=at(YEAR, 2, 26, 15))
    freeze(at(YEAR, 3, 1, 9))
    evaluate()
    february.refresh_from_db()
    assert (february.status, february.final) == ("met", True)


def _absent(world, person, when, status="unexcused"):
    meeting = MeetingFactory(compound=world.compound, kind="pmc_working", start=when)
    MeetingMemberFactory(meeting=meeting, person=person, organization=world.orgs.pmc)
    AttendanceFactory(meeting=meeting, person=person, status=status)
    return meeting


def test_three_unexcused_absences_open_exactly_one_case(freeze):
    freeze(at(YEAR, 1, 2, 9))
    world = meeting_world()
    member = world.pmc_members[0]
    _absent(world, member, at(YEAR, 1, 10, 15))
    _absent(world, member, at(YEAR, 2, 10, 15))
    freeze(at(YEAR, 2, 11, 9))
    assert accountability_scan_absences() == []  # two are not enough
    _absent(world, member, at(YEAR, 3, 10, 15))
    freeze(at(YEAR, 3, 11, 9))
    opened = accountability_scan_absences()
    assert [c.person for c in opened] == [member]
    assert accountability_scan_absences() == []  # the same streak: nothing new
    _absent(world, member, at(YEAR, 4, 10, 15))  # the streak grows to 4: still one case
    assert accountability_scan_absences() == []
    case = AccountabilityCase.objects.get(person=member)
    assert (case.trigger, case.streak_length, case.streak_live) == ("absences", 4, True)
    assert case.events.filter(verb="case_open").count() == 1


def test_new_streak_after_attending_opens_a_new_case(freeze):
    freeze(at(YEAR, 1, 2, 9))
    world = meeting_world()
    member = world.pmc_members[1]
    for month in (1, 2, 3):
        _absent(world, member, at(YEAR, month, 10, 15))
    freeze(at(YEAR, 3, 11, 9))
    assert len(accountability_scan_absences()) == 1
    _absent(world, member, at(YEAR, 4, 10, 15), status="present")
    freeze(at(YEAR, 4, 11, 9))
    assert accountability_scan_absences() == []
    assert not AccountabilityCase.objects.get(person=member).streak_live
    for month in (5, 6, 7):
        _absent(world, member, at(YEAR, month, 10, 15))
    freeze(at(YEAR, 7, 11, 9))
    assert len(accountability_scan_absences()) == 1
    assert AccountabilityCase.objects.filter(person=member).count() == 2


def test_excused_absences_never_open_a_case(freeze):
    freeze(at(YEAR, 1, 2, 9))
    world = meeting_world()
    member = world.pmc_members[0]
    for month in (1, 2, 3, 4):
        _absent(world, member, at(YEAR, month, 10, 15), status="excused")
    freeze(at(YEAR, 4, 11, 9))
    assert accountability_scan_absences() == []
    assert not AccountabilityCase.objects.exists()
