"""The notification outbox: one row per message per channel.

Services write a :class:`Notification` inside the caller's transaction and
dispatch delivery after commit; a periodic sweep delivers whatever is still
pending, so a broker outage delays messages but loses none (DESIGN.md §4
"Notifications"; seed: 决策报告制度 第一条 "重要紧急信息须第一时间通报").

Channels
--------
* ``inbox`` — the in-app inbox. The row *is* the message, so it is written
  already ``delivered``; it never goes through the outbox. ``read_at`` tracks
  whether the recipient has seen it.
* ``email`` — Django ``send_mail`` to ``recipient.email``.
* ``webhook`` — JSON POST to ``organization.webhook_url`` (WeCom / DingTalk
  group robot), so a whole organization's work group sees it.
* ``sms`` — a provider template (``sms_kind`` + ``sms_params``) through the SMS
  gateway (``huashan/notify/sms.py``) to the recipient's or ``mobile``'s number;
  the provider's answer is kept in ``gateway_answer`` (issue 21 item 2).

Outbox states (e-mail, webhook and SMS)::

    pending --claim--> sending --ok--> delivered
       ^                  |----error, attempts left--> pending (next_attempt_at backs off)
       |                  |----error, no attempts left / permanent--> failed
       +----reclaim (sending > 10 min) / admin re-queue (failed)
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huashan.core.models import Event


class Notification(models.Model):
    class Channel(models.TextChoices):
        INBOX = "inbox", _("In-app inbox")
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Group-robot webhook")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    TRANSITIONS = {
        Status.PENDING: {Status.SENDING, Status.FAILED},
        Status.SENDING: {Status.DELIVERED, Status.PENDING, Status.FAILED},
        Status.FAILED: {Status.PENDING},
        Status.DELIVERED: set(),
    }

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    organization = models.ForeignKey(
        "directory.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("organization"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(
        _("claimed"),
        null=True,
        blank=True,
        help_text=_("When a sender took the row; a row sending for too long is reclaimed."),
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # SMS (issue 21 item 2): providers send only approved templates, so an SMS row names
    # its message kind and the template's parameters (huashan/notify/sms.py KINDS). The
    # number is the recipient's, or ``mobile`` for someone without an account (an
    # anonymous reporter following a complaint).
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    sms_kind = models.CharField(_("SMS kind"), max_length=32, blank=True)
    sms_params = models.JSONField(_("SMS parameters"), default=dict, blank=True)
    gateway_answer = models.JSONField(
        _("gateway answer"),
        default=dict,
        blank=True,
        help_text=_("What the SMS provider answered on the last attempt."),
    )

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The outbox sweep: due pending rows, stuck sending rows.
            models.Index(fields=("status", "next_attempt_at"), name="notify_sweep_idx"),
            # The inbox page and the header's unread counter.
            models.Index(
                fields=("recipient", "-created_at"),
                condition=Q(channel="inbox"),
                name="notify_inbox_idx",
            ),
            models.Index(
                fields=("recipient",),
                condition=Q(channel="inbox", read_at__isnull=True),
                name="notify_unread_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="notify_channel_has_target",
                condition=(
                    Q(channel__in=("inbox", "email"), recipient__isnull=False)
                    | Q(channel="webhook", organization__isnull=False)
                    | (Q(channel="sms") & (Q(recipient__isnull=False) | ~Q(mobile="")))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.subject}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationEvent(Event):
    """Delivery outcomes and manual re-queues (who, when, from, to, why)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="events")

    # Every verb huashan/notify/services.py writes.
    VERB_LABELS: ClassVar[dict] = {
        "delivered": pgettext_lazy("event", "Delivered"),
        "failed": pgettext_lazy("event", "Delivery failed"),
        "retry_scheduled": pgettext_lazy("event", "Will be sent again later"),
        "reclaimed": pgettext_lazy("event", "Sending was interrupted; queued again"),
        "requeued": pgettext_lazy("event", "Queued again by hand"),
    }
    STATE_LABELS: ClassVar[dict] = dict(Notification.Status.choices)


class SmsPreference(models.Model):
    """Which notices a resident also wants by SMS (issue 21 item 2); none by default.

    ``categories`` holds values of :class:`Category`; a notice's category comes from the
    page it links to (``huashan.notify.services.notice_category``).
    """

    class Category(models.TextChoices):
        COMPLAINTS = "complaints", _("My complaints and their progress")
        MEETINGS = "meetings", _("Meetings, votes and motions")
        DISCLOSURES = "disclosures", _("Disclosures and objections")
        ACCOUNT = "account", _("My account and household")
        OTHER = "other", _("Everything else")

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sms_preference",
        verbose_name=_("person"),
    )
    categories = models.JSONField(_("notices by SMS"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SMS preference")
        verbose_name_plural = _("SMS preferences")

    def __str__(self) -> str:
        return str(self.person)
