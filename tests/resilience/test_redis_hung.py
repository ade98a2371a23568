"""Redis accepts connections but never answers (issue 14 item 6).

Before: every public page waited ~4 s for the cache and every filing ~7.5 s for the
cache and the broker. Now the first call that times out opens a breaker
(huashan/core/breaker.py) and, for its cooldown, nothing asks Redis again: pages render
uncached, ``.delay()`` fails fast and the outbox sweep delivers later.

Assertions count what reached the hung server (``HungRedis.attempts``), never time.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from huashan.core import celerytask
from huashan.core.breaker import Breaker
from huashan.core.cachebreaker import BreakerRedisCache, BreakerRedisCacheClient
from huashan.core.services import cache_count, cache_count_hit
from tests.core.test_pagecache import board_world as board_world

from .hung_redis import HungRedis

FAST = {"socket_timeout": 0.05, "socket_connect_timeout": 0.05}


@pytest.fixture
def hung():
    server = HungRedis()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _fresh_breakers():
    BreakerRedisCacheClient.breakers.clear()
    celerytask.broker_breaker_reset()
    yield
    BreakerRedisCacheClient.breakers.clear()
    celerytask.broker_breaker_reset()


@pytest.fixture
def hung_cache(hung, settings):
    """The default cache is the breaker backend on the hung server."""
    settings.CACHES = {
        "default": {
            "BACKEND": "huashan.core.cachebreaker.BreakerRedisCache",
            "LOCATION": hung.url(),
            "OPTIONS": {**FAST, "breaker_cooldown": 30},
        }
    }
    return hung


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_after_the_first_timeout_cache_calls_never_reach_the_hung_redis(hung_cache):
    assert cache.get("a") is None
    after_first = hung_cache.attempts
    assert after_first[1] == 1  # one GET reached the server, and no retry of it

    for n in range(50):
        assert cache.get(f"k{n}", "default") == "default"
        cache.set(f"k{n}", n, 60)
        assert cache.add(f"a{n}", 1, 60) is True
        assert cache.get_many([f"k{n}"]) == {}
        cache.delete(f"k{n}")

    assert hung_cache.attempts == after_first
    assert cache._cache.breaker.is_open


def test_rate_limit_counters_count_nothing_while_the_breaker_is_open(hung_cache):
    """A complaint is worth more than a rate limit (huashan/core/services.py)."""
    for _ in range(5):
        cache_count_hit("rl:test", 60)
    assert cache_count("rl:test") == 0
    with pytest.raises(ValueError, match="not found"):
        cache.incr("rl:test")
    assert hung_cache.attempts[1] == 1


def test_after_the_cooldown_one_call_tries_again(hung):
    backend = BreakerRedisCache(hung.url(), {"OPTIONS": {**FAST, "breaker_cooldown": 30}})
    clock = FakeClock()
    backend.breaker.clock = clock
    backend.get("a")
    assert hung.attempts[1] == 1
    clock.now += 29
    backend.get("b")
    assert hung.attempts[1] == 1
    clock.now += 2  # cooldown over: half-open, one try, which fails again
    backend.get("c")
    backend.get("d")
    assert hung.attempts[1] == 2
    assert backend.breaker.failures == 2


def test_a_redis_that_answers_again_closes_the_breaker(settings):
    location = settings.CACHES["default"]["LOCATION"]
    backend = BreakerRedisCache(location, {"OPTIONS": {**FAST, "breaker_cooldown": 30}})
    clock = FakeClock()
    backend.breaker.clock = clock
    backend.breaker.record_failure(TimeoutError("simulated"))
    backend.set("h7:breaker", "v", 60)  # open: dropped
    assert backend.get("h7:breaker") is None
    clock.now += 31
    backend.set("h7:breaker", "v", 60)  # half-open try succeeds: closed
    assert not backend.breaker.is_open
    assert backend.get("h7:breaker") == "v"
    backend.delete("h7:breaker")


def test_the_settings_use_the_breaker_with_short_timeouts():
    """The production CACHES (REDIS_URL set): the breaker backend, sub-second timeouts."""
    from huashan import settings as production

    options = production.CACHES["default"]["OPTIONS"]
    assert production.CACHES["default"]["BACKEND"] == "huashan.core.cachebreaker.BreakerRedisCache"
    assert options["socket_timeout"] <= 0.5
    assert options["socket_connect_timeout"] <= 0.5
    assert options["breaker_cooldown"] >= 10
    broker = production.CELERY_BROKER_TRANSPORT_OPTIONS
    assert broker["socket_timeout"] <= 1
    assert production.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 1


@pytest.mark.parametrize("url", ["issues:board", "disclosures:board", "pledges:board"])
def test_public_boards_answer_200_with_the_cache_hung(board_world, hung_cache, url):
    client = Client()
    pages = [client.get(reverse(url)) for _ in range(5)]
    assert [p.status_code for p in pages] == [200] * 5
    assert len({p.content for p in pages}) == 1
    # Only the very first lookup reached the hung server.
    assert hung_cache.attempts[1] == 1


# --- the broker -----------------------------------------------------------------------


@pytest.fixture
def hung_broker(hung, settings):
    from huashan.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    old = (app.conf.broker_write_url, app.conf.broker_transport_options)
    app.conf.task_always_eager = False
    app.conf.broker_write_url = hung.url()
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "socket_timeout": 0.05,
        "socket_connect_timeout": 0.05,
    }
    app.amqp._producer_pool = None
    app._pool = None
    yield hung
    app.conf.broker_write_url, app.conf.broker_transport_options = old
    app.amqp._producer_pool = None
    app._pool = None


def test_dispatch_to_a_hung_broker_fails_fast_after_the_first_timeout(hung_broker):
    """DESIGN.md §6: a request never waits on the broker; the outbox sweep delivers."""
    from huashan.notify.services import notification_dispatch

    assert notification_dispatch(notification_id=1) is False
    first = hung_broker.attempts
    assert first[0] >= 1
    results = [notification_dispatch(notification_id=n) for n in range(2, 30)]
    assert results == [False] * 28
    assert hung_broker.attempts == first
    assert celerytask.broker_breaker(hung_broker.url()).is_open


def test_the_broker_breaker_is_every_tasks_base_class():
    from huashan.notify.tasks import deliver

    assert isinstance(deliver, celerytask.BreakerTask)
    assert hasattr(deliver, "delay_on_commit")  # still Django's task class


def test_breaker_half_open_lets_one_call_through():
    clock = FakeClock()
    breaker = Breaker("test", 30, clock=clock)
    assert breaker.allow()
    breaker.record_failure(TimeoutError())
    assert not breaker.allow()
    clock.now += 30
    assert breaker.allow()  # the one try
    assert not breaker.allow()  # the others wait for its outcome
    breaker.record_success()
    assert breaker.allow()


def test_a_refused_connection_opens_nothing(settings):
    """A restarted Redis is used again at once: only timeouts hold calls back."""
    from tests.notify.conftest import free_port

    backend = BreakerRedisCache(
        f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {**FAST, "breaker_cooldown": 30}}
    )
    assert backend.get("a", "miss") == "miss"
    assert not backend.breaker.is_open
    assert backend.breaker.failures == 0
