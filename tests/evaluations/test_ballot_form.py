"""Ballots a person can fill in, and slip codes a person can type (issue 19 item 4).

seed: 评议监督考核制度 第三条 "由与会人员（单位）开展量化测评": each criterion is answered
with one of five words, worth a share of the criterion's points; one party per screen,
then a summary, then the ballot is cast once. Paper slips carry a code that can be typed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations import slipcodes
from evaluations.models import Campaign, Evaluator, PendingBallot
from evaluations.results import campaign_criteria
from evaluations.services import ballots as ballot_service
from evaluations.services import roster as roster_service
from tests.evaluations.ballots import recorded
from tests.factories.evaluations import advance_to, roster

State = Campaign.State
pytestmark = pytest.mark.django_db


# --- slip codes ----------------------------------------------------------------------


def test_new_codes_are_upper_case_without_separators_and_carry_a_check_character():
    codes = {slipcodes.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == slipcodes.LENGTH == 24
        assert code == code.upper()
        assert "-" not in code
        assert "_" not in code
        assert not set(code) & set("01ILO")
        assert slipcodes.is_valid(code)


def test_the_check_character_catches_one_wrong_character_and_swapped_neighbours():
    code = slipcodes.new_code()
    for i in range(slipcodes.LENGTH):
        for ch in slipcodes.ALPHABET:
            if ch != code[i]:
                assert not slipcodes.is_valid(code[:i] + ch + code[i + 1 :])
    for i in range(slipcodes.LENGTH - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not slipcodes.is_valid(swapped)


def test_grouped_in_fours_for_printing():
    code = slipcodes.new_code()
    printed = slipcodes.grouped(code)
    assert printed.split(" ") == [code[i : i + 4] for i in range(0, 24, 4)]
    assert slipcodes.normalize(printed.lower()) == code


def test_a_code_typed_by_hand_finds_its_evaluator(world):
    [(evaluator, token)] = roster(world, 1)
    assert slipcodes.is_valid(token)
    typed = " ".join(slipcodes.grouped(token).lower().split(" "))
    assert roster_service.evaluator_for_token(typed) == evaluator
    assert roster_service.evaluator_for_token(token[:-1] + "-" + token[-1]) == evaluator
    typo = token[:3] + ("A" if token[3] != "A" else "B") + token[4:]
    assert roster_service.evaluator_for_token(typo) is None


def test_an_old_mixed_case_token_stays_valid(world):
    [(evaluator, _token)] = roster(world, 1)
    old = "vshycaDgFOwJfu8HY_4-9cMw"  # as printed before issue 19
    Evaluator.objects.filter(pk=evaluator.pk).update(token_hash=ballot_service_hash(old))
    assert roster_service.evaluator_for_token(old) == evaluator
    assert roster_service.evaluator_for_token(old.upper()) is None


def ballot_service_hash(token: str) -> str:
    from evaluations.services.base import token_hash

    return token_hash(token)


# --- five levels -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_score", "expected"),
    [
        (10, ["10", "8", "6", "4", "2"]),
        (15, ["15", "12", "9", "6", "3"]),
        (5, ["5", "4", "3", "2", "1"]),
        (3, ["3", "2.5", "2", "1", "0.5"]),  # half points, as the service allows
    ],
)
def test_levels_map_to_the_criterion_points(max_score, expected):
    points = [ballot_service.level_points(max_score, key) for key, _ in ballot_service.LEVEL_SHARES]
    assert points == [Decimal(v) for v in expected]


def _levels(campaign, targets, level="4"):
    return {f"level_{t.pk}_{c.pk}": level for t in targets for c in campaign_criteria(campaign)}


def test_one_party_per_screen_then_a_summary_then_cast_once(client, world):
    [(_e, token)] = roster(world, 1)
    campaign = advance_to(world, State.SCORING)
    targets = list(campaign.targets.order_by("pk"))
    criteria = campaign_criteria(campaign)
    url = reverse("evaluations:ballot", args=[token])
    first = client.get(url).content.decode()
    assert f"1 / {len(targets)}" in first or f"第 1 项，共 {len(targets)} 项" in first
    assert first.count('class="level-row') == len(criteria)
    assert first.count('type="radio"') == 5 * len(criteria)
    assert "很满意" in first

    # An unanswered row: refused next to it, nothing moves, the answers stay.
    partial = _levels(campaign, targets[:1])
    missing = next(iter(partial))
    partial.pop(missing)
    response = client.post(url, {"step": "0", "action": "next", **partial})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'aria-live="polite"' in body
    assert body.count("field-error") == 1
    assert body.count(" checked") == len(criteria) - 1

    data = {}
    for step, target in enumerate(targets):
        data.update(_levels(campaign, [target]))
        response = client.post(url, {"step": str(step), "action": "next", **data})
        assert response.status_code == 200
    summary = response.content.decode()
    assert 'data-testid="ballot-summary"' in summary
    assert summary.count('class="card stack ballot-summary"') == len(targets)
    assert recorded() == 0  # nothing is cast before the summary is confirmed

    # Back from the summary keeps every answer.
    back = client.post(url, {"step": str(len(targets)), "action": "back", **data})
    assert back.content.decode().count(" checked") == len(criteria)

    response = client.post(url, {"step": str(len(targets)), "action": "submit", **data})
    assert response.status_code == 302
    assert recorded() == len(targets)
    cast = PendingBallot.objects.first()
    expected = {str(c.pk): str(ballot_service.level_points(c.max_score, "4")) for c in criteria}
    assert {k: str(Decimal(v)) for k, v in cast.scores.items()} == expected
    again = client.post(url, {"step": str(len(targets)), "action": "submit", **data})
    assert b'data-testid="ballot-done"' in again.content
    assert recorded() == len(targets)


@pytest.mark.parametrize(
    "hostile",
    [
        {"step": "-7", "action": "next"},
        {"step": "9999", "action": "submit"},
        {"step": "abc", "action": "edit:-3"},
        {"step": "1", "action": "<script>"},
        {"step": "0", "action": "edit:99999999999999999999"},
    ],
)
def test_hostile_steps_and_levels_never_break_or_cast(client, world, hostile):
    [(_e, token)] = roster(world, 1)
    campaign = advance_to(world, State.SCORING)
    targets = list(campaign.targets.order_by("pk"))
    data = {**_levels(campaign, targets, level="9"), **hostile}
    response = client.post(reverse("evaluations:ballot", args=[token]), data)
    assert response.status_code in (200, 400)
    assert recorded() == 0


def test_paper_slip_prints_the_grouped_code_and_the_five_answers(client, world, tmp_path):
    """The same on paper: each criterion a row of the five answers with their points."""
    import subprocess

    roster(world, 1)
    client.force_login(world.community_secretary)
    from tests.evaluations.slips import printed_slips

    path = tmp_path / "slips.pdf"
    path.write_bytes(printed_slips(client, world.campaign))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    codes = [
        line.split("测评编码：")[1].strip() for line in text.splitlines() if "测评编码：" in line
    ]
    assert len(codes) == 1
    groups = codes[0].split()
    assert [len(g) for g in groups] == [4] * 6
    assert slipcodes.is_valid("".join(groups))
    for word in ("很满意", "满意", "基本满意", "不太满意", "不满意"):
        assert word in text
    assert text.count("很满意") == world.campaign.targets.count()
