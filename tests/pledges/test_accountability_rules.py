"""物业管理委员会服务承诺 第10条 "…主动辞职": a decided resignation ends the seat (issue 18
item 11). Before, the outcome was a word in the case and the member kept every power."""

from __future__ import annotations

import datetime as dt
import re

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


def _refusal(call) -> dict:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        call()
    return {
        field: [str(m) for m in messages] for field, messages in refused.value.message_dict.items()
    }


def test_article_10_each_refusal_says_what_is_wrong():
    """A case is opened for a confirmed collective complaint or a broken pledge, about a
    member of this compound's organization, with details; each refusal says which."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import translation

    world, other = pledge_world(), pledge_world()

    def open_(**changes):
        fields = {
            "actor": world.party_secretary,
            "compound": world.compound,
            "organization": world.pmc,
            "person": world.people.pmc,
            "trigger": "broken_pledge",
            "details": "违反参选承诺",
            **changes,
        }
        return lambda: services.case_open(**fields)

    with translation.override("en"):
        assert _refusal(open_(trigger="absences", person=world.resident)) == {
            "trigger": ["Choose a confirmed collective complaint or a broken pledge."],
            "person": ["This person is not a member of the organization."],
        }
        assert _refusal(open_(organization=other.pmc)) == {
            "organization": ["This belongs to another compound."]
        }
        with pytest.raises(
            PermissionDenied, match=f"^{re.escape('You may not open accountability cases here.')}$"
        ):
            open_(actor=world.people.property_company)()
        case = open_()()
        assert _refusal(
            lambda: services.case_decide(
                actor=world.party_secretary, case=case, outcome="fired", reasons="x"
            )
        ) == {"outcome": ["Choose an outcome."]}
        assert set(
            _refusal(
                lambda: services.case_decide(
                    actor=world.party_secretary, case=case, outcome="warned", reasons=""
                )
            )
        ) == {"reasons"}
        with pytest.raises(
            PermissionDenied, match=f"^{re.escape('You may not decide this case.')}$"
        ):
            services.case_decide(
                actor=world.people.property_company, case=case, outcome="warned", reasons="提醒"
            )
        services.case_decide(
            actor=world.party_secretary, case=case, outcome="warned", reasons="提醒"
        )
        with pytest.raises(ValidationError) as refused:
            services.case_decide(
                actor=world.party_secretary, case=case, outcome="warned", reasons="再次"
            )
        # the state guard's message (the site's language, whatever the request's)
        assert refused.value.messages[0] in {
            "This case has already been decided.",
            "该案件已作出决定。",
        }
        # only a resignation ends a seat: a warning records no seat's end
        assert list(case.events.values_list("verb", flat=True)) == ["case_open", "case_decide"]


def test_article_4_each_refusal_of_a_satisfaction_says_what_is_wrong():
    from django.utils import translation

    world = pledge_world()
    kwargs = {"compound": world.compound, "organization": world.pmc, "person": world.people.pmc}
    with translation.override("en"):
        assert _refusal(
            lambda: services.accountability_open_for_low_satisfaction(
                **kwargs, year=2026, satisfaction="很好"
            )
        ) == {"satisfaction": ["Enter a percentage."]}
        assert _refusal(
            lambda: services.accountability_open_for_low_satisfaction(
                **kwargs, year=2026, satisfaction=101
            )
        ) == {"satisfaction": ["Enter a percentage between 0 and 100."]}


def test_article_10_the_long_details_are_cut_at_1000_characters_in_the_notice(notices):
    world = pledge_world()
    details = "履职不力导致业主集体投诉并经核查属实" * 60  # 1080 characters
    services.case_open(
        actor=world.party_secretary,
        compound=world.compound,
        organization=world.pmc,
        person=world.people.pmc,
        trigger="collective_complaint",
        details=details,
    )
    assert [len(body) for _org, _subject, body in notices] == [1000]


class _Streak:
    def __init__(self, world, person, count, last=None):
        self.organization, self.person = world.pmc, person
        self.consecutive_unexcused, self.last_meeting = count, last


def _streaks(monkeypatch, answer):
    from pledges import evidence

    monkeypatch.setattr(
        evidence, "absence_streaks", lambda *, compound, organization_kind: answer(compound)
    )


def test_article_10_the_scan_opens_a_case_per_member_at_three_and_says_why(monkeypatch, notices):
    """ "连续3次无故缺席工作会议": two absences open nothing and do not stop the scan; three open
    a case naming the count and the last meeting; a member already in a live case is passed
    over without stopping the scan either."""
    from pledges.services import accountability_scan_absences
    from tests.factories.directory import PersonFactory

    world = pledge_world()
    first, second, third = PersonFactory(), PersonFactory(), PersonFactory()
    last = type("Meeting", (), {"pk": 77, "__str__": lambda self: "第3次工作会议"})()
    streaks = [_Streak(world, first, 2), _Streak(world, second, 3, last)]
    _streaks(monkeypatch, lambda compound: streaks)
    now = dt.datetime(2026, 3, 11, 9, tzinfo=TZ)
    [case] = accountability_scan_absences(now=now)
    case.refresh_from_db()
    assert (case.person, case.trigger, case.streak_live, case.streak_length) == (
        second,
        "absences",
        True,
        3,
    )
    assert case.opened_at == now
    assert case.figures == {"consecutive_unexcused": 3, "last_meeting": 77}
    # the member with a live case first, then one newly at three without a last meeting
    streaks[:] = [_Streak(world, second, 3, last), _Streak(world, third, 3)]
    [new] = accountability_scan_absences(now=now)
    new.refresh_from_db()
    assert new.person == third
    assert new.figures == {"consecutive_unexcused": 3, "last_meeting": None}
    assert new.details == f"{third.name} missed 3 work meetings in a row without excuse (last: -)."
    assert (
        case.details
        == f"{second.name} missed 3 work meetings in a row without excuse (last: 第3次工作会议)."
    )


def test_article_10_a_scan_goes_on_past_a_compound_without_meetings_and_a_case_just_opened(
    monkeypatch, notices
):
    """A compound whose meetings cannot be read is skipped, not the end of the scan; a
    member whose case another scan opened a moment ago is left to it, and the next member's
    case is still opened."""
    from huashan.directory.models import Compound
    from pledges.services import accountability, accountability_scan_absences
    from tests.factories.directory import PersonFactory

    one, two = pledge_world(), pledge_world()
    blind, seen = Compound.objects.filter(pk__in=[one.compound.pk, two.compound.pk])
    world = one if seen == one.compound else two
    before, raced, later = PersonFactory(), PersonFactory(), PersonFactory()
    streaks = [_Streak(world, before, 3), _Streak(world, raced, 3), _Streak(world, later, 4)]
    _streaks(monkeypatch, lambda compound: None if compound == blind else streaks)
    opened = accountability._case_opened

    def meanwhile_the_other_scan(case, actor):
        opened(case, actor)
        if case.person == before:  # the other scan opens the next member's case first
            AccountabilityCase.objects.create(
                compound=world.compound,
                organization=world.pmc,
                person=raced,
                trigger="absences",
                details="另一次扫描",
                streak_live=True,
                streak_length=3,
            )

    monkeypatch.setattr(accountability, "_case_opened", meanwhile_the_other_scan)
    result = accountability_scan_absences(now=dt.datetime(2026, 3, 11, 9, tzinfo=TZ))
    assert [c.person for c in result] == [before, later]
    assert AccountabilityCase.objects.filter(person=raced).count() == 1
