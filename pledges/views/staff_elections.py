"""Staff pages for 三诺: elections and the candidates' pledges."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..forms import (
    CandidatePledgeForm,
    ElectionForm,
)
from ..models import Election
from .common import _apply_validation_error, _compound, _people, _require_staff, _with_compound

# --- staff: 三诺 -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def election_list(request: HttpRequest) -> HttpResponse:
    compound = _compound(request)
    _require_staff(request, compound)
    can_manage = request.user.has_perm("pledges.manage_candidates", compound)
    form = ElectionForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(gettext("You may not manage elections here."))
        if form.is_valid():
            try:
                election = services.election_create(
                    actor=request.user, compound=compound, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                return redirect(_with_compound("pledges:election", compound, election.pk))
    return render(
        request,
        "pledges/election_list.html",
        {
            "compound": compound,
            "elections": list(selectors.elections_for(compound=compound)),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter each candidate's three pledges, then publish them."""
    election = get_object_or_404(Election.objects.select_related("compound"), pk=pk)
    compound = election.compound
    _require_staff(request, compound)
    can_manage = request.user.has_perm("pledges.manage_candidates", compound)
    people = _people(compound)
    form = CandidatePledgeForm(request.POST or None, people=people)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(gettext("You may not manage elections here."))
        if request.POST.get("action") == "publish":
            try:
                count = services.candidate_pledges_publish(actor=request.user, election=election)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, gettext("%(count)d pledges published.") % {"count": count}
                )
            return redirect(_with_compound("pledges:election", compound, pk))
        if form.is_valid():
            try:
                services.candidate_pledge_record(
                    actor=request.user, election=election, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Pledge recorded."))
                return redirect(_with_compound("pledges:election", compound, pk))
    pledges = selectors.candidate_pledges_for(
        compound=compound, election=election, published_only=False
    ).select_related("candidate")
    return render(
        request,
        "pledges/election.html",
        {
            "compound": compound,
            "election": election,
            "pledges": list(pledges),
            "form": form,
            "can_manage": can_manage,
        },
    )
