"""决议执行情况: the public half-yearly report on owners' assembly resolutions, with the
PMC officers' forms on the same page.

seed: 物业管理委员会服务承诺 1 "每半年通过线上线下渠道向全体业主汇报决议执行情况，对未落实
事项公开说明原因并制定整改计划。" Public like the disclosure board it is linked from.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from huashan import periods
from huashan.core.web import SLUG_MAX
from huashan.directory.selectors import compound_by_slug

from .. import selectors, services
from ..forms import ResolutionFollowUpForm
from .common import _apply_validation_error


def _half_year(code: str | None) -> periods.Period:
    """The half-year of the URL (the current one without a code); 404 for a bad or future one."""
    half_year = services.resolution_report_period(code)
    if half_year is None:
        raise Http404(gettext("No such half-year."))
    return half_year


def _page_url(compound, half_year: periods.Period) -> str:
    return reverse("disclosures:resolutions_period", args=(compound.slug, half_year.code))


def _initial(row) -> dict:
    shown = row.shown
    if shown is None:
        return {}
    return {
        "status": shown.status,
        "reason": shown.reason,
        "plan": shown.plan,
        "plan_due": shown.plan_due,
    }


def _record(request: HttpRequest, rows, half_year, compound):
    """Handle one officer's form: a redirect when saved, else the bound form (with errors)."""
    motion_pk = str(request.POST.get("motion", ""))[:20]
    row = next((r for r in rows if str(r.motion.pk) == motion_pk), None)
    if row is None:
        messages.error(request, gettext("Choose one of the resolutions listed on this page."))
        return redirect(_page_url(compound, half_year)), None
    form = ResolutionFollowUpForm(request.POST, prefix=f"m{row.motion.pk}")
    if form.is_valid():
        try:
            services.resolution_followup_record(
                actor=request.user, motion=row.motion, period=half_year, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("The report on the resolution is saved."))
            url = f"{_page_url(compound, half_year)}#resolution-{row.motion.pk}"
            return redirect(url), None
    return None, (row.motion.pk, form)


@require_http_methods(["GET", "HEAD", "POST"])
def resolution_report(
    request: HttpRequest, compound_slug: str, period: str | None = None
) -> HttpResponse:
    """Every passed resolution with how it stands in the half-year; missing ones marked."""
    compound = compound_by_slug(slug=str(compound_slug)[:SLUG_MAX])
    if compound is None:
        raise Http404(gettext("No such compound."))
    half_year = _half_year(period)
    rows = selectors.resolution_report(compound=compound, period=half_year)
    can_record = request.user.has_perm("disclosures.record_resolution_followup", compound)
    bound = None
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied(
                gettext(
                    "Only the officers of the compound's property management committee do this."
                )
            )
        response, bound = _record(request, rows, half_year, compound)
        if response is not None:
            return response
    items = []
    for row in rows:
        form = None
        if can_record:
            if bound is not None and bound[0] == row.motion.pk:
                form = bound[1]
            else:
                form = ResolutionFollowUpForm(prefix=f"m{row.motion.pk}", initial=_initial(row))
        items.append({"row": row, "form": form})
    current = services.resolution_current_period()
    context = {
        "compound": compound,
        "half_year": half_year,
        "items": items,
        "missing": sum(1 for row in rows if row.missing),
        "can_record": can_record,
        "disclosure": selectors.resolution_report_disclosure(compound=compound, period=half_year),
        "previous_url": _page_url(compound, half_year.previous()),
        "next_url": _page_url(compound, half_year.next()) if half_year < current else "",
        "is_current": half_year == current,
    }
    return render(
        request, "disclosures/resolutions.html", context, status=200 if bound is None else 400
    )
