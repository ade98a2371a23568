"""Fixtures for the evaluation tests."""

from __future__ import annotations

import pytest

from tests.factories.evaluations import evaluation_world


@pytest.fixture
def world(db):
    return evaluation_world()
