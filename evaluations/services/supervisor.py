"""The volunteer quality supervisor's opinion in the annual evaluation (决策报告制度 第四条
"结合年度考评工作，对物业服务企业提出评价意见")."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from huashan.directory.models import Organization

from ..models import Campaign, SupervisorOpinion, Target
from .base import TEXT_MAX, CampaignStateError, State, _event, _lock

#: The opinion is part of the evaluation: given before the preliminary results (第五条).
OPINION_STATES = frozenset({State.SETUP, State.MATERIALS, State.EVALUATION_MEETING, State.SCORING})


@transaction.atomic
def supervisor_opinion_submit(
    *, actor, campaign: Campaign, target: Target, text: str
) -> SupervisorOpinion:
    """The 义务质量总监 of the target's compound gives an opinion on the property company.

    Only the person holding the role in that company (``is_quality_supervisor`` on the
    compound); one opinion per supervisor and target; before the preliminary results."""
    campaign = _lock(campaign)
    if target.campaign_id != campaign.pk:
        raise ValidationError({"target": gettext("Choose a target of this campaign.")})
    organization = target.organization
    if organization.kind != Organization.Kind.PROPERTY_COMPANY or target.member_id:
        raise ValidationError(
            {"target": gettext("The quality supervisor gives an opinion on the property company.")}
        )
    compound = organization.compound
    if compound is None or not rules.test_rule(
        "evaluations.give_supervisor_opinion", actor, compound
    ):
        raise PermissionDenied(
            gettext("Only the volunteer quality supervisor of this compound gives this opinion.")
        )
    if campaign.state not in OPINION_STATES:
        raise CampaignStateError(
            gettext("The preliminary results are out: opinions can no longer be given.")
        )
    text = (text or "").strip()
    if not 5 <= len(text) <= TEXT_MAX:
        raise ValidationError({"text": gettext("Write an opinion of 5 to 2000 characters.")})
    try:
        with transaction.atomic():
            opinion = SupervisorOpinion.objects.create(
                campaign=campaign, target=target, author=actor, text=text
            )
    except IntegrityError:
        raise ValidationError(
            {"text": gettext("You have already given your opinion on this target.")}
        ) from None
    _event(campaign, actor=actor, verb="supervisor_opinion", note=str(target))
    return opinion
