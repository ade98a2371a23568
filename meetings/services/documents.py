"""Printable meeting documents: requested in the web request, rendered in the worker, swept."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.documents import (
    dispatch_on_commit,
    document_store,
    documents_sweep_pending,
    work_lease,
)
from huashan.core.services import require_perm as _require

from ..models import (
    Meeting,
    MeetingDocument,
)


def meeting_document_request(*, actor, meeting: Meeting, kind: str) -> MeetingDocument:
    """Ask the worker for a PDF (notice, sign-in sheet, minutes, summary); the page
    polls the returned row. Anyone who may see the meeting's staff page may ask."""
    person = _require(actor, "meetings.view_meeting", meeting, gettext("You may not do this."))
    if kind not in MeetingDocument.Kind.values:
        raise ValidationError({"kind": [_("Choose a document.")]}, code="invalid")
    with transaction.atomic():
        document = MeetingDocument.objects.create(meeting=meeting, kind=kind, requested_by=person)
        from ..tasks import render_meeting_document

        # After commit, never waiting on the broker; a lost dispatch is swept.
        dispatch_on_commit(render_meeting_document, document.pk)
    return document


DOCUMENT_LEASE = "meetings.document"


def meeting_document_render(*, document_id: int) -> MeetingDocument | None:
    """Render one pending document (idempotent: a ready row is left alone), holding
    its work lease so the sweep leaves a live render alone."""
    with work_lease(DOCUMENT_LEASE, document_id):
        return _document_render(document_id=document_id)


def _document_render(*, document_id: int) -> MeetingDocument | None:
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
    """Render documents still pending after ``older_than`` (a lost dispatch or a killed
    worker), except those a live worker holds the lease of."""
    return documents_sweep_pending(
        MeetingDocument,
        meeting_document_render,
        older_than=older_than,
        lease=DOCUMENT_LEASE,
    )
