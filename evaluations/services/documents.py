"""Evaluation PDFs rendered by the worker (DESIGN.md §4 "PDF")."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from huashan.core.documents import (
    dispatch_on_commit,
    document_store,
    documents_sweep_pending,
    work_lease,
)

from .. import evidence
from ..models import (
    Ballot,
    Campaign,
    EvaluationDocument,
    Target,
)

# --- PDFs rendered by the worker (DESIGN.md §4 "PDF") ------------------------------------------


def document_version(*, campaign: Campaign, kind: str, target: Target | None = None) -> str:
    """What the PDF shows: state, ballots, last event; evidence also changes with the day.

    The evidence pack does not show ballots, so their count is not part of its version:
    nothing about it moves while scoring runs (issue 14 item 1).
    """
    last_event = campaign.events.order_by("-pk").values_list("pk", flat=True).first() or 0
    if kind == EvaluationDocument.Kind.EVIDENCE:
        return f"{campaign.state}:{last_event}:{timezone.localdate():%Y%m%d}"
    ballots = Ballot.objects.filter(campaign=campaign).count()
    return f"{campaign.state}:{ballots}:{last_event}"


def document_current(
    *, campaign: Campaign, kind: str, target: Target | None = None
) -> EvaluationDocument:
    """The PDF row of the current version; created (and dispatched after commit) if missing.

    Callers check who may see the document (the results / evidence rules of the
    pages). One row per version (unique), so repeated requests queue nothing new.
    """
    version = document_version(campaign=campaign, kind=kind, target=target)
    try:
        with transaction.atomic():
            document, created = EvaluationDocument.objects.get_or_create(
                campaign=campaign, kind=kind, target=target, version=version
            )
    except IntegrityError:
        document = EvaluationDocument.objects.get(
            campaign=campaign, kind=kind, target=target, version=version
        )
        created = False
    if created:
        _document_dispatch(document.pk)
    return document


def _document_dispatch(document_id: int) -> None:
    from ..tasks import render_document

    dispatch_on_commit(render_document, document_id)  # a lost dispatch is swept


DOCUMENT_LEASE = "evaluations.document"


def document_render(*, document_id: int) -> EvaluationDocument | None:
    """Render one pending document (idempotent: a ready row is left alone), holding
    its work lease so the sweep leaves a live render alone."""
    with work_lease(DOCUMENT_LEASE, document_id):
        return _document_render(document_id=document_id)


def _document_render(*, document_id: int) -> EvaluationDocument | None:
    from huashan.pdf import render_pdf

    from ..results import campaign_results

    document = (
        EvaluationDocument.objects.select_related("campaign__compound", "target__organization")
        .filter(pk=document_id)
        .first()
    )
    if document is None or document.status == EvaluationDocument.Status.READY:
        return document
    campaign = document.campaign

    def render() -> bytes:
        if document.kind == EvaluationDocument.Kind.RESULTS:
            return render_pdf(
                "pdf/evaluations/results.html",
                {
                    "campaign": campaign,
                    "results": campaign_results(campaign),
                    "final": campaign.results_public,
                    "generated": timezone.localtime(),
                },
            )
        return render_pdf(
            "pdf/evaluations/evidence.html",
            {
                "campaign": campaign,
                "target": document.target,
                "sections": evidence.evidence_pack(target=document.target),
                "generated": timezone.localtime(),
            },
        )

    return document_store(document, render, filename=f"{document.kind}.pdf")


def documents_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Render documents still pending after ``older_than`` (lost dispatch or a killed worker),
    except those a live worker holds the lease of."""
    return documents_sweep_pending(
        EvaluationDocument, document_render, older_than=older_than, lease=DOCUMENT_LEASE
    )
