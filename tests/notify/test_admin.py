from __future__ import annotations

import pytest

from huashan.notify.models import Notification
from tests.factories.directory import PersonFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notify/notification/"


def test_changelist_filters_and_requeue_action(admin_client, mailoutbox):
    failed = Notification.objects.create(
        recipient=PersonFactory(email="sun@example.com"),
        channel="email",
        subject="失败的邮件",
        status="failed",
        attempts=8,
        last_error="SMTPException",
    )
    response = admin_client.get(CHANGELIST, {"status__exact": "failed", "channel__exact": "email"})
    assert response.status_code == 200
    assert "失败的邮件" in response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in response.content.decode()
    response = admin_client.post(
        CHANGELIST, {"action": "requeue", "_selected_action": [failed.pk]}, follow=True
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)


def test_change_page_renders(admin_client):
    n = Notification.objects.create(recipient=PersonFactory(), channel="inbox", subject="站内")
    response = admin_client.get(f"{CHANGELIST}{n.pk}/change/")
    assert response.status_code == 200


def test_email_body_has_no_missing_variables(mailoutbox):
    from huashan.notify.services import deliver_notification

    n = Notification.objects.create(
        recipient=PersonFactory(email="a@example.com"), channel="email", subject="主题", body="正文"
    )
    assert deliver_notification(notification_id=n.pk)
    assert "INVALID_TEMPLATE_VARIABLE" not in mailoutbox[0].body
    assert mailoutbox[0].body.startswith("主题")
