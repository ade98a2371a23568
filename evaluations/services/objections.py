"""Objections to the publicised preliminary results (评议监督考核制度 第五条)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from huashan.core.services import require_perm
from huashan.core.state import lock
from huashan.directory.selectors import organization_of_kind
from huashan.notify.services import notify_person

from ..models import (
    Campaign,
    Objection,
    Target,
)
from .base import (
    TEXT_MAX,
    CampaignStateError,
    Kind,
    State,
    _denied,
    _event,
    _lock,
    _notify_org,
    _require_rule,
)

# --- objections ----------------------------------------------------------------------------


@transaction.atomic
def objection_file(
    *, actor, campaign: Campaign, text: str, target: Target | None = None
) -> Objection:
    """Object to the preliminary results while they are publicised (seed: 第五条)."""
    _require_rule(
        actor,
        "evaluations.object",
        campaign,
        gettext("Only residents of the compound may object."),
    )
    campaign = _lock(campaign)
    now = timezone.now()
    if (
        campaign.state != State.PUBLICITY
        or campaign.publicity_end is None
        or now >= campaign.publicity_end
    ):
        raise CampaignStateError(gettext("The objection window is closed."))
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({"text": gettext("Say what you object to (at least 5 characters).")})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": gettext("At most 2000 characters.")})
    if target is not None and target.campaign_id != campaign.pk:
        raise ValidationError({"target": gettext("Choose a target of this campaign.")})
    objection = Objection.objects.create(campaign=campaign, target=target, author=actor, text=text)
    _event(campaign, actor=actor, verb="objection")
    party = organization_of_kind(compound=campaign.compounds[0], kind=Kind.COMMUNITY_PARTY)
    _notify_org(
        party,
        subject=gettext("New objection to the evaluation results"),
        body=text[:200],
        link=f"/evaluations/{campaign.pk}/manage/",
    )
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: Objection, answer: str) -> Objection:
    campaign = _lock(objection.campaign)
    require_perm(actor, "evaluations.organize", campaign, _denied())
    objection = lock(objection)
    if objection.answered_at is not None:
        raise ValidationError(gettext("This objection was already answered."))
    answer = (answer or "").strip()
    if len(answer) < 5 or len(answer) > TEXT_MAX:
        raise ValidationError({"answer": gettext("Write an answer of 5 to 2000 characters.")})
    objection.answer = answer
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    _event(campaign, actor=actor, verb="objection_answer")
    notify_person(
        person=objection.author,
        subject=gettext("Your objection was answered"),
        body=answer[:500],
        link=f"/evaluations/{campaign.pk}/results/",
    )
    return objection
