"""联席会议议事规则 第三条: "联席会议由社区党组织负责人或受其委托的小区党组织负责人召集并主持".

A compound party head convenes and chairs only under a recorded delegation (委托) from
the community party head, inside its period; the meeting record shows it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string

from huashan.directory import delegations
from huashan.directory.models import ChairDelegation, ChairDelegationEvent, Membership
from meetings import services
from meetings.pdf import meeting_pdf_context
from tests.factories.directory import MembershipFactory

from .conftest import MEETING_START

pytestmark = pytest.mark.django_db
MEETING_DAY = MEETING_START.date()  # 25 March 2026


def _schedule(world, chair=None, convener=None, start=MEETING_START):
    return services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="joint",
        title="2026年3月联席会议",
        start=start,
        end=start + dt.timedelta(hours=2),
        place="小区党群服务中心",
        chair=chair,
        convener=convener,
    )


def _grant(world, start, end, delegate=None):
    return delegations.delegation_grant(
        actor=world.people.community_party,
        compound=world.compound,
        delegate=delegate or world.people.compound_party,
        start=start,
        end=end,
        note="本季度联席会议",
    )


def _field_errors(exc):
    return exc.value.message_dict


def test_compound_party_head_without_delegation_may_not_chair(world, clock):
    """第三条: the compound party head chairs only "受其委托" — with no delegation, refused."""
    with pytest.raises(ValidationError) as exc:
        _schedule(world, chair=world.people.compound_party)
    assert "chair" in _field_errors(exc)


def test_community_party_head_chairs_without_delegation(world, clock):
    meeting = _schedule(world, chair=world.people.community_party)
    assert meeting.chair == world.people.community_party
    assert meeting.chair_delegation is None


def test_delegation_covering_the_meeting_day_lets_the_compound_head_chair(world, clock):
    delegation = _grant(world, MEETING_DAY, MEETING_DAY)  # the period is the meeting's day
    meeting = _schedule(world, chair=world.people.compound_party)
    assert meeting.chair == world.people.compound_party
    assert meeting.convener == world.people.compound_party
    assert meeting.chair_delegation == delegation


def test_delegation_ending_the_day_before_does_not_cover_the_meeting(world, clock):
    _grant(world, MEETING_DAY - dt.timedelta(days=10), MEETING_DAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        _schedule(world, chair=world.people.compound_party)
    assert "chair" in _field_errors(exc)


def test_delegation_starting_the_day_after_does_not_cover_the_meeting(world, clock):
    _grant(world, MEETING_DAY + dt.timedelta(days=1), MEETING_DAY + dt.timedelta(days=30))
    with pytest.raises(ValidationError):
        _schedule(world, chair=world.people.compound_party)


def test_revoked_delegation_no_longer_lets_the_compound_head_chair(world, clock):
    delegation = _grant(
        world, MEETING_DAY - dt.timedelta(days=20), MEETING_DAY + dt.timedelta(days=60)
    )
    delegations.delegation_revoke(
        actor=world.people.community_party, delegation=delegation, reason="换届"
    )
    with pytest.raises(ValidationError):
        _schedule(world, chair=world.people.compound_party)
    assert list(
        ChairDelegationEvent.objects.filter(delegation=delegation).values_list("verb", flat=True)
    ) == ["grant", "revoke"]


def test_delegation_of_another_compound_does_not_count(world, clock):
    from tests.factories.meetings import meeting_world

    other = meeting_world()
    delegations.delegation_grant(
        actor=other.people.community_party,
        compound=other.compound,
        delegate=other.people.compound_party,
        start=MEETING_DAY,
        end=MEETING_DAY,
    )
    with pytest.raises(ValidationError):
        _schedule(world, chair=world.people.compound_party)


def test_convener_is_checked_like_the_chair(world, clock):
    with pytest.raises(ValidationError) as exc:
        _schedule(world, chair=world.people.community_party, convener=world.people.compound_party)
    assert "convener" in _field_errors(exc)


def test_without_a_community_party_head_the_entrusted_compound_head_is_the_default_chair(
    world, clock
):
    delegation = _grant(world, MEETING_DAY, MEETING_DAY + dt.timedelta(days=5))
    Membership.objects.filter(
        person=world.people.community_party, organization=world.orgs.community_party
    ).update(end=MEETING_DAY - dt.timedelta(days=1))
    meeting = _schedule(world)
    assert meeting.chair == world.people.compound_party
    assert meeting.chair_delegation == delegation


def test_no_one_to_chair_is_refused_not_left_empty(world, clock):
    Membership.objects.filter(
        person=world.people.community_party, organization=world.orgs.community_party
    ).update(end=MEETING_DAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        _schedule(world)
    assert "chair" in _field_errors(exc)


def test_moving_the_meeting_out_of_the_period_is_refused(world, clock):
    _grant(world, MEETING_DAY, MEETING_DAY)
    meeting = _schedule(world, chair=world.people.compound_party)
    later = MEETING_START + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(
            actor=world.meeting_clerk,
            meeting=meeting,
            title=meeting.title,
            start=later,
            end=later + dt.timedelta(hours=2),
            place=meeting.place,
        )
    assert "chair" in _field_errors(exc)


def test_the_record_shows_the_delegation(world, clock, client):
    _grant(world, MEETING_DAY - dt.timedelta(days=5), MEETING_DAY + dt.timedelta(days=5))
    meeting = _schedule(world, chair=world.people.compound_party)
    context = meeting_pdf_context(meeting=meeting)
    for template in ("pdf/meetings/notice.html", "pdf/meetings/minutes.html"):
        html = render_to_string(template, context)
        assert f"受社区党组织负责人{world.people.community_party.name}委托" in html
        assert "2026年3月20日至2026年3月30日" in html
    client.force_login(world.meeting_clerk)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "受社区党组织负责人" in page
    assert "2026-03-20" in page
    assert "2026-03-30" in page


# --- who may grant, and bad input ------------------------------------------------


def test_only_the_community_party_head_grants(world, clock):
    for actor in (world.people.compound_party, world.meeting_clerk, world.resident):
        with pytest.raises(PermissionDenied):
            delegations.delegation_grant(
                actor=actor,
                compound=world.compound,
                delegate=world.people.compound_party,
                start=MEETING_DAY,
                end=MEETING_DAY,
            )
    assert not ChairDelegation.objects.exists()


def test_only_a_compound_party_head_can_be_entrusted(world, clock):
    with pytest.raises(ValidationError) as exc:
        _grant(world, MEETING_DAY, MEETING_DAY, delegate=world.people.pmc)
    assert "delegate" in _field_errors(exc)
    # The compound party *chair* (主任) is a head as well as the secretary.
    chair = MembershipFactory(
        organization=world.orgs.compound_party, role=Membership.Role.CHAIR
    ).person
    assert _grant(world, MEETING_DAY, MEETING_DAY, delegate=chair).delegate == chair


def test_period_must_be_whole_and_in_order(world, clock):
    with pytest.raises(ValidationError) as exc:
        _grant(world, MEETING_DAY, MEETING_DAY - dt.timedelta(days=1))
    assert "end" in _field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        _grant(world, None, None)
    assert {"start", "end"} <= set(_field_errors(exc))
    with pytest.raises(ValidationError) as exc:
        _grant(world, dt.date(2026, 1, 1), dt.date(2026, 3, 9))  # ended before today (10 Mar)
    assert "end" in _field_errors(exc)


def test_revoking_twice_is_refused(world, clock):
    delegation = _grant(world, MEETING_DAY, MEETING_DAY)
    delegations.delegation_revoke(
        actor=world.people.community_party, delegation=delegation, reason="改"
    )
    with pytest.raises(ValidationError):
        delegations.delegation_revoke(
            actor=world.people.community_party, delegation=delegation, reason="再改"
        )
    with pytest.raises(PermissionDenied):
        delegations.delegation_revoke(
            actor=world.people.compound_party, delegation=delegation, reason="x"
        )


# --- the page -----------------------------------------------------------------


def _url(world):
    return f"/meetings/delegations/?compound={world.compound.slug}"


def test_page_grant_and_revoke_in_the_browser(world, clock, client):
    client.force_login(world.people.community_party)
    page = client.get(_url(world))
    assert page.status_code == 200
    response = client.post(
        _url(world),
        {
            "grant-delegate": world.people.compound_party.pk,
            "grant-start": "2026-03-20",
            "grant-end": "2026-06-30",
            "grant-note": "二季度",
        },
    )
    assert response.status_code == 302
    delegation = ChairDelegation.objects.get()
    assert (delegation.start, delegation.end) == (dt.date(2026, 3, 20), dt.date(2026, 6, 30))
    response = client.post(
        f"/meetings/delegations/{delegation.pk}/revoke/", {f"revoke-{delegation.pk}-reason": "换届"}
    )
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_on == dt.date(2026, 3, 20)


def test_page_bad_input_keeps_what_was_typed(world, clock, client):
    client.force_login(world.people.community_party)
    hostile = "<script>alert(1)</script>"
    response = client.post(
        _url(world),
        {
            "grant-delegate": world.people.compound_party.pk,
            "grant-start": "2026-06-30",
            "grant-end": "2026-03-20",
            "grant-note": hostile,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert hostile not in body
    assert "&lt;script&gt;" in body
    assert "2026-06-30" in body
    for data in (
        {"grant-delegate": "", "grant-start": "", "grant-end": ""},
        {"grant-delegate": "999999", "grant-start": "x", "grant-end": "2026-13-40"},
        {
            "grant-delegate": world.people.compound_party.pk,
            "grant-start": "2026-03-20",
            "grant-end": "2026-03-30",
            "grant-note": "长" * 501,
        },
    ):
        assert client.post(_url(world), data).status_code == 400
    response = client.post(
        _url(world),
        {
            "grant-delegate": world.people.pmc.pk,
            "grant-start": "2026-03-20",
            "grant-end": "2026-03-30",
        },
    )
    assert response.status_code == 400
    assert not ChairDelegation.objects.exists()


def test_page_refuses_others(world, clock, client):
    client.force_login(world.people.compound_party)
    assert client.get(_url(world)).status_code == 200  # staff may read it
    data = {
        "grant-delegate": world.people.compound_party.pk,
        "grant-start": "2026-03-20",
        "grant-end": "2026-03-30",
    }
    assert client.post(_url(world), data).status_code == 403
    client.force_login(world.resident)
    assert client.get(_url(world)).status_code == 403
    client.logout()
    assert client.get(_url(world)).status_code == 302


def test_page_queries_do_not_grow(world, clock, client, django_assert_max_num_queries):
    client.force_login(world.people.community_party)
    client.get(_url(world))
    for i in range(5):
        _grant(world, MEETING_DAY + dt.timedelta(days=i), MEETING_DAY + dt.timedelta(days=i + 1))
    with django_assert_max_num_queries(20):
        assert client.get(_url(world)).status_code == 200
