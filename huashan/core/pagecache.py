"""A cache for the user-independent part of busy public pages.

The key carries a *version* the caller computes with one cheap indexed query
(for example the newest public event id of a compound), so a change is visible
on the next request without any invalidation hook: a new version is a new key
and the old entry simply expires. A hit costs that one query plus a cache read.

Only cache what is the same for every visitor: no CSRF token, no user name, no
per-user button state. Render those around the cached fragment.

A cache outage (Redis down) never breaks the page: the fragment is built and
served uncached, and the failure is logged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT = 600


def fragment_key(name: str, parts: Iterable[object]) -> str:
    """A short, safe cache key for ``name`` and its parts (language included).

    Parts may hold user input (query strings); they are hashed, so the key
    never exceeds memcached/Redis limits and cannot smuggle control characters.
    """
    raw = "\x1f".join(str(p) for p in (get_language() or "", *parts))
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"frag:{name}:{digest}"


def cached(
    name: str, parts: Iterable[object], build: Callable[[], T], timeout: int = DEFAULT_TIMEOUT
) -> T:
    """Return the cached value for ``(name, parts)``, building and storing it on a miss.

    ``build`` must return something picklable (a rendered string, a dict of
    plain values); never a lazy queryset.
    """
    key = fragment_key(name, parts)
    try:
        value = cache.get(key)
    except Exception:  # a cache outage must not break a public page
        logger.warning("cache unreachable: fragment %s built uncached", name, exc_info=True)
        return build()
    if value is not None:
        return value
    value = build()
    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("cache unreachable: fragment %s not stored", name, exc_info=True)
    return value
