"""The year's evaluation campaign drafted from the obligation template (1 January rollover).

seed: 评议监督考核制度 第一条 (通常于每年12月开展; 社区党组织具体负责), 第二条 (三方),
第三条 "民主测评标准由街道统一制定" (the criteria come from the template the street
keeps), 第四条 (the four areas). The draft stays in setup until the community party
organization opens it; a compound already covered for the year (by its own or its
community's campaign) gets nothing, so the rollover may run twice or late.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q

from huashan.directory.models import Compound, Organization
from huashan.directory.selectors import organization_of_kind

from ..models import Campaign, Criterion, CriterionGroup, Target
from .base import State, _event


def campaign_draft_from_templates(*, compound: Compound, year: int) -> Campaign | None:
    """Draft ``year``'s campaign of ``compound`` from the evaluation template in force."""
    from provisioning.templates import in_force

    covered = Campaign.objects.filter(
        Q(compound=compound) | Q(community_id=compound.community_id), year=year
    ).exists()
    if covered:
        return None
    template = in_force(year, kind="evaluation").get("evaluation.criteria")
    if template is None:
        return None
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                compound=compound,
                year=year,
                title=f"{compound.name}{year}年度“三方”评议监督考核",
            )
            for g_pos, (group_name, criteria) in enumerate(template.body["groups"]):
                group = CriterionGroup.objects.create(
                    campaign=campaign, name=group_name, position=g_pos
                )
                Criterion.objects.bulk_create(
                    Criterion(
                        group=group,
                        name=name,
                        max_score=int(points),
                        weight=Decimal(points),
                        position=pos,
                    )
                    for pos, (name, points) in enumerate(criteria)
                )
            position = 0
            for kind in Organization.THREE_PARTIES:
                organization = organization_of_kind(compound=compound, kind=kind)
                if organization is None:
                    continue
                Target.objects.create(
                    campaign=campaign,
                    organization=organization,
                    compound=compound if organization.compound_id == compound.pk else None,
                    position=position,
                )
                position += 1
            _event(
                campaign,
                actor=None,
                verb="create",
                to_state=State.SETUP,
                note=f"{template.code} v{template.version}",
            )
    except IntegrityError:
        return None  # another run drafted it first
    return campaign
