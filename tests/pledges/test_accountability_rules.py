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


# --- mutation testing of pledges/services/accountability.py -----------------------------
# 物业管理委员会服务承诺 第10条 "连续3次无故缺席工作会议…履职不力导致业主集体投诉并经核查
# 属实…主动辞职"; 第4条 "满意度低于60%的委员主动辞职".


@pytest.fixture
def notices(monkeypatch):
    """The notices sent: (organization, subject, body), in English."""
    from django.utils import translation

    from pledges.services import accountability

    sent = []
    monkeypatch.setattr(
        accountability,
        "notify_organization",
        lambda org, *, subject, body: sent.append((org, str(subject), str(body))),
    )
    with translation.override("en"):
        yield sent


def test_article_10_a_case_opened_by_hand_is_told_to_the_party_organization(notices):
    """ "履职不力导致业主集体投诉并经核查属实": the opening is an event with the details and a
    notice to the compound party organization naming the member and the trigger."""
    world = pledge_world()
    details = "履职不力导致业主集体投诉并经核查属实" * 40
    case = services.case_open(
        actor=world.party_secretary,
        compound=world.compound,
        organization=world.pmc,
        person=world.people.pmc,
        trigger="collective_complaint",
        details=details,
    )
    case.refresh_from_db()
    assert (case.status, case.trigger, case.opened_by) == (
        "open",
        "collective_complaint",
        world.party_secretary,
    )
    [event] = case.events.all()
    assert (event.verb, event.to_state, event.note) == ("case_open", "open", details[:500])
    assert notices == [
        (
            world.party,
            f"Accountability case opened: {world.people.pmc.name} (Confirmed collective complaint)",
            details[:1000],
        )
    ]


def test_article_10_a_case_of_another_compounds_organization_is_refused():
    """A case is about a member of this compound's organization, not another compound's."""
    from django.core.exceptions import ValidationError

    world, other = pledge_world(), pledge_world()
    with pytest.raises(ValidationError) as refused:
        services.case_open(
            actor=world.party_secretary,
            compound=world.compound,
            organization=other.pmc,
            person=other.people.pmc,
            trigger="broken_pledge",
            details="违反参选承诺",
        )
    assert set(refused.value.message_dict) == {"organization"}


def test_article_10_the_decision_is_recorded_and_told_to_the_organization(notices):
    """The party organization decides with reasons: an event from open to the outcome and a
    notice to the member's organization; a resignation also records the seat's end."""
    world = pledge_world()
    _seat(world)
    with _at(dt.date(2026, 11, 15)):
        case = _case(world, world.people.pmc)
    notices.clear()
    reasons = "经核查属实，本人主动辞职" * 100
    with _at(dt.date(2026, 11, 16)):
        decided = services.case_decide(
            actor=world.party_secretary, case=case, outcome="resigned", reasons=reasons
        )
    stored = AccountabilityCase.objects.get(pk=case.pk)
    assert (stored.status, stored.outcome, stored.reasons) == ("decided", "resigned", reasons)
    assert stored.decided_by == world.party_secretary
    assert stored.decided_at == dt.datetime(2026, 11, 16, 10, tzinfo=TZ)
    decide, ended = case.events.filter(verb__in=["case_decide", "membership_end"]).order_by("pk")
    assert (decide.from_state, decide.to_state, decide.note) == ("open", "resigned", reasons[:1000])
    assert ended.note == f"{world.people.pmc.name} no longer holds a seat in {world.pmc.name}."
    assert notices == [
        (world.pmc, f"Accountability case decided: {decided.get_outcome_display()}", reasons[:1000])
    ]
    assert decided.get_outcome_display() == "Resigned"


def test_article_10_a_seat_begun_on_the_decision_day_ends_that_day():
    """ "主动辞职" decided on D: a seat that began on D itself cannot end before it began."""
    world = pledge_world()
    decided = dt.date(2026, 11, 16)
    seat = _seat(world)
    Membership.objects.filter(pk=seat.pk).update(start=decided)
    with _at(decided):
        case = _case(world, world.people.pmc)
        services.case_decide(
            actor=world.party_secretary, case=case, outcome="resigned", reasons="辞职"
        )
    seat.refresh_from_db()
    assert seat.end == decided


def test_article_4_satisfaction_must_be_a_percentage_from_0_to_100():
    """ "满意度低于60%": 0 and 100 are percentages (0 opens a case, 100 does not); below 0,
    above 100 or not a number is refused."""
    from django.core.exceptions import ValidationError

    world = pledge_world()
    kwargs = {"compound": world.compound, "organization": world.pmc, "person": world.people.pmc}
    assert (
        services.accountability_open_for_low_satisfaction(**kwargs, year=2026, satisfaction=100)
        is None
    )
    assert services.accountability_open_for_low_satisfaction(**kwargs, year=2026, satisfaction=0)
    for wrong in (-0.1, 100.1, "很好", None):
        with pytest.raises(ValidationError) as refused:
            services.accountability_open_for_low_satisfaction(
                **kwargs, year=2026, satisfaction=wrong
            )
        assert set(refused.value.message_dict) == {"satisfaction"}


def test_article_4_a_low_satisfaction_case_per_year_with_its_figures(notices):
    """ "满意度低于60%的委员主动辞职": one case per member, organization and year, saying the
    value and the limit; another year is another case; the party organization is told."""
    world = pledge_world()
    member = world.people.pmc
    kwargs = {"compound": world.compound, "organization": world.pmc, "person": member}
    case = services.accountability_open_for_low_satisfaction(
        **kwargs, year=2026, satisfaction="59.5"
    )
    case.refresh_from_db()
    assert (case.trigger, case.trigger_key) == (
        "low_satisfaction",
        f"satisfaction:{world.pmc.pk}:2026",
    )
    assert case.details == (
        f"Satisfaction of {member.name} in the 2026 evaluation: 59.5 % (below 60 %)."
    )
    assert case.figures == {"satisfaction": 59.5, "threshold": 60.0, "year": 2026}
    assert [n[:2] for n in notices] == [
        (world.party, f"Accountability case opened: {member.name} (Satisfaction below 60 %)")
    ]
    again = services.accountability_open_for_low_satisfaction(**kwargs, year=2026, satisfaction=10)
    assert again.pk == case.pk
    later = services.accountability_open_for_low_satisfaction(**kwargs, year=2027, satisfaction=50)
    assert later.pk != case.pk
    stricter = services.accountability_open_for_low_satisfaction(
        **kwargs, year=2028, satisfaction=65, threshold=70
    )
    assert stricter.figures == {"satisfaction": 65.0, "threshold": 70, "year": 2028}
