"""The dashboard tests' world (every organization around one compound, time frozen in
March 2026), for the per-person page cache tests."""

from tests.dashboard.conftest import frozen, world  # noqa: F401
