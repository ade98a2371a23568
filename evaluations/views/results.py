"""Results in every form, and objections during publicity (seed: 评议监督考核制度 第五条)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from .. import exports, services
from ..models import (
    Campaign,
    EvaluationDocument,
)
from ..results import MIN_BALLOTS_FOR_DISTRIBUTION, campaign_results
from .common import (
    _campaign,
    _document_response,
    _error_dict,
    _int,
)

State = Campaign.State


def _results_campaign(request: HttpRequest, pk: int) -> tuple[Campaign, bool]:
    """Results exist from the preliminary stage on (seed: 第五条); see ``may_view_results``.

    While scoring runs nobody gets them, in any format (issue 14 item 1): the
    answer is the same 404 before and after a ballot, so nothing moves.
    """
    campaign = _campaign(pk)
    if not services.may_view_results(request.user, campaign):
        raise Http404(gettext("The results are not public yet."))
    return campaign, services.may_view_staff(request.user, campaign)


@require_http_methods(["GET", "POST"])
def results(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, staff = _results_campaign(request, pk)
    errors: dict = {}
    text = ""
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        text = request.POST.get("text", "")
        target = campaign.targets.filter(pk=_int(request.POST.get("target"))).first()
        try:
            services.objection_file(actor=request.user, campaign=campaign, text=text, target=target)
        except PermissionDenied as exc:
            errors = {"__all__": [str(exc)]}
            status = 403
        except ValidationError as exc:
            errors = _error_dict(exc)
            status = 400
        else:
            messages.success(request, gettext("Your objection was filed; you will get an answer."))
            return redirect("evaluations:results", campaign.pk)
    window_open = (
        campaign.state == State.PUBLICITY
        and campaign.publicity_end is not None
        and timezone.now() < campaign.publicity_end
    )
    return render(
        request,
        "evaluations/results.html",
        {
            "campaign": campaign,
            "staff": staff,
            "final": campaign.results_public,
            "results": campaign_results(campaign),
            "min_distribution": MIN_BALLOTS_FOR_DISTRIBUTION,
            "objections": campaign.objections.filter(answered_at__isnull=False).order_by("pk"),
            "window_open": window_open,
            "targets": campaign.targets.select_related("organization", "member"),
            "errors": errors,
            "text": text,
        },
        status=status,
    )


@require_GET
def results_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Rendered by the worker (DESIGN.md §4 "PDF"); served when ready, polled until then."""
    campaign, _staff = _results_campaign(request, pk)
    document = services.document_current(campaign=campaign, kind=EvaluationDocument.Kind.RESULTS)
    return _document_response(request, document, filename=f"evaluation-{campaign.year}.pdf")


@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, _staff = _results_campaign(request, pk)
    response = HttpResponse(
        exports.results_workbook(campaign),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="evaluation-{campaign.year}.xlsx"'
    return response
