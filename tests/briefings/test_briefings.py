"""通报 (决策报告制度 第一条、第三条): the parties brief each other, opinions reach the
residents, and the three parties say what they did with the party organizations' feedback.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from briefings import selectors, services
from briefings.models import Briefing, BriefingEvent
from huashan.directory.models import Organization
from huashan.notify.models import Notification
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db

Kind = Briefing.Kind
OrgKind = Organization.Kind


@pytest.fixture
def world():
    return compound_world(extras=("outsider",))


def send(world, actor, sender_kind, kind, **extra):
    return services.briefing_send(
        actor=actor,
        compound=world.compound,
        sender=getattr(world.orgs, sender_kind),
        kind=kind,
        title=extra.pop("title", "三号楼电梯停运"),
        body=extra.pop("body", "三号楼电梯今日停运检修，预计明日恢复。"),
        **extra,
    )


def addressed(briefing) -> set[str]:
    return set(briefing.recipients.values_list("organization__kind", flat=True))


def test_art1_three_parties_brief_each_other_and_the_compound_party_organization(world):
    """第一条 "三方…适时相互通报收集到的居民反映问题情况及解决实际问题进展"."""
    briefing = send(world, world.company_staff, "property_company", Kind.PROGRESS)
    assert addressed(briefing) == {"residents_committee", "pmc", "compound_party"}
    assert BriefingEvent.objects.filter(briefing=briefing, verb="sent").count() == 1
    told = Notification.objects.filter(recipient=world.pmc_chair, link__contains=str(briefing.pk))
    assert told.count() == 1


def test_art1_urgent_news_is_told_at_once_and_each_body_acknowledges(world):
    """第一条 "重要紧急信息须第一时间通报并联动处置"."""
    briefing = send(world, world.pmc_chair, "pmc", Kind.URGENT, title="地下车库进水")
    subject = Notification.objects.get(recipient=world.committee_chair).subject
    assert "地下车库进水" in subject
    row = briefing.recipients.get(organization=world.orgs.residents_committee)
    assert row.acknowledged_at is None
    services.briefing_acknowledge(actor=world.committee_chair, recipient=row)
    services.briefing_acknowledge(actor=world.committee_chair, recipient=row)  # once only
    row.refresh_from_db()
    assert row.acknowledged_by == world.committee_chair
    assert BriefingEvent.objects.filter(briefing=briefing, verb="acknowledged").count() == 1


def test_art1_a_body_acknowledges_only_for_itself(world):
    briefing = send(world, world.pmc_chair, "pmc", Kind.URGENT)
    row = briefing.recipients.get(organization=world.orgs.residents_committee)
    with pytest.raises(PermissionDenied):
        services.briefing_acknowledge(actor=world.company_staff, recipient=row)


def test_art3_opinions_received_are_passed_on_to_the_residents_too(world):
    """第三条 "有关单位（组织）应及时将收到的小区相关意见通报给小区党组织、“三方”及居民"."""
    briefing = send(
        world, world.community_secretary, "community_party", Kind.OPINIONS, public=False
    )
    assert briefing.public is True
    assert addressed(briefing) == {
        "residents_committee",
        "pmc",
        "property_company",
        "compound_party",
    }
    assert [b.pk for b in selectors.public_briefings(compound=world.compound)] == [briefing.pk]


def test_art3_feedback_is_answered_by_each_party_by_its_date(world):
    """第三条 "“三方”应及时研究办理街道、社区、小区党组织反馈的意见或建议"."""
    due = timezone.localdate() + dt.timedelta(days=10)
    briefing = send(world, world.party_secretary, "compound_party", Kind.FEEDBACK, respond_by=due)
    assert addressed(briefing) == {"residents_committee", "pmc", "property_company"}
    row = briefing.recipients.get(organization=world.orgs.property_company)
    services.briefing_respond(
        actor=world.company_staff, recipient=row, response="已安排维修班组本周内更换照明。"
    )
    row.refresh_from_db()
    assert row.responded_at is not None
    assert row.acknowledged_at is not None
    # the sender hears of the answer
    assert Notification.objects.filter(
        recipient=world.party_secretary, subject__contains=briefing.title
    ).exists()
    with pytest.raises(ValidationError) as exc:
        services.briefing_respond(actor=world.company_staff, recipient=row, response="再说一次。")
    assert exc.value.error_dict["response"][0].code == "answered"


def test_art3_feedback_overdue_the_day_after_its_date_not_on_it(world):
    due = timezone.localdate() + dt.timedelta(days=3)
    briefing = send(world, world.party_secretary, "compound_party", Kind.FEEDBACK, respond_by=due)
    row = briefing.recipients.select_related("briefing").get(organization=world.orgs.pmc)
    assert row.overdue_on(due) is False
    assert row.overdue_on(due + dt.timedelta(days=1)) is True


def test_art3_feedback_needs_a_future_answer_date(world):
    with pytest.raises(ValidationError) as exc:
        send(world, world.party_secretary, "compound_party", Kind.FEEDBACK)
    assert exc.value.error_dict["respond_by"][0].code == "required"
    with pytest.raises(ValidationError) as exc:
        send(
            world,
            world.party_secretary,
            "compound_party",
            Kind.FEEDBACK,
            respond_by=timezone.localdate(),
        )
    assert exc.value.error_dict["respond_by"][0].code == "past"


def test_art3_only_the_street_community_or_compound_party_sends_feedback(world):
    due = timezone.localdate() + dt.timedelta(days=5)
    with pytest.raises(ValidationError) as exc:
        send(world, world.company_staff, "property_company", Kind.FEEDBACK, respond_by=due)
    assert exc.value.error_dict["sender"][0].code == "sender_kind"


def test_art3_new_developments_go_to_the_bodies_the_party_chooses(world):
    """第三条 "工作中出现新情况的，应视情向有关单位（组织）报告"."""
    briefing = send(
        world,
        world.committee_chair,
        "residents_committee",
        Kind.NEW_SITUATION,
        recipients=[world.orgs.street_office, world.orgs.department],
    )
    assert addressed(briefing) == {"street_office", "department"}


def test_nobody_sends_for_a_body_they_do_not_serve_in(world):
    with pytest.raises(PermissionDenied):
        send(world, world.company_staff, "pmc", Kind.PROGRESS)
    with pytest.raises(PermissionDenied):
        send(world, world.outsider, "pmc", Kind.PROGRESS)


def test_a_body_of_another_compound_cannot_be_addressed(world):
    other = compound_world(community=world.community)
    with pytest.raises(ValidationError) as exc:
        send(world, world.pmc_chair, "pmc", Kind.PROGRESS, recipients=[other.orgs.pmc])
    assert exc.value.error_dict["recipients"][0].code == "recipient_scope"


@pytest.mark.parametrize(
    ("title", "body", "field", "code"),
    [
        ("", "正文", "title", "required"),
        ("   ", "正文", "title", "required"),
        ("x" * 121, "正文", "title", "max_length"),
        ("标题", "", "body", "required"),
        ("标题", "y" * 4001, "body", "max_length"),
    ],
)
def test_wrong_missing_and_oversized_text_is_refused_by_field(world, title, body, field, code):
    with pytest.raises(ValidationError) as exc:
        send(world, world.pmc_chair, "pmc", Kind.PROGRESS, title=title, body=body)
    assert exc.value.error_dict[field][0].code == code
    assert not Briefing.objects.exists()


# --- pages -----------------------------------------------------------------------------


def _url(world, name="briefings:list"):
    return f"{reverse(name)}?compound={world.compound.slug}"


def test_page_sends_and_the_recipient_answers(client, world):
    client.force_login(world.party_secretary)
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client.post(
        _url(world),
        {
            "briefing-kind": "feedback",
            "briefing-sender": world.orgs.compound_party.pk,
            "briefing-title": "请尽快修复东门路灯",
            "briefing-body": "居民反映东门路灯不亮已一周。",
            "briefing-respond_by": due,
        },
    )
    briefing = Briefing.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("briefings:detail", args=[briefing.pk])
    row = briefing.recipients.get(organization=world.orgs.pmc)
    client.force_login(world.pmc_chair)
    page = client.get(reverse("briefings:detail", args=[briefing.pk])).content.decode()
    assert "请尽快修复东门路灯" in page
    assert reverse("briefings:respond", args=[row.pk]) in page
    response = client.post(
        reverse("briefings:respond", args=[row.pk]),
        {f"r{row.pk}-response": "已联系电工，明日修复。"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.response == "已联系电工，明日修复。"


def test_page_keeps_what_was_typed_when_refused(client, world):
    client.force_login(world.party_secretary)
    response = client.post(
        _url(world),
        {
            "briefing-kind": "feedback",
            "briefing-sender": world.orgs.compound_party.pk,
            "briefing-title": "请尽快修复东门路灯",
            "briefing-body": "居民反映东门路灯不亮已一周。<script>alert(1)</script>",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "居民反映东门路灯不亮已一周。" in page
    assert "<script>alert(1)</script>" not in page
    assert not Briefing.objects.exists()


def test_staff_page_is_for_staff_and_public_page_shows_only_public_briefings(client, world):
    send(world, world.pmc_chair, "pmc", Kind.PROGRESS, title="内部通报")
    send(world, world.community_secretary, "community_party", Kind.OPINIONS, title="居民意见汇总")
    client.force_login(world.resident)
    assert client.get(_url(world)).status_code == 403
    client.logout()
    public = client.get(_url(world, "briefings:public"))
    assert public.status_code == 200
    text = public.content.decode()
    assert "居民意见汇总" in text
    assert "内部通报" not in text


def test_staff_page_queries_do_not_grow_with_briefings(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.committee_chair)
    send(world, world.pmc_chair, "pmc", Kind.URGENT)
    client.get(_url(world))  # warm the per-person caches
    with django_assert_max_num_queries(40) as few:
        client.get(_url(world))
    for n in range(5):
        send(world, world.pmc_chair, "pmc", Kind.URGENT, title=f"通报{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_url(world))


def test_art3_unanswered_feedback_is_reminded_on_its_date_then_overdue_once(world):
    """第三条 "“三方”应及时研究办理…": reminded on the answer date, overdue the day after."""
    from briefings.models import BriefingAlarm
    from briefings.tasks import scan_answers

    due = timezone.localdate() + dt.timedelta(days=2)
    briefing = send(world, world.party_secretary, "compound_party", Kind.FEEDBACK, respond_by=due)
    answered = briefing.recipients.get(organization=world.orgs.property_company)
    services.briefing_respond(
        actor=world.company_staff, recipient=answered, response="已处理完毕。"
    )
    before = due - dt.timedelta(days=1)
    assert services.briefings_scan_answers(today=before) == {"due_soon": 0, "overdue": 0}
    assert services.briefings_scan_answers(today=due) == {"due_soon": 2, "overdue": 0}
    assert services.briefings_scan_answers(today=due) == {"due_soon": 0, "overdue": 0}
    after = due + dt.timedelta(days=1)
    assert services.briefings_scan_answers(today=after) == {"due_soon": 0, "overdue": 2}
    assert scan_answers() == {"due_soon": 0, "overdue": 0}  # today: not yet due
    assert not BriefingAlarm.objects.filter(recipient=answered).exists()
    sender_told = Notification.objects.filter(
        recipient=world.party_secretary, subject__startswith="Not answered"
    ) | Notification.objects.filter(recipient=world.party_secretary, subject__contains="未按期")
    assert sender_told.count() == 2
