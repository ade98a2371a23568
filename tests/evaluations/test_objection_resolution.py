"""评议监督考核制度 第五条 "评议考核初步结果在社区公示且无异议后，经街道党工委审定，在街道范围内
通报" (issue 18 item 13).

* "无异议" means every objection is **resolved** by the community party organization —
  upheld (the preliminary result corrected) or dismissed with reasons — not merely answered.
* The approved result is circulated street-wide: every organization of the street hears it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from evaluations import services
from evaluations.models import Campaign, Objection
from huashan.notify.models import Notification
from tests.factories.evaluations import advance_to

State = Campaign.State
pytestmark = pytest.mark.django_db


def _after_window():
    return time_machine.travel(timezone.now() + dt.timedelta(days=12))


def _file(world, text="物业得分偏高，与实际不符"):
    return services.objection_file(actor=world.resident, campaign=world.campaign, text=text)


def test_article_5_an_answer_without_a_resolution_is_refused(world):
    advance_to(world, State.PUBLICITY)
    objection = _file(world)
    with pytest.raises(ValidationError) as exc:
        services.objection_answer(
            actor=world.community_secretary,
            objection=objection,
            answer="已复核原始测评票，结果无误。",
        )
    assert "resolution" in exc.value.message_dict
    objection.refresh_from_db()
    assert objection.answered_at is None


def test_article_5_approval_waits_until_every_objection_is_resolved(world):
    """Two objections: one dismissed with reasons, one still open → refused; both → approved."""
    advance_to(world, State.PUBLICITY)
    first, second = _file(world), _file(world, "居委会得分与走访情况不符")
    with _after_window():
        services.objection_answer(
            actor=world.community_secretary,
            objection=first,
            answer="已复核原始测评票，结果无误。",
            resolution=Objection.Resolution.DISMISSED,
        )
        with pytest.raises(services.CampaignStateError) as exc:
            services.campaign_advance(
                actor=world.street_officer, campaign=world.campaign, to_state=State.APPROVED
            )
        assert "无异议" in str(exc.value) or "resolve" in str(exc.value).lower()
        services.objection_answer(
            actor=world.community_secretary,
            objection=second,
            answer="异议成立，已更正初步结果。",
            resolution=Objection.Resolution.UPHELD,
            correction="剔除一张重复录入的纸质测评票，居委会得分由81.20更正为80.10。",
        )
        services.campaign_advance(
            actor=world.street_officer, campaign=world.campaign, to_state=State.APPROVED
        )
    assert Campaign.objects.get(pk=world.campaign.pk).state == State.APPROVED


def test_article_5_upheld_needs_the_correction_and_dismissed_needs_reasons(world):
    advance_to(world, State.PUBLICITY)
    objection = _file(world)
    with pytest.raises(ValidationError) as exc:
        services.objection_answer(
            actor=world.community_secretary,
            objection=objection,
            answer="异议成立。",
            resolution=Objection.Resolution.UPHELD,
            correction="",
        )
    assert "correction" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.objection_answer(
            actor=world.community_secretary,
            objection=objection,
            answer="不",
            resolution=Objection.Resolution.DISMISSED,
        )
    assert "answer" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.objection_answer(
            actor=world.community_secretary,
            objection=objection,
            answer="不予采纳，理由如下。",
            resolution="maybe",
        )
    objection.refresh_from_db()
    assert not objection.resolved


def test_article_5_only_the_community_party_organization_resolves(world):
    advance_to(world, State.PUBLICITY)
    objection = _file(world)
    for outsider in (world.people.property_company, world.people.pmc, world.resident):
        with pytest.raises(PermissionDenied):
            services.objection_answer(
                actor=outsider,
                objection=objection,
                answer="不予采纳，理由如下。",
                resolution=Objection.Resolution.DISMISSED,
            )


def test_article_5_circulated_street_wide_to_every_organization_of_the_street(world):
    """ "在街道范围内通报": the community party, RC, compound party, PMC, company of this
    compound and the bodies of another community of the same street all hear it."""
    from tests.factories.directory import (
        CommunityFactory,
        MembershipFactory,
        OrganizationFactory,
    )

    other_community = CommunityFactory(street=world.compound.community.street)
    other_rc = OrganizationFactory(
        kind="residents_committee", community=other_community, compound=None
    )
    other_head = MembershipFactory(organization=other_rc, role="chair").person
    advance_to(world, State.CIRCULATED)
    subject_hits = Notification.objects.filter(recipient=other_head)
    assert subject_hits.exists()
    assert world.campaign.title in subject_hits.first().subject
