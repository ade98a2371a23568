"""协同联动 第四条: "小区联席会议应研究并提出建议，报社区党组织。社区党组织应及时提请街道运用
'街道吹哨、部门报到'机制，召集街道联席会议" — the street whistle is blown by the community party
organization's request to the street on the joint meeting's proposal, and only so: asking the
street summons the street's bodies and departments, each to report in (报到), and the whistle
is linked to the referral. A street whistle blown directly is refused.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from huashan import workdays
from huashan.directory.models import Organization
from huashan.notify.models import Notification
from issues import services as issue_services
from issues.models import Issue, IssueEvent, Whistle
from meetings.models.meetings import StreetReferral
from meetings.services.meetings import street_referral_propose, street_referral_request
from tests.factories.directory import OrganizationFactory
from tests.factories.issues import IssueFactory

from .conftest import hold

pytestmark = pytest.mark.django_db

REQUEST = "请街道运用街道吹哨、部门报到机制，召集水务部门协调管网改造。"


@pytest.fixture
def issue(world):
    return IssueFactory(compound=world.compound, tier=Issue.Tier.HARD, status=Issue.Status.ACCEPTED)


@pytest.fixture
def held(joint_meeting, world, clock):
    return hold(joint_meeting, world, clock)


@pytest.fixture
def referral(held, world, issue):
    return street_referral_propose(
        actor=world.meeting_clerk,
        meeting=held,
        issue=issue,
        proposal="地下管网改造超出三方和社区职责，建议报社区党组织提请街道协调。",
    )


def _ask(world, referral, **kwargs):
    kwargs.setdefault("request_text", REQUEST)
    return street_referral_request(actor=world.people.community_party, referral=referral, **kwargs)


def _direct(actor, issue, **kwargs):
    return issue_services.whistle_blow(
        actor=actor,
        issue=issue,
        level=kwargs.pop("level", "street"),
        organizations=kwargs.pop("organizations", None) or [],
        reason="超出社区职责",
        **kwargs,
    )


def test_asking_the_street_blows_the_street_whistle_linked_to_the_referral(
    referral, world, issue, clock
):
    department = world.orgs.department
    referral = _ask(world, referral, organizations=[department])
    whistle = referral.street_whistle
    assert whistle is not None
    assert whistle.level == Whistle.Level.STREET
    assert whistle.issue_id == issue.pk
    assert whistle.blown_by_id == world.people.community_party.pk
    assert whistle.reason == REQUEST
    policy = issue_services.clocks_for(issue_services.clock_policy_for(world.compound)).response
    assert whistle.report_due == workdays.deadline(referral.requested_at, policy)
    assert [s.organization_id for s in whistle.summonses.all()] == [department.pk]
    assert StreetReferral.objects.get(street_whistle=whistle).pk == referral.pk
    # The whistle's public step follows the request on the complaint's timeline.
    public = list(
        IssueEvent.objects.filter(issue=issue, public=True).values_list("verb", flat=True)
    )
    assert public[-2:] == ["street_request", "whistle_street"]
    assert Notification.objects.filter(
        recipient=world.people.department, subject__contains=issue.tracking_number
    ).exists()


def test_the_department_reports_in_and_is_rated_as_on_any_whistle(referral, world, issue, clock):
    referral = _ask(world, referral, organizations=[world.orgs.department])
    summons = referral.street_whistle.summonses.get()
    with pytest.raises(PermissionDenied):
        issue_services.whistle_report_in(
            actor=world.people.pmc, summons=summons, contribution="派人"
        )
    issue_services.whistle_report_in(
        actor=world.people.department, summons=summons, contribution="水务部门派员现场查看"
    )
    assert IssueEvent.objects.filter(issue=issue, verb="report_in", public=True).exists()
    # The community party organization that asked, and the street office that runs the
    # mechanism, rate the response; the compound party organization does not.
    with pytest.raises(PermissionDenied):
        issue_services.whistle_rate(actor=world.people.compound_party, summons=summons, rating=5)
    issue_services.whistle_rate(actor=world.people.street_office, summons=summons, rating=3)
    issue_services.whistle_rate(actor=world.people.community_party, summons=summons, rating=4)
    summons.refresh_from_db()
    assert summons.rating == 4


def test_asking_with_no_body_ticked_summons_the_street_bodies_that_convene(
    referral, world, issue, clock
):
    street_pmc = OrganizationFactory(
        kind=Organization.Kind.STREET_PMC, street=world.street, compound=None
    )
    referral = _ask(world, referral)
    summoned = {s.organization_id for s in referral.street_whistle.summonses.all()}
    assert summoned == {world.orgs.street_office.pk, street_pmc.pk}


def test_declining_blows_no_whistle(referral, world, issue, clock):
    referral = street_referral_request(
        actor=world.people.community_party,
        referral=referral,
        decline_reason="社区可协调解决，先由社区居委会牵头。",
    )
    assert referral.street_whistle is None
    assert not Whistle.objects.filter(issue=issue).exists()


def test_summoning_a_body_that_is_not_the_streets_changes_nothing(referral, world, issue, clock):
    with pytest.raises(ValidationError) as exc:
        _ask(world, referral, organizations=[world.orgs.department, world.orgs.pmc])
    assert "organizations" in exc.value.message_dict
    referral.refresh_from_db()
    assert referral.status == StreetReferral.Status.PROPOSED
    assert referral.street_whistle is None
    assert not Whistle.objects.filter(issue=issue).exists()
    assert not IssueEvent.objects.filter(issue=issue, verb="street_request").exists()


def test_a_complaint_closed_before_the_request_is_not_whistled(referral, world, issue, clock):
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.CLOSED)
    with pytest.raises(ValidationError):
        _ask(world, referral)
    referral.refresh_from_db()
    assert referral.status == StreetReferral.Status.PROPOSED
    assert not Whistle.objects.filter(issue=issue).exists()


def test_a_street_whistle_without_a_requested_referral_is_refused(referral, world, issue, clock):
    """The community party organization, or the street office, blowing the street whistle on
    its own is told the way: the joint meeting proposes, the community party organization
    asks the street. Someone else may not blow it at all."""
    department = [world.orgs.department]
    for actor in (world.people.community_party, world.people.street_office):
        with pytest.raises(ValidationError) as exc:
            _direct(actor, issue, organizations=department)
        assert exc.value.error_dict["level"][0].code == "street_via_referral"
        assert "报请街道协调的问题" in exc.value.message_dict["level"][0]  # the page that asks
    with pytest.raises(PermissionDenied):
        _direct(world.people.compound_party, issue, organizations=department)
    # A referral only proposed, not yet requested, is not enough either.
    with pytest.raises(ValidationError):
        _direct(
            world.people.community_party, issue, organizations=department, street_referral=referral
        )
    assert not Whistle.objects.filter(issue=issue).exists()


def test_the_request_blows_one_street_whistle_and_only_on_its_complaint(
    referral, world, issue, clock
):
    referral = _ask(world, referral, organizations=[world.orgs.department])
    other = IssueFactory(
        compound=world.compound, tier=Issue.Tier.HARD, status=Issue.Status.ACCEPTED
    )
    for target in (issue, other):  # once per request, and never on another complaint
        with pytest.raises(ValidationError):
            _direct(
                world.people.community_party,
                target,
                organizations=[world.orgs.department],
                street_referral=referral,
            )
    # The community whistle is no referral's.
    with pytest.raises(ValidationError):
        _direct(
            world.people.community_party,
            other,
            level="community",
            organizations=[world.orgs.pmc],
            street_referral=referral,
        )
    assert Whistle.objects.filter(issue=issue).count() == 1
    assert not Whistle.objects.filter(issue=other).exists()
    # The community whistle itself is blown as before.
    whistle = _direct(
        world.people.community_party, other, level="community", organizations=[world.orgs.pmc]
    )
    assert whistle.level == Whistle.Level.COMMUNITY


# --- the pages ----------------------------------------------------------------------


def test_page_request_summons_the_ticked_bodies_and_shows_their_report_in(
    referral, world, issue, clock, client
):
    client.force_login(world.people.community_party)
    url = f"/meetings/street/?compound={world.compound.slug}"
    body = client.get(url).content.decode()
    assert f'name="req-{referral.pk}-organizations"' in body
    response = client.post(
        f"/meetings/street/{referral.pk}/request/",
        {
            f"req-{referral.pk}-request_text": REQUEST,
            f"req-{referral.pk}-organizations": [world.orgs.department.pk],
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert [s.organization_id for s in referral.street_whistle.summonses.all()] == [
        world.orgs.department.pk
    ]
    body = client.get(url).content.decode()
    assert world.orgs.department.name in body


def test_page_request_with_a_foreign_body_keeps_what_was_typed(
    referral, world, issue, clock, client
):
    client.force_login(world.people.community_party)
    response = client.post(
        f"/meetings/street/{referral.pk}/request/",
        {
            f"req-{referral.pk}-request_text": REQUEST,
            f"req-{referral.pk}-organizations": [world.orgs.pmc.pk],
        },
    )
    assert response.status_code == 400
    assert REQUEST in response.content.decode()
    assert not Whistle.objects.filter(issue=issue).exists()


def test_issue_page_offers_only_the_community_whistle(world, issue, clock, client):
    client.force_login(world.people.community_party)
    body = client.get(reverse("issues:staff_detail", args=[issue.tracking_number])).content.decode()
    assert 'name="whistle-level"' in body
    assert 'value="community"' in body
    assert 'value="street"' not in body
    client.force_login(world.people.street_office)
    body = client.get(reverse("issues:staff_detail", args=[issue.tracking_number])).content.decode()
    assert 'name="whistle-level"' not in body
