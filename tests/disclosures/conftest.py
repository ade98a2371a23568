"""Fixtures for disclosure tests: media in a temp folder, a world with publishers."""

from __future__ import annotations

import pytest

from tests.factories.disclosures import disclosure_world


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    return disclosure_world()
