"""Ballot slips rendered by the worker (issue 15 item 5; seed: 评议监督考核制度 第三条 民主测评).

Printing slips gives every evaluator who has not voted a fresh one-time token (old ones
die). The request only asks (:func:`slips_request`: permission, state, one pending row);
the worker issues the tokens and renders them in one transaction
(:func:`slips_render`): the broker carries the row's id, never a token, and a render
that fails leaves the earlier slips working.

Why the stored file is guarded and short-lived: it is the only place the plaintext
tokens exist (the database keeps their hashes), and a token casts a secret ballot.
So the file is
* fetched only through ``evaluations:slips`` by whoever may print slips now
  (``evaluations.print_slips``); its ``/media/`` name is a 404 like every document's;
* replaced when slips are printed again: the earlier file (whose tokens died with the
  reissue) is deleted once the new one is stored;
* deleted when scoring closes (:func:`slips_discard`, from ``campaign_advance``): a
  token is then worth nothing, and the slips must not outlive the ballot.
"""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext

from huashan.core.documents import dispatch_on_commit, document_store
from huashan.core.services import require_perm

from .. import selectors, slipcodes
from ..models import Campaign, EvaluationDocument
from .base import CampaignStateError, State, _denied, _lock
from .roster import tokens_issue

SLIPS = EvaluationDocument.Kind.SLIPS
Status = EvaluationDocument.Status


def _require_printable(campaign: Campaign) -> None:
    if campaign.state not in Campaign.EDITABLE_STATES | {State.SCORING}:
        raise CampaignStateError(gettext("Scoring is over: no more ballot slips."))


@transaction.atomic
def slips_request(*, actor, campaign: Campaign) -> EvaluationDocument:
    """Ask the worker for fresh slips; a printing already being prepared is reused."""
    campaign = _lock(campaign)
    require_perm(actor, "evaluations.print_slips", campaign, _denied())
    _require_printable(campaign)
    pending = campaign.documents.filter(kind=SLIPS, status=Status.PENDING).first()
    if pending is not None:
        return pending
    document = EvaluationDocument.objects.create(
        campaign=campaign, kind=SLIPS, version=uuid.uuid4().hex, requested_by=actor
    )
    from ..tasks import render_document

    dispatch_on_commit(render_document, document.pk)  # a lost dispatch is swept
    return document


def slips_current(*, campaign: Campaign) -> EvaluationDocument | None:
    """The latest printing asked for (pending, ready or failed); callers check
    ``evaluations.print_slips``."""
    return campaign.documents.filter(kind=SLIPS).order_by("-created_at", "-pk").first()


def slips_render(*, document_id: int) -> EvaluationDocument | None:
    """Issue the tokens and render the slips of a pending row (a ready or failed row is
    left alone: a redelivered message must not kill the printed tokens)."""
    with transaction.atomic():
        document = (
            EvaluationDocument.objects.select_for_update(of=("self",))
            .select_related("campaign", "requested_by")
            .filter(pk=document_id, kind=SLIPS)
            .first()
        )
        if document is None or document.status != Status.PENDING:
            return document
        document_store(
            document, lambda: _issue_and_render(document), filename=f"slips-{document.version}.pdf"
        )
        if document.status == Status.READY:
            _delete(document.campaign.documents.filter(kind=SLIPS).exclude(pk=document.pk))
    return document


def _issue_and_render(document: EvaluationDocument) -> bytes:
    """Tokens and PDF together: a failed render rolls the tokens back (the savepoint)."""
    from huashan.pdf import render_pdf

    from ..results import campaign_criteria
    from . import ballots as ballot_service

    with transaction.atomic():
        issued = tokens_issue(actor=document.requested_by, campaign=document.campaign)
        campaign = document.campaign
        slips = [
            {
                "name": item.evaluator.name,
                "category": item.evaluator.get_category_display(),
                "code": slipcodes.grouped(item.token),  # typed from paper (issue 19)
                "qr": selectors.qr_data_uri(selectors.ballot_url(item.token)),
                "url": selectors.ballot_url(item.token),
            }
            for item in issued
        ]
        sheet = {
            "targets": list(campaign.targets.select_related("organization", "member")),
            "criteria": [
                (c, ballot_service.criterion_levels(c)) for c in campaign_criteria(campaign)
            ],
            "levels": list(ballot_service.level_labels().values()),
        }
        return render_pdf(
            "pdf/evaluations/slips.html", {"campaign": campaign, "slips": slips, "sheet": sheet}
        )


def slips_discard(campaign: Campaign) -> None:
    """Delete every printing of the campaign and its file (scoring closed: see above)."""
    _delete(campaign.documents.filter(kind=SLIPS))


def _delete(documents) -> None:
    """Delete the rows now and their files once the transaction commits."""
    names = [name for name in documents.values_list("file", flat=True) if name]
    documents.delete()

    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)
