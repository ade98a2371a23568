"""The quarterly red/black list and the year-end referral (小区党组织服务承诺 第10条)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan import periods
from huashan.directory.models import Compound

from .. import forms, selectors, services
from ..models import (
    Campaign,
    EvaluationDocument,
    QuarterRating,
    YearEndReferral,
)
from ..services.documents import referral_pdf_current
from .common import (
    _error_dict,
    _first_error,
    _int,
)

State = Campaign.State


def _quarter_now() -> tuple[int, int]:
    quarter = periods.containing(periods.QUARTER, timezone.localdate())
    return quarter.year, quarter.index


@require_http_methods(["GET", "POST"])
def redblack(request: HttpRequest) -> HttpResponse:
    """The property company's quarterly red/black list and this quarter's short survey."""
    slug = request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    compound = get_object_or_404(Compound, slug=slug[:50])
    year, quarter = _quarter_now()
    errors: dict = {}
    status = 200
    can_rate = bool(
        request.user.is_authenticated and services.may_rate_quarter(request.user, compound)
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{settings.LOGIN_URL}?next={request.get_full_path()}")
        try:
            if request.POST.get("action") == "rate":
                prev_year, prev_q = services.previous_quarter(year, quarter)
                services.quarter_rate(
                    actor=request.user, compound=compound, year=prev_year, quarter=prev_q
                )
                messages.success(request, gettext("Quarter rated."))
            else:
                rating = services.quarter_rating_get(compound=compound, year=year, quarter=quarter)
                if rating is None:
                    raise Http404
                survey = forms.SurveyForm(request.POST)
                survey.is_valid()  # free text fields: always valid, numbers checked by the service
                services.survey_submit(actor=request.user, rating=rating, **survey.survey_values())
                messages.success(request, gettext("Thank you for answering the survey."))
        except PermissionDenied as exc:
            errors = {"__all__": [str(exc) or gettext("You may not do this.")]}
            status = 403
        except ValidationError as exc:
            errors = _error_dict(exc)
            status = 400
        else:
            return redirect(f"{request.path}?compound={compound.slug}")
    return render(
        request,
        "evaluations/redblack.html",
        {
            "compound": compound,
            "ratings": selectors.quarter_ratings(compound=compound),
            "year": year,
            "quarter": quarter,
            "errors": errors,
            "can_rate": can_rate,
            "scale": range(1, 6),
            "questions": [
                (key, label, _int(request.POST.get(key)))
                for key, label in (
                    ("cleanliness", gettext("Cleaning and greenery")),
                    ("security", gettext("Order and safety")),
                    ("responsiveness", gettext("Response to residents' requests")),
                )
            ],
            "verdicts": QuarterRating.Verdict,
            "referrals": selectors.year_end_referrals(compound=compound)
            if services.may_view_referral(request.user, compound)
            else [],
            "can_prepare": services.may_prepare_referral(request.user, compound),
            "referral_year": services.year_end_referral_year(timezone.localdate()) or year,
        },
        status=status,
    )


def _referral(request: HttpRequest, pk: int) -> YearEndReferral:
    referral = get_object_or_404(
        YearEndReferral.objects.select_related("compound", "company", "authority", "motion"), pk=pk
    )
    if not services.may_view_referral(request.user, referral.compound):
        raise PermissionDenied
    return referral


@login_required
@require_POST
def referral_create(request: HttpRequest) -> HttpResponse:
    """Button of the compound party organization: prepare the year's report now."""
    form = forms.ReferralCreateForm(request.POST)
    if not form.is_valid() and "compound" in form.errors:
        messages.error(request, _first_error(form))
        return redirect("evaluations:redblack")
    compound = form.cleaned_data["compound"]
    if form.errors:
        messages.error(request, _first_error(form))
    else:
        try:
            referral = services.year_end_referral_create(
                actor=request.user, compound=compound, year=form.cleaned_data["year"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Year-end report drafted."))
            return redirect("evaluations:referral", referral.pk)
    return redirect(f"{reverse('evaluations:redblack')}?compound={compound.slug}")


@login_required
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral(request, pk)
    return render(request, "evaluations/referral.html", _referral_context(request, referral))


def _referral_context(request: HttpRequest, referral: YearEndReferral, **extra) -> dict:
    user = request.user
    draft = referral.state == YearEndReferral.State.DRAFT
    return {
        "referral": referral,
        "events": referral.events.select_related("actor").order_by("at", "pk"),
        "can_submit": draft and services.may_prepare_referral(user, referral.compound),
        "can_propose": referral.state == YearEndReferral.State.SUBMITTED
        and referral.motion_id is None
        and user.has_perm("meetings.manage_motion", referral.compound),
        "authorities": services.referral_authorities(compound=referral.compound) if draft else [],
        "errors": {},
        **extra,
    }


@login_required
@require_POST
def referral_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    referral = _referral(request, pk)
    try:
        if action == "submit":
            authority = None
            if request.POST.get("authority"):
                authority = (
                    services.referral_authorities(compound=referral.compound)
                    .filter(pk=_int(request.POST.get("authority")))
                    .first()
                )
                if authority is None:
                    raise ValidationError(
                        {"authority": gettext("Choose a street-level authority.")}
                    )
            services.year_end_referral_submit(
                actor=request.user, referral=referral, authority=authority
            )
            messages.success(request, gettext("Report submitted."))
        elif action == "motion":
            services.year_end_referral_propose_motion(actor=request.user, referral=referral)
            messages.success(request, gettext("Draft motion created for the owners' assembly."))
        else:
            raise Http404
    except ValidationError as exc:
        referral.refresh_from_db()
        context = _referral_context(request, referral, errors=_error_dict(exc))
        return render(request, "evaluations/referral.html", context, status=400)
    return redirect("evaluations:referral", referral.pk)


@login_required
@require_GET
def referral_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Rendered by the worker (DESIGN.md §4 "PDF"); served when ready, polled until then."""
    referral = _referral(request, pk)
    pdf = referral_pdf_current(referral=referral)
    if pdf.status == EvaluationDocument.Status.READY:
        response = FileResponse(pdf.open(), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="redblack-referral-{referral.year}-{referral.pk}.pdf"'
        )
        return response
    failed = pdf.status == EvaluationDocument.Status.FAILED
    return render(
        request,
        "evaluations/document_wait.html",
        {"document": pdf, "failed": failed, "heading": f"{referral.year} {referral.company}"},
        status=503 if failed else 202,
    )
