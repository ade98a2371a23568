"""Decision reports (决策报告), their recipients, early intervention and history.

seed: 决策报告制度 第一—三条; 协同联动解决小区事务流程 第七条.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import Event
from huashan.directory.models import Compound, Organization

from ._common import PERSON, HearingSubject


class DecisionReport(models.Model):
    """决策报告: the PMC reports a major matter in advance (seed: 决策报告制度 第二条).

    Matters listed in 协同联动 第七条 (large maintenance-fund use, change of the
    property company, fee adjustment) may not proceed before the joint-meeting
    office has invited the street and the community party organization to
    intervene early.
    """

    class Matter(models.TextChoices):
        PMC_MEMBERS = "pmc_members", _("Election or replacement of PMC members")
        COMPANY_HEAD = "company_head", _("Change of the property company's project head")
        COMPANY_SELECTION = "company_selection", _("Hiring or dismissing the property company")
        FACILITY_REPAIR = "facility_repair", _("Repair or renovation of common facilities")
        MAINTENANCE_FUND = "maintenance_fund", _("Large use of the maintenance fund")
        COMMON_PARTS = "common_parts", _("Operation of common parts and its revenue")
        FEE_ADJUSTMENT = "fee_adjustment", _("Property fee adjustment")

    #: 协同联动 第七条: 大额维修资金使用、物业服务企业变更、物业费调整.
    EARLY_INTERVENTION_MATTERS = frozenset(
        {Matter.MAINTENANCE_FUND, Matter.COMPANY_SELECTION, Matter.FEE_ADJUSTMENT}
    )
    #: The bodies invited to intervene early (第七条: 街道、社区党组织).
    EARLY_INTERVENTION_KINDS = (
        Organization.Kind.STREET_OFFICE,
        Organization.Kind.COMMUNITY_PARTY,
    )
    #: Recipients of the report (决策报告制度 第二条).
    RECIPIENT_KINDS = (
        Organization.Kind.STREET_OFFICE,
        Organization.Kind.COMMUNITY_PARTY,
        Organization.Kind.COMPOUND_PARTY,
        Organization.Kind.RESIDENTS_COMMITTEE,
        Organization.Kind.JOINT_MEETING_OFFICE,
    )

    class Form(models.TextChoices):
        WRITTEN = "written", _("Written")
        ORAL = "oral", _("Oral")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FILED = "filed", _("Reported")
        PROCEEDING = "proceeding", _("Cleared to proceed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.DRAFT: {Status.FILED, Status.WITHDRAWN},
        Status.FILED: {Status.PROCEEDING, Status.WITHDRAWN},
        Status.PROCEEDING: set(),
        Status.WITHDRAWN: set(),
    }

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("reporting body")
    )
    matter = models.CharField(_("matter"), max_length=20, choices=Matter.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("report"))
    form = models.CharField(_("form"), max_length=8, choices=Form.choices, default=Form.WRITTEN)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    #: 小区党组织服务承诺 8: greenery, parking or another public matter proceeds only after
    #: a held hearing of owner representatives (``services/hearings.py``).
    hearing_subject = models.CharField(
        _("matter for an owners' hearing"),
        max_length=16,
        choices=HearingSubject.choices,
        blank=True,
        default=HearingSubject.NONE,
    )
    hearing = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hearing_reports",
        verbose_name=_("owners' hearing (听证会)"),
    )
    filed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(null=True, blank=True)
    proceed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("decision report")
        verbose_name_plural = _("decision reports")

    def __str__(self) -> str:
        return self.title

    @property
    def needs_early_intervention(self) -> bool:
        return self.matter in self.EARLY_INTERVENTION_MATTERS


class DecisionReportRecipient(models.Model):
    """One recipient body: acknowledges and may answer (决策报告制度 第二、三条)."""

    report = models.ForeignKey(DecisionReport, on_delete=models.CASCADE, related_name="recipients")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("organization__kind", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("report", "organization"), name="decision_recipient_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.organization_id}"


class EarlyIntervention(models.Model):
    """An invitation to intervene early (协同联动 第七条), sent by the meeting office.

    The invited body answers: agree, agree with conditions, or object with reasons. An
    objection keeps the matter shut until the community party organization records how it
    was resolved.
    """

    class Answer(models.TextChoices):
        AGREE = "agree", _("Agree")
        CONDITIONS = "conditions", _("Agree with conditions")
        OBJECT = "object", _("Object")

    report = models.ForeignKey(
        DecisionReport, on_delete=models.CASCADE, related_name="interventions"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("invitation"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.TextField(_("response"), blank=True)
    answer = models.CharField(_("answer"), max_length=12, choices=Answer.choices, blank=True)
    resolution = models.TextField(_("how the objection was resolved"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("report", "organization"), name="early_intervention_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} ⇢ {self.organization_id}"


class DecisionReportEvent(Event):
    """A step of a decision report, shown as a phrase."""

    VERB_LABELS = {
        "create": _("Drafted the decision report"),
        "file": _("Reported the decision in advance"),
        "acknowledge": _("A body acknowledged the report"),
        "answer": _("A body answered the report"),
        "invite_intervention": _("Invited early intervention"),
        "intervention_response": _("A body answered the invitation to intervene"),
        "intervention_resolve": _("Recorded how the objection was resolved"),
        "link_hearing": _("Linked the owners' hearing (听证会)"),
        "proceed": _("Cleared the decision to proceed"),
        "withdraw": _("Withdrew the decision report"),
    }
    STATE_LABELS = dict(DecisionReport.Status.choices)

    report = models.ForeignKey(DecisionReport, on_delete=models.CASCADE, related_name="events")
