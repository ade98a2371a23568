"""Fault injection for the resilience tests (issue 9, item 3 and the short load test).

Nothing here stops the shared PostgreSQL or Redis servers. Outages are made with:

* in-process TCP proxies (``TcpProxy`` from ``tests/notify/conftest.py``) that can be
  cut (``stop()``: connection refused, open connections torn down) and restored;
* a private ``redis-server`` on a free port as the broker of our own Celery workers;
* our own Celery worker and gunicorn subprocesses, started in their own process
  group so that a SIGKILL takes the whole worker (main process and pool children).

Subprocesses see the test database because the tests using them are transactional
(``django_db(transaction=True)``): rows are committed, and the subprocess connects to
``connection.settings_dict["NAME"]`` (``test_<name>``, ``test_<name>_gw0`` under xdist).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import redis
from django.conf import settings
from django.db import connection

# The notify helper's real-infrastructure fixtures, reused as they are.
from tests.notify.conftest import (  # noqa: F401 (fixtures are used by name)
    TcpProxy,
    celery_publishes_to,
    celery_worker,
    free_port,
    redis_proxy,
    robot_server,
)

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
#: Our own workers' broker: a killed worker's unacknowledged message is visible
#: again after this many seconds, and the restore sweep looks every second.
SHORT_VISIBILITY_TIMEOUT = 4


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: a resilience test that starts processes (still run by `make test`)"
    )


def wait_until(predicate: Callable[[], object], *, timeout: float, interval: float = 0.05, what=""):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(interval)


# --- subprocesses -----------------------------------------------------------------


def _test_database_url(*, port: int | None = None) -> str:
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    user = db.get("USER") or "root"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port or db.get('PORT') or 5432}/{db['NAME']}"


def subprocess_env(*, db_port: int | None = None, **extra: str) -> dict[str, str]:
    """The environment of a portal process of this test run: test settings, test DB."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="huashan.settings_test",
        DATABASE_URL=_test_database_url(port=db_port),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@dataclass
class Proc:
    """A subprocess in its own process group, logging to a file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen | None = None

    def start(self) -> Proc:
        handle = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        return self

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group (main process and every child)."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, then SIGKILL whatever is left of the group."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.popen.pid}/task/{self.popen.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []


@pytest.fixture
def own_redis(tmp_path) -> Iterator[str]:
    """A private, empty redis-server: the broker of this test's own Celery workers."""
    if not Path(REDIS_SERVER).exists():
        pytest.fail(f"{REDIS_SERVER} is missing: install Debian's redis-server package")
    port = free_port()
    proc = Proc(
        "redis",
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        dict(os.environ),
        tmp_path / "redis.log",
    ).start()
    client = redis.Redis(port=port, socket_timeout=1)

    def ping():
        with contextlib.suppress(redis.RedisError):
            return client.ping()

    wait_until(ping, timeout=10, what="redis-server")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        proc.stop()


@pytest.fixture
def spawn_worker(transactional_db, tmp_path, own_redis):
    """Start real ``celery worker`` subprocesses on ``own_redis`` with a short visibility
    timeout (``tests/resilience/worker_app.py``); all are SIGKILLed at teardown."""
    started: list[Proc] = []

    def spawn(*, concurrency: int = 1, ready_timeout: float = 30) -> Proc:
        n = len(started) + 1
        log = tmp_path / f"worker{n}.log"
        proc = Proc(
            f"worker{n}",
            [
                str(VENV_BIN / "celery"),
                "-A",
                "tests.resilience.worker_app",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "INFO",
                "--hostname",
                f"res{n}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            subprocess_env(
                RES_BROKER_URL=own_redis, RES_VISIBILITY_TIMEOUT=str(SHORT_VISIBILITY_TIMEOUT)
            ),
            log,
        ).start()
        started.append(proc)
        wait_until(
            lambda: " ready." in proc.output() or not proc.alive,
            timeout=ready_timeout,
            interval=0.1,
            what=f"{proc.name} to be ready",
        )
        assert proc.alive, proc.output()[-3000:]
        return proc

    spawn.redis_url = own_redis
    yield spawn
    for proc in started:
        proc.kill()


# --- the portal under gunicorn ---------------------------------------------------------


@dataclass
class Portal:
    url: str
    proc: Proc
    host: str = "127.0.0.1"
    port: int = 0


@pytest.fixture
def spawn_portal(transactional_db, tmp_path):
    """The portal as in production (Procfile): gunicorn, 2 sync workers, persistent
    connections with health checks. ``db_port`` points it at a proxy."""
    started: list[Proc] = []

    def spawn(*, db_port: int | None = None, workers: int = 2) -> Portal:
        port = free_port()
        proc = Proc(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "huashan.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                "--backlog",
                "256",
                "--log-level",
                "warning",
                # Import Django once in the master (faster start); connections are
                # still opened per worker, after the fork.
                "--preload",
            ],
            subprocess_env(db_port=db_port),
            tmp_path / f"gunicorn{len(started) + 1}.log",
        ).start()
        started.append(proc)

        def healthy():
            assert proc.alive, proc.output()[-3000:]
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                return status < 500
            return False

        wait_until(healthy, timeout=30, interval=0.1, what="gunicorn")
        return Portal(url=f"http://127.0.0.1:{port}", proc=proc, port=port)

    yield spawn
    for proc in started:
        proc.stop(timeout=5)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    """A tiny HTTP client over loopback with cookies and Django's CSRF token."""

    portal: Portal
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def request(self, method: str, path: str, data: dict | None = None) -> Reply:
        headers = {"Host": f"127.0.0.1:{self.portal.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if settings.CSRF_COOKIE_NAME in self.cookies:
                headers["X-CSRFToken"] = self.cookies[settings.CSRF_COOKIE_NAME]
        conn = http.client.HTTPConnection(self.portal.host, self.portal.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode("utf-8", "replace")
            reply_headers = {k.lower(): v for k, v in response.getheaders()}
            for raw in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(raw)
                for key, morsel in jar.items():
                    self.cookies[key] = morsel.value
            return Reply(response.status, reply_headers, content)
        finally:
            conn.close()

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Reply:
        if settings.CSRF_COOKIE_NAME not in self.cookies:
            self.get(path)
        return self.request("POST", path, data)


def logged_in_browser(portal: Portal, person) -> Browser:
    """A browser holding a real session of ``person`` (as after logging in) and a CSRF
    cookie (as after opening any form: Django accepts a well-formed client secret)."""
    from django.test import Client
    from django.utils.crypto import get_random_string

    client = Client()
    client.force_login(person)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Browser(
        portal,
        cookies={
            settings.SESSION_COOKIE_NAME: session,
            settings.CSRF_COOKIE_NAME: get_random_string(32),
        },
    )


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- a compound where residents file complaints ------------------------------------


def complaint_world(*, residents: int = 0):
    """``compound_world`` on the default compound, a category, and ``residents`` more
    verified residents (each files under their own rate-limit key)."""
    from issues.models import Category
    from tests.factories.directory import HouseholdFactory, ResidencyFactory
    from tests.factories.world import compound_world

    world = compound_world(default_compound=True)
    world.category, _created = Category.objects.get_or_create(
        code="environment", defaults={"name": "环境卫生"}
    )
    world.residents = [
        ResidencyFactory(household=HouseholdFactory(building=world.building)).person
        for _ in range(residents)
    ]
    return world


def step1_data(world, *, description: str) -> dict[str, str]:
    return {
        "category": str(world.category.pk),
        "building": str(world.building.pk),
        "unit": "2单元",
        "location_text": "楼道",
        "description": description,
        "is_public": "on",
        "hotline_number": "",
    }
