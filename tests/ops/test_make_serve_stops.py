"""`make run` stops all its processes on SIGTERM to make, and writes nothing into the
repository root (issue 13 item 10: it ignored SIGTERM and left `control/` behind).

Starts `make serve` (what `make run` ends with, without the migrate and demo seed) in
its own session, waits until the web server answers, sends SIGTERM to make alone, and
checks that every process of the session is gone and that runtime files went to the
configured var/ folder.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.slow
def test_sigterm_to_make_stops_web_worker_and_beat(tmp_path):
    port = _free_port()
    media_before = (ROOT / "media").exists()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "huashan.settings",
        "HUASHAN_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
    }
    for name in ("PYTEST_XDIST_WORKER", "REDIS_URL", "MEDIA_ROOT", "CELERY_DATA_DIR"):
        env.pop(name, None)
    make = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    pgid = make.pid
    try:
        assert _wait(lambda: _answers(port), 90), "the web server never answered"
        os.kill(make.pid, signal.SIGTERM)  # to make alone, as `kill <make pid>` does
        make.wait(timeout=60)
        assert _wait(lambda: not _group_alive(pgid), 60), "processes survived SIGTERM"
        assert not _answers(port)
    finally:
        if _group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)
    # The filesystem broker and its control folder live under the var/ folder.
    assert (tmp_path / "var" / "celery" / "control").is_dir()
    assert not (ROOT / "control").exists()
    assert (ROOT / "media").exists() == media_before
