"""Ballot slips, work reports (述职) and evidence packs (seed: 第三条 述职, 查阅资料; 第四条)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from .. import evidence, services
from ..models import (
    EvaluationDocument,
    Target,
)
from .common import (
    _campaign,
    _document_response,
    _staff_campaign,
)


@login_required
@require_http_methods(["GET", "POST"])
def slips_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: fresh one-time tokens, printed as slips with QR codes by the worker (old ones
    die). GET: the latest printing, "being prepared" until the worker stored it.

    Only those who may print slips now see either (``evaluations.print_slips``): the file
    holds live tokens (``evaluations.services.slips``)."""
    campaign = _staff_campaign(request, pk)
    if not request.user.has_perm("evaluations.print_slips", campaign):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.slips_request(actor=request.user, campaign=campaign)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("evaluations:manage", campaign.pk)
        return redirect("evaluations:slips", campaign.pk)
    document = services.slips_current(campaign=campaign)
    if document is None:  # none printed, or deleted when scoring closed: back to the campaign
        messages.info(request, gettext("No ballot slips are printed at the moment."))
        return redirect("evaluations:manage", campaign.pk)
    return _document_response(
        request, document, filename=f"ballot-slips-{campaign.pk}.pdf", attachment=True
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_report(request: HttpRequest, pk: int, target_id: int) -> HttpResponse:
    campaign = _campaign(pk)
    target = get_object_or_404(campaign.targets.select_related("organization"), pk=target_id)
    if not services.may_submit_report(request.user, target):
        raise PermissionDenied
    errors: list[str] = []
    text = target.report_text
    status = 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.target_report_submit(
                actor=request.user, target=target, text=text, pdf=request.FILES.get("pdf")
            )
        except ValidationError as exc:
            errors = [str(m) for m in exc.messages]
            status = 400
        else:
            messages.success(request, gettext("Report saved."))
            return redirect("evaluations:report", campaign.pk, target.pk)
    return render(
        request,
        "evaluations/report.html",
        {"campaign": campaign, "target": target, "text": text, "errors": errors},
        status=status,
    )


def _evidence_target(request: HttpRequest, pk: int, target_id: int) -> Target:
    campaign = _campaign(pk)
    if not (campaign.results_public or services.may_view_staff(request.user, campaign)):
        raise Http404
    return get_object_or_404(
        campaign.targets.select_related(
            "organization", "member", "compound", "campaign__compound", "campaign__community"
        ),
        pk=target_id,
    )


@require_GET
def target_evidence(request: HttpRequest, pk: int, target_id: int) -> HttpResponse:
    """The evidence pack of one target (seed: 第三条 查阅资料; 第四条 the four areas)."""
    target = _evidence_target(request, pk, target_id)
    return render(
        request,
        "evaluations/evidence.html",
        {
            "campaign": target.campaign,
            "target": target,
            "sections": evidence.evidence_pack(target=target),
        },
    )


@require_GET
def target_evidence_pdf(request: HttpRequest, pk: int, target_id: int) -> HttpResponse:
    """Rendered by the worker; this page serves it when ready and polls until then."""
    target = _evidence_target(request, pk, target_id)
    document = services.document_current(
        campaign=target.campaign, kind=EvaluationDocument.Kind.EVIDENCE, target=target
    )
    return _document_response(request, document, filename=f"evidence-{target.pk}.pdf")
