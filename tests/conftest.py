"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest

from tests.factories.directory import DEFAULT_PASSWORD, PersonFactory


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
