"""Helpers every app's services share: who is acting, and may they.

Each service starts with ``person = require_perm(actor, "app.action", obj, message)``:
an anonymous, inactive or missing actor and one without the permission get
the same ``PermissionDenied`` with a translated message.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import PermissionDenied

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from huashan.directory.models import Person


def acting_person(actor) -> Person | None:
    """The acting person, or None for anonymous, inactive or missing actors."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if not getattr(actor, "is_active", False):
        return None
    return actor


def require_perm(actor, perm: str, obj, message) -> Person:
    """Return the acting person if they hold ``perm`` on ``obj``; else PermissionDenied."""
    person = acting_person(actor)
    if person is None or not person.has_perm(perm, obj):
        raise PermissionDenied(message)
    return person


# --- fixed-window counters in the cache (rate limits, throttles) ----------------


def cache_count(key: str) -> int:
    """The counter's value; 0 when the cache (Redis) is down.

    A complaint is worth more than a rate limit: with Redis unreachable the
    resident's submission goes through and the outage is logged.
    """
    try:
        return cache.get(key) or 0
    except Exception:  # redis.ConnectionError, TimeoutError, ...
        logger.warning("cache unreachable: rate limit %s not checked", key, exc_info=True)
        return 0


def cache_count_hit(key: str, window_seconds: int) -> None:
    """Count one hit in a fixed window; a cache outage only loses the count."""
    try:
        if not cache.add(key, 1, window_seconds):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, window_seconds)
    except Exception:  # redis.ConnectionError, TimeoutError, ...
        logger.warning("cache unreachable: hit on %s not counted", key, exc_info=True)
