"""The inbox page: own messages only, unread first, POST-only changes, hostile ids."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from huashan.notify.models import Notification
from tests.factories.directory import PersonFactory

from .factories import InboxNotificationFactory

pytestmark = pytest.mark.django_db

INBOX = "/notifications/"


@pytest.fixture
def logged_in(client, person):
    client.force_login(person)
    return client


def test_inbox_url_name():
    assert reverse("notify:inbox") == INBOX


def test_anonymous_is_sent_to_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    response = client.post(reverse("notify:mark_all_read"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_inbox_lists_own_messages_unread_first(logged_in, person):
    now = timezone.now()
    read_new = InboxNotificationFactory(
        recipient=person, subject="已读的新消息", read_at=now, created_at=now
    )
    unread_old = InboxNotificationFactory(
        recipient=person, subject="未读的旧消息", created_at=now - dt.timedelta(days=3)
    )
    InboxNotificationFactory(subject="别人的消息")
    response = logged_in.get(INBOX)
    assert response.status_code == 200
    listed = list(response.context["notifications"])
    assert listed == [unread_old, read_new]
    html = response.content.decode()
    assert "别人的消息" not in html
    assert html.index("未读的旧消息") < html.index("已读的新消息")
    assert 'class="card unread"' in html


def test_inbox_hides_email_and_webhook_rows(logged_in, person):
    Notification.objects.create(
        recipient=person, channel="email", subject="邮件行", status="pending"
    )
    response = logged_in.get(INBOX)
    assert "邮件行" not in response.content.decode()


@pytest.mark.parametrize("page", ["2", "999", "abc", "-1", "9" * 40, ""])
def test_bogus_page_numbers_do_not_fail(logged_in, person, page):
    InboxNotificationFactory.create_batch(25, recipient=person)
    response = logged_in.get(INBOX, {"page": page})
    assert response.status_code == 200
    assert 1 <= len(response.context["notifications"]) <= 20


def test_inbox_query_count_is_constant(logged_in, person, django_assert_max_num_queries):
    InboxNotificationFactory.create_batch(3, recipient=person)
    with django_assert_max_num_queries(12) as small:
        logged_in.get(INBOX)
    InboxNotificationFactory.create_batch(40, recipient=person, link="/x/")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = logged_in.get(INBOX)
    assert len(response.context["notifications"]) == 20


def test_mark_read(logged_in, person):
    n = InboxNotificationFactory(recipient=person)
    response = logged_in.post(reverse("notify:mark_read", args=[n.pk]))
    assert response.status_code == 302
    assert response["Location"] == INBOX
    n.refresh_from_db()
    assert n.read_at is not None


def test_mark_read_requires_post(logged_in, person):
    n = InboxNotificationFactory(recipient=person)
    assert logged_in.get(reverse("notify:mark_read", args=[n.pk])).status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_read_requires_csrf(person):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    n = InboxNotificationFactory(recipient=person)
    assert client.post(reverse("notify:mark_read", args=[n.pk])).status_code == 403
    n.refresh_from_db()
    assert n.read_at is None


def test_other_users_notification_is_404(logged_in):
    other = InboxNotificationFactory(recipient=PersonFactory())
    for name in ("notify:mark_read", "notify:open"):
        assert logged_in.post(reverse(name, args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/notifications/0/read/",
        "/notifications/99999999/read/",
        "/notifications/99999999999999999999999999/read/",
        "/notifications/9223372036854775808/open/",
        "/notifications/-1/read/",
        "/notifications/abc/read/",
        "/notifications/1%27%20OR%201=1/read/",
        "/notifications/%00/open/",
    ],
)
def test_hostile_ids_are_404(logged_in, path):
    assert logged_in.post(path).status_code == 404


def test_mark_all_read(logged_in, person):
    InboxNotificationFactory.create_batch(3, recipient=person)
    other = InboxNotificationFactory()
    response = logged_in.post(reverse("notify:mark_all_read"), follow=True)
    assert response.status_code == 200
    assert not Notification.objects.filter(recipient=person, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert "All notifications are marked as read." in response.content.decode() or (
        "全部通知已标记为已读" in response.content.decode()
    )


def test_open_marks_read_and_follows_local_link(logged_in, person):
    n = InboxNotificationFactory(recipient=person, link="/issues/12/")
    response = logged_in.post(reverse("notify:open", args=[n.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/issues/12/"
    n.refresh_from_db()
    assert n.read_at is not None


@pytest.mark.parametrize(
    "link", ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)", ""]
)
def test_open_never_redirects_off_site(logged_in, person, link):
    n = InboxNotificationFactory(recipient=person, link=link)
    response = logged_in.post(reverse("notify:open", args=[n.pk]))
    assert response.status_code == 302
    assert response["Location"] == INBOX


def test_inactive_person_is_refused(client):
    person = PersonFactory()
    client.force_login(person)
    person.is_active = False
    person.save()
    response = client.get(INBOX)
    assert response.status_code in (302, 403)


def test_header_shows_unread_count(logged_in, person):
    InboxNotificationFactory.create_batch(2, recipient=person)
    response = logged_in.get(INBOX)
    assert response.context["unread_notifications"] == 2
