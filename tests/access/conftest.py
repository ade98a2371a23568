"""The seeded world, built once per test module inside a transaction that is rolled back.

Each test still runs in its own savepoint (pytest-django's ``db``), so a POST in one
test never leaks into the next.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from tests.access.world import build_world
from tests.worlds import settle_deferred_constraints


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    with media, django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            settle_deferred_constraints()
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
