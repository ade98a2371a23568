"""Redis goes away while residents file complaints through the real views.

Producers reach Redis only through an in-process TCP proxy (``redis_proxy``) that the
test switches off (connection refused) and on again; a real Celery worker thread
consumes from the real Redis database behind it; the joint-meeting office's group
robot is a local HTTP server (``robot_server``) that records every POST.

DESIGN.md §6: a request never waits on the broker — the outbox row is written in
the complaint's transaction, dispatched after commit with a short timeout, and the
sweep delivers whatever the dispatch could not.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from huashan.notify import tasks as notify_tasks
from huashan.notify.models import Notification, NotificationEvent
from issues.models import Issue, IssueEvent

from .conftest import celery_publishes_to, complaint_world, step1_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

Status = Notification.Status
#: A request must not wait on the broker (unconfigured clients wait > 60 s).
REQUEST_BOUND_SECONDS = 5


def file_complaint(person, world, *, text: str):
    """Steps 1 and 2 of filing, as the resident's phone would post them."""
    client = Client(raise_request_exception=False)  # a 500 is an outcome, not a crash
    client.force_login(person)
    started = time.monotonic()
    step1 = client.post(reverse("issues:file"), step1_data(world, description=text))
    step2 = None
    if step1.status_code == 302:
        step2 = client.post(step1.url, {})
    return step1, step2, time.monotonic() - started


def assert_accepted_quickly(outcomes) -> None:
    for step1, step2, elapsed in outcomes:
        assert step1.status_code == 302, step1.status_code
        assert step2 is not None
        assert step2.status_code == 302, step2.status_code
        assert step2.url == reverse("issues:file_done")
        assert elapsed < REQUEST_BOUND_SECONDS, elapsed


def robot_numbers(robot_server) -> Counter:
    """How many group-robot messages named each tracking number."""
    with robot_server.lock:
        contents = [message["text"]["content"] for message in robot_server.received]
    numbers = Issue.objects.values_list("tracking_number", flat=True)
    return Counter(n for content in contents for n in numbers if n in content)


@pytest.mark.parametrize(
    "cache_on_same_redis",
    [
        pytest.param(False, id="broker-down"),
        pytest.param(True, id="whole-redis-down"),
    ],
)
def test_redis_down_loses_no_complaint_and_delivers_each_notification_once(
    cache_on_same_redis, redis_proxy, celery_worker, robot_server, settings
):
    world = complaint_world(residents=12)
    office = world.orgs.joint_meeting_office
    office.webhook_url = robot_server.url
    office.save(update_fields=["webhook_url"])
    if cache_on_same_redis:
        # As in production: the rate-limit cache lives on the same Redis as the broker.
        location = settings.CACHES["default"]["LOCATION"].rsplit("/", 1)[1]
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": redis_proxy.url(location)}
        }
    before, during, after = world.residents[:3], world.residents[3:9], world.residents[9:]
    outcomes = {}

    with celery_publishes_to(redis_proxy.url(redis_proxy.db)):
        redis_proxy.start()  # Redis is up
        for n, person in enumerate(before):
            outcomes[person.pk] = file_complaint(person, world, text=f"三楼楼道灯坏了（之前{n}）")
        celery_worker.task_counter.wait_for("huashan.notify.tasks.deliver", len(before))

        redis_proxy.stop()  # Redis is down: connection refused
        for n, person in enumerate(during):
            outcomes[person.pk] = file_complaint(person, world, text=f"电梯困人，请速来（期间{n}）")
        # Every resident was answered quickly, with success (step 2 redirects to "done").
        assert_accepted_quickly([outcomes[p.pk] for p in during])
        stored_during = Issue.objects.filter(reporter__in=during).count()
        pending_during = Notification.objects.filter(
            channel="webhook", status=Status.PENDING
        ).count()

        redis_proxy.start()  # Redis is back
        for n, person in enumerate(after):
            outcomes[person.pk] = file_complaint(person, world, text=f"地下车库漏水（之后{n}）")
        # The sweep (beat, every 2 minutes) runs on the worker; a second one inline,
        # and redeliveries of already-delivered messages: none may send twice.
        notify_tasks.notification_sweep.delay()
        celery_worker.task_counter.wait_for("huashan.notify.tasks.notification_sweep", 1)
        for pk in Notification.objects.filter(channel="webhook").values_list("pk", flat=True):
            notify_tasks.deliver.delay(notification_id=pk)
        notify_tasks.notification_sweep()
        total = len(world.residents)
        celery_worker.task_counter.wait_for(
            "huashan.notify.tasks.deliver", len(before) + len(after) + total, timeout=30
        )

    assert_accepted_quickly(outcomes.values())
    # Every accepted complaint is stored, whole: its submit event, its tracking number.
    assert stored_during == len(during)
    issues = list(Issue.objects.all())
    assert len(issues) == total
    assert len({i.tracking_number for i in issues}) == total
    assert IssueEvent.objects.filter(verb="submit").count() == total
    # The outage was real: the webhooks filed meanwhile could not be dispatched.
    assert pending_during == len(during)
    # After Redis returned: every webhook delivered, each exactly once.
    webhooks = Notification.objects.filter(channel="webhook")
    assert webhooks.count() == total
    assert set(webhooks.values_list("status", flat=True)) == {Status.DELIVERED}
    delivered_events = Counter(
        NotificationEvent.objects.filter(verb="delivered").values_list("notification_id", flat=True)
    )
    assert delivered_events == Counter({pk: 1 for pk in webhooks.values_list("pk", flat=True)})
    assert robot_numbers(robot_server) == Counter({i.tracking_number: 1 for i in issues})
    assert len(robot_server.received) == total
    # Inbox messages never depended on Redis.
    assert Notification.objects.filter(channel="inbox", status=Status.DELIVERED).count() >= total
    assert settings.CELERY_TASK_ACKS_LATE
