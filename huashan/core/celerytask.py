"""The task class of every Huashan task: Django's, plus a breaker on dispatch.

With Redis accepting connections but never answering, every ``.delay()`` waited for
the broker's socket timeout (and kombu's publish retries): each filing paid it again
(issue 14 item 6). Here the first publish that times out opens a per-process breaker for
``CELERY_BROKER_BREAKER_COOLDOWN`` seconds; meanwhile ``apply_async`` raises
``kombu.exceptions.OperationalError`` at once. Every caller already treats that as "the
broker is down": the outbox row or document row stays pending and its beat sweep
delivers it later (DESIGN.md §6: a request never waits on the broker).

Eager mode (``CELERY_TASK_ALWAYS_EAGER``) never touches the broker and is unaffected.
"""

from __future__ import annotations

import threading

from celery.contrib.django.task import DjangoTask
from kombu.exceptions import OperationalError

from huashan.core.breaker import Breaker, is_timeout

DEFAULT_COOLDOWN_SECONDS = 30.0

_lock = threading.Lock()
_breakers: dict[str, Breaker] = {}


def broker_breaker(url: str = "") -> Breaker:
    """The process's breaker for publishing to the broker at ``url``."""
    with _lock:
        breaker = _breakers.get(url)
        if breaker is None:
            from django.conf import settings

            cooldown = float(
                getattr(settings, "CELERY_BROKER_BREAKER_COOLDOWN", DEFAULT_COOLDOWN_SECONDS)
            )
            breaker = _breakers[url] = Breaker("Celery broker", cooldown)
        return breaker


def broker_breaker_reset() -> None:
    """Forget every breaker (tests; a changed setting)."""
    with _lock:
        _breakers.clear()


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (OperationalError, redis.ConnectionError, redis.TimeoutError, OSError)


class BreakerTask(DjangoTask):
    """``DjangoTask`` whose ``apply_async`` fails fast while the broker is known down."""

    abstract = True

    def apply_async(self, *args, **kwargs):
        if self.app.conf.task_always_eager or kwargs.get("producer") is not None:
            return super().apply_async(*args, **kwargs)
        conf = self.app.conf
        breaker = broker_breaker(str(conf.broker_write_url or conf.broker_url or ""))
        if not breaker.allow():
            raise OperationalError(f"{self.name}: broker unreachable, not dispatched (breaker)")
        try:
            result = super().apply_async(*args, **kwargs)
        except _unreachable_errors() as exc:
            if is_timeout(exc):
                breaker.record_failure(exc)
            else:
                breaker.record_refused(exc)
            raise
        breaker.record_success()
        return result
