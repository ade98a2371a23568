"""Tracking numbers (HS-2026-…) and the anonymous reporter's tracking code (only its hash
is stored).
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac

from huashan.core.services import acting_person as _person
from huashan.directory.models import (
    Person,
)

from ..models import (
    Issue,
    TrackingSequence,
)
from ._common import TRACKING_CODE_ALPHABET, TRACKING_CODE_LENGTH

# --- tracking numbers and codes --------------------------------------------------


#: One statement: create the year's counter or move it on, and read where it now stands.
#: The row lock of the UPDATE serializes concurrent filings as the former
#: ``SELECT … FOR UPDATE`` did (PostgreSQL; SQLite ≥ 3.35 under ``make run``).
_ALLOCATE_SQL = (
    "INSERT INTO {table} (year, last) VALUES (%s, %s) "
    "ON CONFLICT (year) DO UPDATE SET last = {table}.last + excluded.last "
    "RETURNING last"
)


def tracking_numbers_allocate(*, year: int, count: int = 1) -> list[str]:
    """``HS-<year>-<6 digits>`` numbers from :class:`TrackingSequence`, in one upsert."""
    table = connection.ops.quote_name(TrackingSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_ALLOCATE_SQL.format(table=table), [year, count])
        last = cursor.fetchone()[0]
    first = last - count + 1
    return [f"HS-{year}-{n:06d}" for n in range(first, first + count)]


def tracking_code_new() -> str:
    return get_random_string(TRACKING_CODE_LENGTH, TRACKING_CODE_ALPHABET)


def _normalize_code(code: str) -> str:
    return re.sub(r"[\s-]+", "", str(code or "")).upper()


def tracking_code_hash(code: str) -> str:
    """Keyed hash of a tracking code (HMAC with SECRET_KEY); the code itself is never stored."""
    digest = salted_hmac(
        "issues.tracking_code", _normalize_code(code), algorithm="sha256"
    ).hexdigest()
    return f"hmac-sha256${digest}"


_DUMMY_HASH = "hmac-sha256$" + "0" * 64


def tracking_code_matches(stored_hash: str, code: str | None) -> bool:
    """Constant-time comparison; an empty stored hash never matches."""
    candidate = tracking_code_hash(code or "")
    matches = constant_time_compare(stored_hash or _DUMMY_HASH, candidate)
    return bool(stored_hash) and bool(code) and matches


def _require_reporter(actor, issue: Issue, tracking_code: str | None, message) -> Person | None:
    """The logged-in reporter, or anyone holding the issue's tracking code."""
    person = _person(actor)
    if person is not None and issue.reporter_id == person.pk:
        return person
    if tracking_code and tracking_code_matches(issue.tracking_code_hash, tracking_code):
        return person
    raise PermissionDenied(message)
