"""docker-compose.yml read as data (no Docker engine here): the production shape holds together."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
APP = ("migrate", "web", "worker", "beat")


def test_every_app_service_shares_the_media_volume_and_the_same_services():
    """The worker writes the PDFs the web serves through /media/ (huashan/core/media.py)."""
    for name in APP:
        service = SERVICES[name]
        assert "media:/app/media" in service["volumes"], name
        env = service["environment"]
        assert env["MEDIA_ROOT"] == "/app/media", name
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert env["REDIS_URL"].startswith("redis://redis:6379/"), name
    assert "media" in COMPOSE["volumes"]


def test_long_running_services_wait_for_the_migration_and_healthy_backends():
    for name in ("web", "worker", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == depends["redis"]["condition"] == "service_healthy"


def test_redis_never_evicts_broker_queues():
    """Broker and cache share Redis: only keys with a TTL (cache, counters) may be evicted."""
    command = SERVICES["redis"]["command"]
    policy = command[command.index("--maxmemory-policy") + 1]
    assert policy.startswith("volatile-")
    assert "--appendonly" in command


def test_health_checks_use_tools_the_image_installs():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    web_check = " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "curl" in web_check
    assert "curl" in dockerfile
    assert "/healthz" in web_check
