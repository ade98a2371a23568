"""Printable meeting documents: the list, a request, and the download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from .. import services
from ..models import (
    MeetingDocument,
)
from ._common import _get_meeting, _simple_action


@login_required
@require_GET
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    """Notice, sign-in sheet, minutes and summary as PDFs, rendered by the worker
    (DESIGN.md §4 "PDF"); the page refreshes itself while one is being prepared."""
    meeting = _get_meeting(request, pk)
    rows = list(MeetingDocument.objects.filter(meeting=meeting).order_by("-created_at", "-pk")[:40])
    latest: dict[str, MeetingDocument] = {}
    for row in rows:
        latest.setdefault(row.kind, row)
    kinds = [
        {"value": value, "label": label, "document": latest.get(value)}
        for value, label in MeetingDocument.Kind.choices
    ]
    pending = any(r.status == MeetingDocument.Status.PENDING for r in latest.values())
    return render(
        request,
        "meetings/documents.html",
        {"meeting": meeting, "kinds": kinds, "pending": pending, "rows": rows},
    )


@login_required
@require_POST
def document_request(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    kind = str(request.POST.get("kind", ""))[:20]
    return _simple_action(
        request,
        reverse("meetings:documents", args=[meeting.pk]),
        services.meeting_document_request,
        meeting=meeting,
        kind=kind,
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    document = MeetingDocument.objects.filter(
        pk=document_pk, meeting=meeting, status=MeetingDocument.Status.READY
    ).first()
    if document is None or not document.file:
        raise Http404(gettext("The document is not ready."))
    day = timezone.localtime(meeting.start).strftime("%Y%m%d")
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"meeting-{meeting.pk}-{document.kind}-{day}.pdf",
        content_type="application/pdf",
    )
