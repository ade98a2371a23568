"""The December reminder to open the campaign (评议监督考核制度 第一条 "每年12月")."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from huashan.directory.models import Community, Organization
from huashan.notify.services import notify_organization

from ..models import (
    Campaign,
    DecemberReminder,
)
from .base import _officers

# --- the December reminder (评议监督考核制度 第一条 "每年12月") ----------------------------


def campaign_december_reminders(*, today: dt.date | None = None) -> list[Community]:
    """Remind each community party organization, once a year, to open December's campaign.

    seed: 评议监督考核制度 第一条 (社区党组织具体负责, 每年12月开展). Runs in December only;
    a community is reminded while one of its compounds is covered by no campaign of
    the year (its own or the community's). "Once" is a unique
    :class:`DecemberReminder` row per community and year, written in the same
    transaction as the notifications, so the beat may run daily (or twice at once).
    Returns the communities whose party organization was reminded this run.
    """
    from django.urls import reverse

    today = today or timezone.localdate()
    if today.month != 12:
        return []
    year = today.year
    campaigns = Campaign.objects.filter(year=year)
    covered = set(campaigns.exclude(compound=None).values_list("compound_id", flat=True))
    covered_communities = set(
        campaigns.exclude(community=None).values_list("community_id", flat=True)
    )
    link = reverse("evaluations:list")
    reminded = []
    communities = (
        Community.objects.filter(compounds__isnull=False)
        .exclude(pk__in=covered_communities)
        .exclude(pk__in=DecemberReminder.objects.filter(year=year).values("community_id"))
        .distinct()
        .prefetch_related("compounds")
    )
    parties = {
        org.community_id: org
        for org in Organization.objects.filter(
            kind=Organization.Kind.COMMUNITY_PARTY, community__in=communities
        )
    }
    for community in communities:
        waiting = [c.name for c in community.compounds.all() if c.pk not in covered]
        party = parties.get(community.pk)
        if not waiting or party is None:
            continue
        if _december_remind(community, party, year=year, waiting=waiting, link=link):
            reminded.append(community)
    return reminded


def _december_remind(community: Community, party, *, year: int, waiting: list[str], link: str):
    """Write the alarm row and the reminders, or nothing if another run wrote the row."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Open the %(year)s democratic evaluation of the three parties") % {
            "year": year
        }
        body = gettext(
            "No campaign covers %(compounds)s for %(year)s yet. The community party "
            "organization opens the December evaluation of the residents' committee, the "
            "PMC and the property company (评议监督考核制度 第一条)."
        ) % {"compounds": "、".join(waiting), "year": year}
    officers = list(_officers(party))
    if not officers:  # nobody to tell yet: no row, so a later run tells the first officer
        return False
    try:
        with transaction.atomic():
            DecemberReminder.objects.create(community=community, year=year)
            notify_organization(
                organization=party, subject=subject, body=body, link=link, recipients=officers
            )
    except IntegrityError:
        return False
    return True
