"""Retention periods (docs/privacy.md "How long we keep it")."""

from __future__ import annotations

from django.conf import settings

#: Defaults; each can be changed in settings (PRIVACY_RETENTION = {...}).
DEFAULT_RETENTION_DAYS = {
    # Sign-in codes are useless after 5 minutes; the rows are only the send log.
    "sign_in_codes": 30,
    # Delivered and failed outbox rows (in-app messages, e-mails, SMS).
    "notifications": 365,
    # Photos of complaints closed this long ago are deleted (the complaint stays).
    "closed_complaint_photos": 3 * 365,
    # The log of staff looking at a resident's contact details.
    "contact_access_log": 3 * 365,
}


def retention_periods() -> dict[str, int]:
    return {**DEFAULT_RETENTION_DAYS, **(getattr(settings, "PRIVACY_RETENTION", {}) or {})}
