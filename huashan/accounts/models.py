"""Account audit trail: who changed a person's login and when.

Residency changes have their own events (``directory.ResidencyEvent``); the
events here are about the account itself — above all a staff member issuing a
password-reset link, which hands over access to someone else's account and
must therefore leave a trace (DESIGN.md §4 "Events").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
