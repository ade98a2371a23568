"""How many complaints one client may file in the window."""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext_lazy as _

from huashan.core.services import cache_count, cache_count_hit

from ._common import RATE_LIMIT, RATE_WINDOW_SECONDS, RateLimited

# --- rate limit -------------------------------------------------------------------


def _rate_key(client_key: str) -> str:
    return "issues:submit:" + hashlib.sha256(str(client_key).encode()).hexdigest()[:40]


def rate_limit_check(client_key: str) -> None:
    """At most :data:`RATE_LIMIT` submissions per client in :data:`RATE_WINDOW_SECONDS`."""
    if not client_key:
        return
    if cache_count(_rate_key(client_key)) >= RATE_LIMIT:
        raise RateLimited(
            _(
                "Too many submissions from this device. Please try again in 10 minutes. "
                "/ 提交过于频繁，请10分钟后再试。"
            ),
            code="rate_limited",
        )


def _rate_limit_hit(client_key: str) -> None:
    if not client_key:
        return
    cache_count_hit(_rate_key(client_key), RATE_WINDOW_SECONDS)
