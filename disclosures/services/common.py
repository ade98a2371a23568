"""Limits, the schedule rules and the helpers every part of the disclosure services uses."""

from __future__ import annotations

import datetime as dt
import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from huashan.core.state import clean_text, guard, lock, record_event, sync
from huashan.directory.models import Compound, Organization, Person
from huashan.directory.selectors import organization_of_kind, organization_recipients
from huashan.notify.services import notify_organization

from ..models import (
    Cadence,
    Category,
    Channel,
    Disclosure,
    DisclosureEvent,
    PeriodType,
)

logger = logging.getLogger("disclosures.services")

State = Disclosure.State
Kind = Organization.Kind

TITLE_MAX = Disclosure._meta.get_field("title").max_length
DEFAULT_POSTING_DAYS = 30
REASON_MIN_CHARS = 4
OBJECTION_MIN_CHARS = 5
OBJECTION_MAX_CHARS = 2000
ANSWER_MIN_CHARS = 4
ANSWER_MAX_CHARS = 4000
#: Objections one owner may file against one disclosure (flood guard).
OBJECTIONS_PER_OWNER = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_MAX = 10
#: How far back the schedule scan looks for missed periods.
MISSED_LOOKBACK_DAYS = 400

#: extension → (kind, content type, magic-byte test)
ATTACHMENT_TYPES: dict[str, tuple[str, str, Any]] = {
    ".pdf": ("pdf", "application/pdf", lambda h: h.startswith(b"%PDF-")),
    ".png": ("image", "image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image", "image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image", "image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".gif": ("image", "image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("image", "image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
}

#: The obligations the rules set (seed), as (organization kind, category, cadence, article).
SCHEDULE_RULES: tuple[tuple[str, str, str, str], ...] = (
    (Kind.PMC, "public_revenue", Cadence.MONTHLY, "物管会服务承诺 2"),
    (Kind.PMC, "public_revenue", Cadence.HALF_YEARLY, "公示承诺制度 第二条；小区党组织服务承诺 2"),
    (Kind.PMC, "maintenance_fund", Cadence.QUARTERLY, "物管会服务承诺 2"),
    (Kind.PMC, "pmc_work_affairs", Cadence.QUARTERLY, "公示承诺制度 第二条"),
    (Kind.PMC, "pmc_performance", Cadence.YEARLY, "公示承诺制度 第二条"),
    (Kind.PMC, "owners_assembly", Cadence.HALF_YEARLY, "物管会服务承诺 1"),
    (Kind.PROPERTY_COMPANY, "company_service_progress", Cadence.MONTHLY, "小区党组织服务承诺 2"),
    (Kind.PROPERTY_COMPANY, "service_report_quarterly", Cadence.QUARTERLY, "公示承诺制度 第三条"),
    (Kind.PROPERTY_COMPANY, "service_report_annual", Cadence.YEARLY, "公示承诺制度 第三条"),
    (Kind.COMPOUND_PARTY, "personnel", Cadence.YEARLY, "公示承诺制度 第一条、第四条"),
    (Kind.COMPOUND_PARTY, "pledges", Cadence.YEARLY, "公示承诺制度 第一条、第四条"),
)


class DisclosureStateError(ValidationError):
    """The disclosure is not in a state that allows this step."""


# --- helpers --------------------------------------------------------------------


def _text(value, *, field_name: str, max_length: int, min_length: int = 1) -> str:
    return clean_text(
        value, field=field_name, max_length=max_length, required=True, min_length=min_length
    )


def _event(disclosure: Disclosure, *, actor, verb: str, from_state="", to_state="", note=""):
    return record_event(
        DisclosureEvent,
        disclosure=disclosure,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _locked(disclosure: Disclosure) -> Disclosure:
    return lock(disclosure, related=("category", "compound", "organization"))


def _sync(target: Disclosure, source: Disclosure) -> Disclosure:
    sync(target, source)
    return source


def _guard(disclosure: Disclosure, target: str) -> str:
    return guard(
        disclosure,
        target,
        error=DisclosureStateError,
        message=_(
            "This disclosure is now “%(state)s”, so this step is not possible. "
            "Reload the page to see its current state."
        ),
        params={"state": disclosure.get_state_display()},
    )


def disclosure_link(disclosure: Disclosure) -> str:
    try:
        return reverse("disclosures:detail", kwargs={"pk": disclosure.pk})
    except NoReverseMatch:
        return f"/disclosures/item/{disclosure.pk}/"


def _org_recipients(organization: Organization) -> list[Person]:
    """Who hears the organization's business: the one rule in docs/roles.md "Who is told"."""
    return organization_recipients(organization=organization)


def _notify_org(organization: Organization | None, *, subject: str, body: str, link: str = ""):
    notify_organization(organization=organization, subject=subject, body=body, link=link)


def _party_org(compound: Compound) -> Organization | None:
    """The compound party organization, which leads disclosure work (第一条)."""
    return organization_of_kind(compound=compound, kind=Kind.COMPOUND_PARTY)


def organization_covers(organization: Organization, compound: Compound) -> bool:
    if organization.compound_id is not None:
        return organization.compound_id == compound.pk
    if organization.community_id is not None:
        return organization.community_id == compound.community_id
    return organization.street_id == compound.community.street_id


def _clean_channels(channels) -> list[str]:
    if channels is None:
        return [Channel.BOARD.value, Channel.ONLINE.value]
    values = [str(c) for c in channels]
    bad = [c for c in values if c not in Channel.values]
    if bad:
        raise ValidationError(
            {"channels": [_("Unknown channel: %(value)s") % {"value": ", ".join(bad)[:60]}]}
        )
    if not values:
        raise ValidationError({"channels": [_("Choose at least one channel.")]})
    return list(dict.fromkeys(values))


def _clean_period(period_type: str, start: dt.date | None, end: dt.date | None) -> None:
    if period_type not in PeriodType.values:
        raise ValidationError({"period_type": [_("Choose a period type.")]})
    if period_type == PeriodType.NONE:
        return
    if start is None or end is None:
        raise ValidationError(
            {"period_start": [_("Give the first and last day of the period covered.")]}
        )
    if end < start:
        raise ValidationError({"period_end": [_("The period ends before it starts.")]})


def _posting_window(
    *,
    category: Category,
    long_term: bool,
    posting_start: dt.date,
    posting_end: dt.date | None,
    today: dt.date,
) -> tuple[bool, dt.date | None]:
    """Apply 第三条 (≥ 30 days for service reports) and 第四条 (long-term for personnel)."""
    if category.long_term or long_term:
        return True, None
    minimum = category.min_posting_days or 0
    if posting_end is None:
        posting_end = posting_start + timedelta(days=max(minimum, DEFAULT_POSTING_DAYS))
    if posting_end < posting_start:
        raise ValidationError({"posting_end": [_("The posting ends before it starts.")]})
    if minimum and (posting_end - posting_start).days < minimum:
        raise ValidationError(
            {
                "posting_end": [
                    ValidationError(
                        _(
                            "“%(category)s” must stay posted for at least %(days)d days "
                            "(until %(until)s or later)."
                        ),
                        params={
                            "category": category.name,
                            "days": minimum,
                            "until": posting_start + timedelta(days=minimum),
                        },
                        code="posting_too_short",
                    )
                ]
            }
        )
    if posting_end < today:
        raise ValidationError({"posting_end": [_("This posting period has already ended.")]})
    return False, posting_end
