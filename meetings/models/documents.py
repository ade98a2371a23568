"""Printable meeting documents, rendered by the worker."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ._common import PERSON
from .meetings import Meeting


def meeting_document_path(instance: MeetingDocument, filename: str) -> str:
    return f"meetings/pdf/{instance.meeting_id}/{filename}"


class MeetingDocument(models.Model):
    """A PDF of a meeting rendered by the worker (DESIGN.md §4 "PDF": never in a request).

    ``meeting_document_request`` creates the row and dispatches the render after
    commit; the page polls ``status``. The newest ready row of a kind is current.
    """

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Meeting notice")
        SIGN_IN = "sign_in", _("Sign-in sheet")
        MINUTES = "minutes", _("Minutes")
        SUMMARY = "summary", _("Meeting summary")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=meeting_document_path, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.kind} {self.status}"
