"""Sunshine code: PNG and SVG QR codes that decode to the board URL."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from disclosures.qr import compound_board_url, disclosure_url, qr_png, qr_svg
from tests.factories.disclosures import DisclosureFactory


@pytest.mark.django_db
def test_compound_qr_png_and_svg(world, settings):
    settings.HUASHAN_SITE_URL = "https://huashan.example"
    url = compound_board_url(world.compound)
    assert url.startswith("https://huashan.example/")
    assert world.compound.slug in url
    png = qr_png(url)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size[0] > 100
    svg = qr_svg(url)
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    assert "<script" not in svg
    assert qr_png(url + "x") != png


@pytest.mark.django_db
def test_disclosure_qr_points_at_the_disclosure(world):
    d = DisclosureFactory(organization=world.company)
    assert str(d.pk) in disclosure_url(d)
    assert qr_png(disclosure_url(d)).startswith(b"\x89PNG")
