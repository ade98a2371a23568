"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest
from hypothesis import settings as hypothesis_settings

from tests.factories.directory import DEFAULT_PASSWORD, PersonFactory

# Property-based tests keep no example database in the working tree (issue 13 item 10),
# and take no wall-clock deadline on a loaded 2-core machine.
hypothesis_settings.register_profile("huashan", database=None, deadline=None)
hypothesis_settings.load_profile("huashan")


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def person(db):
    return PersonFactory()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and throttles live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language. LocaleMiddleware activates a request's
    language in the thread and leaves it there (each request sets its own), so a test that
    renders outside a request would otherwise inherit the last request's language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# Reference rows that data migrations create. A transactional test (live
# server, subprocess) ends with a flush that deletes them, so the next
# transactional test in the same worker would start without them.
_REFERENCE_DATA_MIGRATIONS = (
    ("issues.migrations.0003_categories", "create_categories"),
    ("disclosures.migrations.0002_categories", "forwards"),
)


@pytest.fixture(scope="session", autouse=True)
def _reference_data_after_flush():
    """Recreate data-migration rows after every flush of a transactional test.

    The flush ends with ``post_migrate`` (Django's TransactionTestCase does not inhibit
    it unless ``available_apps`` is set), so the rows are back before the next test of
    the worker, transactional or not; before this, a plain test that ran after a
    browser test found no complaint or disclosure categories.
    """
    import importlib

    from django.apps import apps
    from django.db.models.signals import post_migrate

    def restore(sender, **kwargs):
        if sender.label != "issues":  # post_migrate is sent once per app: act once
            return
        for module, function in _REFERENCE_DATA_MIGRATIONS:
            getattr(importlib.import_module(module), function)(apps, None)

    post_migrate.connect(restore, weak=False, dispatch_uid="huashan-test-reference-data")
    yield
    post_migrate.disconnect(dispatch_uid="huashan-test-reference-data")


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Recreate data-migration rows before transactional tests (idempotent)."""
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        marker = request.node.get_closest_marker("django_db")
        if not (marker and marker.kwargs.get("transaction")):
            return
    request.getfixturevalue("transactional_db")
    import importlib

    from django.apps import apps

    for module, function in _REFERENCE_DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
