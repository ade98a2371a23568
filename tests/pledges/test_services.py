"""Services: bad input, evidence rules, escalation, 三诺 and accountability."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from issues.models import Issue
from pledges import services
from pledges.letters import LETTERS, letter_params
from pledges.models import AccountabilityCase, Finding, Inspection, PledgeEvent, RuleKind
from tests.factories.directory import CompoundFactory, OrganizationFactory, PersonFactory
from tests.factories.pledges import (
    CandidatePledgeFactory,
    ElectionFactory,
    InspectionFactory,
    PledgeItemFactory,
    pledge_world,
)
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db

COUNT = {"source": "activity", "kinds": ["study"], "min_count": 1, "period_months": 1}


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests match the English source of the error messages."""
    with translation.override("en"):
        yield


def errors(exc) -> str:
    return " ".join(str(m) for msgs in exc.value.message_dict.values() for m in msgs)


@pytest.mark.parametrize(
    ("rule_kind", "params", "fragment"),
    [
        ("deadline_rate", {"clocks": ["response"], "threshold": 101, "period_months": 3}, "100"),
        ("deadline_rate", {"clocks": ["response"], "threshold": -1, "period_months": 3}, "100"),
        ("deadline_rate", {"clocks": ["response"], "threshold": "abc", "period_months": 3}, "100"),
        ("count_per_period", {**COUNT, "period_months": 0}, "longer than zero"),
        ("count_per_period", {**COUNT, "period_months": 5}, "1, 3, 6 or 12"),
        ("count_per_period", {**COUNT, "min_count": 0}, "at least 1"),
        ("count_per_period", {**COUNT, "kinds": ["party"]}, "Unknown"),
        ("count_per_period", {**COUNT, "source": "rumours"}, "counted"),
        (
            "count_per_period",
            {**COUNT, "source": "meeting", "kinds": ["joint"], "per_member": True},
            "activities",
        ),
        ("deadline_rate", {"clocks": [], "threshold": 90, "period_months": 3}, "at least one"),
        (
            "rate_threshold",
            {
                "measure": "x",
                "inspection_kinds": ["monthly_service"],
                "threshold": 90,
                "period_months": 3,
            },
            "rate",
        ),
        ("one_off_by_date", {"start": "2026-05-01", "due": "2026-01-01", "min_count": 1}, "after"),
        ("one_off_by_date", {"start": "yesterday", "months": 3, "min_count": 1}, "date"),
        ("no_such_rule", {}, "Unknown rule"),
        ("count_per_period", "{not json", "JSON"),
        ("count_per_period", [1, 2], "object"),
        (
            "count_per_period",
            {
                **COUNT,
                "also": [
                    {
                        "rule_kind": "deadline_rate",
                        "params": {"clocks": ["response"], "threshold": 200, "period_months": 3},
                    }
                ],
            },
            "100",
        ),
    ],
)
def test_params_clean_rejects_impossible_rules_with_clear_errors(rule_kind, params, fragment):
    with pytest.raises(ValidationError) as exc:
        services.params_clean(rule_kind=rule_kind, params=params)
    assert fragment in errors(exc)


def test_params_clean_accepts_every_seed_item():
    for letter in LETTERS:
        for item in letter["items"]:
            clean = services.params_clean(
                rule_kind=item["rule_kind"], params=letter_params(item["params"], year=2026)
            )
            assert clean.get("label"), item["heading"]
    one_off = LETTERS[1]["items"][6]
    clean = services.params_clean(
        rule_kind=one_off["rule_kind"], params=letter_params(one_off["params"], year=2026)
    )
    assert (clean["start"], clean["due"]) == ("2026-01-01", "2026-03-31")


def test_seed_letters_have_ten_numbered_items_each():
    for letter in LETTERS:
        numbers = [i["number"] for i in letter["items"] if i["number"] is not None]
        assert numbers == list(range(1, 11))
    assert "48小时内响应业主诉求" in LETTERS[0]["items"][2]["text"]
    assert "连续3次无故缺席工作会议" in LETTERS[1]["items"][-1]["text"]


def test_item_create_keeps_what_was_typed_in_errors_and_rejects_duplicates():
    world = pledge_world()
    item = services.item_create(
        actor=world.party_secretary,
        letter=world.letter,
        number=1,
        text="每月学习",
        rule_kind="count_per_period",
        params=COUNT,
    )
    assert item.params["kinds"] == ["study"]
    with pytest.raises(ValidationError) as exc:
        services.item_create(
            actor=world.party_secretary,
            letter=world.letter,
            number=1,
            text="重复",
            rule_kind="count_per_period",
            params=COUNT,
        )
    assert "already has an item" in errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.item_create(
            actor=world.party_secretary,
            letter=world.letter,
            number=2,
            text="x" * 5000,
            rule_kind="deadline_rate",
            params={"clocks": ["response"], "threshold": 150, "period_months": 0},
        )
    message = exc.value.message_dict
    assert set(message) >= {"text", "params"}
    assert PledgeEvent.objects.filter(verb="item_create").count() == 1


def test_item_services_refuse_outsiders():
    world = pledge_world()
    with pytest.raises(PermissionDenied):
        services.item_create(
            actor=world.resident,
            letter=world.letter,
            text="x",
            rule_kind="attested",
            params={"period_months": 12},
        )
    with pytest.raises(PermissionDenied):
        services.letter_create(actor=None, organization=world.party, year=2026, title="x")


def test_hostile_text_is_stored_as_text():
    world = pledge_world()
    item = services.item_create(
        actor=world.party_secretary,
        letter=world.letter,
        text="<script>alert(1)</script>",
        rule_kind="attested",
        params={"period_months": 12, "label": "<b>x</b>"},
    )
    assert item.text == "<script>alert(1)</script>"


def test_letter_publish_posts_to_the_disclosure_board(freeze):
    from disclosures.models import Disclosure

    freeze(at(2026, 3, 1, 10))
    world = pledge_world(year=2026)
    with pytest.raises(ValidationError):
        services.letter_publish(actor=world.party_secretary, letter=world.letter)  # no items
    PledgeItemFactory(letter=world.letter, text="每月至少召开1次联席会议")
    letter = services.letter_publish(actor=world.party_secretary, letter=world.letter)
    assert letter.published
    assert letter.disclosure_id
    disclosure = Disclosure.objects.get(pk=letter.disclosure_id)
    assert disclosure.category.code == "pledges"
    assert "每月至少召开1次联席会议" in disclosure.body_markdown
    with pytest.raises(ValidationError):
        services.letter_publish(actor=world.party_secretary, letter=letter)


def test_future_dated_evidence_is_rejected(freeze):
    freeze(at(2026, 3, 1, 10))
    world = pledge_world()
    tomorrow = dt.date(2026, 3, 2)
    with pytest.raises(ValidationError) as exc:
        services.activity_record(
            actor=world.party_secretary,
            compound=world.compound,
            organization=world.party,
            kind="study",
            title="学习",
            held_on=tomorrow,
        )
    assert "future" in errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(
            actor=world.party_secretary,
            compound=world.compound,
            organization=world.pmc,
            kind="quarterly_safety",
            inspected_on=tomorrow,
        )
    assert "future" in errors(exc)


def test_evidence_outside_the_compound_is_rejected():
    world = pledge_world()
    stranger = OrganizationFactory(kind="pmc", compound=CompoundFactory())
    with pytest.raises(ValidationError) as exc:
        services.activity_record(
            actor=world.party_secretary,
            compound=world.compound,
            organization=stranger,
            kind="study",
            title="学习",
            held_on=timezone.localdate(),
        )
    assert "another compound" in errors(exc)
    with pytest.raises(PermissionDenied):
        services.activity_record(
            actor=world.party_secretary,
            compound=stranger.compound,
            organization=stranger,
            kind="study",
            title="学习",
            held_on=timezone.localdate(),
        )


def test_activity_bad_input():
    world = pledge_world()
    with pytest.raises(ValidationError) as exc:
        services.activity_record(
            actor=world.party_secretary,
            compound=world.compound,
            organization=world.party,
            kind="party",
            title="",
            held_on="2026-01-01",
            participant_count="many",
        )
    assert set(exc.value.message_dict) >= {"kind", "title", "held_on", "participant_count"}


def test_monthly_inspection_needs_owner_representatives_and_safety_gets_3_days(freeze):
    freeze(at(2026, 9, 30, 10))
    world = pledge_world()
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(
            actor=world.party_secretary,
            compound=world.compound,
            organization=world.pmc,
            kind="monthly_service",
            inspected_on=dt.date(2026, 9, 30),
        )
    assert "owner representatives" in errors(exc)
    inspection = services.inspection_record(
        actor=world.party_secretary,
        compound=world.compound,
        organization=world.pmc,
        kind="quarterly_safety",
        inspected_on=dt.date(2026, 9, 30),
        areas=["消防", "电梯"],
        findings=[{"description": "消防通道堆物"}, {"description": ""}],
    )
    finding = inspection.findings.get()
    # 3 calendar days, never extended for 国庆: ends 24:00 on 3 October.
    assert finding.is_safety
    assert finding.rectify_due == at(2026, 10, 4, 0, 0)


def test_unfixed_safety_finding_becomes_a_hazard_complaint_once(freeze):
    freeze(at(2026, 5, 4, 10))
    world = pledge_world()
    inspection = InspectionFactory(
        organization=world.pmc,
        compound=world.compound,
        kind=Inspection.Kind.QUARTERLY_SAFETY,
        inspected_on=dt.date(2026, 5, 4),
        inspector=world.party_secretary,
        areas=["电梯"],
    )
    finding = services.finding_add(
        actor=world.party_secretary, inspection=inspection, description="2号楼电梯异响"
    )
    fixed = services.finding_add(
        actor=world.party_secretary, inspection=inspection, description="灭火器过期"
    )
    services.finding_mark_fixed(actor=world.party_secretary, finding=fixed, proof="已更换灭火器")
    assert services.finding_escalate_overdue() == []  # not due yet
    freeze(at(2026, 5, 8, 0, 1))
    escalated = services.finding_escalate_overdue()
    assert [f.pk for f in escalated] == [finding.pk]
    assert services.finding_escalate_overdue() == []
    issue = Issue.objects.get()
    assert issue.is_hazard
    assert issue.hazard_due is not None
    assert issue.category.code == "elevator"
    finding.refresh_from_db()
    assert finding.escalated_issue == issue
    with pytest.raises(ValidationError):
        services.finding_mark_fixed(actor=world.party_secretary, finding=fixed, proof="again")


def test_candidate_three_pledges(freeze):
    from disclosures.models import Disclosure

    freeze(at(2026, 1, 5, 10))
    world = pledge_world()
    election = services.election_create(
        actor=world.party_secretary,
        compound=world.compound,
        title="换届选举",
        held_on=dt.date(2026, 1, 8),
    )
    candidate = PersonFactory()
    for kind in ("election_discipline", "service", "resignation"):
        services.candidate_pledge_record(
            actor=world.party_secretary,
            election=election,
            candidate=candidate,
            kind=kind,
            text="本人郑重承诺。",
            signed_on=dt.date(2026, 1, 4),
        )
    with pytest.raises(ValidationError) as exc:
        services.candidate_pledge_record(
            actor=world.party_secretary,
            election=election,
            candidate=candidate,
            kind="service",
            text="again",
            signed_on=dt.date(2026, 1, 4),
        )
    assert "already" in errors(exc)
    assert services.candidate_pledges_publish(actor=world.party_secretary, election=election) == 3
    assert Disclosure.objects.filter(category__code="candidate_pledges").count() == 1
    with pytest.raises(ValidationError):
        services.candidate_pledges_publish(actor=world.party_secretary, election=election)
    with pytest.raises(PermissionDenied):
        services.election_create(
            actor=world.resident, compound=world.compound, title="x", held_on=dt.date(2026, 1, 8)
        )
    assert CandidatePledgeFactory is not None
    assert ElectionFactory is not None


def test_manual_case_reviewed_by_party_org_with_timeline():
    world = pledge_world()
    member = world.people.pmc
    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=world.people.property_company,
            compound=world.compound,
            organization=world.pmc,
            person=member,
            trigger="broken_pledge",
            details="x",
        )
    with pytest.raises(ValidationError) as exc:
        services.case_open(
            actor=world.party_secretary,
            compound=world.compound,
            organization=world.pmc,
            person=world.resident,
            trigger="absences",
            details="",
        )
    assert set(exc.value.message_dict) == {"trigger", "details", "person"}
    case = services.case_open(
        actor=world.party_secretary,
        compound=world.compound,
        organization=world.pmc,
        person=member,
        trigger="collective_complaint",
        details="业主集体投诉经核查属实",
    )
    with pytest.raises(ValidationError):
        services.case_decide(actor=world.party_secretary, case=case, outcome="fired", reasons="x")
    case = services.case_decide(
        actor=world.party_secretary, case=case, outcome="resigned", reasons="本人主动辞职"
    )
    assert (case.status, case.outcome) == ("decided", "resigned")
    assert list(case.events.values_list("verb", flat=True)) == [
        "case_open",
        "case_decide",
        "membership_end",
    ]
    with pytest.raises(ValidationError):
        services.case_decide(actor=world.party_secretary, case=case, outcome="warned", reasons="x")


def test_low_satisfaction_opens_one_case_per_member_and_year():
    world = pledge_world()
    member = world.people.pmc
    kwargs = {"compound": world.compound, "organization": world.pmc, "person": member}
    assert (
        services.accountability_open_for_low_satisfaction(**kwargs, year=2026, satisfaction=60)
        is None
    )
    case = services.accountability_open_for_low_satisfaction(**kwargs, year=2026, satisfaction=59.5)
    again = services.accountability_open_for_low_satisfaction(**kwargs, year=2026, satisfaction=40)
    assert case.pk == again.pk
    assert AccountabilityCase.objects.filter(trigger="low_satisfaction").count() == 1
    with pytest.raises(ValidationError):
        services.accountability_open_for_low_satisfaction(**kwargs, year=2026, satisfaction=140)


def test_attestation_once_per_period(freeze):
    freeze(at(2026, 7, 1, 10))
    world = pledge_world()
    item = PledgeItemFactory(
        letter=world.letter, rule_kind=RuleKind.ATTESTED, params={"period_months": 12}
    )
    services.attestation_record(
        actor=world.party_secretary,
        item=item,
        period_start=dt.date(2026, 1, 1),
        judgement="met",
        evidence="经评议未发现违规",
    )
    with pytest.raises(ValidationError):
        services.attestation_record(
            actor=world.party_secretary,
            item=item,
            period_start=dt.date(2026, 1, 1),
            judgement="met",
            evidence="again",
        )
    with pytest.raises(PermissionDenied):
        services.attestation_record(
            actor=world.people.property_company,
            item=item,
            period_start=dt.date(2026, 1, 1),
            judgement="met",
            evidence="x",
        )
    assert Finding.objects.count() == 0
