"""Sunshine code (阳光码): QR codes pointing at the public board.

seed: 公示承诺制度 第二条 ("通过信息公开栏、'阳光码'等形式……向全体业主公开").
One code per compound (the board) and one per disclosure (its page), as PNG
or SVG; :func:`disclosures.pdf.poster_pdf` prints the compound's as an A4 poster.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from huashan.directory.models import Compound

from .models import Disclosure


def absolute_url(path: str) -> str:
    return settings.HUASHAN_SITE_URL.rstrip("/") + path


def compound_board_path(compound: Compound) -> str:
    try:
        return reverse("disclosures:board", kwargs={"compound_slug": compound.slug})
    except NoReverseMatch:
        return f"/disclosures/{compound.slug}/"


def compound_board_url(compound: Compound) -> str:
    """Absolute URL of the compound's public disclosure board."""
    return absolute_url(compound_board_path(compound))


def disclosure_url(disclosure: Disclosure) -> str:
    """Absolute URL of one disclosure's public page."""
    from .services import disclosure_link

    return absolute_url(disclosure_link(disclosure))


def _qr(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str) -> bytes:
    """PNG bytes of a QR code for ``url``."""
    image = _qr(url).make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_svg(url: str) -> str:
    """Standalone SVG document of a QR code for ``url`` (scales without loss for print)."""
    image = _qr(url).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode("utf-8")
