"""联席会议议事规则 第四条: "会议通知与会议纪要需分送至社区党组织、社区居民委员会、物业管理委员会
以及物业服务企业" — the office distributes the summary; the rules give none of the four
bodies a veto over it. After the countersign deadline the chair may approve, and the
missing countersignatures are recorded and shown.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from huashan import workdays
from huashan.notify.models import Notification
from meetings import services
from meetings.models import MeetingEvent, Summary, SummarySignature
from meetings.models.summaries import COUNTERSIGN_WINDOW
from meetings.pdf import meeting_pdf_context

from .conftest import CN, hold

pytestmark = pytest.mark.django_db


def _out_for_countersign(meeting, world, clock):
    hold(meeting, world, clock)
    services.minutes_save_draft(
        actor=world.meeting_clerk, meeting=meeting, discussion="讨论了停车问题"
    )
    summary = services.summary_draft(actor=world.meeting_clerk, meeting=meeting)
    return services.summary_submit_for_countersign(actor=world.meeting_clerk, summary=summary)


def test_countersign_deadline_is_five_working_days_from_sending(joint_meeting, world, clock):
    summary = _out_for_countersign(joint_meeting, world, clock)
    # Sent on Wed 25 Mar 2026: 26, 27, 30, 31 Mar and 1 Apr are the five working days.
    assert COUNTERSIGN_WINDOW.amount == 5
    assert summary.countersign_due == dt.datetime(2026, 4, 2, 0, 0, tzinfo=CN)
    assert summary.countersign_due == workdays.deadline(
        dt.datetime(2026, 3, 25, 15, 5, tzinfo=CN), COUNTERSIGN_WINDOW
    )
    # The bodies are told the deadline in their notification.
    note = Notification.objects.filter(subject__contains=joint_meeting.title).latest("pk")
    assert workdays.format_deadline(summary.countersign_due) in note.body


def test_before_the_deadline_a_missing_countersignature_still_stops_approval(
    joint_meeting, world, clock
):
    summary = _out_for_countersign(joint_meeting, world, clock)
    for org in (world.orgs.pmc, world.orgs.community_party, world.orgs.residents_committee):
        services.summary_countersign(
            actor=getattr(world.people, org.kind), summary=summary, organization=org
        )
    clock.move_to(summary.countersign_due - dt.timedelta(seconds=1))
    with pytest.raises(services.MeetingStateError) as exc:
        services.summary_approve(actor=world.community_secretary, summary=summary)
    assert exc.value.code == "countersign_missing"
    summary.refresh_from_db()
    assert summary.status == Summary.Status.COUNTERSIGNING


def test_after_the_deadline_the_chair_approves_and_the_missing_body_is_recorded(
    joint_meeting, world, clock
):
    """第四条 gives no body a veto: the property company does not countersign; at the
    deadline the chair approves, and the record names the company."""
    summary = _out_for_countersign(joint_meeting, world, clock)
    for org in (world.orgs.pmc, world.orgs.community_party, world.orgs.residents_committee):
        services.summary_countersign(
            actor=getattr(world.people, org.kind), summary=summary, organization=org
        )
    clock.move_to(summary.countersign_due)
    summary = services.summary_approve(actor=world.community_secretary, summary=summary)
    assert summary.status == Summary.Status.APPROVED
    missing = SummarySignature.objects.filter(summary=summary, missing_at_approval=True)
    assert [s.organization for s in missing] == [world.orgs.property_company]
    event = MeetingEvent.objects.get(meeting=joint_meeting, verb="summary_approve")
    assert world.orgs.property_company.name in event.note
    told = Notification.objects.filter(recipient=world.people.property_company).latest("pk")
    assert world.orgs.property_company.name in told.body
    # The record shows it: the PDF of the summary and the meeting page.
    from django.template.loader import render_to_string

    html = render_to_string("pdf/meetings/summary.html", meeting_pdf_context(meeting=joint_meeting))
    assert "逾期未会签" in html
    assert world.orgs.property_company.name in html


def test_only_the_chair_may_approve_even_after_the_deadline(joint_meeting, world, clock):
    summary = _out_for_countersign(joint_meeting, world, clock)
    clock.move_to(summary.countersign_due + dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.summary_approve(actor=world.meeting_clerk, summary=summary)


def test_all_four_countersign_before_the_deadline_no_one_is_marked(joint_meeting, world, clock):
    summary = _out_for_countersign(joint_meeting, world, clock)
    for org in (
        world.orgs.pmc,
        world.orgs.community_party,
        world.orgs.residents_committee,
        world.orgs.property_company,
    ):
        services.summary_countersign(
            actor=getattr(world.people, org.kind), summary=summary, organization=org
        )
    summary = services.summary_approve(actor=world.community_secretary, summary=summary)
    assert summary.status == Summary.Status.APPROVED
    assert not SummarySignature.objects.filter(summary=summary, missing_at_approval=True).exists()


def test_taking_the_summary_back_clears_the_deadline(joint_meeting, world, clock):
    summary = _out_for_countersign(joint_meeting, world, clock)
    summary = services.summary_return_to_draft(
        actor=world.meeting_clerk, summary=summary, reason="改"
    )
    assert summary.countersign_due is None


def test_approve_button_after_deadline_in_the_browser(joint_meeting, world, clock, client):
    summary = _out_for_countersign(joint_meeting, world, clock)
    clock.move_to(summary.countersign_due + dt.timedelta(hours=1))
    client.force_login(world.community_secretary)
    response = client.post(f"/meetings/{joint_meeting.pk}/summary/approve/")
    assert response.status_code in (302, 303)
    summary.refresh_from_db()
    assert summary.status == Summary.Status.APPROVED
    page = client.get(f"/meetings/{joint_meeting.pk}/")
    assert page.status_code == 200
    assert "逾期未会签" in page.content.decode()
