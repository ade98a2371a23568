"""The roster of evaluators and their one-time tokens (评议监督考核制度 第三条 民主测评)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from huashan.core.services import require_perm
from huashan.directory.models import Person

from .. import slipcodes
from ..models import (
    Campaign,
    Evaluator,
    PaperEntry,
    Target,
    TokenUse,
)
from .base import CampaignStateError, State, _denied, _event, _lock, token_hash
from .members import member_targets_sync

# --- roster and tokens ---------------------------------------------------------------


@transaction.atomic
def evaluator_add(
    *, actor, campaign: Campaign, name: str, category: str, person: Person | None = None
) -> Evaluator:
    """Add someone to the roster (seed: 第三条 党员、业主及居民群众代表、单位)."""
    campaign = _lock(campaign)
    require_perm(actor, "evaluations.organize", campaign, _denied())
    if campaign.state in Campaign.PUBLIC_STATES | {State.PRELIMINARY, State.PUBLICITY}:
        raise CampaignStateError(gettext("Scoring is over: the roster is closed."))
    name = (name or "").strip()
    if person is not None and not name:
        name = person.name
    if not name or len(name) > 100:
        raise ValidationError({"name": gettext("Enter a name of at most 100 characters.")})
    if category not in Evaluator.Category.values:
        raise ValidationError({"category": gettext("Choose a category.")})
    if person is not None and campaign.evaluators.filter(person=person).exists():
        raise ValidationError({"name": gettext("This person is already on the roster.")})
    evaluator = Evaluator.objects.create(
        campaign=campaign, name=name, category=category, person=person
    )
    _event(campaign, actor=actor, verb="evaluator_add")
    return evaluator


@dataclass(frozen=True)
class IssuedToken:
    evaluator: Evaluator
    token: str


@transaction.atomic
def tokens_issue(*, actor, campaign: Campaign) -> list[IssuedToken]:
    """Give every roster entry that has not voted a fresh one-time token (old ones die).

    Only the SHA-256 hash is stored; the tokens are returned once, to be printed
    on the slips. Before scoring, the PMC members to evaluate are brought up to date
    first (物业管理委员会服务承诺 第4条), so the slips list the targets the phone ballot
    will show.
    """
    campaign = _lock(campaign)
    require_perm(actor, "evaluations.print_slips", campaign, _denied())
    if campaign.state not in Campaign.EDITABLE_STATES | {State.SCORING}:
        raise CampaignStateError(gettext("Scoring is over: no more ballot slips."))
    if campaign.state in Campaign.EDITABLE_STATES:
        member_targets_sync(campaign)
    used = set(
        TokenUse.objects.filter(target__campaign=campaign).values_list("evaluator_id", flat=True)
    )
    pending = set(
        PaperEntry.objects.filter(campaign=campaign)
        .exclude(state=PaperEntry.State.REJECTED)
        .values_list("evaluator_id", flat=True)
    )
    issued = []
    now = timezone.now()
    for evaluator in campaign.evaluators.exclude(pk__in=used | pending):
        token = slipcodes.new_code()  # typeable from paper (issue 19 item 4)
        evaluator.token_hash = token_hash(token)
        evaluator.token_issued_at = now
        evaluator.save(update_fields=["token_hash", "token_issued_at"])
        issued.append(IssuedToken(evaluator, token))
    _event(campaign, actor=actor, verb="tokens_issue", note=str(len(issued)))
    return issued


def evaluator_for_token(token: str) -> Evaluator | None:
    """The roster entry of a token, by hash (an indexed equality: no prefix timing, no list)."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    # A code as issued (and any older mixed-case token, exactly as typed), else the code
    # typed by hand from a paper slip: lower case, with the printed spaces (issue 19).
    hashes = [token_hash(token)]
    typed = slipcodes.normalize(token)
    if typed != token and slipcodes.is_valid(typed):
        hashes.append(token_hash(typed))
    return (
        Evaluator.objects.select_related("campaign__compound", "campaign__community")
        .filter(token_hash__in=hashes)
        .first()
    )


def evaluator_open_targets(evaluator: Evaluator) -> list[Target]:
    done = TokenUse.objects.filter(evaluator=evaluator).values("target_id")
    pending = PaperEntry.objects.filter(evaluator=evaluator).exclude(
        state=PaperEntry.State.REJECTED
    )
    if pending.exists():
        return []
    return list(
        evaluator.campaign.targets.exclude(pk__in=done).select_related("organization", "member")
    )
