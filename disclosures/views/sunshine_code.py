"""阳光码: the compound's QR code to the board (page, PNG, SVG, poster) and per disclosure.

seed: 公示承诺制度 第二条."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .. import qr, selectors
from .common import _compound, _require_staff

# --- sunshine code (阳光码) ----------------------------------------------------------------


@require_GET
def sunshine(request: HttpRequest, compound_slug: str | None = None) -> HttpResponse:
    """The compound's sunshine code: what it points to and how to download / print it."""
    compound = _compound(request, compound_slug)
    return render(
        request,
        "disclosures/sunshine.html",
        {
            "compound": compound,
            "target": qr.compound_board_url(compound),
            "can_staff": request.user.has_perm("disclosures.view_staff", compound),
        },
    )


@require_GET
@cache_control(public=True, max_age=3600)
def sunshine_png(request: HttpRequest, compound_slug: str | None = None) -> HttpResponse:
    compound = _compound(request, compound_slug)
    response = HttpResponse(qr.qr_png(qr.compound_board_url(compound)), content_type="image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = content_disposition_header(
            True, f"sunshine-{compound.slug}.png"
        )
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def sunshine_svg(request: HttpRequest, compound_slug: str | None = None) -> HttpResponse:
    compound = _compound(request, compound_slug)
    response = HttpResponse(
        qr.qr_svg(qr.compound_board_url(compound)), content_type="image/svg+xml"
    )
    if request.GET.get("download"):
        response["Content-Disposition"] = content_disposition_header(
            True, f"sunshine-{compound.slug}.svg"
        )
    return response


@login_required
@require_GET
def sunshine_poster(request: HttpRequest, compound_slug: str | None = None) -> HttpResponse:
    """The A4 poster PDF for the notice board (staff: it renders a PDF)."""
    from ..pdf import poster_pdf

    compound = _compound(request, compound_slug)
    _require_staff(request, compound)
    response = HttpResponse(poster_pdf(compound=compound), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"sunshine-poster-{compound.slug}.pdf"
    )
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def disclosure_qr(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The QR code of one public disclosure, PNG or SVG."""
    disclosure = selectors.disclosure_public_get(pk=pk)
    if disclosure is None:
        raise Http404(gettext("No such disclosure."))
    url = qr.disclosure_url(disclosure)
    if fmt == "svg":
        return HttpResponse(qr.qr_svg(url), content_type="image/svg+xml")
    return HttpResponse(qr.qr_png(url), content_type="image/png")
