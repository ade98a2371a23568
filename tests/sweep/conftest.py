"""The sweep's world: ``seed_demo`` and the extra shapes, built once per xdist worker.

Package scope, not session scope: the world lives in a transaction that is rolled
back when the last sweep test of this worker has run. A session-scoped transaction
would stay open under every later test module of the worker (they would see the demo
rows); the sweep's tests are contiguous in collection order, so each worker still
builds the world once. Every test runs in its own savepoint on top (``db``).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from tests.sweep.shapes import build_sweep_world
from tests.worlds import settle_deferred_constraints


@pytest.fixture(scope="package")
def sweep(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("sweep-media")))
    with media, django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_sweep_world()
            settle_deferred_constraints()
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
