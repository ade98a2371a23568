"""The meetings API: authentication, compound scope, filters, writes through services,
bad input as 400, and the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from huashan.directory.models import Membership
from meetings import services
from meetings.models import ActionItem, AgendaTopic, DecisionReport, Meeting, MotionVote
from meetings.services import motions as motion_services
from tests.factories.directory import CompoundFactory, HouseholdFactory, MembershipFactory
from tests.factories.meetings import ActionItemFactory, MeetingFactory, meeting_world
from tests.meetings.conftest import MEETING_START, hold

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('x')</script>"
BASE = "/api/meetings"


def api(person=None) -> APIClient:
    client = APIClient()
    if person is not None:
        client.force_authenticate(person)
    return client


def test_anonymous_is_refused(world, joint_meeting):
    for path in ("meetings/", "topics/", "action-items/", "decision-reports/", "motions/"):
        assert api().get(f"{BASE}/{path}").status_code in (401, 403), path
    assert api().post(f"{BASE}/meetings/", {}, format="json").status_code in (401, 403)


def test_scope_staff_see_their_compound_only(world, joint_meeting):
    other = meeting_world()
    MeetingFactory(compound=other.compound, title="别的小区的会")
    titles = [
        m["title"] for m in api(world.meeting_clerk).get(f"{BASE}/meetings/").json()["results"]
    ]
    assert titles == [joint_meeting.title]
    assert api(other.meeting_clerk).get(f"{BASE}/meetings/{joint_meeting.pk}/").status_code == 404
    # A resident has no staff seat: nothing is visible.
    assert api(world.resident).get(f"{BASE}/meetings/").json()["results"] == []


def test_create_meeting_through_the_service(world, clock):
    payload = {
        "compound": world.compound.slug,
        "kind": "joint",
        "title": "四月联席会议",
        "place": "会议室",
        "start": "2026-03-26T15:00:00+08:00",
        "end": "2026-03-26T17:00:00+08:00",
    }
    response = api(world.meeting_clerk).post(f"{BASE}/meetings/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft"
    # In the past: 400 with the field named.
    past = {**payload, "start": "2026-03-01T15:00:00+08:00", "end": "2026-03-01T16:00:00+08:00"}
    response = api(world.meeting_clerk).post(f"{BASE}/meetings/", past, format="json")
    assert response.status_code == 400
    assert "start" in response.json()
    # Overlap in the same place.
    response = api(world.meeting_clerk).post(f"{BASE}/meetings/", payload, format="json")
    assert response.status_code == 400
    assert "place" in response.json()
    # Wrong, missing, oversized, hostile.
    for bad in (
        {**payload, "kind": HOSTILE},
        {**payload, "title": "x" * 201},
        {k: v for k, v in payload.items() if k != "start"},
        {**payload, "start": "yesterday"},
    ):
        assert (
            api(world.meeting_clerk).post(f"{BASE}/meetings/", bad, format="json").status_code
            == 400
        )
    # Another compound's slug is not found; a resident may not schedule.
    other = CompoundFactory()
    response = api(world.meeting_clerk).post(
        f"{BASE}/meetings/", {**payload, "compound": other.slug}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["compound"]  # {field: [message]}, like every refusal
    response = api(world.resident).post(f"{BASE}/meetings/", payload, format="json")
    assert response.status_code == 400  # the compound is not one of theirs
    company = world.people.property_company
    response = api(company).post(
        f"{BASE}/meetings/",
        {**payload, "start": "2026-03-27T09:00:00+08:00", "end": "2026-03-27T10:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 403
    assert Meeting.objects.count() == 1


def test_send_notice_and_hold(world, joint_meeting, clock):
    client = api(world.meeting_clerk)
    response = client.post(f"{BASE}/meetings/{joint_meeting.pk}/send-notice/")
    assert response.status_code == 200
    assert response.json()["document_number"].startswith("花山联〔2026〕")
    assert client.post(f"{BASE}/meetings/{joint_meeting.pk}/send-notice/").status_code == 400
    # Not started yet.
    assert client.post(f"{BASE}/meetings/{joint_meeting.pk}/held/").status_code == 400
    assert client.post(f"{BASE}/meetings/{joint_meeting.pk}/cancel/", {}).status_code == 400


def test_topics_propose_and_decide(world, joint_meeting):
    client = api(world.meeting_clerk)
    response = client.post(
        f"{BASE}/topics/", {"meeting": joint_meeting.pk, "title": "电梯维保"}, format="json"
    )
    assert response.status_code == 201
    topic_id = response.json()["id"]
    assert client.post(f"{BASE}/topics/", {"meeting": 999999, "title": "x"}).status_code == 400
    assert client.post(f"{BASE}/topics/", {"meeting": joint_meeting.pk}).status_code == 400
    reject = client.post(f"{BASE}/topics/{topic_id}/decide/", {"decision": "reject"})
    assert reject.status_code == 400  # needs a reason
    accept = client.post(f"{BASE}/topics/{topic_id}/decide/", {"decision": "accept"})
    assert accept.status_code == 200
    assert accept.json()["status"] == "accepted"
    # The property company may propose but not decide.
    company = api(world.people.property_company)
    assert (
        company.post(
            f"{BASE}/topics/{topic_id}/decide/", {"decision": "defer", "reason": "x"}
        ).status_code
        == 403
    )
    listed = client.get(f"{BASE}/topics/", {"meeting": joint_meeting.pk, "status": "accepted"})
    assert [t["id"] for t in listed.json()["results"]] == [topic_id]
    assert AgendaTopic.objects.get().status == "accepted"


def test_action_items_filters_and_steps(world, joint_meeting, clock):
    hold(joint_meeting, world, clock)
    client = api(world.meeting_clerk)
    payload = {
        "meeting": joint_meeting.pk,
        "title": "修复路灯",
        "responsible_organization": world.orgs.property_company.pk,
        "due_date": "2026-04-10",
    }
    response = client.post(f"{BASE}/action-items/", payload, format="json")
    assert response.status_code == 201, response.json()
    item_id = response.json()["id"]
    no_owner = {k: v for k, v in payload.items() if k != "responsible_organization"}
    assert client.post(f"{BASE}/action-items/", no_owner, format="json").status_code == 400
    foreign = MembershipFactory(organization__compound=CompoundFactory()).organization
    response = client.post(
        f"{BASE}/action-items/", {**payload, "responsible_organization": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert "responsible_organization" in response.json()
    ActionItemFactory(
        meeting=MeetingFactory(compound=world.compound),
        responsible_organization=world.orgs.pmc,
        title="逾期",
        due_date=dt.date(2026, 3, 1),
        due_at=dt.datetime(2026, 3, 1, 16, tzinfo=dt.UTC),
    )
    overdue = client.get(f"{BASE}/action-items/", {"overdue": "true"}).json()["results"]
    assert [i["title"] for i in overdue] == ["逾期"]
    by_org = client.get(
        f"{BASE}/action-items/", {"organization": world.orgs.property_company.pk}
    ).json()["results"]
    assert [i["id"] for i in by_org] == [item_id]
    assert client.get(f"{BASE}/action-items/", {"status": HOSTILE}).status_code == 400
    company = api(world.people.property_company)
    done = company.post(f"{BASE}/action-items/{item_id}/done/", {"note": "完成"})
    assert done.status_code == 400  # no evidence
    done = company.post(
        f"{BASE}/action-items/{item_id}/done/", {"note": "完成", "evidence_text": "照片"}
    )
    assert done.status_code == 200
    assert company.post(f"{BASE}/action-items/{item_id}/accept/", {}).status_code == 403
    assert client.post(f"{BASE}/action-items/{item_id}/accept/", {}).status_code == 200
    assert ActionItem.objects.get(pk=item_id).status == "done"


def test_decision_report_gate(world):
    pmc = api(world.people.pmc)
    payload = {
        "compound": world.compound.slug,
        "matter": "fee_adjustment",
        "title": "调整物业费",
        "body": "拟调整物业费",
    }
    assert api(world.meeting_clerk).post(f"{BASE}/decision-reports/", payload).status_code == 403
    assert pmc.post(f"{BASE}/decision-reports/", {**payload, "amount": "-5"}).status_code == 400
    response = pmc.post(f"{BASE}/decision-reports/", payload)
    assert response.status_code == 201
    report_id = response.json()["id"]
    assert response.json()["needs_early_intervention"] is True
    assert pmc.post(f"{BASE}/decision-reports/{report_id}/file/").status_code == 200
    gated = pmc.post(f"{BASE}/decision-reports/{report_id}/proceed/", {})
    assert gated.status_code == 400
    assert (
        api(world.meeting_clerk)
        .post(f"{BASE}/decision-reports/{report_id}/invite/", {})
        .status_code
        == 200
    )
    # 决策报告制度 第二条: every listed recipient acknowledges; 协同联动 第七条: the street and
    # the community party organization answer the invitation (invited is not enough).
    for kind in (
        "residents_committee",
        "street_office",
        "community_party",
        "compound_party",
        "joint_meeting_office",
    ):
        ack = api(getattr(world.people, kind)).post(
            f"{BASE}/decision-reports/{report_id}/acknowledge/",
            {"organization": getattr(world.orgs, kind).pk, "answer": "同意"},
        )
        assert ack.status_code == 200
    assert pmc.post(f"{BASE}/decision-reports/{report_id}/proceed/", {}).status_code == 400
    report = DecisionReport.objects.get()
    for invitation in report.interventions.select_related("organization"):
        services.early_intervention_respond(
            actor=getattr(world.people, invitation.organization.kind),
            intervention=invitation,
            answer="agree",
            response="",
        )
    answers = pmc.get(f"{BASE}/decision-reports/{report_id}/").json()["interventions"]
    assert {a["answer"] for a in answers} == {"agree"}
    assert pmc.post(f"{BASE}/decision-reports/{report_id}/proceed/", {}).status_code == 200
    assert DecisionReport.objects.get().status == "proceeding"


def test_motion_vote_and_tally(world, clock):
    household = HouseholdFactory(building=world.building)
    motion = services.motion_propose(
        actor=world.people.pmc,
        compound=world.compound,
        title="修屋面",
        body="b",
        matter="fund_use",
        amount=Decimal("3000"),  # below the large amount: no advance report needed
    )
    services.motion_pmc_deliberate(actor=world.people.pmc, motion=motion, resolution="同意")
    services.motion_party_review(
        actor=world.people.compound_party, motion=motion, level="compound", opinion="同意"
    )
    services.motion_party_review(
        actor=world.people.community_party, motion=motion, level="community", opinion="同意"
    )
    services.motion_open_vote(
        actor=world.people.pmc, motion=motion, closes_at=MEETING_START + dt.timedelta(days=5)
    )
    pmc = api(world.people.pmc)
    url = f"{BASE}/motions/{motion.pk}/vote/"
    # The API enters paper ballots; a second person confirms before they count.
    entered = pmc.post(url, {"household": household.pk, "choice": "yes"})
    assert entered.status_code == 201
    assert entered.json()["channel"] == "paper"
    assert pmc.get(f"{BASE}/motions/{motion.pk}/tally/").json()["yes_owners"] == 0
    motion_services.motion_paper_confirm(
        actor=world.meeting_clerk, vote=MotionVote.objects.get(pk=entered.json()["id"])
    )
    assert pmc.post(url, {"household": household.pk, "choice": "no"}).status_code == 400
    assert pmc.post(url, {"household": 999999, "choice": "yes"}).status_code == 400
    assert pmc.post(url, {"household": household.pk, "choice": HOSTILE}).status_code == 400
    tally = pmc.get(f"{BASE}/motions/{motion.pk}/tally/").json()
    assert tally["yes_owners"] == 1
    assert tally["reasons"]
    assert api(world.resident).get(f"{BASE}/motions/{motion.pk}/tally/").status_code == 404


def test_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    text = (tmp_path / "s.yaml").read_text()
    assert "/api/meetings/action-items/" in text
    assert "/api/meetings/decision-reports/{id}/proceed/" in text


def test_membership_roles_outside_staff_see_nothing(world, joint_meeting):
    voice = MembershipFactory(
        organization=world.orgs.compound_party, role=Membership.Role.PARTY_MEMBER
    ).person
    assert api(voice).get(f"{BASE}/meetings/").json()["results"] == []
