"""Staff pages for 问责退出: the accountability cases.

seed: 物业管理委员会服务承诺 第10条."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from huashan.directory.models import Organization

from .. import selectors, services
from ..forms import (
    CaseDecideForm,
    CaseFilterForm,
    CaseOpenForm,
)
from ..models import AccountabilityCase
from .common import STAFF_LIST_SIZE, _apply_validation_error, _compound, _members, _with_compound

# --- staff: 问责退出 ----------------------------------------------------------------


def _require_cases(request: HttpRequest, compound) -> None:
    if not request.user.has_perm("pledges.view_cases", compound):
        raise PermissionDenied(gettext("Accountability cases are for the staff of this compound."))


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """Accountability cases (seed: 物业管理委员会服务承诺 第10条 问责退出)."""
    compound = _compound(request)
    _require_cases(request, compound)
    can_review = request.user.has_perm("pledges.review_case", compound)
    organizations = Organization.objects.filter(compound=compound).order_by("kind", "pk")
    form = CaseOpenForm(
        request.POST or None, organizations=organizations, people=_members(compound)
    )
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied(gettext("You may not open accountability cases here."))
        if form.is_valid():
            try:
                case = services.case_open(
                    actor=request.user, compound=compound, **form.cleaned_data
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Case opened."))
                return redirect(_with_compound("pledges:case", compound, case.pk))
    filters = CaseFilterForm(request.GET or None)
    status = filters.cleaned_data.get("status") if filters.is_valid() else None
    cases = selectors.cases_for(compound=compound, status=status or None).select_related(
        "organization", "person"
    )
    return render(
        request,
        "pledges/case_list.html",
        {
            "compound": compound,
            "cases": list(cases[:STAFF_LIST_SIZE]),
            "form": form,
            "filters": filters,
            "can_review": can_review,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Review a case: outcome with reasons, and the timeline."""
    case = get_object_or_404(
        AccountabilityCase.objects.select_related(
            "compound", "organization", "person", "decided_by"
        ),
        pk=pk,
    )
    compound = case.compound
    _require_cases(request, compound)
    can_review = request.user.has_perm("pledges.review_case", compound)
    form = CaseDecideForm(request.POST or None)
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied(gettext("You may not decide this case."))
        if form.is_valid():
            try:
                services.case_decide(actor=request.user, case=case, **form.cleaned_data)
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Decision recorded."))
                return redirect(_with_compound("pledges:case", compound, pk))
    # Each row shows its phrase (PledgeEvent.VERB_LABELS), never the verb code.
    timeline = list(selectors.case_timeline(case=case).select_related("actor"))
    return render(
        request,
        "pledges/case.html",
        {
            "compound": compound,
            "case": case,
            "form": form,
            "can_review": can_review and case.status == AccountabilityCase.Status.OPEN,
            "timeline": timeline,
        },
    )
