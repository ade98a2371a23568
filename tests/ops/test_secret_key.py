"""No public default SECRET_KEY in production (issue 14 item 8).

``DEBUG=0`` with no key used to start with a key printed in the repository: anyone could
sign sessions and password-reset links. The settings file now refuses to load.
"""

from __future__ import annotations

import runpy
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTINGS = str(Path(settings.BASE_DIR) / "huashan" / "settings.py")


def load(monkeypatch, **env: str) -> dict:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS)


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "dev-only-insecure-key-change-me-" + "x" * 20,
        "change-me-to-a-long-random-string-of-at-least-50-characters",
    ],
    ids=["missing", "empty", "dev-default", "env-example"],
)
def test_production_without_a_real_key_refuses_to_start(monkeypatch, key):
    env = {"DEBUG": "0"} if key is None else {"DEBUG": "0", "SECRET_KEY": key}
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load(monkeypatch, **env)


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
