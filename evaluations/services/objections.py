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
def objection_answer(
    *,
    actor,
    objection: Objection,
    answer: str,
    resolution: str = "",
    correction: str = "",
) -> Objection:
    """Resolve an objection (评议监督考核制度 第五条 "初步结果在社区公示且无异议后"): the
    community party organization either upholds it — and says how the preliminary result
    was corrected — or dismisses it with reasons. The answer is what the objector reads."""
    campaign = _lock(objection.campaign)
    require_perm(
        actor,
        "evaluations.organize",
        campaign,
        gettext("Only the community party organization resolves objections."),
    )
    objection = lock(objection)
    if objection.answered_at is not None:
        raise ValidationError(gettext("This objection was already resolved."))
    errors: dict[str, list[str]] = {}
    if resolution not in Objection.Resolution.values:
        errors["resolution"] = [
            gettext(
                "Choose whether the objection is upheld (the preliminary result is "
                "corrected) or dismissed (with reasons)."
            )
        ]
    answer = (answer or "").strip()
    if len(answer) < 5 or len(answer) > TEXT_MAX:
        errors["answer"] = [gettext("Write an answer of 5 to 2000 characters.")]
    correction = (correction or "").strip()
    if resolution == Objection.Resolution.UPHELD and not 5 <= len(correction) <= TEXT_MAX:
        errors["correction"] = [
            gettext(
                "An upheld objection corrects the preliminary result: say what was "
                "corrected (5 to 2000 characters)."
            )
        ]
    if errors:
        raise ValidationError(errors)
    objection.answer = answer
    objection.resolution = resolution
    objection.correction = correction if resolution == Objection.Resolution.UPHELD else ""
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    _event(
        campaign,
        actor=actor,
        verb="objection_answer",
        note=f"{objection.get_resolution_display()}"
        + (f"：{objection.correction[:500]}" if objection.correction else ""),
    )
    notify_person(
        person=objection.author,
        subject=gettext("Your objection was resolved: %(resolution)s")
        % {"resolution": objection.get_resolution_display()},
        body=answer[:500],
        link=f"/evaluations/{campaign.pk}/results/",
    )
    return objection
