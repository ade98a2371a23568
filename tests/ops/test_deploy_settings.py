"""Production settings (issue 9 item 7): `check --deploy` is clean with DEBUG=0.

The production values are read by executing ``huashan/settings.py`` itself with the
environment a deployment has (DEBUG=0, a long random SECRET_KEY), so the test follows
the real settings file, not a copy of it.
"""

from __future__ import annotations

import runpy
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

SECURITY_KEYS = (
    "DEBUG",
    "SECRET_KEY",
    "X_FRAME_OPTIONS",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
    "CONTENT_SECURITY_POLICY",
)


@pytest.fixture
def production(monkeypatch) -> dict:
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SECURE_HSTS_SECONDS", raising=False)
    values = runpy.run_path(str(Path(settings.BASE_DIR) / "huashan" / "settings.py"))
    return {key: values[key] for key in SECURITY_KEYS}


def test_production_settings_pass_check_deploy(production, monkeypatch):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own worker process
    # (Playwright runs an event loop); production never sets it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    with override_settings(**production):
        call_command("check", deploy=True, fail_level="WARNING")


def test_production_cookies_are_secure_and_hsts_is_a_year(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert production["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["frame-ancestors"] == ["'none'"]


def test_check_deploy_fails_on_a_weak_secret_key(production):
    """The check can fail: a short key is a warning, and warnings fail the deploy check."""
    with (
        override_settings(**{**production, "SECRET_KEY": "short"}),
        pytest.raises(SystemCheckError, match=r"security\.W009"),
    ):
        call_command("check", deploy=True, fail_level="WARNING")


@pytest.mark.django_db
def test_production_redirects_plain_http_but_not_the_health_probe(client, production):
    with override_settings(**production):
        page = client.get("/accounts/login/")
        probe = client.get("/healthz")
        secure = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})

    assert page.status_code == 301
    assert page["Location"].startswith("https://")
    assert probe.status_code in (200, 503)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in secure["Strict-Transport-Security"]
