"""历史遗留问题: the report upwards and the joint explanation of the three parties.

seed: 协同联动解决小区事务流程 第五条 "对于历史遗留的物业管理服务问题，若因多种原因一时难以
解决，社区党组织应领导社区居民委员会、小区党组织积极向街道及相关部门反映，争取重视与支持；
社区居民委员会、物业管理委员会、物业服务企业'三方'需共同向居民做好解释说明工作，不得相互
推诿、激化矛盾。" The service is ``issues.services.whistles`` (legacy section).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LegacyReport(models.Model):
    """A report of a legacy matter to the street and its departments (向街道及相关部门反映),
    made by the community party organization or, under its lead, the RC or the compound
    party organization; the answer is recorded when it comes."""

    issue = models.ForeignKey(
        "issues.Issue", on_delete=models.CASCADE, related_name="legacy_reports"
    )
    reporting_organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    recipients = models.ManyToManyField(
        "directory.Organization", related_name="+", verbose_name=_("reported to")
    )
    content = models.TextField(_("what was reported"))
    reported_by = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)
    response = models.TextField(_("answer of the street or department"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-reported_at", "-pk")
        verbose_name = _("report of a legacy matter upwards")
        verbose_name_plural = _("reports of legacy matters upwards")

    def __str__(self) -> str:
        return f"{self.issue_id} 向上反映 {self.reported_at:%Y-%m-%d}"


class JointExplanation(models.Model):
    """An explanation to residents of a legacy matter, given by the three parties jointly
    (三方共同向居民做好解释说明): drafted once, confirmed by the RC, the PMC and the property
    company each, and published on the complaint only when all three have confirmed."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting the three parties' confirmation")
        PUBLISHED = "published", _("Published jointly")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    issue = models.ForeignKey(
        "issues.Issue", on_delete=models.CASCADE, related_name="joint_explanations"
    )
    text = models.TextField(_("explanation to residents"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.AWAITING
    )
    drafted_by = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drafted_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-drafted_at", "-pk")
        verbose_name = _("joint explanation of the three parties")
        verbose_name_plural = _("joint explanations of the three parties")

    def __str__(self) -> str:
        return f"{self.issue_id} 三方共同说明 ({self.status})"


class JointExplanationConfirmation(models.Model):
    """One of the three parties confirms the joint explanation as its own."""

    explanation = models.ForeignKey(
        JointExplanation, on_delete=models.CASCADE, related_name="confirmations"
    )
    organization = models.ForeignKey(
        "directory.Organization", on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        "directory.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("organization__kind", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("explanation", "organization"), name="joint_explanation_confirm_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.explanation_id} {self.organization_id}"
