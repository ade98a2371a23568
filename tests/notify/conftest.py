"""Real infrastructure for the outbox tests: a TCP proxy in front of Redis that
can be switched off (or made to hang), a real Celery worker, and a local HTTP
server standing in for the WeCom/DingTalk group robot."""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import threading
import time

import pytest
import redis
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from huashan.celery import app as celery_app

# This xdist worker's own broker database (see huashan/settings_test.py).
REDIS_URL = settings.CELERY_BROKER_URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpProxy:
    """Forwards 127.0.0.1:<port> to Redis; ``stop()`` is "Redis is down".

    mode "forward" relays bytes; mode "hang" accepts connections and never
    answers (the failure mode that makes an unconfigured client wait > 60 s).
    """

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._running = False
        self.mode = "forward"

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, mode: str = "forward") -> None:
        self.mode = mode
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(50)
        listener.settimeout(0.1)
        self._listener = listener
        self._running = True
        self._spawn(self._accept_loop)

    def stop(self) -> None:
        self._running = False
        for thread in self._threads:
            thread.join(2)
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()
        self._threads.clear()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while self._running:
            try:
                client, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._sockets.append(client)
            if self.mode == "hang":
                continue
            upstream = socket.create_connection(self.target)
            self._sockets.append(upstream)
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        source.settimeout(0.2)
        while self._running:
            try:
                data = source.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                with contextlib.suppress(OSError):
                    sink.shutdown(socket.SHUT_WR)
                return
            try:
                sink.sendall(data)
            except OSError:
                return


@pytest.fixture
def redis_proxy():
    from urllib.parse import urlparse

    parsed = urlparse(REDIS_URL)
    proxy = TcpProxy((parsed.hostname or "127.0.0.1", parsed.port or 6379))
    proxy.db = int((parsed.path or "/0").strip("/") or 0)
    yield proxy
    proxy.stop()


@contextlib.contextmanager
def celery_publishes_to(url: str):
    """Producers (apply_async) use ``url``; a worker keeps consuming from REDIS_URL."""
    old = celery_app.conf.broker_write_url

    def reset_pools():
        celery_app.amqp._producer_pool = None
        celery_app._pool = None

    celery_app.conf.broker_write_url = url
    reset_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_write_url = old
        reset_pools()


class TaskCounter:
    def __init__(self):
        self.counts: dict[str, int] = {}
        self._cond = threading.Condition()

    def __call__(self, sender=None, task=None, **kwargs):
        # The worker thread's own DB connection must not outlive the test database.
        connections.close_all()
        with self._cond:
            self.counts[task.name] = self.counts.get(task.name, 0) + 1
            self._cond.notify_all()

    def wait_for(self, name: str, count: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.counts.get(name, 0) < count:
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"worker ran {name} {self.counts.get(name, 0)}/{count} times"
                self._cond.wait(remaining)


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming from the test Redis database."""
    from celery.contrib.testing.worker import start_worker

    redis.Redis.from_url(REDIS_URL).flushdb()  # our own db: drop stale messages
    counter = TaskCounter()
    task_postrun.connect(counter, weak=False)
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20
        ) as worker:
            worker.task_counter = counter
            yield worker
    finally:
        task_postrun.disconnect(counter)


class RobotHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        server = self.server
        with server.lock:
            server.received.append(json.loads(body))
            status = server.statuses.pop(0) if server.statuses else 200
        payload = json.dumps(server.answer if status == 200 else {"error": "boom"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # quiet
        return


@pytest.fixture
def robot_server():
    """A local group robot: records every POST; ``statuses`` queues HTTP codes to answer."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RobotHandler)
    server.received = []
    server.statuses = []
    server.answer = {"errcode": 0, "errmsg": "ok"}
    server.lock = threading.Lock()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _whitenoise_without_collectstatic(settings):
    # Until settings_test sets it: WhiteNoise warns (warnings are errors) when
    # STATIC_ROOT has not been collected.
    settings.WHITENOISE_AUTOREFRESH = True
