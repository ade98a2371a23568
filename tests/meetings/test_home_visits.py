"""协同联动 第六条: "社区居民委员会、物业管理委员会、物业服务企业'三方'应通过民情恳谈会、工作
听证会、服务评议会、上门走访等多种方式，畅通沟通渠道" — a home visit (上门走访) is recorded,
and what residents said there is recorded and disposed of like a forum's opinions.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from issues.models import Issue
from meetings import services
from meetings.models import AgendaTopic, ForumOpinion
from meetings.models.forums import HomeVisit, HomeVisitEvent
from meetings.services.forums import (
    VISIT_MAX_DAYS_AGO,
    home_visit_opinion_record,
    home_visit_record,
)
from tests.factories.directory import HouseholdFactory
from tests.factories.issues import CategoryFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 10)


def _visit(world, **overrides):
    data = {
        "actor": world.people.residents_committee,
        "compound": world.compound,
        "visited_on": TODAY,
        "visitors": "居委会王主任、物业刘经理",
        "purpose": "就地下车库渗水问题上门听取意见",
        "organizations": [world.orgs.residents_committee, world.orgs.property_company],
        "household": HouseholdFactory(building=world.building),
    }
    data.update(overrides)
    return home_visit_record(**data)


def test_a_visit_and_its_opinions_are_recorded_and_disposed_like_a_forums(world, clock):
    visit = _visit(world)
    assert set(visit.organizations.all()) == {
        world.orgs.residents_committee,
        world.orgs.property_company,
    }
    first = home_visit_opinion_record(
        actor=world.people.residents_committee,
        visit=visit,
        raised_by_name="李阿姨",
        content="车库渗水已经三个月，希望尽快维修",
    )
    second = home_visit_opinion_record(
        actor=world.people.residents_committee,
        visit=visit,
        raised_by_name="李阿姨",
        content="建议在联席会议上讨论停车费调整",
    )
    assert first.meeting is None
    assert first.household == visit.household
    assert first.disposition == ForumOpinion.Disposition.PENDING
    category = CategoryFactory()
    first = services.forum_opinion_dispose(
        actor=world.people.residents_committee,
        opinion=first,
        disposition=ForumOpinion.Disposition.COMPLAINT,
        category=category,
    )
    assert first.issue is not None
    assert Issue.objects.get(pk=first.issue_id).compound == world.compound
    second = services.forum_opinion_dispose(
        actor=world.people.residents_committee,
        opinion=second,
        disposition=ForumOpinion.Disposition.AGENDA_TOPIC,
    )
    assert AgendaTopic.objects.get(pk=second.topic_id).compound == world.compound
    verbs = list(HomeVisitEvent.objects.filter(visit=visit).values_list("verb", flat=True))
    assert verbs == ["visit", "opinion", "opinion", "opinion_disposed", "opinion_disposed"]


def test_explained_needs_the_explanation(world, clock):
    visit = _visit(world)
    opinion = home_visit_opinion_record(
        actor=world.people.pmc, visit=visit, raised_by_name="张先生", content="电梯噪音大"
    )
    with pytest.raises(ValidationError):
        services.forum_opinion_dispose(
            actor=world.people.pmc,
            opinion=opinion,
            disposition=ForumOpinion.Disposition.EXPLAINED,
            note="",
        )


def test_a_visit_is_recorded_after_it_took_place_within_the_window(world, clock):
    with pytest.raises(ValidationError) as exc:
        _visit(world, visited_on=TODAY + dt.timedelta(days=1))
    assert "visited_on" in exc.value.message_dict
    assert _visit(world, visited_on=TODAY - dt.timedelta(days=VISIT_MAX_DAYS_AGO)).pk
    with pytest.raises(ValidationError):
        _visit(world, visited_on=TODAY - dt.timedelta(days=VISIT_MAX_DAYS_AGO + 1))


def test_bad_input_is_refused_field_by_field(world, clock):
    from tests.factories.meetings import meeting_world

    other = meeting_world()
    with pytest.raises(ValidationError) as exc:
        _visit(
            world,
            visited_on=None,
            visitors="",
            organizations=[],
        )
    assert "visitors" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _visit(world, visited_on=None)
    assert {"visited_on"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        _visit(world, organizations=[other.orgs.pmc])
    assert "organizations" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _visit(world, household=HouseholdFactory(building=other.building))
    assert "household" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _visit(world, purpose="长" * 2001)


def test_residents_cannot_record_visits(world, clock):
    with pytest.raises(PermissionDenied):
        _visit(world, actor=world.resident)


# --- the page ---------------------------------------------------------------------


def _url(world):
    return f"/meetings/visits/?compound={world.compound.slug}"


def _post_visit(client, world, **overrides):
    data = {
        "visit-visited_on": "2026-03-09",
        "visit-visitors": "居委会王主任",
        "visit-organizations": [world.orgs.residents_committee.pk, world.orgs.pmc.pk],
        "visit-purpose": "了解加装电梯意见",
    }
    data.update(overrides)
    return client.post(_url(world), data)


def test_page_records_a_visit_an_opinion_and_its_disposition(world, clock, client):
    client.force_login(world.people.residents_committee)
    assert client.get(_url(world)).status_code == 200
    assert _post_visit(client, world).status_code == 302
    visit = HomeVisit.objects.get()
    response = client.post(
        f"/meetings/visits/{visit.pk}/opinions/",
        {f"opinion-{visit.pk}-raised_by_name": "赵大爷", f"opinion-{visit.pk}-content": "支持加装"},
    )
    assert response.status_code == 302
    opinion = ForumOpinion.objects.get(visit=visit)
    response = client.post(
        f"/meetings/visits/{visit.pk}/opinions/{opinion.pk}/dispose/",
        {"dispose-disposition": "adopted", "dispose-note": "纳入加装电梯方案"},
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.disposition == ForumOpinion.Disposition.ADOPTED
    body = client.get(_url(world)).content.decode()
    assert "支持加装" in body
    assert "纳入加装电梯方案" in body


def test_page_bad_input_keeps_what_was_typed(world, clock, client):
    client.force_login(world.people.residents_committee)
    hostile = "<script>alert(1)</script>"
    response = _post_visit(
        client, world, **{"visit-visited_on": "2026-03-11", "visit-visitors": hostile}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert hostile not in body
    assert "&lt;script&gt;" in body
    for data in (
        {"visit-visited_on": "", "visit-visitors": "", "visit-purpose": ""},
        {"visit-visited_on": "not-a-date"},
        {"visit-organizations": ["999999"]},
        {"visit-purpose": "长" * 2001},
    ):
        assert _post_visit(client, world, **data).status_code == 400
    assert not HomeVisit.objects.exists()


def test_page_refuses_others(world, clock, client):
    client.force_login(world.resident)
    assert client.get(_url(world)).status_code == 403
    client.force_login(world.people.street_office)
    assert client.get(_url(world)).status_code == 200
    assert _post_visit(client, world).status_code == 403
    client.logout()
    assert client.get(_url(world)).status_code == 302


def test_page_queries_do_not_grow(world, clock, client, django_assert_max_num_queries):
    client.force_login(world.people.residents_committee)
    _visit(world)
    client.get(_url(world))
    for _ in range(4):
        visit = _visit(world)
        for i in range(3):
            home_visit_opinion_record(
                actor=world.people.residents_committee,
                visit=visit,
                raised_by_name=f"居民{i}",
                content="意见",
            )
    with django_assert_max_num_queries(25):
        assert client.get(_url(world)).status_code == 200
