"""Printable meeting documents: requested in the web request, rendered in the worker, swept."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require

from ..models import (
    Meeting,
    MeetingDocument,
)
from ._common import logger


def meeting_document_request(*, actor, meeting: Meeting, kind: str) -> MeetingDocument:
    """Ask the worker for a PDF (notice, sign-in sheet, minutes, summary); the page
    polls the returned row. Anyone who may see the meeting's staff page may ask."""
    person = _require(actor, "meetings.view_meeting", meeting, gettext("You may not do this."))
    if kind not in MeetingDocument.Kind.values:
        raise ValidationError({"kind": [_("Choose a document.")]}, code="invalid")
    with transaction.atomic():
        document = MeetingDocument.objects.create(meeting=meeting, kind=kind, requested_by=person)

        def _dispatch() -> None:
            from ..tasks import render_meeting_document

            try:
                render_meeting_document.delay(document.pk)
            except Exception:  # the broker is down: the sweep task renders it later
                logger.exception("could not dispatch rendering of document %s", document.pk)

        transaction.on_commit(_dispatch)
    return document


def meeting_document_render(*, document_id: int) -> MeetingDocument | None:
    """Render one pending document (idempotent: a ready row is left alone)."""
    from huashan.core.documents import document_store

    from ..pdf import meeting_pdf

    document = (
        MeetingDocument.objects.select_related("meeting__compound").filter(pk=document_id).first()
    )
    if document is None or document.status == MeetingDocument.Status.READY:
        return document
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    return document_store(
        document,
        lambda: meeting_pdf(meeting=document.meeting, kind=document.kind),
        filename=f"{document.kind}-{stamp}.pdf",
    )


def meeting_documents_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Render documents still pending after ``older_than`` (a lost dispatch)."""
    from huashan.core.documents import documents_sweep_pending

    return documents_sweep_pending(MeetingDocument, meeting_document_render, older_than=older_than)
