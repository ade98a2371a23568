"""Idempotent filing: a phone that retries a POST whose answer it never got files once.

The filing form carries a random ``idempotency_key`` (step 1 and the photo step); the
complaint stores it under the unique constraint ``issue_idempotency_key_once``. A
repeated POST with the same key shows the complaint it already filed.
seed: 协同联动解决小区事务流程 第一条 (every complaint enters the process once).
"""

from __future__ import annotations

import re
import threading
import time
import uuid

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from issues import services
from issues.models import Category, Issue
from issues.views import SESSION_DRAFT
from tests.factories.directory import CompoundFactory
from tests.factories.world import compound_world

KEY_RE = re.compile(r'name="idempotency_key" value="([^"]*)"')
ALREADY = 'data-testid="already-received"'


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def world(db):
    world = compound_world(default_compound=True)
    world.category, _ = Category.objects.get_or_create(
        code="environment", defaults={"name": "环境卫生"}
    )
    return world


def step1(world, **overrides) -> dict:
    data = {
        "category": str(world.category.pk),
        "building": str(world.building.pk),
        "unit": "2单元",
        "location_text": "楼道",
        "description": "三楼楼道灯坏了一个星期",
        "is_public": "on",
        "hotline_number": "",
    }
    data.update(overrides)
    return data


def form_key(response) -> str:
    (key,) = KEY_RE.findall(response.content.decode())
    return key


def test_each_blank_form_gets_its_own_key_and_step_two_carries_it(world):
    client = Client()
    first, second = (form_key(client.get(reverse("issues:file"))) for _ in range(2))
    assert first != second
    assert services.idempotency_key_clean(first) == first
    client.post(
        reverse("issues:file"),
        step1(world, idempotency_key=first, reporter_phone="13800138000", reporter_name="王女士"),
    )
    assert form_key(client.get(reverse("issues:file_confirm"))) == first


def test_repeated_photo_step_files_once_and_shows_the_same_number(world):
    client = Client()
    client.force_login(world.resident)
    key = form_key(client.get(reverse("issues:file")))
    client.post(reverse("issues:file"), step1(world, idempotency_key=key))
    done = client.post(reverse("issues:file_confirm"), {"idempotency_key": key})
    assert done.status_code == 302
    first_page = client.get(done.url).content.decode()
    issue = Issue.objects.get()
    assert issue.idempotency_key == key
    assert issue.tracking_number in first_page
    assert ALREADY not in first_page

    again = client.post(reverse("issues:file_confirm"), {"idempotency_key": key})
    assert again.status_code == 302
    page = client.get(again.url).content.decode()
    assert Issue.objects.count() == 1
    assert issue.tracking_number in page
    assert ALREADY in page


def test_retry_after_the_session_kept_the_draft_still_files_once(world):
    """The answer was lost *and* the draft survived (e.g. the session write failed)."""
    client = Client()
    client.force_login(world.resident)
    key = form_key(client.get(reverse("issues:file")))
    client.post(reverse("issues:file"), step1(world, idempotency_key=key))
    draft = client.session[SESSION_DRAFT]
    client.post(reverse("issues:file_confirm"), {"idempotency_key": key})
    session = client.session
    session[SESSION_DRAFT] = draft
    session.save()

    again = client.post(reverse("issues:file_confirm"), {"idempotency_key": key})
    assert again.status_code == 302
    page = client.get(again.url).content.decode()
    (issue,) = Issue.objects.all()
    assert issue.tracking_number in page
    assert ALREADY in page
    assert SESSION_DRAFT not in client.session


def test_anonymous_retry_shows_the_number_and_the_code_this_browser_was_given(world):
    client = Client()
    key = form_key(client.get(reverse("issues:file")))
    client.post(
        reverse("issues:file"),
        step1(world, idempotency_key=key, reporter_phone="13800138000", reporter_name="王女士"),
    )
    done = client.post(reverse("issues:file_confirm"), {"idempotency_key": key})
    code = re.search(r'data-testid="tracking-code">([^<]+)<', client.get(done.url).content.decode())
    assert code
    again = client.post(reverse("issues:file_confirm"), {"idempotency_key": key})
    page = client.get(again.url).content.decode()
    assert Issue.objects.count() == 1
    assert code.group(1) in page
    # Another browser holding the key learns the number at most, never the code.
    other = Client()
    other_page = other.get(
        other.post(reverse("issues:file_confirm"), {"idempotency_key": key}).url
    ).content.decode()
    assert code.group(1) not in other_page


def test_step_one_sent_again_with_a_used_key_shows_the_filed_complaint(world):
    client = Client()
    client.force_login(world.resident)
    key = form_key(client.get(reverse("issues:file")))
    client.post(reverse("issues:file"), step1(world, idempotency_key=key))
    client.post(reverse("issues:file_confirm"), {"idempotency_key": key})
    again = client.post(reverse("issues:file"), step1(world, idempotency_key=key))
    assert again.url == reverse("issues:file_done")
    assert ALREADY in client.get(again.url).content.decode()
    assert SESSION_DRAFT not in client.session
    assert Issue.objects.count() == 1


@pytest.mark.parametrize(
    "bad_key",
    [None, "", "short", "<script>alert(1)</script>" * 3, "a" * 100_000, "键" * 32],
    ids=["missing", "empty", "short", "script", "oversized", "unicode"],
)
def test_missing_or_garbage_key_gets_a_fresh_one_never_a_500(world, bad_key):
    client = Client()
    client.force_login(world.resident)
    data = step1(world)
    if bad_key is not None:
        data["idempotency_key"] = bad_key
    response = client.post(reverse("issues:file"), data)
    assert response.status_code == 302
    fresh = form_key(client.get(reverse("issues:file_confirm")))
    assert services.idempotency_key_clean(fresh) == fresh
    # The photo step ignores a garbage key: the draft's own key files the complaint.
    done = client.post(reverse("issues:file_confirm"), {"idempotency_key": bad_key or ""})
    assert done.status_code == 302
    assert Issue.objects.get().idempotency_key == fresh
    # And with no draft left, a garbage key is just "fill in the form first".
    again = client.post(reverse("issues:file_confirm"), {"idempotency_key": bad_key or ""})
    assert again.status_code == 302
    assert again.url.startswith(reverse("issues:file"))
    assert Issue.objects.count() == 1


def test_someone_elses_key_is_refused_with_a_clear_message(world):
    owner = Client()
    owner.force_login(world.resident)
    key = form_key(owner.get(reverse("issues:file")))
    owner.post(reverse("issues:file"), step1(world, idempotency_key=key))
    owner.post(reverse("issues:file_confirm"), {"idempotency_key": key})

    other = Client()
    other.force_login(world.neighbour)
    response = other.post(reverse("issues:file"), step1(world, idempotency_key=key))
    assert response.status_code == 200
    body = response.content.decode()
    assert zh("This form was already sent. Please start a new complaint.") in body
    assert form_key(response) != key  # a fresh form to start again
    assert Issue.objects.count() == 1


# --- the constraint decides a race ------------------------------------------------------


def _submit(world, key: str, person, results: dict, name: str) -> None:
    try:
        results[name] = services.issue_submit(
            actor=person,
            compound=world.compound,
            category=world.category,
            description="地下车库积水，车辆无法通行",
            building=world.building,
            client_key=str(uuid.uuid4()),
            idempotency_key=key,
        )
    except Exception as exc:  # reported to the test thread
        results[name] = exc


def _wait_for_lock_waiter(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                pytest.fail("the second submission never waited on the first one's row")
            time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_two_racing_posts_with_one_key_file_one_complaint():
    """The second INSERT waits on the first's uncommitted row, then loses to the constraint."""
    world = compound_world(CompoundFactory())
    world.category, _ = Category.objects.get_or_create(
        code="environment", defaults={"name": "环境卫生"}
    )
    key = services.idempotency_key_new()
    results: dict = {}
    first_written = threading.Event()
    second_waiting = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                _submit(world, key, world.resident, results, "first")
                first_written.set()
                second_waiting.wait(30)
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert first_written.wait(30)

    def second() -> None:
        try:
            _submit(world, key, world.resident, results, "second")
        finally:
            connections.close_all()

    two = threading.Thread(target=second)
    two.start()
    _wait_for_lock_waiter()
    second_waiting.set()
    one.join(30)
    two.join(30)

    assert not isinstance(results["first"], Exception), results["first"]
    assert not isinstance(results["second"], Exception), results["second"]
    assert results["first"].replayed is False
    assert results["second"].replayed is True
    assert results["second"].issue.pk == results["first"].issue.pk
    assert Issue.objects.filter(idempotency_key=key).count() == 1
