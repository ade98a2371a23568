"""seed_evaluations: a finished 2025 campaign and an open 2026 one, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from evaluations import services
from evaluations.models import Ballot, Campaign, PendingBallot, QuarterRating, YearEndReferral

pytestmark = pytest.mark.django_db


def test_seed_evaluations_is_idempotent():
    call_command("seed_demo", verbosity=0)
    call_command("seed_evaluations")
    done = Campaign.objects.get(year=2025)
    opened = Campaign.objects.get(year=2026)
    assert done.state == Campaign.State.CLOSED
    assert opened.state == Campaign.State.SCORING
    # 30 evaluators × every target (the three parties and each PMC member)
    full = 30 * done.targets.count()
    assert done.ballots.count() == full
    # 2026: half the roster has voted, more than the pool kept back per target (the sweep):
    # some ballots written, BALLOT_POOL of each target's still waiting.
    assert 0 < opened.ballots.count() < full
    assert PendingBallot.objects.filter(campaign=opened).count() == (
        services.BALLOT_POOL * opened.targets.count()
    )
    assert QuarterRating.objects.count() == 3
    black = QuarterRating.objects.filter(verdict=QuarterRating.Verdict.BLACK)
    assert sorted(black.values_list("quarter", flat=True)) == [2, 3]
    referral = YearEndReferral.objects.get()
    assert (referral.year, referral.state) == (2026, YearEndReferral.State.DRAFT)
    ballots = Ballot.objects.count()
    call_command("seed_evaluations")
    assert Ballot.objects.count() == ballots
    assert Campaign.objects.count() == 2
    assert YearEndReferral.objects.count() == 1
