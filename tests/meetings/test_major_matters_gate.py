"""Major decisions cannot skip a step (the gate).

seed: 决策报告制度 第二条 "物业委员会应依规依程序提前向街道、社区、小区党组织、社区居民委员会及
联席会议办公室进行书面或口头报告"; 协同联动解决小区事务流程 第七条 "针对大额维修资金使用、物业服务
企业变更、物业费调整等重大事项，联席会议办公室应主动邀请街道、社区党组织提前介入，为小区公共利益
严格把关"; 物业管理委员会服务承诺 第6条 "重大事项（如物业选聘、改造工程）必须经业主大会表决，杜绝
擅自决策"; 民法典 第二百七十八条.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from huashan.directory.models import Membership
from meetings import services
from meetings.models import DEFAULT_LARGE_FUND_AMOUNT, DecisionReport, MeetingsPolicy
from meetings.services import decision_reports as gate
from meetings.services import motions as motion_services
from meetings.services._common import EarlyInterventionRequired, MeetingStateError
from tests.factories.directory import MembershipFactory

from .conftest import CN

pytestmark = pytest.mark.django_db

CLOSES = dt.datetime(2026, 4, 10, 20, 0, tzinfo=CN)


def _motion(world, matter="company_selection", amount=None):
    motion = services.motion_propose(
        actor=world.people.pmc,
        compound=world.compound,
        title="解聘现物业服务企业并公开选聘",
        body="现物业服务企业考评连续不合格",
        matter=matter,
        amount=amount,
    )
    services.motion_pmc_deliberate(actor=world.people.pmc, motion=motion, resolution="同意")
    for person, level in (
        (world.people.compound_party, "compound"),
        (world.people.community_party, "community"),
    ):
        services.motion_party_review(actor=person, motion=motion, level=level, opinion="同意")
    motion.refresh_from_db()
    return motion


def _report(world, matter="company_selection", amount=None):
    return services.decision_report_create(
        actor=world.people.pmc,
        compound=world.compound,
        matter=matter,
        title="选聘物业服务企业",
        body="拟公开招标选聘",
        amount=amount,
    )


def _acknowledge_all(world, report):
    for recipient in report.recipients.select_related("organization"):
        if recipient.acknowledged_at is None:
            services.decision_report_acknowledge(
                actor=getattr(world.people, recipient.organization.kind), recipient=recipient
            )


def _answer(world, report, kind, answer, response=""):
    invitation = report.interventions.get(organization__kind=kind)
    return services.early_intervention_respond(
        actor=getattr(world.people, kind), intervention=invitation, answer=answer, response=response
    )


def _open(world, motion):
    return services.motion_open_vote(actor=world.people.pmc, motion=motion, closes_at=CLOSES)


def test_company_change_motion_opens_only_after_the_acknowledged_report_and_both_answers(
    world, clock
):
    motion = _motion(world)
    with pytest.raises(MeetingStateError, match="决策报告制度"):  # no report linked
        _open(world, motion)
    report = _report(world)
    motion_services.motion_link_report(
        actor=world.people.pmc, motion=motion, decision_report=report
    )
    motion.refresh_from_db()
    with pytest.raises(MeetingStateError):  # drafted, not filed
        _open(world, motion)
    services.decision_report_file(actor=world.people.pmc, report=report)
    with pytest.raises(MeetingStateError):  # filed, not acknowledged, nobody invited
        _open(world, motion)
    _acknowledge_all(world, report)
    services.decision_report_invite_intervention(actor=world.meeting_clerk, report=report)
    with pytest.raises(MeetingStateError):  # invited is not answered
        _open(world, motion)
    _answer(world, report, "street_office", "agree")
    problems = gate.motion_gate_problems(motion=motion)
    assert len(problems) == 1  # the community party organization has not answered
    with pytest.raises(MeetingStateError):
        _open(world, motion)
    _answer(world, report, "community_party", "conditions", "须公开招标并公示结果")
    opened = _open(world, motion)
    assert opened.stage == "voting"


def test_an_objection_keeps_the_gate_shut_until_the_community_party_records_its_resolution(
    world, clock
):
    motion = _motion(world)
    report = _report(world)
    services.decision_report_file(actor=world.people.pmc, report=report)
    _acknowledge_all(world, report)
    services.decision_report_invite_intervention(actor=world.meeting_clerk, report=report)
    with pytest.raises(ValidationError):  # an objection needs its reasons
        _answer(world, report, "street_office", "object", "")
    objection = _answer(world, report, "street_office", "object", "选聘方案未征求业主意见")
    _answer(world, report, "community_party", "agree")
    motion_services.motion_link_report(
        actor=world.people.pmc, motion=motion, decision_report=report
    )
    motion.refresh_from_db()
    with pytest.raises(MeetingStateError, match="反对"):
        _open(world, motion)
    with pytest.raises(MeetingStateError):  # one answer per body: no quiet change to "agree"
        _answer(world, report, "street_office", "agree")
    with pytest.raises(PermissionDenied):  # the street does not resolve its own objection
        gate.early_intervention_resolve(
            actor=world.people.street_office, intervention=objection, resolution="已协调"
        )
    with pytest.raises(PermissionDenied):
        gate.early_intervention_resolve(
            actor=world.people.pmc, intervention=objection, resolution="已协调"
        )
    gate.early_intervention_resolve(
        actor=world.people.community_party,
        intervention=objection,
        resolution="已组织业主恳谈会征求意见，方案修改后街道同意",
    )
    assert _open(world, motion).stage == "voting"


def test_only_an_officer_of_the_invited_body_answers(world, clock):
    report = _report(world, "fee_adjustment")
    services.decision_report_file(actor=world.people.pmc, report=report)
    services.decision_report_invite_intervention(actor=world.meeting_clerk, report=report)
    invitation = report.interventions.get(organization__kind="street_office")
    outsiders = [
        world.meeting_clerk,  # staff of another body
        world.people.community_party,  # officer of the *other* invited body
        MembershipFactory(
            organization=world.orgs.street_office, role=Membership.Role.STAFF
        ).person,  # staff, not an officer
        MembershipFactory(
            organization=world.orgs.street_office, role=Membership.Role.PARTY_MEMBER
        ).person,
        world.resident,
    ]
    for person in outsiders:
        with pytest.raises(PermissionDenied):
            services.early_intervention_respond(
                actor=person, intervention=invitation, answer="agree", response=""
            )
    with pytest.raises(ValidationError):
        services.early_intervention_respond(
            actor=world.people.street_office, intervention=invitation, answer="maybe", response=""
        )
    invitation.refresh_from_db()
    assert invitation.answer == ""


def test_proceed_needs_the_report_and_for_a_reserved_matter_a_passed_motion(world, clock):
    report = _report(world, "common_parts")  # 民法典第二百七十八条 (八); no early intervention
    with pytest.raises(MeetingStateError):
        services.decision_report_proceed(actor=world.people.pmc, report=report)  # not filed
    services.decision_report_file(actor=world.people.pmc, report=report)
    with pytest.raises(EarlyInterventionRequired):  # not acknowledged
        services.decision_report_proceed(actor=world.people.pmc, report=report)
    _acknowledge_all(world, report)
    with pytest.raises(EarlyInterventionRequired) as exc:
        services.decision_report_proceed(actor=world.people.pmc, report=report)
    assert exc.value.code == "motion_required"
    motion = _motion(world, "common_parts_use")
    motion_services.motion_link_report(
        actor=world.people.pmc, motion=motion, decision_report=report
    )
    motion.refresh_from_db()
    _open(world, motion)
    for person in (world.resident, world.neighbour):
        services.motion_vote_cast(
            actor=person,
            motion=motion,
            household=person.residencies.get().household,
            choice="yes",
        )
    clock.move_to(CLOSES)
    decided = services.motion_close_vote(actor=world.people.pmc, motion=motion)
    assert decided.passed is True
    done = services.decision_report_proceed(actor=world.people.pmc, report=report)
    assert done.status == DecisionReport.Status.PROCEEDING


def test_large_amount_boundary_is_the_compounds_policy_value(world, clock):
    """ "大额维修资金使用": from the compound's amount on (default 50,000 yuan); below it a fund
    use needs neither the report nor early intervention."""
    assert Decimal("50000.00") == DEFAULT_LARGE_FUND_AMOUNT
    just_below = DEFAULT_LARGE_FUND_AMOUNT - Decimal("0.01")
    assert not gate.needs_early_intervention(
        matter="maintenance_fund", amount=just_below, compound=world.compound
    )
    assert gate.needs_early_intervention(
        matter="maintenance_fund", amount=DEFAULT_LARGE_FUND_AMOUNT, compound=world.compound
    )
    assert gate.needs_early_intervention(  # unknown amount counts as large
        matter="maintenance_fund", amount=None, compound=world.compound
    )
    assert _open(world, _motion(world, "fund_use", amount=just_below)).stage == "voting"
    with pytest.raises(MeetingStateError):
        _open(world, _motion(world, "fund_use", amount=DEFAULT_LARGE_FUND_AMOUNT))
    # The community raises the amount: 80,000 yuan no longer counts as large.
    with pytest.raises(PermissionDenied):
        gate.meetings_policy_update(
            actor=world.people.pmc,
            compound=world.compound,
            public_to_visitors=False,
            large_fund_amount="100000",
        )
    gate.meetings_policy_update(
        actor=world.people.community_party,
        compound=world.compound,
        public_to_visitors=False,
        large_fund_amount="100000",
    )
    assert MeetingsPolicy.objects.get(compound=world.compound).large_fund_amount == 100000
    assert not gate.needs_early_intervention(
        matter="maintenance_fund", amount=Decimal("80000"), compound=world.compound
    )
    for bad in ("0", "-5", "abc", "1e20"):
        with pytest.raises(ValidationError):
            gate.meetings_policy_update(
                actor=world.people.community_party,
                compound=world.compound,
                public_to_visitors=False,
                large_fund_amount=bad,
            )


def test_policy_and_resolution_pages_refuse_bad_input(world, clock):
    community = Client()
    community.force_login(world.people.community_party)
    url = reverse("meetings:meetings_policy") + f"?compound={world.compound.slug}"
    page = community.post(
        url, {"policy-large_fund_amount": "<script>", "policy-public_to_visitors": "on"}
    )
    assert page.status_code == 302
    assert MeetingsPolicy.objects.filter(compound=world.compound).count() == 0
    assert community.post(url, {"policy-large_fund_amount": "60000"}).status_code == 302
    assert MeetingsPolicy.objects.get(compound=world.compound).large_fund_amount == 60000
    pmc = Client()
    pmc.force_login(world.people.pmc)
    assert pmc.post(url, {"policy-large_fund_amount": "1"}).status_code == 403
    listing = community.get(
        reverse("meetings:decision_reports") + f"?compound={world.compound.slug}"
    )
    assert 'name="policy-large_fund_amount"' in listing.content.decode()
