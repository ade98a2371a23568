"""Evaluation PDFs rendered by the worker (DESIGN.md §4 "PDF")."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from huashan.core.documents import (
    dispatch_on_commit,
    dispatch_once,
    document_store,
    documents_sweep_pending,
    work_lease,
    work_leases_lost,
)

from .. import evidence
from ..models import (
    Ballot,
    Campaign,
    EvaluationDocument,
    Target,
    YearEndReferral,
)
from .base import logger

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


DOCUMENT_LEASE = "evaluations:document"  # a colon: a dotted name reads as a permission


def document_render(*, document_id: int) -> EvaluationDocument | None:
    """Render one pending document (idempotent: a ready row is left alone), holding
    its work lease so the sweep leaves a live render alone."""
    with work_lease(DOCUMENT_LEASE, document_id):
        kind = (
            EvaluationDocument.objects.filter(pk=document_id).values_list("kind", flat=True).first()
        )
        if kind == EvaluationDocument.Kind.SLIPS:
            from .slips import slips_render

            return slips_render(document_id=document_id)
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


# --- the year-end referral PDF (小区党组织服务承诺 第10条 "年底上报") ---------------------------
#
# Rendered by the worker like every other document (DESIGN.md §4 "PDF"; issue 15 item 5),
# but without a document row: EvaluationDocument belongs to a campaign and a referral has
# none, so the stored file is the state. ``<version>.pdf`` ready, ``<version>.error``
# failed, neither pending. The version is a digest of everything the PDF prints, so an
# edit or a submission is a new file. A reload of the waiting page re-dispatches a render
# no live worker holds (its lease), at most once a minute: a lost dispatch or a killed
# worker is redone while someone waits, without a sweep.

REFERRAL_LEASE = "evaluations:referral"
REFERRAL_REDISPATCH_SECONDS = 60


@dataclass(frozen=True)
class ReferralPdf:
    """The referral's PDF of the current version (the waiting page reads it like a row)."""

    referral: YearEndReferral
    path: str
    status: str  # EvaluationDocument.Status values

    def get_status_display(self) -> str:
        return EvaluationDocument.Status(self.status).label

    def open(self):
        return default_storage.open(self.path, "rb")


def _referral_folder(referral_id: int) -> str:
    return f"evaluations/referrals/{referral_id}"


def referral_pdf_path(referral: YearEndReferral) -> str:
    """Where the current version's PDF is stored (a digest of what the PDF prints)."""
    motion = referral.motion
    printed = [
        referral.created_at.isoformat(),  # one record's files never meet another's
        referral.compound.name,
        referral.company.name,
        referral.year,
        referral.state,
        referral.submitted_at.isoformat() if referral.submitted_at else "",
        referral.quarters,
        referral.report_text,
        referral.suggestion_text,
        [motion.pk, motion.title, motion.stage] if motion else None,
    ]
    digest = hashlib.sha256(
        json.dumps(printed, ensure_ascii=False, sort_keys=True, default=str).encode()
    ).hexdigest()[:24]
    return f"{_referral_folder(referral.pk)}/{digest}.pdf"


def referral_pdf_current(*, referral: YearEndReferral) -> ReferralPdf:
    """The PDF of the referral as it is now; its render queued (after commit) if missing.

    Callers check who may see the referral (``may_view_referral``).
    """
    path = referral_pdf_path(referral)
    if default_storage.exists(path):
        return ReferralPdf(referral, path, EvaluationDocument.Status.READY)
    if default_storage.exists(f"{path}.error"):
        return ReferralPdf(referral, path, EvaluationDocument.Status.FAILED)
    if work_leases_lost(REFERRAL_LEASE, [referral.pk]):
        from ..tasks import render_referral

        key = f"evaluations:referral-pdf-queued:{path}"
        dispatch_once(key, REFERRAL_REDISPATCH_SECONDS, render_referral, referral.pk)
    return ReferralPdf(referral, path, EvaluationDocument.Status.PENDING)


def referral_pdf_render(*, referral_id: int) -> str:
    """Render and store the referral's current PDF (idempotent: a stored version is kept);
    older versions are removed. Returns the status (or ``"missing"``)."""
    with work_lease(REFERRAL_LEASE, referral_id):
        return _referral_pdf_render(referral_id=referral_id)


def _referral_pdf_render(*, referral_id: int) -> str:
    from huashan.pdf import render_pdf

    referral = (
        YearEndReferral.objects.select_related("compound", "company", "motion")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        return "missing"
    path = referral_pdf_path(referral)
    if default_storage.exists(path):
        return EvaluationDocument.Status.READY
    try:
        data = render_pdf(
            "pdf/evaluations/referral.html",
            {"referral": referral, "generated": timezone.localtime()},
        )
    except Exception as exc:
        logger.exception("rendering the year-end referral %s failed", referral_id)
        default_storage.save(f"{path}.error", ContentFile(str(exc)[:2000].encode()))
        return EvaluationDocument.Status.FAILED
    default_storage.save(path, ContentFile(data))
    _referral_pdf_prune(referral_id, keep=path)
    return EvaluationDocument.Status.READY


def _referral_pdf_prune(referral_id: int, *, keep: str) -> None:
    folder = _referral_folder(referral_id)
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        if f"{folder}/{name}" != keep:
            default_storage.delete(f"{folder}/{name}")
