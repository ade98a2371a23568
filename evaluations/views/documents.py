"""Ballot slips, work reports (述职) and evidence packs (seed: 第三条 述职, 查阅资料; 第四条)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.pdf import render_pdf

from .. import evidence, selectors, services, slipcodes
from ..models import (
    EvaluationDocument,
    Target,
)
from ..results import campaign_criteria
from ..services import ballots as ballot_service
from .common import (
    _campaign,
    _document_response,
    _staff_campaign,
)


@login_required
@require_POST
def slips_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue fresh one-time tokens and print them as slips with QR codes (old ones die)."""
    campaign = _staff_campaign(request, pk)
    try:
        issued = services.tokens_issue(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evaluations:manage", campaign.pk)
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
    criteria = campaign_criteria(campaign)
    sheet = {
        "targets": list(campaign.targets.select_related("organization", "member")),
        "criteria": [(c, ballot_service.criterion_levels(c)) for c in criteria],
        "levels": list(ballot_service.level_labels().values()),
    }
    pdf = render_pdf(
        "pdf/evaluations/slips.html", {"campaign": campaign, "slips": slips, "sheet": sheet}
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ballot-slips-{campaign.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


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
