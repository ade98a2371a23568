"""Aggregation of the democratic scoring (seed: 评议监督考核制度 第三条 量化测评; 第五条 评星定级).

Formulas (also in docs/evaluations.md):

* A ballot's percentage = Σ_c weight_c · score_c / max_c  ÷  Σ_c weight_c × 100.
* Trimming (optional, per campaign): when a target has at least 3 ballots, the
  ballot with the highest percentage and the one with the lowest are dropped
  (one each) before any statistic is computed.
* Per criterion: count, mean, distribution (score → number of ballots; only
  when at least ``MIN_BALLOTS_FOR_DISTRIBUTION`` ballots back it, otherwise
  ``None``: with two ballots "8×1 10×1" tells each evaluator's score to anyone
  who knows one of them — issue 14 item 1), satisfaction share (ballots
  scoring at least ``satisfaction_pct`` % of the maximum).
* Weighted total (0–100) = Σ_c weight_c · mean_c / max_c  ÷  Σ_c weight_c × 100
  (equal to the mean of the ballot percentages).
* Satisfaction share of a target = ballots whose percentage ≥ ``satisfaction_pct``.
* Grade band: 优秀 ≥ band_excellent, 良好 ≥ band_good, 合格 ≥ band_pass, else 不合格.
* Stars: the number of ``star_thresholds`` the weighted total reaches.

Results are computed from :class:`Score` rows grouped by ballot; nothing here
reads an evaluator, so no result can name a person.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .models import Campaign, Criterion, Score, Target

TWO = Decimal("0.01")
#: A criterion's distribution of scores is published only when at least this many
#: counted ballots back it (评议监督考核制度 第一条: the scoring is secret).
MIN_BALLOTS_FOR_DISTRIBUTION = 5
HUNDRED = Decimal("100")

BANDS = {
    "excellent": _("Excellent (优秀)"),
    "good": _("Good (良好)"),
    "pass": _("Pass (合格)"),
    "fail": _("Fail (不合格)"),
}


def q2(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass
class CriterionResult:
    criterion: Criterion
    count: int
    mean: Decimal | None
    #: score → ballots, or None below ``MIN_BALLOTS_FOR_DISTRIBUTION`` ballots.
    distribution: dict[str, int] | None
    satisfaction_share: Decimal | None


@dataclass
class TargetResult:
    target: Target
    ballots: int
    counted: int
    trimmed: int
    criteria: list[CriterionResult] = field(default_factory=list)
    weighted_total: Decimal | None = None
    satisfaction_share: Decimal | None = None
    band: str = ""
    stars: int = 0

    @property
    def stars_text(self) -> str:
        return "★" * self.stars

    @property
    def band_label(self) -> str:
        return str(BANDS[self.band]) if self.band else ""


def ballot_percentage(scores: dict[int, Decimal], criteria: list[Criterion]) -> Decimal:
    total_weight = sum((c.weight for c in criteria), Decimal(0))
    weighted = sum((c.weight * scores[c.pk] / Decimal(c.max_score) for c in criteria), Decimal(0))
    return weighted / total_weight * HUNDRED


def band_for(campaign: Campaign, total: Decimal | None) -> str:
    if total is None:
        return ""
    if total >= campaign.band_excellent:
        return "excellent"
    if total >= campaign.band_good:
        return "good"
    if total >= campaign.band_pass:
        return "pass"
    return "fail"


def stars_for(campaign: Campaign, total: Decimal | None) -> int:
    if total is None:
        return 0
    return sum(1 for threshold in campaign.star_thresholds if total >= Decimal(str(threshold)))


def campaign_criteria(campaign: Campaign) -> list[Criterion]:
    return list(
        Criterion.objects.filter(group__campaign=campaign)
        .select_related("group")
        .order_by("group__position", "group_id", "position", "pk")
    )


def campaign_results(campaign: Campaign) -> list[TargetResult]:
    """One :class:`TargetResult` per target; three queries whatever the ballot count."""
    criteria = campaign_criteria(campaign)
    targets = list(campaign.targets.select_related("organization", "member"))
    ballots: dict[int, dict[str, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for ballot_id, target_id, criterion_id, value in Score.objects.filter(
        ballot__campaign=campaign
    ).values_list("ballot_id", "ballot__target_id", "criterion_id", "value"):
        ballots[target_id][str(ballot_id)][criterion_id] = value
    satisfied_at = campaign.satisfaction_pct
    results = []
    for target in targets:
        target_ballots = [b for b in ballots.get(target.pk, {}).values() if criteria]
        complete = [b for b in target_ballots if all(c.pk in b for c in criteria)]
        ranked = sorted(complete, key=lambda b: ballot_percentage(b, criteria))
        trimmed = 0
        if campaign.trim_extremes and len(ranked) >= 3:
            ranked = ranked[1:-1]
            trimmed = 2
        result = TargetResult(
            target=target, ballots=len(target_ballots), counted=len(ranked), trimmed=trimmed
        )
        for criterion in criteria:
            values = [b[criterion.pk] for b in ranked]
            mean = q2(sum(values, Decimal(0)) / len(values)) if values else None
            satisfied = sum(
                1 for v in values if v * HUNDRED / Decimal(criterion.max_score) >= satisfied_at
            )
            distribution = Counter(format(v.normalize(), "f") for v in values)
            result.criteria.append(
                CriterionResult(
                    criterion=criterion,
                    count=len(values),
                    mean=mean,
                    distribution=dict(sorted(distribution.items(), key=lambda kv: Decimal(kv[0])))
                    if len(values) >= MIN_BALLOTS_FOR_DISTRIBUTION
                    else None,
                    satisfaction_share=q2(Decimal(satisfied) / len(values) * HUNDRED)
                    if values
                    else None,
                )
            )
        if ranked:
            percentages = [ballot_percentage(b, criteria) for b in ranked]
            result.weighted_total = q2(sum(percentages, Decimal(0)) / len(percentages))
            result.satisfaction_share = q2(
                Decimal(sum(1 for p in percentages if p >= satisfied_at))
                / len(percentages)
                * HUNDRED
            )
        result.band = band_for(campaign, result.weighted_total)
        result.stars = stars_for(campaign, result.weighted_total)
        results.append(result)
    return results
