"""What the results say when scoring closes (评议监督考核制度 第五条 初步结果;
物业管理委员会服务承诺 第4条 for PMC members under 60%)."""

from __future__ import annotations

from .. import evidence
from ..models import (
    Campaign,
    Target,
)
from .base import PMC_MEMBER_SATISFACTION_MIN, _event


def _results_summary(campaign: Campaign) -> str:
    from ..results import campaign_results

    lines = []
    for result in campaign_results(campaign):
        total = "—" if result.weighted_total is None else f"{result.weighted_total}"
        lines.append(f"{result.target}：{total} 分 {result.band_label}")
    return "\n".join(lines)


def _low_satisfaction_members(*, actor, campaign: Campaign) -> list[Target]:
    """PMC members under 60 % (物业管理委员会服务承诺 第4条) → pledges accountability case."""
    from ..results import campaign_results

    low = []
    for result in campaign_results(campaign):
        target = result.target
        if not target.is_member or result.satisfaction_share is None:
            continue
        if result.satisfaction_share < PMC_MEMBER_SATISFACTION_MIN:
            low.append(target)
            opened = evidence.accountability_open(
                target=target, satisfaction=float(result.satisfaction_share)
            )
            _event(
                campaign,
                actor=actor,
                verb="low_satisfaction",
                note=f"{target}: {result.satisfaction_share}%"
                + ("" if opened else " (pledges module not available)"),
            )
    return low
