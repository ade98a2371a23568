"""Counting an owners' assembly vote under Civil Code art. 278 (民法典 第二百七十八条).

The article (2021 text), paragraph 2:

    业主共同决定事项，应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的
    业主参与表决。决定前款第六项至第八项规定的事项，应当经参与表决专有部分面积四分之三以上
    的业主且参与表决人数四分之三以上的业主同意。决定前款其他事项，应当经参与表决专有部分
    面积过半数的业主且参与表决人数过半数的业主同意。

Paragraph 1 items (六)—(八) are: 筹集建筑物及其附属设施的维修资金 (raising the maintenance
fund), 改建、重建建筑物及其附属设施 (rebuilding), 改变共有部分的用途或者利用共有部分从事经营
活动 (changing the use of common parts or operating them). *Using* the maintenance fund is
item (五) and therefore an ordinary matter (> 1/2).

How the words count (Civil Code art. 1259): "以上" includes the number itself, "过半数"
(more than half) does not. So:

* participation: area ≥ 2/3 of the total exclusive area AND owners ≥ 2/3 of all owners;
* special matters (items 六—八): approval area ≥ 3/4 AND headcount ≥ 3/4 of the participants;
* other matters: approval area > 1/2 AND headcount > 1/2 of the participants.

Every participating household counts, including abstentions (they took part in the vote
but did not agree).

Headcount (最高人民法院《关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第九条):
"业主人数，按照专有部分的数量计算，一个专有部分按一人计算。但建设单位尚未出售和虽已出售但
尚未交付的部分，以及同一买受人拥有一个以上专有部分的，按一人计算。" A vote given as
``(area, choice, owner_key)`` counts its owner once however many units carry that key (the
developer's stock shares the key ``developer``); the area is the sum of the units (第八条).
A vote given as ``(area, choice)`` counts as one owner of its own.

Thresholds are data (:data:`THRESHOLDS`), keyed by ``OwnersAssemblyMotion.Matter``; the
arithmetic uses exact fractions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Threshold:
    """``value`` of a share; ``inclusive`` True for "以上" (≥), False for "过半数" (>)."""

    value: Fraction
    inclusive: bool
    label: str

    def met(self, part: Fraction | Decimal | int, whole: Fraction | Decimal | int) -> bool:
        if not whole:
            return False
        share = Fraction(part) / Fraction(whole)
        return share >= self.value if self.inclusive else share > self.value


@dataclass(frozen=True)
class MatterRule:
    participation_area: Threshold
    participation_owners: Threshold
    approval_area: Threshold
    approval_owners: Threshold
    citation: str


TWO_THIRDS = Threshold(Fraction(2, 3), True, "≥ 2/3")
MORE_THAN_HALF = Threshold(Fraction(1, 2), False, "> 1/2")
THREE_QUARTERS = Threshold(Fraction(3, 4), True, "≥ 3/4")

ORDINARY = MatterRule(
    TWO_THIRDS,
    TWO_THIRDS,
    MORE_THAN_HALF,
    MORE_THAN_HALF,
    "民法典第二百七十八条第二款：参与表决专有部分面积过半数且参与表决人数过半数的业主同意",
)
SPECIAL = MatterRule(
    TWO_THIRDS,
    TWO_THIRDS,
    THREE_QUARTERS,
    THREE_QUARTERS,
    "民法典第二百七十八条第二款：参与表决专有部分面积四分之三以上且参与表决人数四分之三以上的业主同意"
    "（第一款第六项至第八项）",
)

#: Matter type → rule (art. 278 para. 1 items in brackets).
THRESHOLDS: dict[str, MatterRule] = {
    "assembly_rules": ORDINARY,  # (一)
    "management_statute": ORDINARY,  # (二)
    "committee_election": ORDINARY,  # (三)
    "company_selection": ORDINARY,  # (四)
    "fund_use": ORDINARY,  # (五) using the maintenance fund
    "fund_raising": SPECIAL,  # (六) raising the maintenance fund
    "rebuilding": SPECIAL,  # (七)
    "common_parts_use": SPECIAL,  # (八)
    "fee_adjustment": ORDINARY,  # (九) other major matters
    "other": ORDINARY,  # (九)
}


class TallyInputError(ValueError):
    """The numbers cannot be right (areas that do not add up, more voters than owners)."""


@dataclass
class TallyResult:
    matter: str
    total_area: Decimal
    total_owners: int
    participating_area: Decimal
    participating_owners: int
    yes_area: Decimal
    yes_owners: int
    no_area: Decimal
    no_owners: int
    abstain_area: Decimal
    abstain_owners: int
    participating_units: int
    participation_area_met: bool
    participation_owners_met: bool
    approval_area_met: bool
    approval_owners_met: bool
    passed: bool
    citation: str
    reasons: list[str] = field(default_factory=list)
    #: How owners were counted, in words (司法解释 第九条).
    headcount_basis: str = ""

    def as_dict(self) -> dict:
        """JSON-safe form stored on the motion (``OwnersAssemblyMotion.tally``)."""
        out = {}
        for key, value in self.__dict__.items():
            out[key] = str(value) if isinstance(value, Decimal) else value
        return out


def _pct(part, whole) -> str:
    if not whole:
        return "0%"
    return f"{float(Fraction(part) / Fraction(whole)) * 100:.2f}%"


HEADCOUNT_BASIS = (
    "人数按业主计：一个专有部分按一人计算；同一买受人拥有一个以上专有部分的，按一人计算；"
    "建设单位尚未出售和虽已出售但尚未交付的部分，按一人计算（最高人民法院《关于审理建筑物区分"
    "所有权纠纷案件适用法律若干问题的解释》第九条）。面积按专有部分面积合计。"
)


def _rule_and_totals(matter: str, total_area, total_owners: int) -> tuple[MatterRule, Decimal]:
    """The rule of ``matter`` and the total area as a Decimal; refuses an unknown matter
    and non-positive totals."""
    if matter not in THRESHOLDS:
        raise TallyInputError(f"unknown matter type {matter!r}")
    total_area = Decimal(total_area)
    if total_area <= 0 or total_owners <= 0:
        raise TallyInputError("total area and number of owners must be positive")
    return THRESHOLDS[matter], total_area


def _count_ballots(votes: Iterable[tuple]) -> tuple[dict[str, list], int]:
    """Sum area and owners per choice (``{"yes": [area, owners], ...}``) and count units.

    A unit's area always adds to its choice; its owner counts once per ``owner_key``
    (司法解释 第九条), so every unit of one owner must carry the same choice.
    """
    sums = {c: [Decimal("0"), 0] for c in ("yes", "no", "abstain")}
    owner_choice: dict[object, str] = {}
    units = 0
    for index, vote in enumerate(votes):
        area, choice = vote[0], vote[1]
        # A ballot without a key is an owner of its own; a tuple key cannot collide with
        # any caller's string key.
        key = vote[2] if len(vote) > 2 and vote[2] else ("unit", index)
        area = Decimal(area)
        if area <= 0:
            raise TallyInputError("every household has a positive area")
        if choice not in sums:
            raise TallyInputError(f"unknown vote {choice!r}")
        units += 1
        sums[choice][0] += area
        if key in owner_choice:
            if owner_choice[key] != choice:
                raise TallyInputError(f"the units of owner {key} voted different ways")
            continue
        owner_choice[key] = choice
        sums[choice][1] += 1
    return sums, units


def _participation(
    sums: dict[str, list], total_area: Decimal, total_owners: int
) -> tuple[Decimal, int]:
    """Participating area and owners (abstentions included); refuses more than the totals."""
    part_area = sum((s[0] for s in sums.values()), Decimal("0"))
    part_owners = sum(s[1] for s in sums.values())
    if part_area > total_area:
        raise TallyInputError("participating area exceeds the compound's total area")
    if part_owners > total_owners:
        raise TallyInputError("more participating households than owners")
    return part_area, part_owners


def _reason_line(name: str, ok: bool, part, whole, threshold: Threshold) -> str:
    mark = "✔" if ok else "✘"
    return f"{mark} {name}: {_pct(part, whole)} ({part}/{whole}), 需 {threshold.label}"


def tally_votes(
    *,
    matter: str,
    votes: Iterable[tuple],
    total_area: Decimal,
    total_owners: int,
) -> TallyResult:
    """Count ``votes`` — ``(area, choice)`` or ``(area, choice, owner_key)`` with choice
    ``yes`` / ``no`` / ``abstain``, one per exclusive unit — and say whether the motion
    passed and why. Units sharing an ``owner_key`` count as one owner (司法解释 第九条).

    Raises :class:`TallyInputError` for an unknown matter, a non-positive total,
    a negative area, one owner's units voting different ways, or participation
    exceeding the totals.
    """
    rule, total_area = _rule_and_totals(matter, total_area, total_owners)
    sums, units = _count_ballots(votes)
    part_area, part_owners = _participation(sums, total_area, total_owners)
    yes_area, yes_owners = sums["yes"]

    p_area = rule.participation_area.met(part_area, total_area)
    p_owners = rule.participation_owners.met(part_owners, total_owners)
    a_area = rule.approval_area.met(yes_area, part_area) if part_owners else False
    a_owners = rule.approval_owners.met(yes_owners, part_owners) if part_owners else False
    reasons = [
        _reason_line(
            "参与表决专有部分面积占比", p_area, part_area, total_area, rule.participation_area
        ),
        _reason_line(
            "参与表决人数占比", p_owners, part_owners, total_owners, rule.participation_owners
        ),
        _reason_line("同意面积占参与表决面积", a_area, yes_area, part_area, rule.approval_area),
        _reason_line(
            "同意人数占参与表决人数", a_owners, yes_owners, part_owners, rule.approval_owners
        ),
    ]
    return TallyResult(
        matter=matter,
        total_area=total_area,
        total_owners=total_owners,
        participating_area=part_area,
        participating_owners=part_owners,
        yes_area=yes_area,
        yes_owners=yes_owners,
        no_area=sums["no"][0],
        no_owners=sums["no"][1],
        abstain_area=sums["abstain"][0],
        abstain_owners=sums["abstain"][1],
        participating_units=units,
        participation_area_met=p_area,
        participation_owners_met=p_owners,
        approval_area_met=a_area,
        approval_owners_met=a_owners,
        passed=p_area and p_owners and a_area and a_owners,
        citation=rule.citation,
        reasons=reasons,
        headcount_basis=HEADCOUNT_BASIS,
    )


_WORDS = {
    (Fraction(2, 3), True): "三分之二以上",
    (Fraction(3, 4), True): "四分之三以上",
    (Fraction(1, 2), False): "过半数",
}


def _words(threshold: Threshold) -> str:
    return _WORDS.get((threshold.value, threshold.inclusive), threshold.label)


def threshold_in_words(matter: str) -> str:
    """The rule of ``matter`` as the owner reads it (民法典第二百七十八条第二款)."""
    rule = THRESHOLDS[matter]
    return (
        f"专有部分面积占比{_words(rule.participation_area)}且人数占比"
        f"{_words(rule.participation_owners)}的业主参与表决；"
        f"经参与表决专有部分面积{_words(rule.approval_area)}且参与表决人数"
        f"{_words(rule.approval_owners)}的业主同意，方为通过。"
    )
