"""The short load test (issue 9, item 4): 64 residents filing at once, over loopback.

The portal runs as in production (gunicorn, 2 sync workers); 64 threads, each a
different logged-in resident (each has its own rate-limit key), file complaints
through the two real steps for a bounded time. Every "done" must be a stored
complaint, every stored complaint a "done"; tracking numbers never repeat; no
request fails with a server error. The long version with numbers is in ``bench/``.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

from issues.models import Issue, IssueEvent
from issues.services import RATE_LIMIT

from .conftest import Browser, complaint_world, logged_in_browser, step1_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SUBMITTERS = 64
DURATION_SECONDS = 3.0
#: Stay under the per-resident limit so every refusal would be a real failure.
PER_SUBMITTER = RATE_LIMIT - 1
NUMBER = re.compile(r'data-testid="tracking-number">([A-Z]{2}-\d{4}-\d{6,})<')


def test_64_concurrent_submitters_every_success_stored_once_no_duplicates_no_500(spawn_portal):
    world = complaint_world(residents=SUBMITTERS)
    portal = spawn_portal()
    browsers = [logged_in_browser(portal, person) for person in world.residents]
    statuses: Counter = Counter()
    numbers: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline: list[float] = []
    start = threading.Barrier(
        SUBMITTERS, action=lambda: deadline.append(time.monotonic() + DURATION_SECONDS)
    )

    def submitter(n: int) -> int:
        browser: Browser = browsers[n]
        start.wait()
        done = 0
        while done < PER_SUBMITTER and time.monotonic() < deadline[0]:
            text = f"{n}号居民第{done + 1}次反映：楼道堆放杂物，存在消防隐患"
            step1 = browser.post(reverse("issues:file"), step1_data(world, description=text))
            step2 = (
                browser.post(reverse("issues:file_confirm"), {}) if step1.status == 302 else None
            )
            with lock:
                statuses[step1.status] += 1
                if step2 is not None:
                    statuses[step2.status] += 1
            if step2 is None or step2.status != 302:
                with lock:
                    failures.append(f"{n}: {step1.status} {step2 and step2.status}")
                continue
            page = browser.get(step2.location)
            match = NUMBER.search(page.body)
            with lock:
                statuses[page.status] += 1
                if match:
                    numbers.append(match.group(1))
                else:
                    failures.append(f"{n}: done page {page.status} without a number")
            done += 1
        return done

    with ThreadPoolExecutor(max_workers=SUBMITTERS) as pool:
        per_submitter = list(pool.map(submitter, range(SUBMITTERS)))
    successes = sum(per_submitter)

    assert not failures, failures[:10]
    assert not [s for s in statuses if s >= 500], statuses
    assert successes >= SUBMITTERS  # every submitter got through at least once
    # Stored complaints == successful responses; no tracking number twice.
    stored = list(Issue.objects.values_list("tracking_number", flat=True))
    assert len(stored) == successes
    assert len(set(stored)) == len(stored)
    assert sorted(numbers) == sorted(stored)
    assert IssueEvent.objects.filter(verb="submit").count() == successes
    assert portal.proc.alive
