"""PostgreSQL connection cut during a burst of complaint submissions.

The portal runs as in production (gunicorn, 2 sync workers, persistent connections
with ``CONN_HEALTH_CHECKS``) but reaches PostgreSQL through an in-process TCP proxy.
Cutting the proxy tears down every open database connection and refuses new ones —
what a PostgreSQL restart looks like to the portal — without touching the shared
server. Residents keep filing over loopback while it is cut and after it returns.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from django.db import connection
from django.urls import reverse

from huashan.notify.models import Notification
from issues.models import Issue, IssueEvent

from .conftest import Browser, TcpProxy, complaint_world, logged_in_browser, step1_data, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RESIDENTS = 20
STAGGER_SECONDS = 0.1  # resident n starts at n × this
CUT_AT, RESTORE_AT = 0.6, 1.6  # seconds after the burst starts
#: The Chinese 500 page ("Something went wrong on our side").
CLEAR_ERROR = "系统出了点问题"


@dataclass
class Outcome:
    kind: str  # "success" | "error"
    detail: str = ""


def text_of(n: int) -> str:
    return f"地下车库积水，车辆无法通行（第{n}位居民）"


def submit(browser: Browser, world, text: str, *, from_step: int = 1) -> Outcome:
    """Steps 1 and 2 of filing; a clear error page or the "done" redirect, nothing else.

    ``from_step=2`` posts step 2 only: the text typed in step 1 is in the session.
    """
    steps = [
        (1, reverse("issues:file"), step1_data(world, description=text)),
        (2, reverse("issues:file_confirm"), {}),
    ]
    for step, path, data in steps[from_step - 1 :]:
        reply = browser.request("POST", path, data)
        if reply.status == 500 and CLEAR_ERROR in reply.body:
            return Outcome("error", f"step {step}")
        if reply.status == 400 and "<h1>Bad Request (400)</h1>" in reply.body:
            # Known bug (xfail in test_session_save_error.py): the cut hit the session
            # save; Django answers its bare English 400 page. Counted as an error.
            return Outcome("error", f"step {step}, bare 400")
        if reply.status != 302:
            return Outcome("unexpected", f"step {step}: {reply.status} {reply.body[:300]}")
        if step == 2 and not reply.location.endswith(reverse("issues:file_done")):
            return Outcome("unexpected", f"step 2 redirected to {reply.location}")
    return Outcome("success")


def health(browser: Browser) -> tuple[int, dict]:
    reply = browser.get("/healthz")
    return reply.status, json.loads(reply.body)


def test_postgres_cut_mid_burst_gives_clear_answers_no_half_saved_complaint_and_recovers(
    spawn_portal,
):
    world = complaint_world(residents=RESIDENTS)
    db = connection.settings_dict
    proxy = TcpProxy((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)))
    proxy.start()
    try:
        portal = spawn_portal(db_port=proxy.port)
        browsers = [logged_in_browser(portal, person) for person in world.residents]
        for browser in browsers[:4]:  # both workers now hold a persistent connection
            assert browser.get(reverse("issues:file")).status == 200
        workers_before = sorted(portal.proc.children())
        probe = Browser(portal)
        assert health(probe)[1]["status"] != "down"

        started = time.monotonic()
        outage: dict[str, object] = {}

        def cut_and_restore():
            time.sleep(CUT_AT)
            proxy.stop()  # every open connection torn down, new ones refused
            outage["health"] = health(probe)
            time.sleep(max(0.0, RESTORE_AT - (time.monotonic() - started)))
            proxy.start()

        def resident(n: int) -> Outcome:
            time.sleep(n * STAGGER_SECONDS)
            return submit(browsers[n], world, text_of(n))

        cutter = threading.Thread(target=cut_and_restore)
        cutter.start()
        with ThreadPoolExecutor(max_workers=RESIDENTS) as pool:
            first = list(pool.map(resident, range(RESIDENTS)))
        cutter.join()

        # Everyone got a clear answer: the "done" page or the Chinese error page.
        assert not [o for o in first if o.kind == "unexpected"], first
        errors = [n for n, o in enumerate(first) if o.kind == "error"]
        assert errors, "the cut hit no request: the test proved nothing"
        assert any(o.kind == "success" for o in first)
        # While cut, the probe says so plainly.
        status, body = outage["health"]
        assert status == 503
        assert body == {"status": "down"}  # the public answer: no details

        # The portal recovers without a restart: same gunicorn workers, and every
        # resident who got the error page succeeds on trying again — from step 2 when
        # step 2 failed, because what they typed in step 1 was kept.
        wait_until(lambda: health(probe)[0] == 200, timeout=10, what="/healthz to recover")

        def retry(n: int) -> Outcome:
            from_step = 2 if first[n].detail.startswith("step 2") else 1
            return submit(browsers[n], world, text_of(n), from_step=from_step)

        with ThreadPoolExecutor(max_workers=len(errors)) as pool:
            retried = list(pool.map(retry, errors))
        assert [o.kind for o in retried] == ["success"] * len(errors), retried
        assert sorted(portal.proc.children()) == workers_before
        assert portal.proc.alive
    finally:
        proxy.stop()

    # Never a half-saved complaint: each stored issue is whole.
    issues = list(Issue.objects.all())
    numbers = [i.tracking_number for i in issues]
    assert all(numbers)
    assert len(set(numbers)) == len(numbers)
    assert Counter(IssueEvent.objects.filter(verb="submit").values_list("issue_id", flat=True)) == (
        Counter({i.pk: 1 for i in issues})
    )
    subjects = list(Notification.objects.values_list("subject", flat=True))
    mentioned = Counter(n for s in subjects for n in numbers if n in s)
    assert mentioned == Counter({n: 1 for n in numbers})  # intake told once, no orphans
    assert len(subjects) == len(numbers)
    # Every resident who was told "done" has a complaint; nobody has more than the
    # attempts they were answered with an error for (a commit just before the cut
    # may still answer 500: then the retry files a second one — at most one extra).
    per_resident = Counter(i.reporter_id for i in issues)
    for n, person in enumerate(world.residents):
        got = per_resident[person.pk]
        assert got == 1 if first[n].kind == "success" else got in (1, 2), (n, first[n], got)
        # What the resident typed is what was stored, also after an error.
        assert {i.description for i in issues if i.reporter_id == person.pk} == {text_of(n)}
