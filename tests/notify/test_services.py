"""The outbox services, called synchronously: creation, claim, retry, reclaim, read."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connections

from huashan.notify import services
from huashan.notify.models import Notification, NotificationEvent
from tests.factories.directory import OrganizationFactory, PersonFactory

from .conftest import free_port
from .factories import InboxNotificationFactory

pytestmark = pytest.mark.django_db

Status = Notification.Status
Channel = Notification.Channel
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def dead_broker(settings):
    """Nothing listens on the publish URL: on-commit dispatch fails fast; tests drive delivery."""
    from .conftest import celery_publishes_to

    with celery_publishes_to(f"redis://127.0.0.1:{free_port()}/3"):
        yield


def email_notification(**kwargs) -> Notification:
    recipient = kwargs.pop("recipient", None) or PersonFactory(email="li@example.com")
    return services.notification_create(
        recipient=recipient,
        channel=Channel.EMAIL,
        subject=kwargs.pop("subject", "会议通知"),
        body=kwargs.pop("body", "本月联席会议定于周五召开。"),
        link=kwargs.pop("link", "/meetings/1/"),
    )


def test_inbox_notification_is_delivered_on_creation(person):
    n = services.notification_create(
        recipient=person, channel=Channel.INBOX, subject="议题已收到", body="谢谢"
    )
    assert n.status == Status.DELIVERED
    assert n.delivered_at is not None
    assert n.read_at is None


def test_email_notification_waits_in_outbox_until_delivered(dead_broker, mailoutbox):
    n = email_notification()
    assert n.status == Status.PENDING
    assert services.deliver_notification(notification_id=n.pk) is True
    n.refresh_from_db()
    assert n.status == Status.DELIVERED
    assert n.attempts == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["li@example.com"]
    assert mailoutbox[0].subject == "会议通知"
    assert "本月联席会议定于周五召开。" in mailoutbox[0].body
    assert "/meetings/1/" in mailoutbox[0].body
    assert n.events.get().verb == "delivered"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"channel": "fax"}, "unknown notification channel"),
        ({"channel": Channel.EMAIL}, "needs a recipient"),
        ({"channel": Channel.INBOX}, "needs a recipient"),
        ({"channel": Channel.WEBHOOK}, "needs an organization"),
    ],
)
def test_create_rejects_impossible_targets(kwargs, message):
    with pytest.raises(ValueError, match=message):
        services.notification_create(subject="x", body="y", **kwargs)
    assert not Notification.objects.exists()


def test_create_flattens_and_truncates_hostile_subject(person):
    n = services.notification_create(
        recipient=person,
        channel=Channel.INBOX,
        subject="第一行\r\nBcc: evil@example.com" + "长" * 500,
        body="",
        link="/x/" + "a" * 1000,
    )
    assert "\n" not in n.subject
    assert "\r" not in n.subject
    assert len(n.subject) == 200
    assert len(n.link) == 500


def test_deliver_twice_sends_once(dead_broker, mailoutbox):
    n = email_notification()
    assert services.deliver_notification(notification_id=n.pk) is True
    assert services.deliver_notification(notification_id=n.pk) is False
    assert len(mailoutbox) == 1
    n.refresh_from_db()
    assert n.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_claim_once(dead_broker, mailoutbox):
    n = email_notification()
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        try:
            results.append(services.deliver_notification(notification_id=n.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == [False, False, False, True]
    assert len(mailoutbox) == 1


def test_deliver_unknown_id_does_nothing(mailoutbox):
    assert services.deliver_notification(notification_id=987654321) is False
    assert mailoutbox == []


def test_email_without_address_fails_permanently(dead_broker, mailoutbox):
    n = email_notification(recipient=PersonFactory(email=""))
    assert services.deliver_notification(notification_id=n.pk) is False
    n.refresh_from_db()
    assert n.status == Status.FAILED
    assert "no e-mail address" in n.last_error
    assert mailoutbox == []


def test_webhook_posts_group_robot_json(dead_broker, robot_server):
    org = OrganizationFactory(webhook_url=robot_server.url)
    n = services.notification_create(
        organization=org,
        channel=Channel.WEBHOOK,
        subject="新投诉",
        body="3栋电梯故障",
        link="/issues/7/",
    )
    assert services.deliver_notification(notification_id=n.pk) is True
    assert len(robot_server.received) == 1
    payload = robot_server.received[0]
    assert payload["msgtype"] == "text"
    content = payload["text"]["content"]
    assert "新投诉" in content
    assert "3栋电梯故障" in content
    assert "/issues/7/" in content


def test_webhook_content_is_cut_to_robot_limit(dead_broker, robot_server):
    org = OrganizationFactory(webhook_url=robot_server.url)
    n = services.notification_create(
        organization=org, channel=Channel.WEBHOOK, subject="长", body="汉" * 5000
    )
    services.deliver_notification(notification_id=n.pk)
    assert len(robot_server.received[0]["text"]["content"].encode()) <= 2048


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://example.com/x"])
def test_webhook_bad_url_fails_permanently(dead_broker, url):
    org = OrganizationFactory(webhook_url=url)
    n = services.notification_create(
        organization=org, channel=Channel.WEBHOOK, subject="s", body=""
    )
    assert services.deliver_notification(notification_id=n.pk) is False
    n.refresh_from_db()
    assert n.status == Status.FAILED


def test_webhook_500_is_retried_with_backoff_then_delivered(dead_broker, robot_server):
    robot_server.statuses = [500]
    org = OrganizationFactory(webhook_url=robot_server.url)
    with time_machine.travel(T0, tick=False) as traveller:
        n = services.notification_create(
            organization=org, channel=Channel.WEBHOOK, subject="s", body="b"
        )
        assert services.deliver_notification(notification_id=n.pk) is False
        n.refresh_from_db()
        assert n.status == Status.PENDING
        assert n.attempts == 1
        assert "HTTPError" in n.last_error
        assert n.next_attempt_at == T0 + dt.timedelta(minutes=1)
        # Not yet due: neither the task nor the sweep touches it.
        assert services.deliver_notification(notification_id=n.pk) is False
        assert services.notification_sweep_outbox().attempted == 0
        traveller.shift(dt.timedelta(minutes=1))
        result = services.notification_sweep_outbox()
    assert result.delivered == 1
    n.refresh_from_db()
    assert n.status == Status.DELIVERED
    assert n.attempts == 2
    assert len(robot_server.received) == 2


def test_robot_error_code_counts_as_failure(dead_broker, robot_server):
    robot_server.answer = {"errcode": 45009, "errmsg": "api freq out of limit"}
    org = OrganizationFactory(webhook_url=robot_server.url)
    n = services.notification_create(
        organization=org, channel=Channel.WEBHOOK, subject="s", body=""
    )
    assert services.deliver_notification(notification_id=n.pk) is False
    n.refresh_from_db()
    assert n.status == Status.PENDING
    assert "45009" in n.last_error


def test_backoff_grows_and_gives_up_after_max_attempts(dead_broker, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    # Nothing listens here: every attempt fails with a connection error.
    org = OrganizationFactory(webhook_url=f"http://127.0.0.1:{free_port()}/hook")
    with time_machine.travel(T0, tick=False) as traveller:
        n = services.notification_create(
            organization=org, channel=Channel.WEBHOOK, subject="s", body=""
        )
        delays = []
        for _ in range(3):
            services.notification_sweep_outbox()
            n.refresh_from_db()
            if n.status == Status.PENDING:
                delays.append(n.next_attempt_at - T0)
                traveller.move_to(n.next_attempt_at)
    assert delays == [dt.timedelta(minutes=1), dt.timedelta(minutes=1 + 2)]
    assert n.status == Status.FAILED
    assert n.attempts == 3
    assert list(n.events.values_list("verb", flat=True)) == [
        "retry_scheduled",
        "retry_scheduled",
        "failed",
    ]


def test_backoff_is_capped():
    assert services.backoff_delay(1) == dt.timedelta(minutes=1)
    assert services.backoff_delay(4) == dt.timedelta(minutes=8)
    assert services.backoff_delay(30) == dt.timedelta(hours=1)


def test_max_attempts_defaults_to_eight(settings):
    del settings.NOTIFY_MAX_ATTEMPTS
    assert services.max_attempts() == 8


def test_stuck_sending_row_is_reclaimed_and_delivered_once(dead_broker, mailoutbox):
    with time_machine.travel(T0, tick=False) as traveller:
        n = email_notification()
        # A worker claimed the row and died before sending.
        Notification.objects.filter(pk=n.pk).update(
            status=Status.SENDING, attempts=1, claimed_at=T0
        )
        traveller.shift(dt.timedelta(minutes=9))
        result = services.notification_sweep_outbox()
        assert result.reclaimed == 0
        assert mailoutbox == []
        traveller.shift(dt.timedelta(minutes=2))
        result = services.notification_sweep_outbox()
        assert (result.reclaimed, result.delivered) == (1, 1)
        assert services.notification_sweep_outbox().attempted == 0
    n.refresh_from_db()
    assert n.status == Status.DELIVERED
    assert n.attempts == 2
    assert len(mailoutbox) == 1
    assert list(n.events.values_list("verb", flat=True)) == ["reclaimed", "delivered"]


def test_late_finish_of_reclaimed_row_does_not_overwrite(dead_broker):
    with time_machine.travel(T0, tick=False):
        n = email_notification()
    Notification.objects.filter(pk=n.pk).update(status=Status.SENDING, claimed_at=T0)
    n.refresh_from_db()
    # The row was reclaimed and redelivered meanwhile; the old claim is stale.
    assert services._finish(n, T0 - dt.timedelta(seconds=1), Status.DELIVERED) is False
    n.refresh_from_db()
    assert n.status == Status.SENDING


def test_sweep_respects_batch_and_time_budget(dead_broker, mailoutbox):
    for _ in range(5):
        email_notification()
    assert services.notification_sweep_outbox(batch_size=2, time_budget_seconds=0).attempted == 0
    result = services.notification_sweep_outbox(batch_size=2)
    assert result.delivered == 5
    assert len(mailoutbox) == 5


def test_requeue_failed_resets_attempts(dead_broker, admin_user, mailoutbox):
    n = email_notification(recipient=PersonFactory(email=""))
    services.deliver_notification(notification_id=n.pk)
    Notification.objects.filter(pk=n.pk).update(attempts=8)
    n.recipient.email = "fixed@example.com"
    n.recipient.save()
    assert (
        services.notification_requeue(actor=admin_user, notifications=Notification.objects.all())
        == 1
    )
    n.refresh_from_db()
    assert (n.status, n.attempts, n.last_error) == (Status.PENDING, 0, "")
    services.notification_sweep_outbox()
    assert [m.to for m in mailoutbox] == [["fixed@example.com"]]
    event = NotificationEvent.objects.get(notification=n, verb="requeued")
    assert event.actor == admin_user


def test_requeue_needs_permission(person):
    with pytest.raises(PermissionDenied):
        services.notification_requeue(actor=person, notifications=Notification.objects.all())


def test_mark_read_only_by_recipient(person):
    n = InboxNotificationFactory(recipient=person)
    with pytest.raises(PermissionDenied):
        services.notification_mark_read(actor=PersonFactory(), notification=n)
    assert services.notification_mark_read(actor=person, notification=n) is True
    assert services.notification_mark_read(actor=person, notification=n) is False
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_all_read_touches_only_own_inbox(person):
    mine = InboxNotificationFactory.create_batch(3, recipient=person)
    other = InboxNotificationFactory()
    assert services.notification_mark_all_read(actor=person) == 3
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    other.refresh_from_db()
    assert other.read_at is None
