"""Account audit trail: who changed a person's login and when.

Residency changes have their own events (``directory.ResidencyEvent``); the
events here are about the account itself — above all a staff member issuing a
password-reset link, which hands over access to someone else's account and
must therefore leave a trace (DESIGN.md §4 "Events").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event


class AccountEvent(Event):
    """Immutable row: ``verb`` is one of :class:`Verb`."""

    class Verb(models.TextChoices):
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        RESET_LINK_ISSUED = "password_reset_link_issued", _("Password reset link issued")
        PASSWORD_RESET = "password_reset_completed", _("Password reset with a link")
        REGISTRATION_ATTEMPTED = (
            "registration_attempted",
            _("Someone tried to register again with this mobile number"),
        )
        CODE_LOGIN = "signed_in_with_code", _("Signed in with an SMS code")
        CODE_REGISTERED = "registered_with_code", _("Registered with a verified mobile number")
        WECHAT_LINKED = "wechat_linked", _("WeChat account linked")
        WECHAT_LOGIN = "signed_in_with_wechat", _("Signed in with WeChat")

    #: Histories show these phrases, never the codes (docs/glossary.md).
    VERB_LABELS = dict(Verb.choices)

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_events",
        verbose_name=_("person"),
    )

    class Meta(Event.Meta):
        verbose_name = _("account event")
        verbose_name_plural = _("account events")


class SignInCode(models.Model):
    """A six-digit code sent by SMS to sign in or to verify a number at registration.

    Only a hash of the code is kept. A code is good for ``SMS_CODE_TTL_MINUTES`` and
    dies after ``SMS_CODE_MAX_TRIES`` wrong tries or its first use; rows double as the
    send log the per-number and per-address limits count (huashan/accounts/codes.py).
    A row is written for every accepted request, whether or not the number has an
    account, so the limits and the answer are the same either way.
    """

    class Purpose(models.TextChoices):
        LOGIN = "login", _("Sign in")
        REGISTER = "register", _("Registration")

    mobile = models.CharField(_("mobile number"), max_length=11)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    code_hash = models.CharField(max_length=128)
    address = models.GenericIPAddressField(_("requested from"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    sent = models.BooleanField(
        _("message sent"), default=False, help_text=_("False when no message went out.")
    )
    gateway_answer = models.JSONField(_("gateway answer"), default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [
            models.Index(fields=("mobile", "-created_at"), name="acct_code_mobile_idx"),
            models.Index(fields=("address", "-created_at"), name="acct_code_address_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.mobile[:3]}****{self.mobile[-4:]}"


class WeChatLink(models.Model):
    """A WeChat account (its ``openid`` under our official account) linked to a person.

    Linked only after the person proved their mobile number with an SMS code
    (huashan/accounts/wechat.py); one WeChat account per person and vice versa.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wechat_link",
        verbose_name=_("person"),
    )
    openid = models.CharField(_("WeChat openid"), max_length=64, unique=True)
    unionid = models.CharField(_("WeChat unionid"), max_length=64, blank=True)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("WeChat link")
        verbose_name_plural = _("WeChat links")

    def __str__(self) -> str:
        return f"WeChat → {self.person_id}"
