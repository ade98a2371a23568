"""A circuit breaker: after a failure, stop calling a hung service for a while.

Used by the Redis cache (``huashan.core.cachebreaker``) and by task dispatch to the
Celery broker (``huashan.core.celerytask``): a Redis that accepts connections but never
answers costs one short timeout per cooldown per process, not one per request
(issue 14 item 6).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


def is_timeout(exc: BaseException | None) -> bool:
    """Did ``exc`` (or an exception it was raised from) come from a timeout?

    Only timeouts open a breaker: a refused connection fails in a millisecond, so a
    restarted Redis is used again at once; a hung one costs a full timeout per call.
    """
    import redis

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, TimeoutError | redis.TimeoutError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


class Breaker:
    """Closed → (failure) → open for ``cooldown`` s → half-open (one try) → closed/open."""

    def __init__(self, name: str, cooldown: float, clock: Callable[[], float] = time.monotonic):
        self.name = name
        self.cooldown = cooldown
        self.clock = clock
        self.opened_until = 0.0
        self.failures = 0  # times the breaker opened, for tests and logs
        self._refused_logged_at: float | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self.clock() < self.opened_until

    def allow(self) -> bool:
        """May this call try the service? False while open; the half-open try claims the slot."""
        with self._lock:
            now = self.clock()
            if now < self.opened_until:
                return False
            if self.opened_until:
                # Half-open: let this one call through, hold the others back meanwhile.
                self.opened_until = now + self.cooldown
            return True

    def record_success(self) -> None:
        with self._lock:
            if self.opened_until:
                logger.warning("%s answers again: breaker closed", self.name)
            self.opened_until = 0.0

    def record_failure(self, exc: BaseException) -> None:
        with self._lock:
            self.opened_until = self.clock() + self.cooldown
            self.failures += 1
        logger.warning(
            "%s unreachable (%s): not asked again for %s s",
            self.name,
            type(exc).__name__,
            int(self.cooldown),
        )

    def record_refused(self, exc: BaseException) -> None:
        """A fast failure (connection refused): nothing to hold back, log once a cooldown."""
        now = self.clock()
        if self._refused_logged_at is None or now - self._refused_logged_at >= self.cooldown:
            self._refused_logged_at = now
            logger.warning("%s unreachable (%s)", self.name, exc)
