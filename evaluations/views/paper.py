"""Paper ballots typed in by one clerk and confirmed by a second (seed: 第三条 review meeting)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..models import (
    Campaign,
    PaperEntry,
)
from ..results import campaign_criteria
from .common import (
    _error_dict,
    _raw_scores,
    _score_rows,
    _staff_campaign,
)

State = Campaign.State


@login_required
@require_http_methods(["GET", "POST"])
def paper_enter(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _staff_campaign(request, pk)
    if not services.may_enter_paper(request.user, campaign):
        raise PermissionDenied
    targets = list(campaign.targets.select_related("organization", "member"))
    criteria = campaign_criteria(campaign)
    raw: dict = {}
    errors: dict = {}
    slip_code = ""
    status = 200
    if request.method == "POST":
        slip_code = request.POST.get("slip_code", "").strip()[:64]
        raw = _raw_scores(request.POST, targets, criteria)
        try:
            services.paper_entry_create(
                actor=request.user, campaign=campaign, slip_code=slip_code, scores=raw
            )
        except ValidationError as exc:
            errors = _error_dict(exc)
            status = 400
        else:
            messages.success(
                request, gettext("Paper ballot entered; a second person must confirm it.")
            )
            return redirect("evaluations:paper", campaign.pk)
    pending = list(
        campaign.paper_entries.filter(state=PaperEntry.State.PENDING)
        .select_related("entered_by")
        .order_by("pk")
    )
    target_names = {str(t.pk): str(t) for t in targets}
    criterion_names = {str(c.pk): c.name for c in criteria}
    for entry in pending:
        entry.lines = [
            (target_names.get(t, t), [(criterion_names.get(c, c), v) for c, v in per.items()])
            for t, per in entry.scores.items()
        ]
        entry.mine = entry.entered_by_id == request.user.pk
    return render(
        request,
        "evaluations/paper.html",
        {
            "campaign": campaign,
            "open": campaign.state == State.SCORING,
            "rows": _score_rows(targets, criteria, raw, errors),
            "slip_code": slip_code,
            "slip_errors": errors.get("slip_code", []),
            "errors": errors.get("__all__", []),
            "has_errors": bool(errors),
            "pending": pending,
        },
        status=status,
    )


@login_required
@require_POST
def paper_check(request: HttpRequest, pk: int, entry_id: int, decision: str) -> HttpResponse:
    campaign = _staff_campaign(request, pk)
    entry = get_object_or_404(campaign.paper_entries, pk=entry_id)
    service = {"confirm": services.paper_entry_confirm, "reject": services.paper_entry_reject}.get(
        decision
    )
    if service is None:
        raise Http404
    try:
        service(actor=request.user, entry=entry)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or gettext("You may not do this."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            gettext("Paper ballot confirmed.")
            if decision == "confirm"
            else gettext("Paper ballot rejected; the slip can be entered again."),
        )
    return redirect("evaluations:paper", campaign.pk)
