"""Ballots cast with a token, the holding pool that hides their order, paper entry.

seed: 评议监督考核制度 第三条 (民主测评). Ballot secrecy: see the models and
tests/evaluations/test_secrecy.py.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from huashan.core.services import require_perm
from huashan.core.state import lock

from ..models import (
    Ballot,
    Campaign,
    PaperEntry,
    PendingBallot,
    Score,
    Target,
    TokenUse,
)
from .base import BALLOT_POOL, BallotRefused, CampaignStateError, State, _denied, _event, _lock
from .roster import evaluator_for_token, evaluator_open_targets

# --- ballots -----------------------------------------------------------------------------


def scores_clean(
    *, campaign: Campaign, targets: list[Target], raw: Mapping[Any, Mapping[Any, Any]]
) -> dict[int, dict[int, Decimal]]:
    """Validate {target_id: {criterion_id: value}}: every criterion, each within 0..max.

    Raises a ValidationError whose dict keys are ``score_<target>_<criterion>``
    so forms can show each message next to its field.
    """
    from ..results import campaign_criteria

    criteria = campaign_criteria(campaign)
    errors: dict[str, list[str]] = {}
    clean: dict[int, dict[int, Decimal]] = {}
    for target in targets:
        given = raw.get(target.pk) or raw.get(str(target.pk)) or {}
        clean[target.pk] = {}
        for criterion in criteria:
            key = f"score_{target.pk}_{criterion.pk}"
            value = given.get(criterion.pk, given.get(str(criterion.pk)))
            if value in (None, ""):
                errors[key] = [gettext("Score this criterion.")]
                continue
            try:
                number = Decimal(str(value).strip())
            except (InvalidOperation, ValueError):
                errors[key] = [gettext("Enter a number.")]
                continue
            if not number.is_finite() or number < 0 or number > criterion.max_score:
                errors[key] = [
                    gettext("Enter a score from 0 to %(max)s.") % {"max": criterion.max_score}
                ]
                continue
            if number * 2 != (number * 2).to_integral_value():
                errors[key] = [gettext("Use whole or half points.")]
                continue
            clean[target.pk][criterion.pk] = number
    if errors:
        raise ValidationError(errors)
    return clean


# --- five levels in words (issue 19 item 4) ----------------------------------------------

#: (key, share of the criterion's points). A person picks a word, not a number: the
#: points are the criterion's maximum times the share, to the half point. Labels: LEVELS.
LEVEL_SHARES: tuple[tuple[str, Decimal], ...] = (
    ("5", Decimal("1.0")),
    ("4", Decimal("0.8")),
    ("3", Decimal("0.6")),
    ("2", Decimal("0.4")),
    ("1", Decimal("0.2")),
)


def level_labels() -> dict[str, str]:
    return {
        "5": gettext("Very satisfied"),
        "4": gettext("Satisfied"),
        "3": gettext("Fairly satisfied"),
        "2": gettext("Not satisfied"),
        "1": gettext("Very dissatisfied"),
    }


def level_points(max_score: int | Decimal, level: str) -> Decimal:
    """The points of ``level`` for a criterion worth ``max_score`` (half points)."""
    share = dict(LEVEL_SHARES)[level]
    return (Decimal(max_score) * share * 2).to_integral_value() / 2


def criterion_levels(criterion) -> list[dict[str, Any]]:
    """The five choices of one criterion: key, words and points, best first."""
    labels = level_labels()
    return [
        {"key": key, "label": labels[key], "points": level_points(criterion.max_score, key)}
        for key, _share in LEVEL_SHARES
    ]


def levels_to_scores(
    *, criteria: list, targets: list[Target], raw: Mapping[Any, Mapping[Any, Any]]
) -> dict[int, dict[int, Any]]:
    """{target: {criterion: level key}} -> {target: {criterion: points}} for the services.

    A missing or unknown level becomes "" (the service then says "Score this criterion."
    next to the row): nothing typed is trusted, nothing chosen is lost.
    """
    shares = dict(LEVEL_SHARES)
    out: dict[int, dict[int, Any]] = {}
    for target in targets:
        given = raw.get(target.pk) or {}
        out[target.pk] = {}
        for criterion in criteria:
            level = str(given.get(criterion.pk, ""))
            out[target.pk][criterion.pk] = (
                level_points(criterion.max_score, level) if level in shares else ""
            )
    return out


def _hold(campaign: Campaign, target: Target, scores: dict[int, Decimal], channel: str) -> None:
    """Drop a cast ballot into the holding area (issue 14 item 2): no evaluator, no time."""
    PendingBallot.objects.create(
        campaign=campaign,
        target=target,
        channel=channel,
        scores={str(c): str(v) for c, v in scores.items()},
    )


_shuffle = random.SystemRandom()


@transaction.atomic
def ballots_flush(*, campaign: Campaign, keep: int = BALLOT_POOL) -> int:
    """Write waiting ballots into ``Ballot`` / ``Score`` in a shuffled batch; return how many.

    seed: 评议监督考核制度 第三条 (民主测评 — a secret ballot). For each target, all but
    ``keep`` of its waiting ballots are written, chosen at random; the batch goes in in
    random order, with random keys and only the day they were recorded. The pool is kept
    per target because a written ballot shows its target: a ballot is hidden among the
    waiting ballots *of the same target*, so a campaign with many targets (each PMC member
    is one, 物业管理委员会服务承诺 第4条) keeps as many voters in the pool as one with three.
    The "token used" marks of the campaign are rewritten in the same transaction, so the
    transaction id PostgreSQL stamps on a row (``xmin``) no longer tells which mark was made
    with which ballot. Safe to run twice; ``keep=0`` writes everything (at the close of
    scoring).
    """
    campaign = _lock(campaign)
    waiting = list(PendingBallot.objects.select_for_update().filter(campaign=campaign))
    if not waiting:
        return 0
    # Even when nothing is written yet, the marks stop sharing a transaction with the
    # waiting ballots: the link a live database shows lasts at most one sweep.
    TokenUse.objects.filter(target__campaign=campaign).update(target_id=F("target_id"))
    per_target: dict[int, list[PendingBallot]] = {}
    for pending in waiting:
        per_target.setdefault(pending.target_id, []).append(pending)
    batch: list[PendingBallot] = []
    for pending in per_target.values():
        if len(pending) > keep:
            _shuffle.shuffle(pending)
            batch.extend(pending[: len(pending) - keep])
    if not batch:
        return 0
    _shuffle.shuffle(batch)
    today = timezone.localdate()
    ballots = [
        Ballot(
            id=uuid.uuid4(),
            campaign=campaign,
            target_id=p.target_id,
            channel=p.channel,
            submitted_on=today,
        )
        for p in batch
    ]
    Ballot.objects.bulk_create(ballots)
    scores = [
        Score(id=uuid.uuid4(), ballot=ballot, criterion_id=int(c), value=Decimal(v))
        for ballot, p in zip(ballots, batch, strict=True)
        for c, v in p.scores.items()
    ]
    _shuffle.shuffle(scores)
    Score.objects.bulk_create(scores)
    PendingBallot.objects.filter(pk__in=[p.pk for p in batch]).delete()
    return len(batch)


def ballots_sweep(*, keep: int = BALLOT_POOL) -> int:
    """The periodic sweep: flush every campaign, writing what waits beyond ``keep`` per target.

    A campaign whose scoring has closed is flushed whole (it normally was, on
    closing; this catches a close that predates the holding area).
    """
    written = 0
    ids = PendingBallot.objects.values_list("campaign_id", flat=True).distinct()
    for campaign in Campaign.objects.filter(pk__in=list(ids)):
        written += ballots_flush(
            campaign=campaign, keep=keep if campaign.state == State.SCORING else 0
        )
    return written


def turnout(campaign: Campaign) -> tuple[int, int]:
    """(evaluators who have voted, evaluators on the roster): the only progress shown."""
    voted = (
        TokenUse.objects.filter(target__campaign=campaign).values("evaluator_id").distinct().count()
    )
    return voted, campaign.evaluators.count()


@transaction.atomic
def ballot_submit(*, token: str, scores: Mapping[Any, Mapping[Any, Any]]) -> int:
    """Cast one evaluator's ballots for every target still open to them (seed: 第三条 量化测评).

    One ballot per evaluator per target (``TokenUse`` is unique); the token is
    spent once every target has been scored; submitted ballots never change.
    Returns the number of ballots cast.
    """
    evaluator = evaluator_for_token(token)
    if evaluator is None:
        raise BallotRefused(gettext("This ballot link is not valid."))
    # The campaign row is locked first, as closing the scoring does: a ballot either lands
    # before the close (and the close writes it) or sees the scoring closed.
    campaign = _lock(evaluator.campaign)
    evaluator = lock(evaluator)
    evaluator.campaign = campaign
    if campaign.state != State.SCORING:
        raise BallotRefused(gettext("Scoring is not open."))
    targets = evaluator_open_targets(evaluator)
    if not targets:
        raise BallotRefused(gettext("This ballot has already been submitted."))
    clean = scores_clean(campaign=campaign, targets=targets, raw=scores)
    for target in targets:
        TokenUse.objects.create(evaluator=evaluator, target=target)
        _hold(campaign, target, clean[target.pk], Ballot.Channel.ONLINE)
    return len(targets)


@transaction.atomic
def paper_entry_create(
    *, actor, campaign: Campaign, slip_code: str, scores: Mapping[Any, Mapping[Any, Any]]
) -> PaperEntry:
    """A clerk types in a paper ballot; a second clerk must confirm it (four eyes)."""
    require_perm(actor, "evaluations.enter_paper", campaign, _denied())
    campaign = _lock(campaign)
    if campaign.state != State.SCORING:
        raise CampaignStateError(gettext("Scoring is not open."))
    evaluator = evaluator_for_token(slip_code)
    if evaluator is None or evaluator.campaign_id != campaign.pk:
        raise ValidationError({"slip_code": gettext("No ballot slip has this code.")})
    evaluator = lock(evaluator)
    if (
        PaperEntry.objects.filter(evaluator=evaluator)
        .exclude(state=PaperEntry.State.REJECTED)
        .exists()
    ):
        raise ValidationError({"slip_code": gettext("This paper ballot was already entered.")})
    targets = list(campaign.targets.select_related("organization", "member"))
    if TokenUse.objects.filter(evaluator=evaluator).exists():
        raise ValidationError({"slip_code": gettext("This slip was already used online.")})
    clean = scores_clean(campaign=campaign, targets=targets, raw=scores)
    try:
        with transaction.atomic():
            entry = PaperEntry.objects.create(
                campaign=campaign,
                evaluator=evaluator,
                entered_by=actor,
                scores={
                    str(t): {str(c): str(v) for c, v in per.items()} for t, per in clean.items()
                },
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"slip_code": gettext("This paper ballot was already entered.")}
        ) from exc
    _event(campaign, actor=actor, verb="paper_enter")
    return entry


@transaction.atomic
def paper_entry_confirm(*, actor, entry: PaperEntry) -> None:
    """A second, different clerk confirms: the ballots are cast and the entry forgets them."""
    require_perm(actor, "evaluations.enter_paper", entry.campaign, _denied())
    campaign = _lock(entry.campaign)
    entry = lock(entry)
    if entry.state != PaperEntry.State.PENDING:
        raise CampaignStateError(gettext("This entry was already checked."))
    if entry.entered_by_id == actor.pk:
        raise PermissionDenied(gettext("A second person must confirm a paper ballot."))
    if campaign.state != State.SCORING:
        raise CampaignStateError(gettext("Scoring is not open."))
    targets = {t.pk: t for t in campaign.targets.all()}
    for target_id, per in entry.scores.items():
        target = targets[int(target_id)]
        TokenUse.objects.create(evaluator_id=entry.evaluator_id, target=target)
        _hold(
            campaign,
            target,
            {int(c): Decimal(v) for c, v in per.items()},
            Ballot.Channel.PAPER,
        )
    entry.state = PaperEntry.State.CONFIRMED
    entry.scores = {}
    entry.checked_by = actor
    entry.checked_at = timezone.now()
    entry.save()
    _event(campaign, actor=actor, verb="paper_confirm")


@transaction.atomic
def paper_entry_reject(*, actor, entry: PaperEntry) -> None:
    """The second clerk found a typing error: the entry is dropped, the slip can be re-entered."""
    require_perm(actor, "evaluations.enter_paper", entry.campaign, _denied())
    entry = lock(entry)
    if entry.state != PaperEntry.State.PENDING:
        raise CampaignStateError(gettext("This entry was already checked."))
    if entry.entered_by_id == actor.pk:
        raise PermissionDenied(gettext("A second person must check a paper ballot."))
    entry.state = PaperEntry.State.REJECTED
    entry.scores = {}
    entry.checked_by = actor
    entry.checked_at = timezone.now()
    entry.save()
    _event(entry.campaign, actor=actor, verb="paper_reject")
