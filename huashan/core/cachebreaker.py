"""Django's Redis cache behind a circuit breaker: a hung Redis costs one short timeout.

A Redis that accepts connections but never answers made every public page wait for
the cache client's timeout (and redis-py's retries) on each lookup: ~4 s a page,
~7.5 s a filing (issue 14 item 6). With this backend:

* the client gives up after ``socket_timeout`` / ``socket_connect_timeout`` (0.25 s
  in settings) and never retries by itself;
* a refused connection costs nothing and is answered as below, without opening
  anything (a restarted Redis is used again at once);
* the first timeout *opens* the breaker of this process for
  ``breaker_cooldown`` seconds (30 by default): meanwhile no call reaches Redis and the
  cache answers like Django's ``DummyCache`` — every ``get`` a miss, every write
  dropped, ``add`` true, ``incr`` "key not found" — so pages render uncached at their
  normal speed and rate limits count nothing (a complaint is worth more than a limit;
  see ``huashan.core.services.cache_count``);
* after the cooldown one call tries Redis again (half-open): success closes the
  breaker, another failure opens it for another cooldown.

The breaker is per process and per Redis location (every thread of a gunicorn or
Celery process shares it). Opening and closing are logged once, not per request.
Errors that are not about reaching Redis (a ``ValueError`` from ``incr`` on a missing
key, a ``ResponseError``) pass through unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, ClassVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from huashan.core.breaker import Breaker, is_timeout

DEFAULT_COOLDOWN_SECONDS = 30.0


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.ConnectionError, redis.TimeoutError, OSError)


class BreakerRedisCacheClient(RedisCacheClient):
    """Django's client with no implicit retries and every operation behind a breaker."""

    #: Breakers by Redis location, shared by every cache instance of the process.
    breakers: ClassVar[dict[str, Breaker]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    #: What each operation answers while the breaker is open (DummyCache's answers).
    FALLBACK: ClassVar[dict[str, Callable[..., Any]]] = {
        "add": lambda *a: True,
        "get": lambda key, default: default,
        "set": lambda *a: None,
        "touch": lambda *a: False,
        "delete": lambda *a: False,
        "get_many": lambda *a: {},
        "has_key": lambda *a: False,
        "set_many": lambda *a: None,
        "delete_many": lambda *a: None,
        "clear": lambda *a: False,
    }

    def __init__(self, servers, *, breaker_cooldown: float = DEFAULT_COOLDOWN_SECONDS, **options):
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # redis-py retries a timed-out command by default: each retry is another
        # full socket timeout. The breaker is the retry policy here.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(servers, **options)
        key = ",".join(servers)
        with self._registry_lock:
            breaker = self.breakers.get(key)
            if breaker is None:
                breaker = self.breakers[key] = Breaker(f"cache {key}", float(breaker_cooldown))
        self.breaker = breaker

    def _guarded(self, op: str, *args):
        if not self.breaker.allow():
            return self._fallback(op, *args)
        try:
            result = getattr(super(), op)(*args)
        except _unreachable_errors() as exc:
            if is_timeout(exc):
                self.breaker.record_failure(exc)
            else:
                self.breaker.record_refused(exc)
            return self._fallback(op, *args)
        self.breaker.record_success()
        return result

    def _fallback(self, op: str, *args):
        if op == "incr":
            raise ValueError(f"Key '{args[0]}' not found.")
        return self.FALLBACK[op](*args)

    def add(self, key, value, timeout):
        return self._guarded("add", key, value, timeout)

    def get(self, key, default):
        return self._guarded("get", key, default)

    def set(self, key, value, timeout):
        return self._guarded("set", key, value, timeout)

    def touch(self, key, timeout):
        return self._guarded("touch", key, timeout)

    def delete(self, key):
        return self._guarded("delete", key)

    def get_many(self, keys):
        return self._guarded("get_many", keys)

    def has_key(self, key):
        return self._guarded("has_key", key)

    def incr(self, key, delta):
        return self._guarded("incr", key, delta)

    def set_many(self, data, timeout):
        return self._guarded("set_many", data, timeout)

    def delete_many(self, keys):
        return self._guarded("delete_many", keys)

    def clear(self):
        return self._guarded("clear")


class BreakerRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with :class:`BreakerRedisCacheClient`.

    ``OPTIONS`` are the stock backend's (``socket_timeout``, ``socket_connect_timeout``,
    …) plus ``breaker_cooldown`` (seconds).
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = BreakerRedisCacheClient

    @property
    def breaker(self) -> Breaker:
        return self._cache.breaker
