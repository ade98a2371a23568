"""决策报告制度 第四条: "义务质量总监…定期开展监督检查活动，收集整理检查中发现的问题以及业主对物业
服务工作的意见、建议，向物业服务企业提出整改意见和建议".

The owners' opinions heard on a patrol are a list of their own on the patrol: the supervisor
who patrolled records each (text, optional building and unit, a name only with the owner's
consent), the property company answers each — adopted, answered or referred, with a reply —
once; both write events, and both show on the patrol page.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from huashan.directory.models import Membership
from pledges import services
from pledges.models import Inspection, PatrolOpinion, PledgeEvent
from tests.factories.directory import BuildingFactory, MembershipFactory, PersonFactory
from tests.factories.pledges import pledge_world
from tests.pledges.web import HOSTILE, CheckedClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return CheckedClient()


@pytest.fixture
def world():
    world = pledge_world(extras=["quality_supervisor"])
    world.company = world.orgs.property_company
    world.patrol = services.inspection_record(
        actor=world.quality_supervisor,
        compound=world.compound,
        organization=world.company,
        kind=Inspection.Kind.SUPERVISOR_PATROL,
        inspected_on=timezone.localdate(),
        summary="检查合同约定的保洁频次",
        inspector=world.quality_supervisor,
    )
    return world


def record(world, actor=None, **overrides) -> PatrolOpinion:
    values = {"content": "希望增加夜间保安巡逻"}
    values.update(overrides)
    return services.patrol_opinion_record(
        actor=actor or world.quality_supervisor, inspection=world.patrol, **values
    )


def test_article_4_the_supervisor_records_owners_opinions_on_the_patrol(world):
    """ "收集整理…业主对物业服务工作的意见、建议": each opinion is a row of the patrol, with
    where the owner lives and a name only when the owner agreed; an event for each."""
    plain = record(world)
    named = record(
        world,
        content="电梯维保记录未公示",
        building=world.building,
        unit="2单元",
        owner_name="王先生",
        name_agreed=True,
    )
    assert list(world.patrol.owner_opinions.all()) == [plain, named]
    assert (plain.owner_name, plain.building, plain.unit) == ("", None, "")
    assert (named.building, named.unit, named.owner_name) == (world.building, "2单元", "王先生")
    assert plain.disposition == PatrolOpinion.Disposition.PENDING
    assert PledgeEvent.objects.filter(verb="patrol_opinion_record").count() == 2


def test_article_4_a_name_is_kept_only_with_the_owners_consent(world):
    with pytest.raises(ValidationError) as exc:
        record(world, owner_name="王先生", name_agreed=False)
    assert set(exc.value.message_dict) == {"owner_name"}
    assert not PatrolOpinion.objects.exists()


def test_article_4_bad_opinion_input_is_refused_field_by_field(world):
    """At most 1000 characters (1001 refused, 1000 kept), no NUL, a building of the compound,
    a unit and a name within their lengths."""
    with pytest.raises(ValidationError) as exc:
        record(
            world,
            content="长" * 1001,
            building=BuildingFactory(),
            unit="单" * 21,
            owner_name="名" * 51,
            name_agreed=True,
        )
    assert set(exc.value.message_dict) == {"content", "building", "unit", "owner_name"}
    with pytest.raises(ValidationError) as exc:
        record(world, content="夜间\x00巡逻")
    assert "content" in exc.value.message_dict
    with pytest.raises(ValidationError):
        record(world, content="   ")
    assert record(world, content="长" * 1000).content == "长" * 1000


@pytest.mark.parametrize("who", ["company_staff", "party_secretary", "resident"])
def test_article_4_only_the_supervisor_who_patrolled_records_its_opinions(world, who):
    with pytest.raises(PermissionDenied):
        record(world, actor=getattr(world, who))
    other = PersonFactory(name="另一位总监")
    MembershipFactory(
        person=other, organization=world.company, role=Membership.Role.QUALITY_SUPERVISOR
    )
    with pytest.raises(PermissionDenied):
        record(world, actor=other)
    assert not PatrolOpinion.objects.exists()


def test_article_4_opinions_are_recorded_on_a_patrol_only(world):
    inspection = services.inspection_record(
        actor=world.company_staff,
        compound=world.compound,
        organization=world.company,
        kind=Inspection.Kind.QUARTERLY_SAFETY,
        inspected_on=timezone.localdate(),
        areas=["fire", "elevator"],
    )
    inspection.inspector = world.quality_supervisor
    inspection.save(update_fields=["inspector"])
    with pytest.raises(ValidationError):
        services.patrol_opinion_record(
            actor=world.quality_supervisor, inspection=inspection, content="意见"
        )


@pytest.mark.parametrize("disposition", ["adopted", "answered", "referred"])
def test_article_4_the_company_answers_each_opinion_once(world, disposition):
    """ "向物业服务企业提出整改意见和建议": the company says what became of the opinion, with a
    reply, once; the event records the change from pending."""
    opinion = record(world)
    services.patrol_opinion_dispose(
        actor=world.company_staff, opinion=opinion, disposition=disposition, reply="已安排"
    )
    opinion.refresh_from_db()
    assert (opinion.disposition, opinion.reply, opinion.decided_by) == (
        disposition,
        "已安排",
        world.company_staff,
    )
    event = PledgeEvent.objects.get(verb="patrol_opinion_dispose")
    assert (event.from_state, event.to_state) == ("pending", disposition)
    with pytest.raises(ValidationError) as exc:
        services.patrol_opinion_dispose(
            actor=world.company_staff, opinion=opinion, disposition="adopted", reply="再次"
        )
    assert "disposition" in exc.value.message_dict


def test_article_4_an_answer_needs_a_disposition_and_a_reply(world):
    opinion = record(world)
    with pytest.raises(ValidationError) as exc:
        services.patrol_opinion_dispose(
            actor=world.company_staff, opinion=opinion, disposition="pending", reply=""
        )
    assert set(exc.value.message_dict) == {"disposition", "reply"}
    opinion.refresh_from_db()
    assert opinion.disposition == "pending"


@pytest.mark.parametrize("who", ["quality_supervisor", "party_secretary", "pmc_chair", "resident"])
def test_article_4_only_the_company_answers(world, who):
    """The supervisor heard the opinion (though seated in the company) and the other bodies
    oversee: none of them answers for the company."""
    opinion = record(world)
    with pytest.raises(PermissionDenied):
        services.patrol_opinion_dispose(
            actor=getattr(world, who), opinion=opinion, disposition="answered", reply="x"
        )


# --- the patrol page -----------------------------------------------------------------


def page(world) -> str:
    return (
        reverse("pledges:inspection_manage", args=[world.patrol.pk])
        + f"?compound={world.compound.slug}"
    )


def test_article_4_the_supervisor_records_an_opinion_on_the_patrol_page(client, world):
    client.force_login(world.quality_supervisor)
    body = client.get(page(world)).content.decode()
    assert 'value="opinion"' in body
    response = client.post(
        page(world),
        {
            "action": "opinion",
            "opinion-content": HOSTILE,
            "opinion-building": str(world.building.pk),
            "opinion-unit": "1单元",
        },
    )
    assert response.status_code == 302
    opinion = PatrolOpinion.objects.get()
    assert (opinion.content, opinion.building, opinion.unit) == (HOSTILE, world.building, "1单元")
    body = client.get(page(world)).content.decode()
    assert HOSTILE not in body
    assert "&lt;script&gt;" in body
    assert 'value="dispose-' not in body  # the supervisor does not answer


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"opinion-content": "长" * 1001}, "content"),
        ({"opinion-content": "夜间\x00巡逻"}, "content"),
        ({"opinion-building": "999999"}, "building"),
        ({"opinion-unit": "单" * 21}, "unit"),
        ({"opinion-owner_name": "王先生"}, "owner_name"),
    ],
)
def test_article_4_opinion_form_errors_keep_what_was_typed(client, world, overrides, field):
    client.force_login(world.quality_supervisor)
    data = {"action": "opinion", "opinion-content": "希望增加夜间保安巡逻", **overrides}
    response = client.post(page(world), data)
    assert response.status_code == 200
    assert response.context["opinions"].form.errors[field]
    if field != "content":
        assert "希望增加夜间保安巡逻" in response.content.decode()
    assert not PatrolOpinion.objects.exists()


def test_article_4_the_company_answers_on_the_patrol_page(client, world):
    opinion = record(world, content="垃圾清运不及时")
    client.force_login(world.company_staff)
    body = client.get(page(world)).content.decode()
    assert "垃圾清运不及时" in body
    assert 'value="opinion"' not in body  # only the supervisor records opinions
    action = {"action": f"dispose-{opinion.pk}"}
    response = client.post(page(world), {**action, f"dispose{opinion.pk}-disposition": "adopted"})
    assert response.status_code == 200  # the reply is missing: shown next to it
    assert "field-error" in response.content.decode()
    response = client.post(
        page(world),
        {
            **action,
            f"dispose{opinion.pk}-disposition": "adopted",
            f"dispose{opinion.pk}-reply": "已增加每日清运一次",
        },
    )
    assert response.status_code == 302
    body = client.get(page(world)).content.decode()
    assert "已增加每日清运一次" in body
    assert client.post(page(world), {"action": "dispose-999999"}).status_code == 404
    assert client.post(page(world), {"action": "dispose-abc"}).status_code == 404


def test_article_4_other_staff_see_the_opinions_but_cannot_answer(client, world):
    opinion = record(world)
    client.force_login(world.party_secretary)
    body = client.get(page(world)).content.decode()
    assert "希望增加夜间保安巡逻" in body
    assert 'value="dispose-' not in body
    response = client.post(
        page(world),
        {
            "action": f"dispose-{opinion.pk}",
            f"dispose{opinion.pk}-disposition": "answered",
            f"dispose{opinion.pk}-reply": "代答",
        },
    )
    assert response.status_code == 403
    opinion.refresh_from_db()
    assert opinion.disposition == "pending"


def test_article_4_no_opinions_section_on_other_inspections(client, world):
    inspection = services.inspection_record(
        actor=world.company_staff,
        compound=world.compound,
        organization=world.company,
        kind=Inspection.Kind.QUARTERLY_SAFETY,
        inspected_on=timezone.localdate(),
        areas=["fire", "elevator"],
    )
    client.force_login(world.company_staff)
    url = reverse("pledges:inspection_manage", args=[inspection.pk])
    assert 'id="owner-opinions"' not in client.get(url).content.decode()
    assert client.post(url, {"action": "opinion", "opinion-content": "x"}).status_code == 403


# --- 转办: handed over as a complaint of the compound ---------------------------------------


def test_article_4_a_referred_opinion_is_filed_as_a_complaint_and_linked(world):
    from issues.models import Issue

    opinion = record(
        world,
        content="三号楼楼道灯长期不亮",
        building=world.building,
        unit="2单元",
        owner_name="王先生",
        name_agreed=True,
    )
    services.patrol_opinion_dispose(
        actor=world.company_staff, opinion=opinion, disposition="referred", reply="已转工程部"
    )
    issue = Issue.objects.get()
    assert opinion.issue == issue
    assert PatrolOpinion.objects.get(pk=opinion.pk).issue_id == issue.pk
    assert issue.compound == world.compound
    assert issue.building == world.building
    assert issue.category.code == "other"
    assert "三号楼楼道灯长期不亮" in issue.description
    assert "王先生" not in issue.description
    assert "2单元" not in issue.description
    event = PledgeEvent.objects.get(verb="patrol_opinion_refer")
    assert (event.note, event.to_state, event.actor) == (
        issue.tracking_number,
        "complaint",
        world.company_staff,
    )


@pytest.mark.parametrize("disposition", ["adopted", "answered"])
def test_article_4_only_a_referred_opinion_becomes_a_complaint(world, disposition):
    from issues.models import Issue

    opinion = services.patrol_opinion_dispose(
        actor=world.company_staff, opinion=record(world), disposition=disposition, reply="好的"
    )
    assert opinion.issue is None
    assert not Issue.objects.exists()
    assert not PledgeEvent.objects.filter(verb="patrol_opinion_refer").exists()


def test_article_4_the_company_chooses_the_category_on_the_page(client, world):
    from issues.models import Category

    opinion = record(world)
    parking = Category.objects.get(code="parking")
    client.force_login(world.company_staff)
    data = {
        "action": f"dispose-{opinion.pk}",
        f"dispose{opinion.pk}-disposition": "referred",
        f"dispose{opinion.pk}-reply": "转交停车管理",
        f"dispose{opinion.pk}-category": "999999",
    }
    response = client.post(page(world), data)
    assert response.status_code == 200  # a forged category: shown next to the field
    assert response.context["opinions"].dispose_forms[opinion.pk].errors["category"]
    opinion.refresh_from_db()
    assert opinion.disposition == PatrolOpinion.Disposition.PENDING
    response = client.post(page(world), {**data, f"dispose{opinion.pk}-category": parking.pk})
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.issue.category == parking
    body = client.get(page(world)).content.decode()
    assert opinion.issue.tracking_number in body


def test_article_4_the_patrol_page_query_count_is_flat(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.company_staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(world)).status_code == 200
        return len(queries)

    record(world)
    count()  # the first request also fills the permission cache
    one = count()
    for i in range(6):
        opinion = record(world, content=f"意见{i}", building=world.building)
        if i % 2:
            services.patrol_opinion_dispose(
                actor=world.company_staff, opinion=opinion, disposition="referred", reply="转办"
            )
    assert count() == one


# --- the public evidence page and the admin ------------------------------------------------


def evidence(world) -> str:
    return reverse("pledges:evidence") + f"?compound={world.compound.slug}"


def test_article_4_the_evidence_page_lists_opinions_without_names(client, world):
    opinion = record(
        world,
        content="电梯维保记录未公示",
        building=world.building,
        unit="2单元",
        owner_name="王先生",
        name_agreed=True,
    )
    services.patrol_opinion_dispose(
        actor=world.company_staff, opinion=opinion, disposition="referred", reply="已转办"
    )
    body = client.get(evidence(world)).content.decode()
    assert "电梯维保记录未公示" in body
    assert "已转办" in body
    assert opinion.issue.tracking_number in body
    assert world.building.number in body
    assert "王先生" not in body
    assert "2单元" not in body


def test_article_4_the_evidence_page_query_count_is_flat_in_opinions(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(evidence(world)).status_code == 200
        return len(queries)

    record(world, building=world.building)
    count()  # warm, as above
    one = count()
    for i in range(6):
        opinion = record(world, content=f"意见{i}", building=world.building)
        services.patrol_opinion_dispose(
            actor=world.company_staff, opinion=opinion, disposition="referred", reply="转办"
        )
    assert count() == one


def test_article_4_opinions_are_in_the_admin_read_only(world):
    from django.contrib import admin
    from django.test import Client

    from tests.factories.directory import PersonFactory as People

    model_admin = admin.site._registry[PatrolOpinion]
    record(world, content="希望公示保洁排班")
    superuser = People(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:pledges_patrolopinion_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert "希望公示保洁排班" in response.content.decode()
    request = response.wsgi_request
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_add_permission(request)
