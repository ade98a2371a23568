"""No public default SECRET_KEY in production (issue 14 item 8).

``DEBUG=0`` with no key used to start with a key printed in the repository: anyone could
sign sessions and password-reset links. The web application, the worker and beat now
refuse to start; one-off commands run with a throwaway key.
"""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SETTINGS = str(Path(settings.BASE_DIR) / "huashan" / "settings.py")


def load(monkeypatch, **env: str) -> dict:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS)


KEYS = pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "dev-only-insecure-key-change-me-" + "x" * 20,
        "change-me-to-a-long-random-string-of-at-least-50-characters",
    ],
    ids=["missing", "empty", "dev-default", "env-example"],
)


def _env(key):
    return {"DEBUG": "0"} if key is None else {"DEBUG": "0", "SECRET_KEY": key}


@KEYS
def test_production_without_a_real_key_never_uses_a_published_one(monkeypatch, key):
    """One-off commands may load the settings, with a throwaway key (never a published one)."""
    values = load(monkeypatch, **_env(key))
    assert values["SECRET_KEY_MISSING"] is True
    assert values["SECRET_KEY"] not in values["PUBLISHED_SECRET_KEYS"]
    assert len(values["SECRET_KEY"]) >= 50


@KEYS
def test_production_without_a_real_key_refuses_to_serve(key):
    """The WSGI application (gunicorn, runserver) does not start."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "PYTEST_XDIST_WORKER"}}
    env.update(_env(key), DJANGO_SETTINGS_MODULE="huashan.settings")
    done = subprocess.run(
        [sys.executable, "-c", "import huashan.wsgi"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in done.stderr


def test_worker_and_beat_refuse_to_start_without_a_real_key(settings):
    """huashan/celery.py runs the check on ``celeryd_init`` and ``beat_init``."""
    from celery import signals

    settings.SECRET_KEY_MISSING = True
    for signal in (signals.celeryd_init, signals.beat_init):
        with pytest.raises(SystemExit, match="SECRET_KEY"):
            signal.send(sender=None, instance=None, conf=None, options={})
    settings.SECRET_KEY_MISSING = False
    signals.beat_init.send(sender=None)  # a real key: nothing refused


def test_production_with_a_key_starts(monkeypatch):
    key = secrets.token_urlsafe(50)
    assert load(monkeypatch, DEBUG="0", SECRET_KEY=key)["SECRET_KEY"] == key


def test_development_keeps_working_without_a_key(monkeypatch):
    """`make run` sets DEBUG=1 and no key."""
    values = load(monkeypatch, DEBUG="1")
    assert values["SECRET_KEY"] == values["DEV_SECRET_KEY"]


def test_the_image_build_and_compose_give_or_require_a_key():
    root = Path(settings.BASE_DIR)
    dockerfile = (root / "Dockerfile").read_text()
    assert "SECRET_KEY=build-only" in dockerfile  # collectstatic at build time only
    compose = (root / "docker-compose.yml").read_text()
    assert "env_file: .env" in compose
    assert "SECRET_KEY" in (root / ".env.example").read_text()
