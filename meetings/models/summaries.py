"""The meeting summary (会议纪要) and its signatures (会签, 签收).

seed: 联席会议议事规则 第四条.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.models import AlarmStage
from huashan.directory.models import Organization
from huashan.workdays import DeadlineKind, DeadlinePolicy

from ._common import PERSON
from .meetings import Meeting

#: How long the four bodies have to countersign once the summary is sent to them.
#: The seed gives no figure; it is the portal's choice, here and nowhere else. Past it
#: the chair may approve with the missing countersignatures recorded (联席会议议事规则
#: 第四条 asks the office to 分送 the summary, it gives no body a veto over it).
COUNTERSIGN_WINDOW = DeadlinePolicy(
    kind=DeadlineKind.WORKING_DAYS,
    amount=5,
    code="summary_countersign",
    label=_("Countersignature of the summary"),
)


class Summary(models.Model):
    """会议纪要: drafted from the minutes, countersigned by the four bodies, approved
    by the chair, distributed with receipts (seed: 联席会议议事规则 第四条).

    会签 is not a veto: once :attr:`countersign_due` has passed the chair may approve
    and the bodies that did not sign are marked on their signature rows.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COUNTERSIGNING = "countersigning", _("Countersigning")
        APPROVED = "approved", _("Approved")
        DISTRIBUTED = "distributed", _("Distributed")

    TRANSITIONS = {
        Status.DRAFT: {Status.COUNTERSIGNING},
        Status.COUNTERSIGNING: {Status.DRAFT, Status.APPROVED},
        Status.APPROVED: {Status.DISTRIBUTED},
        Status.DISTRIBUTED: set(),
    }

    #: The four bodies that countersign and receive it (第四条).
    BODY_KINDS = (
        Organization.Kind.COMMUNITY_PARTY,
        Organization.Kind.RESIDENTS_COMMITTEE,
        Organization.Kind.PMC,
        Organization.Kind.PROPERTY_COMPANY,
    )

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="summary")
    body = models.TextField(_("summary text"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    drafted_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drafted_at = models.DateTimeField(default=timezone.now)
    countersign_due = models.DateTimeField(_("countersign by"), null=True, blank=True)
    approved_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    distributed_at = models.DateTimeField(null=True, blank=True)
    #: pk of the disclosures.Disclosure when posted publicly (no FK: optional app).
    public_disclosure_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("meeting summary")
        verbose_name_plural = _("meeting summaries")

    def __str__(self) -> str:
        return f"纪要 {self.meeting_id}"

    @property
    def countersign_due_text(self) -> str:
        """The deadline as the rules say it ("2026年4月1日 24:00")."""
        if self.countersign_due is None:
            return ""
        from huashan.workdays import format_deadline

        return format_deadline(self.countersign_due)


class SummarySignature(models.Model):
    """会签 (countersign) or 签收 (receipt) of the summary by one body."""

    class Kind(models.TextChoices):
        COUNTERSIGN = "countersign", _("Countersign (会签)")
        RECEIPT = "receipt", _("Receipt (签收)")

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="signatures")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    #: The summary was approved after the deadline without this body's 会签.
    missing_at_approval = models.BooleanField(_("not countersigned by the deadline"), default=False)

    class Meta:
        ordering = ("kind", "organization__kind", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("summary", "kind", "organization"), name="summary_signature_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.summary_id} {self.kind} {self.organization_id}"


class WorkSummaryReminder(models.Model):
    """A reminder already sent for a due work summary (联席会议议事规则 第六条 "每半年开展
    一次工作小结，每年开展一次工作总结"), so the beat task tells the office once per stage.

    ``period`` is the code of ``dashboard.WorkSummary`` ("2026H1", "2026H2", "2026").
    """

    Stage = AlarmStage

    compound = models.ForeignKey("directory.Compound", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8)
    stage = models.CharField(max_length=12, choices=Stage.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("compound", "period", "stage"), name="work_summary_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.period} {self.stage}"
