"""Helpers for tests that cast ballots: cast ballots wait in the holding area (issue 14 item 2)."""

from __future__ import annotations

from evaluations import services
from evaluations.models import Ballot, Campaign, PendingBallot


def recorded(channel: str | None = None) -> int:
    """Ballots cast so far: written ones plus those waiting in the holding area."""
    written, waiting = Ballot.objects.all(), PendingBallot.objects.all()
    if channel:
        written, waiting = written.filter(channel=channel), waiting.filter(channel=channel)
    return written.count() + waiting.count()


def flush(campaign: Campaign) -> int:
    """Write every waiting ballot now (what closing the scoring does)."""
    return services.ballots_flush(campaign=campaign, keep=0)
