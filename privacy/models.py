"""Personal-information rights (个人信息保护法 arts. 44–47; issue 21 item 4).

* :class:`Consent` — what a resident agreed to and when, and when they withdrew it
  (art. 15: consent may be withdrawn).
* :class:`ContactAccess` — each time a staff member was shown a resident's contact
  details; the resident sees who looked (art. 45: the right to know).
* :class:`PrivacyEvent` — the resident's own requests: exports, corrections,
  withdrawals, deletion asked, refused or done (DESIGN.md §4 "Events").
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event


class Consent(models.Model):
    class Purpose(models.TextChoices):
        PRIVACY_NOTICE = "privacy_notice", _("Accepted the privacy notice")
        SMS_NOTICES = "sms_notices", _("Notices by SMS")
        SHARE_IDENTITY = "share_identity", _("Let the party complained about see who I am")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("person"),
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    notice_version = models.CharField(_("notice version"), max_length=20, blank=True)
    granted_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ("-granted_at", "-pk")
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=("person", "purpose"), name="privacy_consent_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.person_id})"


class ContactAccess(models.Model):
    """A staff member was shown a resident's name and mobile number."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact_accesses",
        verbose_name=_("resident"),
        help_text=_("Empty for a complaint filed without an account."),
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("seen by"),
    )
    where = models.CharField(_("where"), max_length=100)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-at", "-pk")
        verbose_name = _("contact-details access")
        verbose_name_plural = _("contact-details accesses")
        indexes = [models.Index(fields=("person", "-at"), name="privacy_access_person_idx")]

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.person_id} ({self.where})"


class PrivacyEvent(Event):
    """A resident's request about their own data and its outcome."""

    VERB_LABELS: ClassVar[dict] = {
        "exported": _("Downloaded my data"),
        "corrected": _("Corrected my data"),
        "consent_withdrawn": _("Withdrew a consent"),
        "deletion_refused": _("Deletion refused"),
        "deleted": _("Account deleted and complaints anonymised"),
    }

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="privacy_events",
        verbose_name=_("person"),
    )

    class Meta(Event.Meta):
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
