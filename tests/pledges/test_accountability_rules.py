"""物业管理委员会服务承诺 第10条 "…主动辞职": a decided resignation ends the seat (issue 18
item 11). Before, the outcome was a word in the case and the member kept every power."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from huashan.directory.models import Membership
from pledges import services
from pledges.models import AccountabilityCase
from tests.factories.pledges import pledge_world

TZ = dt.timezone(dt.timedelta(hours=8))
pytestmark = pytest.mark.django_db


def _at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


def _case(world, member):
    return services.case_open(
        actor=world.party_secretary,
        compound=world.compound,
        organization=world.pmc,
        person=member,
        trigger="collective_complaint",
        details="履职不力导致业主集体投诉并经核查属实",
    )


def _seat(world):
    Membership.objects.filter(person=world.people.pmc, organization=world.pmc).update(
        start=dt.date(2024, 1, 1)
    )
    return Membership.objects.get(person=world.people.pmc, organization=world.pmc)


def test_article_10_resignation_ends_the_seat_and_its_powers_on_the_decided_date():
    world = pledge_world()
    member = world.people.pmc
    seat = _seat(world)
    decided = dt.date(2026, 11, 16)
    with _at(decided - dt.timedelta(days=1)):
        case = _case(world, member)
    assert member.has_perm("disclosures.publish_for_organization", world.pmc)
    with _at(decided):
        services.case_decide(
            actor=world.party_secretary,
            case=case,
            outcome="resigned",
            reasons="经核查属实，本人辞职",
        )
    seat.refresh_from_db()
    assert seat.end == decided - dt.timedelta(days=1)
    assert not Membership.objects.current(decided).filter(pk=seat.pk).exists()
    assert Membership.objects.current(decided - dt.timedelta(days=1)).filter(pk=seat.pk).exists()
    with _at(decided):
        fresh = type(member).objects.get(pk=member.pk)  # no permission cache carried over
        assert not fresh.has_perm("disclosures.publish_for_organization", world.pmc)
    verbs = list(case.events.values_list("verb", flat=True))
    assert verbs[-1] == "membership_end"


@pytest.mark.parametrize("outcome", ["warned", "no_action"])
def test_article_10_other_outcomes_leave_the_seat(outcome):
    world = pledge_world()
    seat = _seat(world)
    with _at(dt.date(2026, 11, 16)):
        case = _case(world, world.people.pmc)
        services.case_decide(
            actor=world.party_secretary, case=case, outcome=outcome, reasons="提醒一次"
        )
    seat.refresh_from_db()
    assert seat.end is None
    assert AccountabilityCase.objects.get(pk=case.pk).outcome == outcome


def test_article_10_resignation_leaves_other_organizations_seats():
    from tests.factories.directory import MembershipFactory

    world = pledge_world()
    _seat(world)
    elsewhere = MembershipFactory(
        person=world.people.pmc,
        organization=world.orgs.compound_party,
        role=Membership.Role.PARTY_MEMBER,
        start=dt.date(2024, 1, 1),
    )
    with _at(dt.date(2026, 11, 16)):
        case = _case(world, world.people.pmc)
        services.case_decide(
            actor=world.party_secretary, case=case, outcome="resigned", reasons="辞职"
        )
    elsewhere.refresh_from_db()
    assert elsewhere.end is None
