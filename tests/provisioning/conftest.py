"""Fixtures for provisioning tests: the templates exist even after a transactional flush."""

from __future__ import annotations

import pytest


@pytest.fixture
def templates(db):
    """Version 1 of every obligation template (the data migration's rows; idempotent)."""
    import importlib

    from django.apps import apps

    from provisioning.templates import templates_load

    templates_load()
    audit_category = "disclosures.migrations.0003_public_revenue_audit_category"
    importlib.import_module(audit_category).forwards(apps, None)
    return True
