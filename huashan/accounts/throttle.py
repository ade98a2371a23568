"""Per-address limits on the account pages (issue 14 item 7).

django-axes locks a *mobile number + address* after ``AXES_FAILURE_LIMIT`` failures.
That does nothing against password spraying: one address trying the demo password once
on each of forty accounts never fails twice on one account. Here:

* **login** — the failures from one client address across *all* accounts in the axes
  cool-off window (``AXES_COOLOFF_TIME``) are summed from axes' own table; from
  ``LOGIN_ADDRESS_FAILURE_LIMIT`` on, that address may not log in at all (429) until
  the window passes. Counted in the database, so a cache outage does not lift it.
  ``AddressThrottleBackend`` applies the same limit to every login form (the admin's
  too); ``accounts.views.LoginView`` answers it with a Chinese 429 page.
* **registration** and **password-reset links** — counters per address in the cache
  (``huashan.core.services.cache_count``): ``REGISTER_ADDRESS_LIMIT`` submissions and
  ``RESET_LINK_ADDRESS_LIMIT`` invalid reset links per ``THROTTLE_WINDOW_SECONDS``.

The address is ``huashan.core.clientip.client_ip`` (the same one axes keys on), so
behind nginx each resident counts separately (``HUASHAN_TRUSTED_PROXIES``).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from huashan.core.clientip import client_ip, client_key
from huashan.core.services import cache_count, cache_count_hit

#: Window of the registration and reset-link counters.
THROTTLE_WINDOW_SECONDS = 60 * 60


def login_address_limit() -> int:
    return int(getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", 20))


def login_address_failures(address: str | None) -> int:
    """Failed logins from ``address`` on any account within the axes cool-off window."""
    if not address:
        return 0
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start")
    )["failures"]
    return int(total or 0)


def login_address_locked(request: HttpRequest | None) -> bool:
    """True once ``request``'s address failed ``LOGIN_ADDRESS_FAILURE_LIMIT`` times."""
    if request is None or not getattr(settings, "AXES_ENABLED", True):
        return False
    return login_address_failures(client_ip(request)) >= login_address_limit()


class AddressThrottleBackend:
    """First authentication backend: refuses every login from a locked-out address.

    Raising ``PermissionDenied`` stops Django's ``authenticate()`` before any other
    backend checks a password (and still sends ``user_login_failed``).
    """

    def authenticate(self, request, **credentials):
        from django.core.exceptions import PermissionDenied

        if login_address_locked(request):
            raise PermissionDenied
        return None

    # No get_user(): sessions name the backend that authenticated, never this one
    # (and Django's test client's force_login skips backends without it).


# --- cache counters: registration, reset links ------------------------------------


def _key(kind: str, request: HttpRequest) -> str:
    digest = hashlib.sha256(client_key(request).encode()).hexdigest()[:40]
    return f"accounts:{kind}:{digest}"


def register_limit() -> int:
    return int(getattr(settings, "REGISTER_ADDRESS_LIMIT", 10))


def reset_link_limit() -> int:
    return int(getattr(settings, "RESET_LINK_ADDRESS_LIMIT", 20))


def register_throttled(request: HttpRequest) -> bool:
    return cache_count(_key("register", request)) >= register_limit()


def register_hit(request: HttpRequest) -> None:
    cache_count_hit(_key("register", request), THROTTLE_WINDOW_SECONDS)


def reset_link_throttled(request: HttpRequest) -> bool:
    return cache_count(_key("reset-miss", request)) >= reset_link_limit()


def reset_link_miss(request: HttpRequest) -> None:
    cache_count_hit(_key("reset-miss", request), THROTTLE_WINDOW_SECONDS)
