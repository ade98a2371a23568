from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from huashan.notify.models import Notification
from tests.factories.directory import PersonFactory


class InboxNotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(PersonFactory)
    channel = Notification.Channel.INBOX
    status = Notification.Status.DELIVERED
    subject = factory.Sequence(lambda n: f"通知{n}")
    body = "请查看。"
    link = ""
