"""The numbered meeting notice (会议通知) and each body's receipt.

seed: 联席会议议事规则 第四条.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.directory.models import Compound, Organization

from ._common import PERSON
from .meetings import Meeting


class NoticeSequence(models.Model):
    """Per compound per year counter for 花山联〔YYYY〕N号, incremented under a row lock."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("compound", "year"), name="notice_sequence_once")
        ]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.year}: {self.last}"


class Notice(models.Model):
    """会议通知 with its document number (seed: 联席会议议事规则 第四条)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="notice")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    document_number = models.CharField(_("document number"), max_length=40)
    body = models.TextField(_("notice text"))
    issued_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("document_number",), name="notice_document_number_unique"
            )
        ]
        verbose_name = _("meeting notice")
        verbose_name_plural = _("meeting notices")

    def __str__(self) -> str:
        return self.document_number


class NoticeReceipt(models.Model):
    """One recipient body of a notice (主送 / 抄送) and its 签收."""

    class Line(models.TextChoices):
        MAIN = "main", _("Main recipient (主送)")
        COPY = "copy", _("Copy (抄送)")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    line = models.CharField(max_length=8, choices=Line.choices, default=Line.MAIN)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("line", "organization__kind", "pk")
        constraints = [
            models.UniqueConstraint(fields=("notice", "organization"), name="notice_receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.organization_id}"
