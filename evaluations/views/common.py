"""What the evaluation pages share: lookups with their permission check, form errors,
score rows and the answer for a worker-rendered document."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .. import forms, services
from ..models import (
    Campaign,
    EvaluationDocument,
    Target,
)


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("compound__community", "community"), pk=pk
    )


def _staff_campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = _campaign(pk)
    if not services.may_view_staff(request.user, campaign):
        raise PermissionDenied
    return campaign


def _error_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _raw_scores(post, targets: list[Target], criteria) -> dict[int, dict[int, str]]:
    return {
        t.pk: {c.pk: post.get(f"score_{t.pk}_{c.pk}", "")[:20] for c in criteria} for t in targets
    }


def _score_rows(targets, criteria, raw, errors):
    """What the scoring form shows: each target with its criteria, value and error."""
    rows = []
    for target in targets:
        fields = []
        for criterion in criteria:
            key = f"score_{target.pk}_{criterion.pk}"
            fields.append(
                {
                    "name": key,
                    "criterion": criterion,
                    "value": (raw.get(target.pk) or {}).get(criterion.pk, ""),
                    "errors": errors.get(key, []),
                }
            )
        rows.append({"target": target, "fields": fields})
    return rows


_int = forms.to_int


def _first_error(form) -> str:
    """The first field's message (fields in the order the page shows them)."""
    for messages_ in form.errors.values():
        return " ".join(messages_)
    return ""


def _document_response(
    request: HttpRequest, document: EvaluationDocument, *, filename: str, attachment=False
) -> HttpResponse:
    """The PDF when ready, else the waiting page. ``attachment``: downloaded and never
    kept by a cache (the ballot slips)."""
    if document.status == EvaluationDocument.Status.READY:
        response = FileResponse(document.file.open("rb"), content_type="application/pdf")
        disposition = "attachment" if attachment else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
        if attachment:
            response["Cache-Control"] = "no-store"
        return response
    failed = document.status == EvaluationDocument.Status.FAILED
    return render(
        request,
        "evaluations/document_wait.html",
        {"document": document, "failed": failed},
        status=503 if failed else 202,
    )
