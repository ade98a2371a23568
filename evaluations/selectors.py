"""Read queries of the evaluation, used by views, the API, PDFs and exports."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from huashan.directory.models import Community, Compound
from huashan.directory.rules import can_organize_evaluation
from huashan.directory.selectors import person_staff_compounds

from .models import (
    Campaign,
    Criterion,
    CriterionGroup,
    Evaluator,
    QuarterRating,
    TokenUse,
    YearEndReferral,
)


def public_campaigns() -> QuerySet[Campaign]:
    """Campaigns whose results the street approved (seed: 第五条), or in publicity."""
    return Campaign.objects.filter(
        state__in=[*Campaign.PUBLIC_STATES, Campaign.State.PUBLICITY]
    ).select_related("compound", "community")


def staff_campaigns(*, user: Any) -> QuerySet[Campaign]:
    """Campaigns of the compounds the user works for, including community-wide ones."""
    if not getattr(user, "is_authenticated", False):
        return Campaign.objects.none()
    compounds = person_staff_compounds(person=user)
    return (
        Campaign.objects.filter(
            Q(compound__in=compounds)
            | Q(community__in=Compound.objects.filter(pk__in=compounds).values("community_id"))
        )
        .select_related("compound", "community")
        .distinct()
    )


def organizer_compounds(*, user: Any) -> list[Compound]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [c for c in person_staff_compounds(person=user) if can_organize_evaluation.test(user, c)]


def organizer_communities(*, user: Any) -> list[Community]:
    """Communities the user may run a community-wide campaign for (community party officers)."""
    seen: dict[int, Community] = {}
    for compound in organizer_compounds(user=user):
        seen.setdefault(compound.community_id, compound.community)
    return list(seen.values())


def criteria_groups(*, campaign: Campaign) -> QuerySet[CriterionGroup]:
    return campaign.groups.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk"))
    )


def criterion_of(*, campaign: Campaign, pk: Any) -> Criterion:
    from django.http import Http404

    try:
        return Criterion.objects.get(group__campaign=campaign, pk=int(pk))
    except (TypeError, ValueError, Criterion.DoesNotExist):
        raise Http404 from None


def roster(*, campaign: Campaign) -> QuerySet[Evaluator]:
    """The roster: names, categories, slips issued — never who has voted (issue 14 item 1).

    Only the turnout count (``services.turnout``) shows progress: a per-person
    "已测评" next to live results told who scored what.
    """
    return campaign.evaluators.order_by("category", "name", "pk")


def token_uses(*, campaign: Campaign) -> int:
    return TokenUse.objects.filter(target__campaign=campaign).count()


def ballot_url(token: str) -> str:
    path = reverse("evaluations:ballot", args=[token])
    return settings.HUASHAN_SITE_URL.rstrip("/") + path


def qr_data_uri(text: str) -> str:
    """A PNG QR code as a ``data:`` URI (the PDF fetcher allows only data: and local files)."""
    image = qrcode.make(text, box_size=4, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def quarter_ratings(*, compound: Compound) -> QuerySet[QuarterRating]:
    return (
        QuarterRating.objects.filter(compound=compound)
        .select_related("company")
        .annotate(responses_count=Count("responses"))
        .order_by("-year", "-quarter")
    )


def organization_satisfaction(*, compound: Compound, organization, year: int) -> float | None:
    """Satisfaction share (%) of an organization in the year's *approved* evaluation.

    Read by ``pledges`` for 物业管理委员会服务承诺 第4条; None until the street approved.
    """
    from .results import campaign_results

    campaign = Campaign.objects.filter(
        Q(compound=compound) | Q(community_id=compound.community_id),
        year=year,
        state__in=Campaign.PUBLIC_STATES,
    ).first()
    if campaign is None:
        return None
    for result in campaign_results(campaign):
        if result.target.organization_id == organization.pk and not result.target.is_member:
            share = result.satisfaction_share
            return None if share is None else float(share)
    return None


def year_end_referrals(*, compound: Compound) -> QuerySet[YearEndReferral]:
    """The compound's year-end red/black-list reports, newest first (小区党组织服务承诺 第10条)."""
    return YearEndReferral.objects.filter(compound=compound).select_related("company", "authority")
