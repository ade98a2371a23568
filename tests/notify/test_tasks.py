"""Delivery through a real broker and a real Celery worker, including Redis outages.

"Redis down" is simulated without touching the shared server: producers
publish through an in-process TCP proxy in front of Redis, which the tests
switch off (connection refused) or make hang (accepts, never answers).
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from huashan.notify import services, tasks
from huashan.notify.models import Notification
from tests.factories.directory import OrganizationFactory, PersonFactory

from .conftest import celery_publishes_to

pytestmark = pytest.mark.django_db(transaction=True)

Status = Notification.Status
# The request must not wait on the broker; without socket timeouts it waits > 60 s.
REQUEST_BOUND_SECONDS = 10


def create_in_request_transaction(**kwargs) -> tuple[Notification, float]:
    started = time.monotonic()
    with transaction.atomic():
        notification = services.notification_create(**kwargs)
    return notification, time.monotonic() - started


def test_created_while_redis_down_is_delivered_exactly_once_after_recovery(
    redis_proxy, celery_worker, mailoutbox
):
    recipient = PersonFactory(email="wang@example.com")
    with celery_publishes_to(redis_proxy.url(redis_proxy.db)):
        # Redis is down: nothing listens on the proxy port.
        n, elapsed = create_in_request_transaction(
            recipient=recipient, channel="email", subject="整改通知", body="请于三日内整改。"
        )
        assert elapsed < REQUEST_BOUND_SECONDS
        n.refresh_from_db()
        assert n.status == Status.PENDING
        assert mailoutbox == []

        # Redis is back. The lost task is redelivered twice (acks_late) while two
        # sweeps run — one on the worker through the broker, one inline here.
        redis_proxy.start()
        tasks.deliver.delay(n.pk)
        tasks.deliver.delay(notification_id=n.pk)
        tasks.notification_sweep.delay()
        tasks.notification_sweep()
        celery_worker.task_counter.wait_for("huashan.notify.tasks.deliver", 2)
        celery_worker.task_counter.wait_for("huashan.notify.tasks.notification_sweep", 1)
        tasks.notification_sweep()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["wang@example.com"]
    n.refresh_from_db()
    assert n.status == Status.DELIVERED
    assert n.attempts == 1


def test_webhook_created_while_redis_hangs_is_posted_once(redis_proxy, robot_server):
    org = OrganizationFactory(webhook_url=robot_server.url)
    redis_proxy.start(mode="hang")
    with celery_publishes_to(redis_proxy.url(redis_proxy.db)):
        n, elapsed = create_in_request_transaction(
            organization=org, channel="webhook", subject="吹哨", body="请报到"
        )
    assert elapsed < REQUEST_BOUND_SECONDS
    n.refresh_from_db()
    assert n.status == Status.PENDING
    tasks.notification_sweep()
    tasks.notification_sweep()
    tasks.deliver(n.pk)
    assert len(robot_server.received) == 1
    n.refresh_from_db()
    assert n.status == Status.DELIVERED


def test_dispatch_reports_failure_instead_of_raising(redis_proxy):
    with celery_publishes_to(redis_proxy.url(redis_proxy.db)):
        started = time.monotonic()
        assert services.notification_dispatch(notification_id=1) is False
    assert time.monotonic() - started < REQUEST_BOUND_SECONDS


def test_on_commit_dispatch_is_delivered_by_the_worker(celery_worker, mailoutbox):
    recipient = PersonFactory(email="zhao@example.com")
    with transaction.atomic():
        n = services.notification_create(
            recipient=recipient, channel="email", subject="会议纪要", body="见附件"
        )
        # Nothing leaves before commit.
        assert mailoutbox == []
    celery_worker.task_counter.wait_for("huashan.notify.tasks.deliver", 1)
    assert len(mailoutbox) == 1
    n.refresh_from_db()
    assert n.status == Status.DELIVERED


def test_rolled_back_change_sends_nothing(celery_worker, mailoutbox):
    recipient = PersonFactory(email="qian@example.com")

    def failing_change():
        with transaction.atomic():
            services.notification_create(
                recipient=recipient, channel="email", subject="s", body="b"
            )
            raise RuntimeError("the caller's change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert not Notification.objects.exists()
    tasks.notification_sweep()
    assert mailoutbox == []
