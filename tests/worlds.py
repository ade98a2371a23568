"""What the shared, rolled-back worlds need beside their data.

A world built once inside an open transaction (the access matrix's, the page sweep's)
leaves every foreign-key check of its rows pending: Django's constraints are
``DEFERRABLE INITIALLY DEFERRED``. Each test's teardown (``TestCase._fixture_teardown``)
runs ``SET CONSTRAINTS ALL IMMEDIATE`` inside the test's savepoint, which fires every
pending check of the world, and rolling the savepoint back puts them all back in the
queue: the whole world was checked again after every test (about 35 ms a test in the
sweep). Checked once at the world's own level, they are done for good.
"""

from __future__ import annotations

from django.db import connection


def settle_deferred_constraints() -> None:
    """Run the world's pending foreign-key checks now, at the world's transaction level
    (outside any test's savepoint), then defer again as Django expects."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
