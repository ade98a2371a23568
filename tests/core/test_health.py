"""/healthz: DB up + beat fresh → ok; beat stale or broker down → degraded; DB down → 503.

The details are for staff and for a monitor holding ``HEALTHZ_TOKEN``; anyone else sees
the status word alone (issue 14 item 8). Most tests below read the details with the token.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time

import pytest
import time_machine
from django.db import connection

from huashan.core.heartbeat import heartbeat_stamp

pytestmark = pytest.mark.django_db

URL = "/healthz"
T0 = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
# A load-balancer probe must answer quickly even with Redis gone or hanging.
PROBE_BOUND_SECONDS = 5


@pytest.fixture(autouse=True)
def _whitenoise_without_collectstatic(settings):
    settings.WHITENOISE_AUTOREFRESH = True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def hanging_redis():
    """Accepts connections, never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(10)
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    running = True

    def accept():
        while running:
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/3"
    running = False
    thread.join(2)
    listener.close()
    for sock in held:
        sock.close()


TOKEN = "monitor-token-0123456789"


@pytest.fixture(autouse=True)
def _monitor_token(settings):
    settings.HEALTHZ_TOKEN = TOKEN


def get(client, **headers):
    headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {TOKEN}")
    started = time.monotonic()
    response = client.get(URL, **headers)
    return response, json.loads(response.content), time.monotonic() - started


def test_all_up_is_ok(client):
    with time_machine.travel(T0, tick=False) as traveller:
        heartbeat_stamp(name="beat")
        traveller.shift(dt.timedelta(seconds=42))
        response, body, _elapsed = get(client)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["latency_ms"] >= 0
    assert body["broker"]["ok"] is True
    assert body["beat"] == {"ok": True, "last": T0.isoformat(), "age_seconds": 42}
    assert response["Cache-Control"].startswith("max-age=0")


def test_beat_stale_is_degraded(client, settings):
    settings.BEAT_STALE_AFTER = dt.timedelta(minutes=10)
    with time_machine.travel(T0, tick=False) as traveller:
        heartbeat_stamp(name="beat")
        traveller.shift(dt.timedelta(minutes=11))
        response, body, _elapsed = get(client)
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["beat"]["ok"] is False
    assert body["beat"]["age_seconds"] == 660


def test_beat_never_ran_is_degraded(client):
    response, body, _elapsed = get(client)
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["beat"] == {"ok": False, "last": None, "age_seconds": None}


def test_broker_refusing_is_degraded_quickly(client, settings):
    heartbeat_stamp(name="beat")
    settings.CELERY_BROKER_URL = f"redis://:s3cret-pass@127.0.0.1:{free_port()}/3"
    response, body, elapsed = get(client)
    assert elapsed < PROBE_BOUND_SECONDS
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["broker"]["ok"] is False
    assert "s3cret" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_broker_hanging_is_degraded_quickly(client, settings, hanging_redis):
    heartbeat_stamp(name="beat")
    settings.CELERY_BROKER_URL = hanging_redis
    _response, body, elapsed = get(client)
    assert elapsed < PROBE_BOUND_SECONDS
    assert body["status"] == "degraded"
    assert body["broker"] == {"ok": False, "transport": "redis", "error": "TimeoutError"}


def test_filesystem_broker_checks_folder(client, settings, tmp_path):
    heartbeat_stamp(name="beat")
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    assert get(client)[1]["broker"]["ok"] is True
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "missing")}
    assert get(client)[1]["broker"]["ok"] is False


def test_post_is_not_allowed(client):
    assert client.post(URL).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_database_down_is_503(client):
    original_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = free_port()
    try:
        response, body, elapsed = get(client)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original_port
    assert response.status_code == 503
    assert body["status"] == "down"
    assert body["database"]["ok"] is False
    assert body["beat"]["ok"] is False
    assert elapsed < PROBE_BOUND_SECONDS
    # And it recovers on the next probe.
    assert client.get(URL).status_code == 200


# --- who sees what (issue 14 item 8) ------------------------------------------------


def test_anyone_sees_the_status_word_only(client):
    with time_machine.travel(T0, tick=False):
        heartbeat_stamp(name="beat")
        response, body, _elapsed = get(client, HTTP_AUTHORIZATION="")
    assert response.status_code == 200
    assert body == {"status": "ok"}
    assert "latency" not in response.content.decode()
    assert T0.isoformat() not in response.content.decode()


@pytest.mark.parametrize("header", ["Bearer wrong-token", "Basic abc", f"Bearer {TOKEN}x"])
def test_a_wrong_token_sees_the_status_word_only(client, header):
    _response, body, _elapsed = get(client, HTTP_AUTHORIZATION=header)
    assert set(body) == {"status"}


def test_no_token_configured_accepts_none(client, settings):
    settings.HEALTHZ_TOKEN = ""
    _response, body, _elapsed = get(client, HTTP_AUTHORIZATION="Bearer ")
    assert set(body) == {"status"}


def test_staff_see_the_details_residents_do_not(client):
    from tests.factories.directory import PersonFactory

    client.force_login(PersonFactory(is_staff=True))
    assert "database" in get(client, HTTP_AUTHORIZATION="")[1]
    client.force_login(PersonFactory())
    assert set(get(client, HTTP_AUTHORIZATION="")[1]) == {"status"}


def test_the_public_answer_still_says_down_with_503(client):
    """A load balancer needs only the status code; the word stays for people."""
    from unittest import mock

    with mock.patch(
        "huashan.core.health._check_database", return_value={"ok": False, "error": "X"}
    ):
        response, body, _elapsed = get(client, HTTP_AUTHORIZATION="")
    assert response.status_code == 503
    assert body == {"status": "down"}
