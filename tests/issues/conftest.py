"""Fixtures shared by the complaint tests (issue 15 item 9): a client that fails on an
unresolved template variable, a clean cache around each test, and a world in the default
compound (江南花山郡). A test module that needs another world defines its own ``world``."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories.world import compound_world


class CheckedClient(Client):
    """Fails on any template variable that did not resolve."""

    def request(self, **request):
        response = super().request(**request)
        content = getattr(response, "content", b"")
        assert b"INVALID_TEMPLATE_VARIABLE" not in content, content.decode()[:3000]
        return response


@pytest.fixture
def client():
    return CheckedClient()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    return compound_world(default_compound=True)
