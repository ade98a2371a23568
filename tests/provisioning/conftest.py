"""Fixtures for provisioning tests: the templates exist even after a transactional flush."""

from __future__ import annotations

import pytest


@pytest.fixture
def templates(db):
    """Version 1 of every obligation template (the data migration's rows; idempotent)."""
    from disclosures.migrations import __name__ as _pkg  # noqa: F401
    from provisioning.templates import templates_load

    templates_load()
    import importlib

    from django.apps import apps

    importlib.import_module("disclosures.migrations.0003_h1_schedules").forwards(apps, None)
    return True
