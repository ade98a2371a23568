from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Briefing, BriefingRecipient

RECENT = 50


def _with_recipients(queryset: QuerySet[Briefing]) -> QuerySet[Briefing]:
    return queryset.select_related("sender", "author").prefetch_related(
        Prefetch(
            "recipients",
            queryset=BriefingRecipient.objects.select_related(
                "organization", "acknowledged_by", "responded_by"
            ),
        )
    )


def compound_briefings(*, compound, limit: int = RECENT) -> list[Briefing]:
    """The compound's latest briefings with their addressed bodies (three queries)."""
    return list(_with_recipients(Briefing.objects.filter(compound=compound))[:limit])


def public_briefings(*, compound, limit: int = RECENT) -> list[Briefing]:
    """What residents may read: the briefings sent to them too (opinions always are)."""
    return list(_with_recipients(Briefing.objects.filter(compound=compound, public=True))[:limit])


def briefing_detail(*, pk: int) -> Briefing | None:
    return (
        _with_recipients(Briefing.objects.select_related("compound"))
        .prefetch_related("events__actor")
        .filter(pk=pk)
        .first()
    )
