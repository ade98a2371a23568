"""Staff pages of the directory: roster import and its template file."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import selectors, services
from .forms import RosterUploadForm
from .roster import roster_template_workbook

TEMPLATE_FILENAME = quote("业主名册模板.xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def roster_import(request: HttpRequest, compound_slug: str) -> HttpResponse:
    """Upload an owners' roster; show every bad row, or what was imported."""
    compound = selectors.compound_by_slug(slug=compound_slug)
    if compound is None:
        raise Http404(_("No such compound."))
    if not request.user.has_perm("directory.import_roster", compound):
        raise PermissionDenied(_("You may not import the roster of this compound."))

    result = None
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = services.roster_import(actor=request.user, compound=compound, file=upload)
            if result.ok:
                form = RosterUploadForm()
    else:
        form = RosterUploadForm()
    context = {
        "compound": compound,
        "form": form,
        "result": result,
        "uploaded_name": request.FILES["file"].name if "file" in request.FILES else "",
    }
    return render(request, "directory/roster_import.html", context)


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    """The empty roster to fill in, with the expected header and an example row."""
    if not selectors.person_is_staff(person=request.user):
        raise PermissionDenied(_("Only staff can download the roster template."))
    response = HttpResponse(roster_template_workbook(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"roster-template.xlsx\"; filename*=UTF-8''{TEMPLATE_FILENAME}"
    )
    return response
