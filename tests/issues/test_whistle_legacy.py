"""协同联动 第五条: "对于历史遗留的物业管理服务问题…社区党组织应领导社区居民委员会、小区党组织
积极向街道及相关部门反映，争取重视与支持；社区居民委员会、物业管理委员会、物业服务企业'三方'
需共同向居民做好解释说明工作，不得相互推诿、激化矛盾。"

The report upwards is recorded (to the street and its departments), and the explanation
to residents is given by the three parties jointly: each confirms it before it is public.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from huashan.notify.models import Notification
from huashan.workdays import deadline
from issues import services
from issues.legacy import JointExplanation, LegacyReport
from issues.services.whistles import (
    joint_explanation_confirm,
    joint_explanation_draft,
    legacy_report_answer,
    legacy_report_upwards,
)
from tests.issues.helpers import T0, submit

pytestmark = pytest.mark.django_db

EXPLANATION = (
    "地下车库产权由开发商遗留，三方已向街道和住建部门反映，确权完成前由物业先行做好排水，"
    "下次说明时间为下月底。"
)


@pytest.fixture
def legacy(world):
    office = world.people.joint_meeting_office
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.issue_accept(actor=office, issue=issue)
        services.issue_give_plan(actor=office, issue=issue, plan="分三步处理，先确权再维修")
        services.issue_change_tier(
            actor=office, issue=issue, tier="legacy", reason="开发商遗留的产权问题"
        )
    return issue


def _report(world, issue, **overrides):
    data = {
        "actor": world.people.community_party,
        "issue": issue,
        "reporting_organization": world.orgs.community_party,
        "recipients": [world.orgs.street_office, world.orgs.department],
        "content": "车库产权遗留问题，请街道协调住建部门确权。",
    }
    data.update(overrides)
    return legacy_report_upwards(**data)


def test_report_upwards_is_recorded_public_and_told_to_the_street(world, legacy):
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        report = _report(world, legacy)
    assert set(report.recipients.all()) == {world.orgs.street_office, world.orgs.department}
    event = legacy.events.get(verb="legacy_report")
    assert event.public
    assert world.orgs.street_office.name in event.note
    assert Notification.objects.filter(recipient=world.people.street_office).exists()
    assert Notification.objects.filter(recipient=world.people.department).exists()
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        legacy_report_answer(
            actor=world.people.department, report=report, response="已列入年度确权计划"
        )
    report.refresh_from_db()
    assert report.response == "已列入年度确权计划"
    assert legacy.events.get(verb="legacy_response").public
    with pytest.raises(PermissionDenied):
        legacy_report_answer(actor=world.people.pmc, report=report, response="x")


def test_the_rc_and_compound_party_report_too_but_not_the_pmc(world, legacy):
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        _report(
            world,
            legacy,
            actor=world.people.residents_committee,
            reporting_organization=world.orgs.residents_committee,
        )
        _report(
            world,
            legacy,
            actor=world.people.compound_party,
            reporting_organization=world.orgs.compound_party,
        )
        with pytest.raises(ValidationError) as exc:
            _report(world, legacy, actor=world.people.pmc, reporting_organization=world.orgs.pmc)
        assert "reporting_organization" in exc.value.message_dict
        with pytest.raises(PermissionDenied):
            _report(world, legacy, actor=world.people.pmc)  # not a seat in the community party
    assert LegacyReport.objects.filter(issue=legacy).count() == 2


def test_report_goes_to_the_street_or_its_departments_only(world, legacy):
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        for recipients in ([], [world.orgs.pmc], [world.orgs.residents_committee]):
            with pytest.raises(ValidationError) as exc:
                _report(world, legacy, recipients=recipients)
            assert "recipients" in exc.value.message_dict
        for content in ("", "长" * 4001):
            with pytest.raises(ValidationError):
                _report(world, legacy, content=content)


def test_only_a_legacy_matter(world):
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        with pytest.raises(ValidationError):
            _report(world, issue)
        with pytest.raises(ValidationError):
            joint_explanation_draft(
                actor=world.people.joint_meeting_office, issue=issue, text=EXPLANATION
            )


def test_the_explanation_is_public_only_when_all_three_parties_confirm(world, legacy):
    """三方共同: two confirmations are not enough; the third publishes it and restarts the
    legacy explanation clock."""
    start = T0 + dt.timedelta(days=2)
    with time_machine.travel(start, tick=False):
        explanation = joint_explanation_draft(
            actor=world.people.joint_meeting_office, issue=legacy, text=EXPLANATION
        )
        assert sorted(c.organization.kind for c in explanation.confirmations.all()) == sorted(
            ["residents_committee", "pmc", "property_company"]
        )
        due_before = type(legacy).objects.get(pk=legacy.pk).feedback_due
        joint_explanation_confirm(
            actor=world.people.residents_committee,
            explanation=explanation,
            organization=world.orgs.residents_committee,
        )
        joint_explanation_confirm(
            actor=world.people.pmc, explanation=explanation, organization=world.orgs.pmc
        )
        explanation.refresh_from_db()
        assert explanation.status == JointExplanation.Status.AWAITING
        assert not legacy.events.filter(verb="joint_explanation").exists()
        assert type(legacy).objects.get(pk=legacy.pk).feedback_due == due_before
    later = start + dt.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        joint_explanation_confirm(
            actor=world.people.property_company,
            explanation=explanation,
            organization=world.orgs.property_company,
        )
    explanation.refresh_from_db()
    assert explanation.status == JointExplanation.Status.PUBLISHED
    event = legacy.events.get(verb="joint_explanation")
    assert event.public
    for org in (world.orgs.residents_committee, world.orgs.pmc, world.orgs.property_company):
        assert org.name in event.note
    legacy.refresh_from_db()
    clocks = services.clocks_for(services.clock_policy_for(world.compound))
    assert legacy.feedback_due == deadline(later, clocks.legacy)


def test_a_body_confirms_only_for_itself(world, legacy):
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        explanation = joint_explanation_draft(
            actor=world.people.joint_meeting_office, issue=legacy, text=EXPLANATION
        )
        with pytest.raises(PermissionDenied):
            joint_explanation_confirm(
                actor=world.people.pmc,
                explanation=explanation,
                organization=world.orgs.property_company,
            )
        with pytest.raises(PermissionDenied):  # not one of the three parties
            joint_explanation_confirm(
                actor=world.people.compound_party,
                explanation=explanation,
                organization=world.orgs.compound_party,
            )


def test_a_brush_off_is_no_explanation_and_a_new_draft_withdraws_the_old(world, legacy):
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        with pytest.raises(ValidationError):
            joint_explanation_draft(
                actor=world.people.joint_meeting_office, issue=legacy, text="不归我们管"
            )
        first = joint_explanation_draft(
            actor=world.people.joint_meeting_office, issue=legacy, text=EXPLANATION
        )
        joint_explanation_draft(
            actor=world.people.joint_meeting_office, issue=legacy, text=EXPLANATION + "（修改）"
        )
        first.refresh_from_db()
        assert first.status == JointExplanation.Status.WITHDRAWN
        with pytest.raises(ValidationError):
            joint_explanation_confirm(
                actor=world.people.pmc, explanation=first, organization=world.orgs.pmc
            )
        with pytest.raises(PermissionDenied):
            joint_explanation_draft(actor=world.resident, issue=legacy, text=EXPLANATION)


# --- the page (meetings:legacy) -----------------------------------------------------


def _page(issue):
    return f"/meetings/legacy/{issue.tracking_number}/"


def test_page_reports_explains_and_each_party_confirms(world, legacy, client):
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        client.force_login(world.people.community_party)
        assert client.get(_page(legacy)).status_code == 200
        response = client.post(
            _page(legacy) + "report/",
            {
                "report-reporting_organization": world.orgs.community_party.pk,
                "report-recipients": [world.orgs.street_office.pk],
                "report-content": "请街道协调确权",
            },
        )
        assert response.status_code == 302
        assert LegacyReport.objects.filter(issue=legacy).count() == 1
        client.force_login(world.people.joint_meeting_office)
        response = client.post(_page(legacy) + "explain/", {"explain-text": EXPLANATION})
        assert response.status_code == 302
        explanation = JointExplanation.objects.get(issue=legacy)
        for person, org in (
            (world.people.residents_committee, world.orgs.residents_committee),
            (world.people.pmc, world.orgs.pmc),
            (world.people.property_company, world.orgs.property_company),
        ):
            client.force_login(person)
            row = explanation.confirmations.get(organization=org)
            response = client.post(_page(legacy) + f"confirm/{row.pk}/")
            assert response.status_code == 302
        explanation.refresh_from_db()
        assert explanation.status == JointExplanation.Status.PUBLISHED
        body = client.get(_page(legacy)).content.decode()
        assert "请街道协调确权" in body


def test_page_bad_input_and_others(world, legacy, client):
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        client.force_login(world.people.community_party)
        hostile = "<script>alert(1)</script>"
        for data in (
            {"report-content": hostile},
            {
                "report-reporting_organization": world.orgs.pmc.pk,
                "report-recipients": [world.orgs.street_office.pk],
                "report-content": "x",
            },
            {
                "report-reporting_organization": world.orgs.community_party.pk,
                "report-recipients": [world.orgs.street_office.pk],
                "report-content": "长" * 4001,
            },
        ):
            response = client.post(_page(legacy) + "report/", data)
            assert response.status_code == 400
            assert hostile not in response.content.decode()
        assert not LegacyReport.objects.exists()
        response = client.post(_page(legacy) + "explain/", {"explain-text": "不归我们管"})
        assert response.status_code == 400
        assert client.post(_page(legacy) + "nonsense/1/").status_code == 404
        client.force_login(world.resident)
        assert client.get(_page(legacy)).status_code == 403
        client.logout()
        assert client.get(_page(legacy)).status_code == 302
        client.force_login(world.people.community_party)
        assert client.get("/meetings/legacy/HS-2099-999999/").status_code == 404
