"""Models of the provisioning app: versioned obligation templates and their events.

seed: every obligation the rules create (两份服务承诺, 公示承诺制度, 联席会议议事规则
第三条, 评议监督考核制度 第三条, the deadline policies) is a template owned by the
product, versioned by the year from which it applies, shown with its article.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event
from huashan.directory.models import Compound


class ObligationTemplate(models.Model):
    """One version of one obligation template.

    A template is identified by ``code``; each change is a new row with a higher
    ``version`` that applies from ``valid_from`` (a year) on. The version in force
    for a year is the highest version whose ``valid_from`` is not after that year,
    so a change never alters a period already measured (the old version keeps the
    years it measured).
    """

    class Kind(models.TextChoices):
        PLEDGE_LETTER = "pledge_letter", _("Pledge letter")
        DISCLOSURE_SCHEDULE = "disclosure_schedule", _("Disclosure schedule")
        JOINT_MEETING = "joint_meeting", _("Joint-meeting schedule")
        EVALUATION = "evaluation", _("Evaluation criteria")
        DEADLINE_POLICY = "deadline_policy", _("Deadline policy")

    class Editor(models.TextChoices):
        STREET = "street", _("Street office")
        COMMUNITY = "community", _("Community party organization")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    code = models.CharField(_("code"), max_length=80)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    valid_from = models.PositiveSmallIntegerField(_("applies from year"))
    article = models.CharField(_("rule"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    quote = models.TextField(_("text of the rule"), blank=True)
    body = models.JSONField(_("content"), default=dict)
    editor = models.CharField(
        _("who may change it"), max_length=16, choices=Editor.choices, default=Editor.COMMUNITY
    )
    note = models.CharField(_("reason for the change"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("kind", "code", "version")
        constraints = [
            models.UniqueConstraint(fields=("code", "version"), name="obligation_template_version"),
            models.UniqueConstraint(
                fields=("code", "valid_from"), name="obligation_template_one_per_year"
            ),
        ]
        verbose_name = _("obligation template")
        verbose_name_plural = _("obligation templates")

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.valid_from})"


class ProvisioningRun(models.Model):
    """A compound's obligations were instantiated for a year (one row per compound × year).

    The unique constraint makes provisioning and the 1 January rollover idempotent:
    a second or late run finds the row and only fills what is still missing.
    """

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("compound", "year"), name="provisioning_run_once"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="provisioning_run_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound_id}:{self.year}"


class ProvisioningEvent(Event):
    """What provisioning did to a compound, or a template change."""

    VERB_LABELS = {
        "provision": _("Obligations set up from the templates"),
        "rollover": _("New year's obligations set up"),
        "template_revise": _("Obligation template changed"),
        "setup_compound": _("Compound adopted"),
        "organization_add": _("Organization registered"),
        "organization_update": _("Organization updated"),
        "member_add": _("Member added"),
    }

    compound = models.ForeignKey(
        Compound, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    template = models.ForeignKey(
        ObligationTemplate, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )

    class Meta:
        ordering = ("-at", "-pk")
