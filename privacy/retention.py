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


def retention_sweep(*, now=None) -> dict:
    """Delete what has outlived its period; returns how many of each went.

    * sign-in code rows older than ``sign_in_codes`` days;
    * delivered or failed outbox rows (any channel) older than ``notifications`` days —
      pending rows are never touched, so nothing queued is lost;
    * staff contact-access log rows older than ``contact_access_log`` days;
    * photos (files and rows) of complaints closed more than ``closed_complaint_photos``
      days ago; the complaint itself stays as a public record.
    """
    from datetime import timedelta

    from django.utils import timezone

    from huashan.accounts.models import SignInCode
    from huashan.notify.models import Notification
    from issues.models import Issue, IssuePhoto
    from privacy.models import ContactAccess

    now = now or timezone.now()
    days = retention_periods()
    done = {}
    done["sign_in_codes"] = SignInCode.objects.filter(
        created_at__lt=now - timedelta(days=days["sign_in_codes"])
    ).delete()[0]
    done["notifications"] = Notification.objects.filter(
        status__in=(Notification.Status.DELIVERED, Notification.Status.FAILED),
        created_at__lt=now - timedelta(days=days["notifications"]),
    ).delete()[0]
    done["contact_access_log"] = ContactAccess.objects.filter(
        at__lt=now - timedelta(days=days["contact_access_log"])
    ).delete()[0]
    photos = IssuePhoto.objects.filter(
        issue__status=Issue.Status.CLOSED,
        issue__closed_at__lt=now - timedelta(days=days["closed_complaint_photos"]),
    )
    count = 0
    for photo in photos.iterator():
        photo.image.delete(save=False)
        photo.delete()
        count += 1
    done["closed_complaint_photos"] = count
    return done
