"""Aggregation on hand-computed examples; anonymity of results; red/black list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evaluations import services
from evaluations.models import (
    BlackListAlarm,
    Campaign,
    Criterion,
    CriterionGroup,
    QuarterRating,
)
from evaluations.results import campaign_results
from huashan.notify.models import Notification
from tests.evaluations.ballots import flush
from tests.factories.evaluations import advance_to, roster

State = Campaign.State
pytestmark = pytest.mark.django_db


def two_criteria(world):
    """Replace the default template: A (max 10, weight 1) and B (max 20, weight 3)."""
    CriterionGroup.objects.filter(campaign=world.campaign).delete()
    a = services.criterion_add(
        actor=world.community_secretary,
        campaign=world.campaign,
        group_name="G",
        name="A",
        max_score=10,
        weight="1",
    )
    b = services.criterion_add(
        actor=world.community_secretary,
        campaign=world.campaign,
        group_name="G",
        name="B",
        max_score=20,
        weight="3",
    )
    return a, b


def cast(world, tokens, a, b, rows):
    """rows: [(A, B)] per token; the same scores for every target."""
    for (_e, token), (va, vb) in zip(tokens, rows, strict=True):
        services.ballot_submit(
            token=token,
            scores={t.pk: {a.pk: va, b.pk: vb} for t in world.campaign.targets.all()},
        )
    flush(world.campaign)  # what closing the scoring does (issue 14 item 2)


def test_weighted_totals_bands_and_stars(world):
    a, b = two_criteria(world)
    tokens = roster(world, 3)
    advance_to(world, State.SCORING)
    # Ballot percentages: (1·10/10 + 3·20/20)/4 = 100; (0.5 + 1.5)/4 = 50; (0.8 + 1.8)/4 = 65.
    cast(world, tokens, a, b, [("10", "20"), ("5", "10"), ("8", "12")])
    [result, *_] = campaign_results(world.campaign)
    assert result.ballots == result.counted == 3
    crit_a, crit_b = result.criteria
    assert crit_a.mean == Decimal("7.67")
    assert crit_b.mean == Decimal("14.00")
    # Three ballots are too few to publish who-gave-what (issue 14 item 1).
    assert crit_a.distribution is None
    assert crit_a.satisfaction_share == Decimal("66.67")  # 10 and 8 are ≥ 6
    assert crit_b.satisfaction_share == Decimal("66.67")  # 20 and 12 are ≥ 12
    assert result.weighted_total == Decimal("71.67")  # (100 + 50 + 65) / 3
    assert result.satisfaction_share == Decimal("66.67")
    assert result.band == "pass"
    assert result.stars == 2  # ≥ 60 and ≥ 70


def test_distribution_only_from_five_ballots_评议监督考核制度_第一条_secret_ballot(world):
    """评议监督考核制度 第一条 民主测评: a distribution is published only when at least
    MIN_BALLOTS_FOR_DISTRIBUTION ballots back it; four ballots show none, five do."""
    from evaluations.results import MIN_BALLOTS_FOR_DISTRIBUTION

    assert MIN_BALLOTS_FOR_DISTRIBUTION == 5
    a, b = two_criteria(world)
    tokens = roster(world, 5)
    advance_to(world, State.SCORING)
    rows = [("10", "20"), ("5", "10"), ("8", "12"), ("8", "12"), ("6", "12")]
    cast(world, tokens[:4], a, b, rows[:4])
    assert campaign_results(world.campaign)[0].criteria[0].distribution is None
    cast(world, tokens[4:], a, b, rows[4:])
    [result, *_] = campaign_results(world.campaign)
    assert result.criteria[0].distribution == {"5": 1, "6": 1, "8": 2, "10": 1}


def test_trimming_drops_highest_and_lowest(world):
    a, b = two_criteria(world)
    tokens = roster(world, 3)
    world.campaign.trim_extremes = True
    world.campaign.save()
    advance_to(world, State.SCORING)
    cast(world, tokens, a, b, [("10", "20"), ("5", "10"), ("8", "12")])
    [result, *_] = campaign_results(world.campaign)
    assert (result.ballots, result.counted, result.trimmed) == (3, 1, 2)
    assert result.weighted_total == Decimal("65.00")
    assert result.criteria[0].mean == Decimal("8.00")
    assert result.stars == 1


def test_trimming_needs_three_ballots(world):
    a, b = two_criteria(world)
    tokens = roster(world, 2)
    world.campaign.trim_extremes = True
    world.campaign.save()
    advance_to(world, State.SCORING)
    cast(world, tokens, a, b, [("10", "20"), ("9", "18")])
    [result, *_] = campaign_results(world.campaign)
    assert result.trimmed == 0
    assert result.weighted_total == Decimal("95.00")
    assert result.band == "excellent"
    assert result.stars == 5


@pytest.mark.parametrize(
    ("scores", "band"),
    [
        (("9", "18"), "excellent"),
        (("8", "16"), "good"),
        (("6", "12"), "pass"),
        (("5", "11.5"), "fail"),
    ],
)
def test_grade_bands(world, scores, band):
    a, b = two_criteria(world)
    tokens = roster(world, 1)
    advance_to(world, State.SCORING)
    cast(world, tokens, a, b, [scores])
    assert campaign_results(world.campaign)[0].band == band


def test_configurable_thresholds(world):
    a, b = two_criteria(world)
    services.campaign_settings_update(
        actor=world.community_secretary,
        campaign=world.campaign,
        band_excellent=Decimal("70"),
        band_good=Decimal("65"),
        band_pass=Decimal("50"),
        star_thresholds=[50, 70],
    )
    tokens = roster(world, 1)
    advance_to(world, State.SCORING)
    cast(world, tokens, a, b, [("7", "14")])  # 70 %
    result = campaign_results(world.campaign)[0]
    assert (result.band, result.stars) == ("excellent", 2)


def test_bad_thresholds_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.campaign_settings_update(
            actor=world.community_secretary, campaign=world.campaign, band_good=Decimal("95")
        )
    with pytest.raises(ValidationError):
        services.campaign_settings_update(
            actor=world.community_secretary, campaign=world.campaign, star_thresholds=[90, 60]
        )


def test_results_name_no_evaluator(world):
    a, b = two_criteria(world)
    tokens = roster(world, 2)
    advance_to(world, State.SCORING)
    cast(world, tokens, a, b, [("10", "20"), ("5", "10")])
    text = repr([vars(r) for r in campaign_results(world.campaign)])
    for evaluator, token in tokens:
        assert evaluator.name not in text
        assert token not in text


def test_pmc_member_under_60_is_flagged(world, monkeypatch):
    from evaluations import evidence

    calls = []
    monkeypatch.setattr(evidence, "accountability_open", lambda **kw: calls.append(kw) or True)
    pmc_member = world.people.pmc
    # Every PMC member is a target by default (物业管理委员会服务承诺 第4条).
    target = world.campaign.targets.get(member=pmc_member)
    a, b = two_criteria(world)
    tokens = roster(world, 2)
    advance_to(world, State.SCORING)
    for (_e, token), (va, vb) in zip(tokens, [("10", "20"), ("2", "4")], strict=True):
        scores = {t.pk: {a.pk: "10", b.pk: "20"} for t in world.campaign.targets.all()}
        scores[target.pk] = {a.pk: va, b.pk: vb}
        services.ballot_submit(token=token, scores=scores)
    advance_to(world, State.APPROVED)
    assert len(calls) == 1
    assert calls[0]["target"] == target
    assert calls[0]["satisfaction"] == pytest.approx(50.0)
    assert world.campaign.events.filter(verb="low_satisfaction").exists()


def test_target_add_member_refuses_non_member(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.target_add_member(
            actor=world.community_secretary, campaign=world.campaign, member=world.resident
        )


# --- 红黑榜 ---------------------------------------------------------------------


def survey(world, rating, value):
    services.survey_submit(
        actor=world.resident, rating=rating, cleanliness=value, security=value, responsiveness=value
    )


def test_two_failing_quarters_raise_the_flag_once(world):
    for quarter in (1, 2, 3):
        rating = services.quarter_rating_get(compound=world.compound, year=2025, quarter=quarter)
        survey(world, rating, 1)  # survey 0 %, no complaints, no pledges module data → black
    r1 = services.quarter_rate(
        actor=world.community_secretary, compound=world.compound, year=2025, quarter=1
    )
    assert r1.verdict == QuarterRating.Verdict.BLACK
    assert BlackListAlarm.objects.count() == 0
    services.quarter_rate(
        actor=world.community_secretary, compound=world.compound, year=2025, quarter=2
    )
    assert BlackListAlarm.objects.count() == 1
    party_officer = world.people.compound_party
    assert Notification.objects.filter(recipient=party_officer).count() == 1
    # Running again, and a third failing quarter, raise nothing new.
    services.quarter_rate(actor=None, compound=world.compound, year=2025, quarter=2)
    services.quarter_rate(actor=None, compound=world.compound, year=2025, quarter=3)
    assert BlackListAlarm.objects.count() == 1
    assert Notification.objects.filter(recipient=party_officer).count() == 1


def test_failing_quarters_not_consecutive_raise_nothing(world):
    for quarter, value in ((1, 1), (2, 5), (3, 1)):
        rating = services.quarter_rating_get(compound=world.compound, year=2025, quarter=quarter)
        survey(world, rating, value)
        services.quarter_rate(actor=None, compound=world.compound, year=2025, quarter=quarter)
    assert QuarterRating.objects.get(quarter=2).verdict == QuarterRating.Verdict.RED
    assert BlackListAlarm.objects.count() == 0


def test_streak_across_the_year_end(world):
    for year, quarter in ((2024, 4), (2025, 1)):
        rating = services.quarter_rating_get(compound=world.compound, year=year, quarter=quarter)
        survey(world, rating, 1)
        services.quarter_rate(actor=None, compound=world.compound, year=year, quarter=quarter)
    assert BlackListAlarm.objects.count() == 1


def test_survey_bad_input_and_twice(world, person):
    from django.core.exceptions import PermissionDenied, ValidationError

    rating = services.quarter_rating_get(compound=world.compound, year=2025, quarter=1)
    with pytest.raises(ValidationError):
        services.survey_submit(
            actor=world.resident, rating=rating, cleanliness=6, security=1, responsiveness=1
        )
    with pytest.raises(PermissionDenied):
        services.survey_submit(
            actor=person, rating=rating, cleanliness=3, security=3, responsiveness=3
        )
    survey(world, rating, 3)
    with pytest.raises(ValidationError):
        survey(world, rating, 3)


def test_quarter_rate_permission(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.quarter_rate(actor=world.resident, compound=world.compound, year=2025, quarter=1)


def test_pmc_member_under_60_opens_a_real_accountability_case(world):
    """Wired to pledges.services.accountability_open_for_low_satisfaction (no stub)."""
    from pledges.models import AccountabilityCase

    target = world.campaign.targets.get(member=world.people.pmc)
    a, b = two_criteria(world)
    tokens = roster(world, 2)
    advance_to(world, State.SCORING)
    for _e, token in tokens:
        scores = {t.pk: {a.pk: "10", b.pk: "20"} for t in world.campaign.targets.all()}
        scores[target.pk] = {a.pk: "2", b.pk: "4"}
        services.ballot_submit(token=token, scores=scores)
    advance_to(world, State.APPROVED)
    assert AccountabilityCase.objects.count() == 1


def test_organization_satisfaction_only_after_approval(world):
    from evaluations.selectors import organization_satisfaction

    tokens = roster(world, 1)
    advance_to(world, State.SCORING)
    a_scores = {
        t.pk: {c.pk: c.max_score for c in Criterion.objects.filter(group__campaign=world.campaign)}
        for t in world.campaign.targets.all()
    }
    services.ballot_submit(token=tokens[0][1], scores=a_scores)
    pmc = world.orgs.pmc
    assert organization_satisfaction(compound=world.compound, organization=pmc, year=2025) is None
    advance_to(world, State.APPROVED)
    assert organization_satisfaction(compound=world.compound, organization=pmc, year=2025) == 100.0
