"""Greenery and parking matters go on only after a held hearing of owner representatives.

seed: 小区党组织服务承诺 8 公共事务共决策 "涉及绿化改造、停车规划等事项时，牵头组织业主代表听证会，
确保方案符合多数业主利益。"
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from meetings import services
from meetings.models import DecisionReport, DecisionReportEvent, MeetingMember, MotionEvent
from meetings.services._common import EarlyInterventionRequired, MeetingStateError
from tests.factories.meetings import meeting_world

from .conftest import CN, hold

pytestmark = pytest.mark.django_db

HEARING_START = dt.datetime(2026, 3, 20, 19, 0, tzinfo=CN)
CLOSES = dt.datetime(2026, 4, 10, 20, 0, tzinfo=CN)
HOSTILE = "<script>alert('x')</script>"


def _hearing(world, start=HEARING_START):
    return services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="work_hearing",
        title="停车规划业主代表听证会",
        start=start,
        end=start + dt.timedelta(hours=2),
        place="小区党群服务中心",
    )


def _report(world, subject="parking", matter="facility_repair"):
    """A filed and acknowledged report: only the hearing may keep it shut."""
    report = services.decision_report_create(
        actor=world.people.pmc,
        compound=world.compound,
        matter=matter,
        title="地面停车位重新规划",
        body="拟将部分绿地边角改为停车位",
        hearing_subject=subject,
    )
    services.decision_report_file(actor=world.people.pmc, report=report)
    for recipient in report.recipients.select_related("organization"):
        services.decision_report_acknowledge(
            actor=getattr(world.people, recipient.organization.kind), recipient=recipient
        )
    report.refresh_from_db()
    return report


def _proceed(world, report):
    return services.decision_report_proceed(actor=world.people.pmc, report=report)


def test_a_parking_matter_without_a_hearing_is_refused(world, clock):
    report = _report(world)
    assert services.hearing_gate_problems(item=report)
    with pytest.raises(EarlyInterventionRequired, match="工作听证会") as refused:
        _proceed(world, report)
    assert "小区党组织服务承诺 8" in refused.value.messages[0]
    report.refresh_from_db()
    assert report.status == DecisionReport.Status.FILED


def test_a_hearing_not_yet_held_is_refused_then_the_held_one_lets_it_proceed(world, clock):
    report = _report(world, subject="greenery")
    hearing = _hearing(world)
    assert hearing.members.filter(person=world.owner_representative).exists()
    services.decision_report_link_hearing(actor=world.people.pmc, report=report, hearing=hearing)
    event = DecisionReportEvent.objects.get(report=report, verb="link_hearing")
    assert event.actor == world.people.pmc
    with pytest.raises(EarlyInterventionRequired, match=hearing.title):
        _proceed(world, report)
    hold(hearing, world, clock)
    assert _proceed(world, report).status == DecisionReport.Status.PROCEEDING


def test_a_matter_not_about_greenery_or_parking_proceeds_without_a_hearing(world, clock):
    report = _report(world, subject="")
    assert services.hearing_gate_problems(item=report) == []
    assert _proceed(world, report).status == DecisionReport.Status.PROCEEDING


def test_another_compounds_hearing_is_refused(world, clock):
    report = _report(world)
    other = meeting_world()
    foreign = _hearing(other)
    with pytest.raises(ValidationError, match="其他小区"):
        services.decision_report_link_hearing(
            actor=world.people.pmc, report=report, hearing=foreign
        )
    report.refresh_from_db()
    assert report.hearing_id is None
    client = Client()
    client.force_login(world.people.pmc)
    url = reverse("meetings:decision_report_step", args=[report.pk, "hearing"])
    response = client.post(url, {"hearing-hearing": foreign.pk})
    assert response.status_code == 400
    assert response.context["hearing_form"].errors["hearing"]
    report.refresh_from_db()
    assert report.hearing_id is None


def test_a_hearing_without_owner_representatives_or_of_another_kind_is_refused(
    world, clock, joint_meeting
):
    report = _report(world)
    hearing = _hearing(world)
    MeetingMember.objects.filter(meeting=hearing, person=world.owner_representative).delete()
    with pytest.raises(ValidationError, match="业主代表"):
        services.decision_report_link_hearing(
            actor=world.people.pmc, report=report, hearing=hearing
        )
    with pytest.raises(ValidationError, match="工作听证会"):
        services.decision_report_link_hearing(
            actor=world.people.pmc, report=report, hearing=joint_meeting
        )


def test_only_those_who_file_the_report_link_the_hearing(world, clock):
    report = _report(world)
    hearing = _hearing(world)
    for person in (world.owner_representative, world.people.street_office):
        with pytest.raises(PermissionDenied):
            services.decision_report_link_hearing(actor=person, report=report, hearing=hearing)
    client = Client()
    client.force_login(world.people.community_party)
    page = client.get(reverse("meetings:decision_report", args=[report.pk])).content.decode()
    assert 'data-testid="hearing"' in page
    assert "hearing-hearing" not in page  # the link form is for the PMC


@pytest.mark.parametrize("value", [HOSTILE, "1 OR 1=1", "-1", "99999999999999999999", "", "１"])
def test_hostile_input_on_the_link_form(world, clock, value):
    report = _report(world)
    _hearing(world)
    client = Client()
    client.force_login(world.people.pmc)
    url = reverse("meetings:decision_report_step", args=[report.pk, "hearing"])
    response = client.post(url, {"hearing-hearing": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<script>alert" not in page
    assert response.context["hearing_form"].errors["hearing"]
    report.refresh_from_db()
    assert report.hearing_id is None
    assert not DecisionReportEvent.objects.filter(report=report, verb="link_hearing").exists()


def test_the_report_page_shows_the_linked_hearing_and_the_pmc_links_it(world, clock):
    report = _report(world)
    hearing = _hearing(world)
    client = Client()
    client.force_login(world.people.pmc)
    page_url = reverse("meetings:decision_report", args=[report.pk])
    page = client.get(page_url).content.decode()
    assert "hearing-hearing" in page  # the link form
    url = reverse("meetings:decision_report_step", args=[report.pk, "hearing"])
    assert client.post(url, {"hearing-hearing": hearing.pk}).status_code == 302
    report.refresh_from_db()
    assert report.hearing == hearing
    page = client.get(page_url).content.decode()
    assert reverse("meetings:detail", args=[hearing.pk]) in page
    assert hearing.title in page


def test_the_create_form_refuses_an_unknown_subject_and_keeps_what_was_typed(world, clock):
    client = Client()
    client.force_login(world.people.pmc)
    url = reverse("meetings:decision_reports") + f"?compound={world.compound.slug}"
    data = {
        "matter": "facility_repair",
        "title": "绿化带改造",
        "body": "改造中心绿地",
        "form": "written",
        "hearing_subject": HOSTILE,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "绿化带改造" in response.content.decode()
    assert response.context["form"].errors["hearing_subject"]
    response = client.post(url, {**data, "hearing_subject": "greenery"})
    assert response.status_code == 302
    assert DecisionReport.objects.get(title="绿化带改造").hearing_subject == "greenery"


def _parking_motion(world):
    motion = services.motion_propose(
        actor=world.people.pmc,
        compound=world.compound,
        title="小区停车规划方案",
        body="重新划定地面停车位",
        matter="other",
        hearing_subject="parking",
    )
    services.motion_pmc_deliberate(actor=world.people.pmc, motion=motion, resolution="同意")
    for person, level in (
        (world.people.compound_party, "compound"),
        (world.people.community_party, "community"),
    ):
        services.motion_party_review(actor=person, motion=motion, level=level, opinion="同意")
    motion.refresh_from_db()
    return motion


def test_a_parking_motion_opens_its_vote_only_after_the_held_hearing(world, clock):
    motion = _parking_motion(world)
    with pytest.raises(MeetingStateError, match="工作听证会"):
        services.motion_open_vote(actor=world.people.pmc, motion=motion, closes_at=CLOSES)
    hearing = _hearing(world)
    client = Client()
    client.force_login(world.people.pmc)
    url = reverse("meetings:motion_step", args=[motion.pk, "hearing"])
    assert client.post(url, {"hearing-hearing": HOSTILE}).status_code == 400
    assert client.post(url, {"hearing-hearing": hearing.pk}).status_code == 302
    motion.refresh_from_db()
    assert motion.hearing == hearing
    assert MotionEvent.objects.filter(motion=motion, verb="link_hearing").exists()
    with pytest.raises(MeetingStateError, match=hearing.title):
        services.motion_open_vote(actor=world.people.pmc, motion=motion, closes_at=CLOSES)
    hold(hearing, world, clock)
    motion.refresh_from_db()
    opened = services.motion_open_vote(actor=world.people.pmc, motion=motion, closes_at=CLOSES)
    assert opened.stage == "voting"
    page = client.get(reverse("meetings:motion", args=[motion.pk])).content.decode()
    assert hearing.title in page


def test_the_report_page_query_count_is_flat_in_the_number_of_hearings(world, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = _report(world)
    client = Client()
    client.force_login(world.people.pmc)
    url = reverse("meetings:decision_report", args=[report.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    services.decision_report_link_hearing(
        actor=world.people.pmc, report=report, hearing=_hearing(world)
    )
    count()  # the first request also fills the permission cache
    one = count()
    for day in range(1, 7):
        _hearing(world, start=HEARING_START + dt.timedelta(days=day))
    assert count() == one
