"""Texts other modules post on the board (meeting resolutions, pledge letters)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Compound, Organization

from ..models import (
    Category,
    Disclosure,
    PeriodType,
)
from .lifecycle import disclosure_create_draft, disclosure_publish

# --- external publishing (meetings, pledges) ---------------------------------------------


def disclosure_publish_external(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    category_code: str,
    title: str,
    body: str,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    source_url: str = "",
) -> Disclosure:
    """Create and publish in one step, for other apps (a meeting summary, a pledge letter).

    The actor must be allowed to publish for ``organization``. ``body`` is Markdown.
    """
    category = Category.objects.filter(code=category_code).first()
    if category is None:
        raise ValidationError(
            {"category": [_("Unknown disclosure category “%(code)s”.") % {"code": category_code}]}
        )
    period_type = PeriodType.NONE
    if period_start and period_end:
        period_type = _guess_period_type(period_start, period_end)
    elif period_start or period_end:
        period_start = period_end = None
    with transaction.atomic():
        disclosure = disclosure_create_draft(
            actor=actor,
            compound=compound,
            organization=organization,
            category=category,
            title=title,
            body_markdown=body,
            period_type=period_type,
            period_start=period_start,
            period_end=period_end,
            source_url=source_url,
        )
        disclosure_publish(actor=actor, disclosure=disclosure)
    return disclosure


def _guess_period_type(start: dt.date, end: dt.date) -> str:
    days = (end - start).days + 1
    if days <= 31:
        return PeriodType.MONTH
    if days <= 92:
        return PeriodType.QUARTER
    if days <= 184:
        return PeriodType.HALF_YEAR
    return PeriodType.YEAR
