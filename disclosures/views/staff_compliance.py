"""Publishers' pages: schedule compliance and the period reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from huashan import periods
from huashan.directory.selectors import compound_organizations

from .. import selectors, services
from ..forms import (
    ComplianceFilterForm,
    ReportRequestForm,
)
from ..models import Report
from .common import _apply_validation_error, _compound, _require_staff

# --- staff: compliance and reports ----------------------------------------------------------


@login_required
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    """The schedule compliance table: on time / late / missing per period and obligation.

    seed: 公示承诺制度 第二、三条; 物业管理委员会服务承诺 2; 小区党组织服务承诺 2.
    """
    compound = _compound(request)
    _require_staff(request, compound)
    organizations = compound_organizations(compound=compound)
    data = request.GET.copy()
    data.setdefault("period", str(timezone.localdate().year))
    data.pop("compound", None)
    form = ComplianceFilterForm(data, organizations=organizations)
    rows: list = []
    counts: dict[str, int] = {}
    if form.is_valid():
        start, end = form.cleaned_data["period"]
        rows = selectors.schedule_compliance(
            compound=compound,
            start=start,
            end=end,
            organization=form.cleaned_data.get("organization"),
        )
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        rows = [(row, selectors.compliance_status_label(row.status)) for row in rows]
    return render(
        request,
        "disclosures/compliance.html",
        {
            "compound": compound,
            "form": form,
            "rows": rows,
            "counts": [
                (status, selectors.compliance_status_label(status), counts.get(status, 0))
                for status in selectors.COMPLIANCE_STATUSES
            ],
        },
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    """Quarterly and annual disclosure reports: start one, watch it, download it.

    Generation runs in the Celery worker (DESIGN.md §4 "PDF speed"); this page polls.
    """
    compound = _compound(request)
    if not request.user.has_perm("disclosures.request_report", compound):
        raise PermissionDenied(gettext("This page is for the compound's staff."))
    if request.method == "POST":
        form = ReportRequestForm(request.POST)
        if form.is_valid():
            try:
                report = services.report_request(
                    actor=request.user, compound=compound, period=form.cleaned_data["period"]
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(
                    request, gettext("The report is being generated; this page shows progress.")
                )
                return redirect(
                    f"{reverse('disclosures:reports')}?compound={compound.slug}#report-{report.pk}"
                )
    else:
        last_quarter = periods.containing(periods.QUARTER, timezone.localdate()).previous()
        form = ReportRequestForm(initial={"period": last_quarter.code})
    return render(
        request,
        "disclosures/reports.html",
        {
            "compound": compound,
            "form": form,
            "reports": list(selectors.compound_reports(compound=compound)[:30]),
        },
        status=400 if form.errors else 200,
    )


def _report_for(request: HttpRequest, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("compound"), pk=pk)
    if not request.user.has_perm("disclosures.request_report", report.compound):
        raise Http404(gettext("No such report."))
    return report


@login_required
@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of one report: an HTML fragment for htmx, JSON for anything else."""
    report = _report_for(request, pk)
    if getattr(request, "htmx", False):
        return render(request, "disclosures/_report_status.html", {"report": report})
    download = (
        reverse("disclosures:report_download", args=[report.pk])
        if report.status == Report.Status.DONE
        else ""
    )
    return JsonResponse(
        {
            "id": report.pk,
            "period": report.period,
            "status": report.status,
            "status_display": report.get_status_display(),
            "progress": report.progress,
            "download": download,
        }
    )


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = _report_for(request, pk)
    if report.status != Report.Status.DONE or not report.file:
        raise Http404(gettext("The report is not ready."))
    try:
        handle = report.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(gettext("The file is missing.")) from None
    return FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=True,
        filename=f"disclosures-{report.compound.slug}-{report.period}.pdf",
    )
