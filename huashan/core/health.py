"""``/healthz``: is this instance able to serve? Cheap enough for a load-balancer probe.

* database down  → HTTP 503, ``"down"`` (nothing works without it);
* broker unreachable or the beat heartbeat stale → HTTP 200, ``"degraded"``:
  pages still work, notifications wait in the outbox, scans are late;
* otherwise 200 ``"ok"``.

Every check has a short timeout (broker ≤ ~1 s per attempt, no retries), so a
hung Redis cannot hang the probe. The body names no hosts, URLs or passwords.

Anyone gets only ``{"status": …}`` and the status code: latencies and the time of the
last beat tell an outsider when the scheduler stalls and how loaded the database is
(issue 14 item 8). The details (each check) are for staff, or for a monitor that sends
``Authorization: Bearer <HEALTHZ_TOKEN>`` (setting ``HEALTHZ_TOKEN``; empty = no token
accepted).
"""

from __future__ import annotations

import os
import time
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .heartbeat import BEAT, beat_stale_after, heartbeat_last

BROKER_TIMEOUT_SECONDS = 1


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "latency_ms": round((time.monotonic() - started) * 1000, 1)}


@lru_cache(maxsize=4)
def _redis_client(url: str):
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # One pooled client per URL: a probe every few seconds reuses its connection.
    return redis.Redis.from_url(
        url,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )


def _check_broker() -> dict:
    url = str(getattr(settings, "CELERY_BROKER_URL", ""))
    scheme = url.split("://", 1)[0]
    started = time.monotonic()
    try:
        if scheme in ("redis", "rediss"):
            _redis_client(url).ping()
        elif scheme == "filesystem":
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")
            if not (folder and os.access(folder, os.W_OK)):
                return {"ok": False, "transport": scheme, "error": "queue folder not writable"}
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
                conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as exc:  # any transport error means "unreachable"; say which kind only
        return {"ok": False, "transport": scheme, "error": type(exc).__name__}
    return {
        "ok": True,
        "transport": scheme,
        "latency_ms": round((time.monotonic() - started) * 1000, 1),
    }


def _check_beat() -> dict:
    from django.utils import timezone

    try:
        last = heartbeat_last(name=BEAT)
    except DatabaseError:
        return {"ok": False, "last": None, "age_seconds": None}
    if last is None:
        return {"ok": False, "last": None, "age_seconds": None}
    age = max((timezone.now() - last).total_seconds(), 0.0)
    return {
        "ok": age <= beat_stale_after().total_seconds(),
        "last": last.isoformat(),
        "age_seconds": int(age),
    }


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = _check_database()
    broker = _check_broker()
    beat = _check_beat() if database["ok"] else {"ok": False, "last": None, "age_seconds": None}
    if not database["ok"]:
        status, http_status = "down", 503
    elif broker["ok"] and beat["ok"]:
        status, http_status = "ok", 200
    else:
        status, http_status = "degraded", 200
    body: dict = {"status": status}
    if _may_see_details(request):
        body.update(database=database, broker=broker, beat=beat)
    return JsonResponse(body, status=http_status)


def _may_see_details(request: HttpRequest) -> bool:
    """Staff (a logged-in staff account) or a monitor presenting ``HEALTHZ_TOKEN``."""
    token = str(getattr(settings, "HEALTHZ_TOKEN", "") or "")
    header = str(request.META.get("HTTP_AUTHORIZATION") or "")
    if token and header.startswith("Bearer "):
        return constant_time_compare(header.removeprefix("Bearer ").strip(), token)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    from huashan.directory.selectors import person_is_staff

    return bool(person_is_staff(person=user))
