"""HTML pages of meetings: public list/calendar, the staff meeting page and its forms,
agreed items, decision reports, owners' assembly motions, forum opinions.

Every form gets wrong, missing, oversized and hostile input: the answer is a field
error (400) with what was typed still in the form, never a 500.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from huashan.directory.models import Membership
from meetings import services
from meetings.models import (
    ActionItem,
    AgendaTopic,
    Attendance,
    DecisionReport,
    ForumOpinion,
    Meeting,
    MeetingDocument,
    Minutes,
    MotionVote,
    NoticeReceipt,
    OwnersAssemblyMotion,
    Summary,
)
from tests.factories.directory import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    MembershipFactory,
    PersonFactory,
)
from tests.factories.meetings import ActionItemFactory, AgendaTopicFactory, MeetingFactory
from tests.meetings.conftest import CN, MEETING_START, hold

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('x')</script>"
SQLISH = "1' OR '1'='1'; DROP TABLE meetings_meeting; --"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


class CheckedClient(Client):
    """A test client that fails on any template variable that did not resolve."""

    def request(self, **request):
        response = super().request(**request)
        content = getattr(response, "content", b"")
        if response.get("Content-Type", "").startswith("text/html"):
            at = content.find(b"INVALID_TEMPLATE_VARIABLE")
            assert at < 0, content[max(0, at - 300) : at + 200].decode(errors="replace")
            assert b"<script>alert" not in content
        return response


@pytest.fixture
def client():
    return CheckedClient()


def as_user(person) -> CheckedClient:
    c = CheckedClient()
    c.force_login(person)
    return c


@pytest.fixture
def clerk(world):
    return as_user(world.meeting_clerk)


def q(world) -> str:
    return f"?compound={world.compound.slug}"


def meeting_data(**overrides) -> dict:
    data = {
        "kind": "joint",
        "title": "2026年3月联席会议",
        "place": "党群服务中心",
        "start": "2026-03-26T15:00",
        "end": "2026-03-26T17:00",
    }
    data.update(overrides)
    return data


# --- public pages ----------------------------------------------------------------------


def test_list_is_public_and_shows_upcoming_meetings(client, world, joint_meeting):
    response = client.get(reverse("meetings:list") + q(world))
    assert response.status_code == 200
    assert "2026年3月联席会议".encode() in response.content
    # Anonymous visitors see no link into the staff page.
    assert reverse("meetings:detail", args=[joint_meeting.pk]).encode() not in response.content


def test_list_default_compound_and_unknown_compound(client, world):
    assert client.get(reverse("meetings:list")).status_code in (200, 404)
    assert client.get(reverse("meetings:list") + "?compound=" + "x" * 500).status_code == 404
    assert client.get(reverse("meetings:list") + "?compound=" + SQLISH).status_code == 404


def test_list_filters_by_kind_and_ignores_bogus_kind(client, world, joint_meeting):
    ok = client.get(reverse("meetings:list") + q(world) + "&kind=work_hearing")
    assert "2026年3月联席会议".encode() not in ok.content
    bogus = client.get(reverse("meetings:list") + q(world) + "&kind=" + HOSTILE)
    assert bogus.status_code == 200
    assert "2026年3月联席会议".encode() in bogus.content


def test_calendar_month_grid(client, world, joint_meeting):
    response = client.get(reverse("meetings:calendar") + q(world) + "&month=2026-03")
    assert response.status_code == 200
    assert "2026年3月联席会议".encode() in response.content
    # A bad month falls back to this month instead of failing.
    for bad in ("2026-13", "abcd", "9999-01", HOSTILE):
        assert (
            client.get(reverse("meetings:calendar") + q(world) + "&month=" + bad).status_code == 200
        )


# --- permissions -------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_on_staff_pages(client, world, joint_meeting):
    for url in (
        reverse("meetings:create") + q(world),
        reverse("meetings:detail", args=[joint_meeting.pk]),
        reverse("meetings:minutes", args=[joint_meeting.pk]),
        reverse("meetings:action_items") + q(world),
        reverse("meetings:decision_reports") + q(world),
        reverse("meetings:motions") + q(world),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


def test_resident_gets_403_on_staff_pages(world, joint_meeting):
    resident = as_user(world.resident)
    for url in (
        reverse("meetings:create") + q(world),
        reverse("meetings:notice", args=[joint_meeting.pk]),
        reverse("meetings:attendance", args=[joint_meeting.pk]),
        reverse("meetings:minutes", args=[joint_meeting.pk]),
        reverse("meetings:documents", args=[joint_meeting.pk]),
        reverse("meetings:decision_reports") + q(world),
    ):
        assert resident.get(url).status_code == 403, url
    # Issue 17: the meeting page and the agreed items send residents to the public pages;
    # the owners' assembly list is the owner's own (motions open to their vote).
    detail = resident.get(reverse("meetings:detail", args=[joint_meeting.pk]))
    assert detail.status_code == 302
    assert detail.url == reverse("meetings:public", args=[joint_meeting.pk])
    items = resident.get(reverse("meetings:action_items") + q(world))
    assert items.status_code == 302
    assert items.url.startswith(reverse("meetings:action_items_public"))
    motions = resident.get(reverse("meetings:motions") + q(world))
    assert motions.status_code == 200
    assert resident.post(reverse("meetings:motions") + q(world), {"title": "x"}).status_code == 403
    response = resident.post(
        reverse("meetings:topic_propose", args=[joint_meeting.pk]), {"propose-title": "x"}
    )
    assert response.status_code == 403


def test_staff_of_another_compound_gets_403(world, joint_meeting):
    other = MembershipFactory(
        organization__compound=CompoundFactory(), role=Membership.Role.STAFF
    ).person
    client = as_user(other)
    assert client.get(reverse("meetings:detail", args=[joint_meeting.pk])).status_code == 403
    assert client.get(reverse("meetings:public", args=[joint_meeting.pk])).status_code == 403


def test_property_company_staff_sees_the_page_but_cannot_send_the_notice(world, joint_meeting):
    company = as_user(world.people.property_company)
    assert company.get(reverse("meetings:detail", args=[joint_meeting.pk])).status_code == 200
    assert company.post(reverse("meetings:notice_send", args=[joint_meeting.pk])).status_code == 403
    joint_meeting.refresh_from_db()
    assert joint_meeting.status == Meeting.Status.DRAFT


def test_unknown_ids_are_404(clerk, world, joint_meeting):
    assert clerk.get(reverse("meetings:detail", args=[999999])).status_code == 404
    assert clerk.get(reverse("meetings:action_item", args=[999999])).status_code == 404
    assert (
        clerk.post(reverse("meetings:topic_decide", args=[joint_meeting.pk, 999999])).status_code
        == 404
    )
    assert (
        clerk.post(reverse("meetings:summary_step", args=[joint_meeting.pk, "nope"])).status_code
        == 404
    )


# --- create / edit ------------------------------------------------------------------------


def test_clerk_schedules_a_meeting(clerk, world, clock):
    response = clerk.post(reverse("meetings:create") + q(world), meeting_data())
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="2026年3月联席会议")
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.members.exists()


def test_meeting_in_the_past_is_a_field_error(clerk, world, clock):
    data = meeting_data(start="2026-03-01T15:00", end="2026-03-01T17:00", title="过去的会")
    response = clerk.post(reverse("meetings:create") + q(world), data)
    assert response.status_code == 400
    assert zh("A meeting cannot be scheduled in the past.") in response.content.decode()
    assert "过去的会" in response.content.decode()  # nothing typed is lost
    assert not Meeting.objects.exists()


def test_overlapping_meeting_in_the_same_place_is_refused(clerk, world, joint_meeting):
    data = meeting_data(
        title="另一个会",
        place=joint_meeting.place,
        start="2026-03-25T16:00",
        end="2026-03-25T18:00",
        kind="work_hearing",
    )
    response = clerk.post(reverse("meetings:create") + q(world), data)
    assert response.status_code == 400
    assert "另一个会" in response.content.decode()
    assert 'class="field-error"' in response.content.decode()
    assert Meeting.objects.count() == 1


def test_ad_hoc_meeting_needs_a_reason(clerk, world, clock):
    mid_month = meeting_data(start="2026-03-15T15:00", end="2026-03-15T16:00")
    response = clerk.post(reverse("meetings:create") + q(world), mid_month)
    assert response.status_code == 400  # not the last week and not marked ad hoc
    response = clerk.post(reverse("meetings:create") + q(world), {**mid_month, "is_ad_hoc": "on"})
    assert response.status_code == 400
    assert zh("Say why an ad hoc meeting is needed.") in response.content.decode()
    response = clerk.post(
        reverse("meetings:create") + q(world),
        {**mid_month, "is_ad_hoc": "on", "ad_hoc_reason": "电梯停运需紧急协调"},
    )
    assert response.status_code == 302
    assert Meeting.objects.get().is_ad_hoc


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"place": ""}, "place"),
        ({"start": "not a date"}, "start"),
        ({"start": "2026-02-30T10:00"}, "start"),
        ({"end": "2026-03-26T14:00"}, "end"),
        ({"kind": "tea_party"}, "kind"),
        ({"kind": HOSTILE}, "kind"),
    ],
)
def test_meeting_form_bad_input(clerk, world, clock, overrides, field):
    response = clerk.post(reverse("meetings:create") + q(world), meeting_data(**overrides))
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Meeting.objects.exists()


def test_hostile_title_is_escaped(clerk, world, clock):
    response = clerk.post(reverse("meetings:create") + q(world), meeting_data(title=HOSTILE))
    assert response.status_code == 302
    page = clerk.get(response["Location"])
    assert b"&lt;script&gt;" in page.content


def test_edit_a_draft_meeting(clerk, world, joint_meeting):
    url = reverse("meetings:edit", args=[joint_meeting.pk])
    assert clerk.get(url).status_code == 200
    data = meeting_data(title="改过的标题", start="2026-03-26T09:00", end="2026-03-26T10:00")
    assert clerk.post(url, data).status_code == 302
    joint_meeting.refresh_from_db()
    assert joint_meeting.title == "改过的标题"
    assert joint_meeting.kind == "joint"
    bad = clerk.post(url, meeting_data(title="", start="2026-03-01T09:00"))
    assert bad.status_code == 400


def test_cancel_needs_a_reason(clerk, world, joint_meeting):
    url = reverse("meetings:cancel", args=[joint_meeting.pk])
    assert clerk.post(url, {"cancel-reason": ""}).status_code == 400
    assert clerk.post(url, {"cancel-reason": "x" * 2001}).status_code == 400
    assert clerk.post(url, {"cancel-reason": "台风预警"}).status_code == 302
    joint_meeting.refresh_from_db()
    assert joint_meeting.status == Meeting.Status.CANCELLED


# --- agenda --------------------------------------------------------------------------------


def test_propose_and_decide_topics(clerk, world, joint_meeting):
    url = reverse("meetings:topic_propose", args=[joint_meeting.pk])
    assert clerk.post(url, {"propose-title": ""}).status_code == 400
    assert clerk.post(url, {"propose-title": "x" * 201}).status_code == 400
    forged = clerk.post(url, {"propose-title": "停车", "propose-proposer_organization": "999999"})
    assert forged.status_code == 400
    assert "停车" in forged.content.decode()
    for title in ("停车秩序", "垃圾分类", "电梯维保"):
        assert clerk.post(url, {"propose-title": title}).status_code == 302
    parking, garbage, lift = AgendaTopic.objects.order_by("pk")
    decide = lambda t, **d: clerk.post(  # noqa: E731
        reverse("meetings:topic_decide", args=[joint_meeting.pk, t.pk]),
        {f"t{t.pk}-{k}": v for k, v in d.items()},
    )
    assert decide(parking, decision="accept").status_code == 302
    assert decide(garbage, decision="accept").status_code == 302
    # Reject / defer / merge need a reason; merge needs a target.
    assert decide(lift, decision="reject").status_code == 400
    assert decide(lift, decision="merge", reason="同一件事").status_code == 400
    assert decide(lift, decision=HOSTILE).status_code == 400
    assert (
        decide(lift, decision="merge", reason="同一件事", into=str(parking.pk)).status_code == 302
    )
    lift.refresh_from_db()
    assert lift.status == AgendaTopic.Status.MERGED
    assert lift.merged_into == parking
    # Ordering: move the second topic up.
    move = reverse("meetings:topic_move", args=[joint_meeting.pk, garbage.pk])
    assert clerk.post(move, {"direction": "up"}).status_code == 302
    assert list(
        AgendaTopic.objects.filter(status="accepted")
        .order_by("order")
        .values_list("title", flat=True)
    ) == ["垃圾分类", "停车秩序"]
    order = reverse("meetings:topic_order", args=[joint_meeting.pk])
    assert clerk.post(order, {"order": f"{parking.pk},{garbage.pk}"}).status_code == 302
    assert AgendaTopic.objects.get(pk=parking.pk).order == 1
    # A wrong list is an error message, not a 500.
    response = clerk.post(order, {"order": "abc"}, follow=True)
    assert response.status_code == 200
    response = clerk.post(order, {"order": f"{parking.pk}"}, follow=True)
    assert zh("List every accepted topic exactly once.") in response.content.decode()


def test_big_complaint_proposes_itself_and_shows_on_the_page(clerk, world, joint_meeting):
    from tests.factories.issues import IssueFactory

    issue = IssueFactory(compound=world.compound, description="地下车库渗水严重，多次反映未解决")
    services.topic_propose_from_issue(issue=issue)
    page = clerk.get(reverse("meetings:detail", args=[joint_meeting.pk]))
    assert issue.tracking_number in page.content.decode()


# --- notice ---------------------------------------------------------------------------------


def test_notice_preview_send_and_sign(clerk, world, joint_meeting):
    url = reverse("meetings:notice", args=[joint_meeting.pk])
    preview = clerk.get(url)
    assert preview.status_code == 200
    assert clerk.post(reverse("meetings:notice_send", args=[joint_meeting.pk])).status_code == 302
    page = clerk.get(url).content.decode()
    assert "花山联〔2026〕" in page
    pmc_receipt = NoticeReceipt.objects.get(organization=world.orgs.pmc)
    assert world.orgs.pmc.name in page  # listed as not signed yet
    # The PMC chair signs for the PMC; the clerk cannot sign for the PMC.
    sign = reverse("meetings:notice_sign", args=[joint_meeting.pk, pmc_receipt.pk])
    assert clerk.post(sign).status_code == 403
    assert as_user(world.people.pmc).post(sign).status_code == 302
    pmc_receipt.refresh_from_db()
    assert pmc_receipt.signed_by == world.people.pmc
    # Sending twice is an error message, not a second number.
    response = clerk.post(reverse("meetings:notice_send", args=[joint_meeting.pk]), follow=True)
    assert response.status_code == 200
    assert joint_meeting.notice.document_number.endswith("1号")


# --- attendance, minutes, summary, items -------------------------------------------------------


def test_attendance_form(clerk, world, joint_meeting, clock):
    hold(joint_meeting, world, clock)
    url = reverse("meetings:attendance", args=[joint_meeting.pk])
    page = clerk.get(url)
    assert page.status_code == 200
    members = list(joint_meeting.members.order_by("pk"))
    first, second = members[0], members[1]
    bad = clerk.post(url, {f"m{first.pk}-status": "delegate", f"m{second.pk}-status": HOSTILE})
    assert bad.status_code == 400
    assert not Attendance.objects.exists()
    assert zh("Name the delegate.") in bad.content.decode()
    oversized = clerk.post(url, {f"m{first.pk}-status": "present", f"m{first.pk}-note": "x" * 201})
    assert oversized.status_code == 400
    ok = clerk.post(
        url,
        {
            f"m{first.pk}-status": "present",
            f"m{second.pk}-status": "delegate",
            f"m{second.pk}-delegate_name": "李代表",
        },
    )
    assert ok.status_code == 302
    assert Attendance.objects.get(person=second.person).delegate_name == "李代表"


def test_attendance_before_the_start_says_so_once_not_on_every_row(clerk, world, joint_meeting):
    url = reverse("meetings:attendance", args=[joint_meeting.pk])
    assert 'data-testid="not-started"' in clerk.get(url).content.decode()
    members = list(joint_meeting.members.order_by("pk"))
    response = clerk.post(url, {f"m{m.pk}-status": "present" for m in members}, follow=True)
    html = response.content.decode()
    assert html.count(zh("The meeting has not started yet.")) == 1
    assert not Attendance.objects.exists()


def test_minutes_autosave_and_plain_save(clerk, world, joint_meeting, clock):
    topic = AgendaTopicFactory(meeting=joint_meeting)
    hold(joint_meeting, world, clock)
    page = clerk.get(reverse("meetings:minutes", args=[joint_meeting.pk]))
    html = page.content.decode()
    # "input" bubbles from the textareas to the form; "keyup changed" on a <form> never
    # fired (a form has no value), so nothing saved while the cursor stayed in a field.
    assert 'hx-trigger="input delay:2s' in html
    assert "changed" not in re.search(r'hx-trigger="([^"]*)"', html).group(1)
    assert "vendor/htmx/htmx.min.js" in html
    assert "includeIndicatorStyles" in html
    autosave = reverse("meetings:minutes_autosave", args=[joint_meeting.pk])
    prefix = f"min-{topic.pk}"
    response = clerk.post(autosave, {"slot": str(topic.pk), f"{prefix}-discussion": "讨论停车位"})
    assert response.status_code == 204
    assert Minutes.objects.get(topic=topic).discussion == "讨论停车位"
    # Bad slot, oversized text: 400 with a message, nothing changed.
    assert clerk.post(autosave, {"slot": "abc"}).status_code == 400
    assert clerk.post(autosave, {"slot": "999999"}).status_code == 400
    big = clerk.post(autosave, {"slot": str(topic.pk), f"{prefix}-discussion": "x" * 20001})
    assert big.status_code == 400
    assert Minutes.objects.get(topic=topic).discussion == "讨论停车位"
    # Without JS: the normal save button.
    save = clerk.post(
        reverse("meetings:minutes", args=[joint_meeting.pk]),
        {"slot": "general", "min-general-outcome": HOSTILE},
    )
    assert save.status_code == 302
    assert Minutes.objects.get(topic=None).outcome == HOSTILE
    too_big = clerk.post(
        reverse("meetings:minutes", args=[joint_meeting.pk]),
        {"slot": "general", "min-general-outcome": "新的结论" + "x" * 20001},
    )
    assert too_big.status_code == 400
    assert "新的结论" in too_big.content.decode()  # what was typed is still there
    # A resident cannot autosave.
    assert as_user(world.resident).post(autosave, {"slot": "general"}).status_code == 403


def _countersign_all(meeting, world):
    summary = Summary.objects.get(meeting=meeting)
    for kind in ("community_party", "residents_committee", "pmc", "property_company"):
        org = getattr(world.orgs, kind)
        sig = summary.signatures.get(organization=org, kind="countersign")
        url = reverse("meetings:summary_sign", args=[meeting.pk, sig.pk])
        response = as_user(getattr(world.people, kind)).post(url, {"countersign-comment": "同意"})
        assert response.status_code == 302
    return summary


def test_summary_flow_and_minutes_frozen_after_approval(clerk, world, joint_meeting, clock):
    hold(joint_meeting, world, clock)
    services.minutes_save_draft(
        actor=world.meeting_clerk, meeting=joint_meeting, discussion="原始记录"
    )
    draft = reverse("meetings:summary_draft", args=[joint_meeting.pk])
    assert clerk.post(draft, {"from_minutes": "1"}).status_code == 302
    assert clerk.post(draft, {"summary-body": ""}).status_code == 400
    assert clerk.post(draft, {"summary-body": "纪要正文：" + HOSTILE}).status_code == 302
    step = lambda s: reverse("meetings:summary_step", args=[joint_meeting.pk, s])  # noqa: E731
    assert clerk.post(step("submit")).status_code == 302
    # The chair cannot approve before all four bodies countersigned.
    chair = as_user(world.community_secretary)
    response = chair.post(step("approve"), follow=True)
    assert Summary.objects.get().status == Summary.Status.COUNTERSIGNING
    assert response.status_code == 200
    _countersign_all(joint_meeting, world)
    # The clerk is not the chair.
    assert clerk.post(step("approve")).status_code == 403
    assert chair.post(step("approve")).status_code == 302
    assert clerk.post(step("distribute")).status_code == 302
    assert Summary.objects.get().status == Summary.Status.DISTRIBUTED
    page = clerk.get(reverse("meetings:minutes", args=[joint_meeting.pk]))
    assert zh("Record a new version") in page.content.decode()
    autosave = reverse("meetings:minutes_autosave", args=[joint_meeting.pk])
    assert (
        clerk.post(autosave, {"slot": "general", "min-general-discussion": "偷改"}).status_code
        == 400
    )
    record = Minutes.objects.get()
    revise = reverse("meetings:minutes_revise", args=[joint_meeting.pk, record.pk])
    assert clerk.post(revise, {"discussion": "更正后的记录"}).status_code == 400  # no reason
    assert clerk.post(revise, {"discussion": "更正后的记录", "reason": "笔误"}).status_code == 302
    record.refresh_from_db()
    assert record.version == 2
    assert record.versions.get().discussion == "原始记录"


def test_action_item_create_form(clerk, world, joint_meeting, clock):
    hold(joint_meeting, world, clock)
    url = reverse("meetings:action_item_create", args=[joint_meeting.pk])
    base = {"item-title": "修复3栋路灯", "item-due_date": "2026-04-10"}
    missing_owner = clerk.post(url, base)
    assert missing_owner.status_code == 400
    assert (
        zh("Every agreed item needs a responsible organization.") in missing_owner.content.decode()
    )
    assert "修复3栋路灯" in missing_owner.content.decode()
    foreign = MembershipFactory(organization__compound=CompoundFactory()).organization
    assert clerk.post(url, {**base, "item-responsible_organization": foreign.pk}).status_code == 400
    company = world.orgs.property_company.pk
    assert (
        clerk.post(
            url, {**base, "item-responsible_organization": company, "item-due_date": "2026-02-01"}
        ).status_code
        == 400
    )
    assert (
        clerk.post(
            url, {**base, "item-responsible_organization": company, "item-due_date": "x"}
        ).status_code
        == 400
    )
    assert (
        clerk.post(
            url, {**base, "item-title": "x" * 201, "item-responsible_organization": company}
        ).status_code
        == 400
    )
    assert not ActionItem.objects.exists()
    ok = clerk.post(url, {**base, "item-responsible_organization": company})
    assert ok.status_code == 302
    assert ActionItem.objects.get().responsible_organization_id == company


def test_responsible_people_are_grouped_under_their_organization(
    clerk, world, joint_meeting, clock
):
    """第五条: the owner of an agreed item is picked from the body that answers for it;
    the list is grouped by body instead of one list of everybody (journeys audit J3 #15)."""
    hold(joint_meeting, world, clock)
    html = clerk.get(reverse("meetings:detail", args=[joint_meeting.pk])).content.decode()
    select = re.search(r'<select name="item-responsible_person".*?</select>', html, re.S).group(0)
    company = world.orgs.property_company
    group = re.search(
        rf'<optgroup label="{re.escape(company.name)}">(.*?)</optgroup>', select, re.S
    ).group(1)
    assert world.company_chair.name in group
    assert world.people.property_company.name in group
    assert world.people.pmc.name not in group
    ok = clerk.post(
        reverse("meetings:action_item_create", args=[joint_meeting.pk]),
        {
            "item-title": "修复3栋路灯",
            "item-due_date": "2026-04-10",
            "item-responsible_organization": company.pk,
            "item-responsible_person": world.company_chair.pk,
        },
    )
    assert ok.status_code == 302
    assert ActionItem.objects.get().responsible_person == world.company_chair


def test_action_item_progress_completion_and_acceptance(clerk, world, joint_meeting, clock):
    hold(joint_meeting, world, clock)
    item = services.action_item_create(
        actor=world.meeting_clerk,
        meeting=joint_meeting,
        title="更换路灯",
        responsible_organization=world.orgs.property_company,
        due_date=dt.date(2026, 4, 10),
    )
    company = as_user(world.people.property_company)
    step = lambda s: reverse("meetings:action_item_step", args=[item.pk, s])  # noqa: E731
    assert company.get(reverse("meetings:action_item", args=[item.pk])).status_code == 200
    assert company.post(step("progress"), {"progress-note": ""}).status_code == 400
    evidence = SimpleUploadedFile("灯.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
    ok = company.post(
        step("progress"), {"progress-note": "已采购灯具", "progress-evidence_file": evidence}
    )
    assert ok.status_code == 302
    # Done without evidence: a field error, the note kept.
    no_evidence = company.post(step("done"), {"done-note": "已全部更换"})
    assert no_evidence.status_code == 400
    assert "已全部更换" in no_evidence.content.decode()
    big = SimpleUploadedFile(
        "big.pdf", b"0" * (10 * 1024 * 1024 + 1), content_type="application/pdf"
    )
    assert (
        company.post(step("done"), {"done-note": "完成", "done-evidence_file": big}).status_code
        == 400
    )
    done = company.post(
        step("done"), {"done-note": "已全部更换", "done-evidence_text": "现场照片见附件"}
    )
    assert done.status_code == 302
    # The company cannot accept its own work; the office can.
    assert company.post(step("accept"), {}).status_code == 403
    assert clerk.post(step("accept"), {"accept-note": "验收合格"}).status_code == 302
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert clerk.post(step("nonsense"), {}).status_code == 404


def test_action_item_list_filters(clerk, world, clock):
    meeting = MeetingFactory(compound=world.compound)
    ActionItemFactory(meeting=meeting, responsible_organization=world.orgs.pmc, title="PMC事项")
    ActionItemFactory(
        meeting=meeting,
        responsible_organization=world.orgs.property_company,
        title="逾期事项",
        due_date=dt.date(2026, 3, 1),
        due_at=dt.datetime(2026, 3, 1, 23, 59, tzinfo=dt.UTC),
    )
    url = reverse("meetings:action_items")
    everything = clerk.get(url + q(world)).content.decode()
    assert "PMC事项" in everything
    assert "逾期事项" in everything
    overdue = clerk.get(url + q(world) + "&overdue=on").content.decode()
    assert "逾期事项" in overdue
    assert "PMC事项" not in overdue
    by_org = clerk.get(url + q(world) + f"&organization={world.orgs.pmc.pk}").content.decode()
    assert "PMC事项" in by_org
    assert "逾期事项" not in by_org
    assert clerk.get(url + q(world) + "&organization=abc").status_code == 400
    assert clerk.get(url + q(world) + "&status=" + HOSTILE).status_code == 400


# --- query counts -----------------------------------------------------------------------------


def _grow_meeting(world, meeting, n: int) -> None:
    building = BuildingFactory(compound=world.compound)
    for i in range(n):
        topic = AgendaTopicFactory(meeting=meeting, title=f"议题{i}")
        Minutes.objects.create(meeting=meeting, topic=topic, discussion=f"讨论{i}")
        ActionItemFactory(meeting=meeting, responsible_organization=world.orgs.pmc, topic=topic)
        person = PersonFactory()
        MembershipFactory(person=person, organization=world.orgs.pmc)
        meeting.members.create(person=person, organization=world.orgs.pmc)
        HouseholdFactory(building=building)


def _count(client, url) -> int:
    """The page's queries with the person's header built afresh (it is cached per person,
    issue 20 item 3: a first page would count it and a second would not)."""
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_meeting_page_query_count_is_constant(clerk, world, clock):
    meeting = MeetingFactory(compound=world.compound, kind="joint")
    url = reverse("meetings:detail", args=[meeting.pk])
    _grow_meeting(world, meeting, 2)
    small = _count(clerk, url)
    _grow_meeting(world, meeting, 15)
    assert _count(clerk, url) == small


def test_action_item_list_query_count_is_constant(clerk, world, clock):
    meeting = MeetingFactory(compound=world.compound)
    url = reverse("meetings:action_items") + q(world) + "&status=open"
    for _ in range(2):
        ActionItemFactory(meeting=meeting, responsible_organization=world.orgs.pmc)
    small = _count(clerk, url)
    for _ in range(30):
        ActionItemFactory(
            meeting=MeetingFactory(compound=world.compound),
            responsible_organization=world.orgs.property_company,
            responsible_person=world.people.property_company,
        )
    assert _count(clerk, url) == small


# --- documents ----------------------------------------------------------------------------------


def test_documents_request_and_download(clerk, world, joint_meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("meetings:document_request", args=[joint_meeting.pk])
    assert clerk.post(url, {"kind": HOSTILE}, follow=True).status_code == 200
    assert not MeetingDocument.objects.exists()
    assert clerk.post(url, {"kind": "notice"}).status_code == 302
    document = MeetingDocument.objects.get()
    page = clerk.get(reverse("meetings:documents", args=[joint_meeting.pk])).content.decode()
    assert 'http-equiv="refresh"' in page  # polls while pending
    download = reverse("meetings:document_download", args=[joint_meeting.pk, document.pk])
    assert clerk.get(download).status_code == 404
    services.meeting_document_render(document_id=document.pk)
    response = clerk.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- decision reports ----------------------------------------------------------------------------


def test_decision_report_flow_with_early_intervention_gate(clerk, world):
    pmc = as_user(world.people.pmc)
    url = reverse("meetings:decision_reports") + q(world)
    assert pmc.get(url).status_code == 200
    bad = pmc.post(
        url, {"matter": "maintenance_fund", "title": "", "body": "用维修资金", "form": "written"}
    )
    assert bad.status_code == 400
    assert "用维修资金" in bad.content.decode()
    assert (
        pmc.post(url, {"matter": HOSTILE, "title": "t", "body": "b", "form": "written"}).status_code
        == 400
    )
    assert (
        pmc.post(
            url,
            {
                "matter": "maintenance_fund",
                "title": "t",
                "body": "b",
                "form": "written",
                "amount": "-1",
            },
        ).status_code
        == 400
    )
    assert (
        pmc.post(
            url,
            {
                "matter": "maintenance_fund",
                "title": "t",
                "body": "b",
                "form": "written",
                "amount": "1e30",
            },
        ).status_code
        == 400
    )
    # The clerk may read but not draft.
    assert (
        clerk.post(
            url, {"matter": "maintenance_fund", "title": "t", "body": "b", "form": "written"}
        ).status_code
        == 403
    )
    ok = pmc.post(
        url,
        {
            "matter": "maintenance_fund",
            "title": "更换电梯",
            "body": "动用维修资金更换2部电梯",
            "form": "written",
            "amount": "380000",
        },
    )
    assert ok.status_code == 302
    report = DecisionReport.objects.get()
    step = lambda s: reverse("meetings:decision_report_step", args=[report.pk, s])  # noqa: E731
    assert pmc.post(step("file")).status_code == 302
    # The gate: proceeding before the invitation is refused with the reason on the page.
    gated = pmc.post(step("proceed"), {"proceed-note": ""})
    assert gated.status_code == 400
    assert "协同联动 第七条" in gated.content.decode()
    assert clerk.post(step("invite"), {"invite-note": "请提前介入"}).status_code == 302
    # Invited is not answered: still shut (协同联动 第七条).
    assert pmc.post(step("proceed"), {"proceed-note": ""}).status_code == 400
    # A recipient acknowledges and answers.
    report.refresh_from_db()
    recipient = report.recipients.get(organization=world.orgs.compound_party)
    answer = reverse("meetings:decision_report_answer", args=[report.pk, recipient.pk])
    assert clerk.post(answer, {f"r{recipient.pk}-answer": "收到"}).status_code == 403
    assert (
        as_user(world.people.compound_party)
        .post(answer, {f"r{recipient.pk}-answer": "收到，同意"})
        .status_code
        == 302
    )
    street = as_user(world.people.street_office)
    intervention = report.interventions.get(organization=world.orgs.street_office)
    respond = reverse("meetings:intervention_respond", args=[report.pk, intervention.pk])
    prefix = f"i{intervention.pk}"
    assert street.post(respond, {f"{prefix}-response": ""}).status_code == 400  # no answer
    no_reason = street.post(respond, {f"{prefix}-answer": "object", f"{prefix}-response": ""})
    assert no_reason.status_code == 400
    assert street.post(respond, {f"{prefix}-answer": HOSTILE}).status_code == 400
    # The clerk is no officer of the street office.
    assert clerk.post(respond, {f"{prefix}-answer": "agree"}).status_code == 403
    assert (
        street.post(
            respond, {f"{prefix}-answer": "object", f"{prefix}-response": "方案未经公示"}
        ).status_code
        == 302
    )
    other = report.interventions.get(organization=world.orgs.community_party)
    community = as_user(world.people.community_party)
    assert (
        community.post(
            reverse("meetings:intervention_respond", args=[report.pk, other.pk]),
            {f"i{other.pk}-answer": "agree"},
        ).status_code
        == 302
    )
    for recipient in report.recipients.select_related("organization"):
        if recipient.acknowledged_at is None:
            services.decision_report_acknowledge(
                actor=getattr(world.people, recipient.organization.kind), recipient=recipient
            )
    blocked = pmc.post(step("proceed"), {"proceed-note": ""})
    assert blocked.status_code == 400  # the street objected, unresolved
    assert "objected" in blocked.content.decode() or "反对" in blocked.content.decode()
    resolve = reverse("meetings:intervention_resolve", args=[report.pk, intervention.pk])
    assert street.post(resolve, {f"x{intervention.pk}-resolution": "已公示"}).status_code == 403
    assert community.post(resolve, {f"x{intervention.pk}-resolution": ""}).status_code == 400
    assert (
        community.post(
            resolve, {f"x{intervention.pk}-resolution": "方案已公示7日，无异议"}
        ).status_code
        == 302
    )
    # The gate is open, but the owners decide a maintenance-fund use (民法典第二百七十八条).
    reserved = pmc.post(step("proceed"), {"proceed-note": ""})
    assert reserved.status_code == 400
    assert "民法典第二百七十八条" in reserved.content.decode()
    report.refresh_from_db()
    assert report.status == DecisionReport.Status.FILED
    assert clerk.get(reverse("meetings:decision_report", args=[report.pk])).status_code == 200


# --- owners assembly ---


def test_motion_stages_votes_and_tally(world, clock):
    pmc = as_user(world.people.pmc)
    building = world.building
    households = [HouseholdFactory(building=building, area=Decimal("100.00")) for _ in range(4)]
    url = reverse("meetings:motions") + q(world)
    assert pmc.post(url, {"title": "", "matter": "fund_use", "body": "b"}).status_code == 400
    assert pmc.post(url, {"title": "t", "matter": HOSTILE, "body": "b"}).status_code == 400
    assert (
        pmc.post(url, {"title": "t", "matter": "fund_use", "body": "b", "amount": "-1"}).status_code
        == 400
    )
    assert (
        as_user(world.meeting_clerk)
        .post(url, {"title": "t", "matter": "fund_use", "body": "b"})
        .status_code
        == 403
    )
    assert (
        pmc.post(
            url,
            {
                "title": "使用维修资金修屋面",
                "matter": "fund_use",
                "body": "修屋面",
                "amount": "3000",
            },
        ).status_code
        == 302
    )
    motion = OwnersAssemblyMotion.objects.get()
    step = lambda s: reverse("meetings:motion_step", args=[motion.pk, s])  # noqa: E731
    assert (
        pmc.post(step("deliberate"), {"deliberate-resolution": "全体委员同意"}).status_code == 302
    )
    for person, level in (
        (world.people.compound_party, "compound"),
        (world.people.community_party, "community"),
    ):
        data = {"review-level": level, "review-opinion": "同意", "review-approve": "1"}
        assert as_user(person).post(step("review"), data).status_code == 302
    motion.refresh_from_db()
    assert motion.stage == OwnersAssemblyMotion.Stage.PARTY_REVIEW
    bad_area = pmc.post(
        step("open"), {"open-closes_at": "2026-04-10T18:00", "open-declared_total_area": "1.00"}
    )
    assert bad_area.status_code == 400
    assert pmc.post(step("open"), {"open-closes_at": "2026-03-01T18:00"}).status_code == 400
    assert pmc.post(step("open"), {"open-closes_at": "2026-04-10T18:00"}).status_code == 302
    # Officers no longer type online votes: the "vote" step is the owner's own.
    assert (
        pmc.post(step("vote"), {"unit": households[0].pk, "vote-choice": "yes"}).status_code == 403
    )
    clerk = as_user(world.meeting_clerk)
    for household in households:
        assert (
            pmc.post(
                step("paper"), {"paper-household": household.pk, "paper-choice": "yes"}
            ).status_code
            == 302
        )
    twice = pmc.post(step("paper"), {"paper-household": households[0].pk, "paper-choice": "no"})
    assert twice.status_code == 400
    foreign = HouseholdFactory(building=BuildingFactory(compound=CompoundFactory()))
    assert (
        pmc.post(step("paper"), {"paper-household": foreign.pk, "paper-choice": "yes"}).status_code
        == 400
    )
    assert (
        pmc.post(
            step("paper"), {"paper-household": households[0].pk, "paper-choice": HOSTILE}
        ).status_code
        == 400
    )
    assert MotionVote.objects.count() == 4
    for vote in MotionVote.objects.all():
        # the one who entered it cannot confirm it
        assert pmc.post(step("confirm"), {"vote": vote.pk}).status_code == 403
        assert clerk.post(step("confirm"), {"vote": vote.pk}).status_code == 302
    assert clerk.post(step("confirm"), {"vote": "abc"}).status_code == 404
    # The owner votes online for the unit they own and gets a receipt.
    owner = as_user(world.resident)
    home = world.resident.households.first()
    page = owner.get(reverse("meetings:motion", args=[motion.pk]))
    assert page.status_code == 200
    assert 'data-testid="my-ballots"' in page.content.decode()
    assert (
        owner.post(step("vote"), {"unit": home.pk, f"u{home.pk}-choice": HOSTILE}).status_code
        == 400
    )
    cast = owner.post(
        step("vote"),
        {"unit": home.pk, f"u{home.pk}-household": home.pk, f"u{home.pk}-choice": "no"},
    )
    assert cast.status_code == 302
    receipt = MotionVote.objects.get(household=home).receipt
    assert receipt in owner.get(reverse("meetings:motion", args=[motion.pk])).content.decode()
    again = owner.post(
        step("vote"),
        {"unit": home.pk, f"u{home.pk}-household": home.pk, f"u{home.pk}-choice": "yes"},
    )
    assert again.status_code in (302, 400)
    assert MotionVote.objects.get(household=home).choice == "no"
    assert owner.post(step("vote"), {"unit": households[1].pk}).status_code == 403  # not theirs
    page = pmc.get(reverse("meetings:motion", args=[motion.pk]))
    assert 'data-testid="tally"' in page.content.decode()
    early = pmc.post(step("close"), {"close-decision_text": ""})
    assert early.status_code == 400  # closing early is refused
    clock.move_to(dt.datetime(2026, 4, 10, 18, 0, tzinfo=CN))
    pmc, owner = as_user(world.people.pmc), as_user(world.resident)  # sessions expired meanwhile
    closed = pmc.post(step("close"), {"close-decision_text": ""})
    assert closed.status_code == 302
    assert closed.url == reverse("meetings:motion", args=[motion.pk])
    motion.refresh_from_db()
    assert motion.passed is not None
    assert motion.decision_disclosure_id
    page = html.unescape(pmc.get(reverse("meetings:motion", args=[motion.pk])).content.decode())
    for reason in motion.tally["reasons"]:
        assert reason in page
    check = owner.get(reverse("meetings:motion", args=[motion.pk]) + f"?receipt={receipt.lower()}")
    assert 'data-testid="receipt-check"' in check.content.decode()
    assert "alert-success" in check.content.decode()


# --- forums ---


def test_forum_opinions_and_dispositions(world, clock):
    forum = services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="residents_forum",
        title="民情恳谈会",
        start=MEETING_START + dt.timedelta(days=1),
        end=MEETING_START + dt.timedelta(days=1, hours=2),
        place="小区广场",
    )
    clock.move_to(forum.start + dt.timedelta(minutes=5))
    services.meeting_mark_held(actor=world.meeting_clerk, meeting=forum)
    office = as_user(world.meeting_clerk)
    url = reverse("meetings:opinion_record", args=[forum.pk])
    assert (
        office.post(url, {"opinion-raised_by_name": "", "opinion-content": "绿化"}).status_code
        == 400
    )
    assert (
        office.post(
            url, {"opinion-raised_by_name": "张**", "opinion-content": "x" * 4001}
        ).status_code
        == 400
    )
    assert (
        office.post(
            url, {"opinion-raised_by_name": "张**", "opinion-content": "绿化带需要修剪"}
        ).status_code
        == 302
    )
    opinion = ForumOpinion.objects.get()
    dispose = reverse("meetings:opinion_dispose", args=[forum.pk, opinion.pk])
    office.post(dispose, {"dispose-disposition": "explained", "dispose-note": ""})
    opinion.refresh_from_db()
    assert opinion.disposition == "pending"  # an explanation needs a note
    office.post(dispose, {"dispose-disposition": "agenda_topic", "dispose-note": "提交联席会议"})
    opinion.refresh_from_db()
    assert opinion.disposition == "agenda_topic"
    feedback = reverse("meetings:feedback_publish", args=[forum.pk])
    assert office.post(feedback, {"feedback-report": ""}).status_code == 400
    assert office.post(feedback, {"feedback-report": "反馈：已提交联席会议研究"}).status_code == 302
    assert office.get(reverse("meetings:detail", args=[forum.pk])).status_code == 200
