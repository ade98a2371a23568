from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from huashan.notify import selectors
from huashan.notify.models import Notification

from .factories import InboxNotificationFactory

pytestmark = pytest.mark.django_db


def test_unread_count_counts_only_own_unread_inbox(person, django_assert_num_queries):
    InboxNotificationFactory.create_batch(3, recipient=person)
    InboxNotificationFactory(recipient=person, read_at=timezone.now())
    InboxNotificationFactory()
    Notification.objects.create(recipient=person, channel="email", subject="e")
    with django_assert_num_queries(1):
        assert selectors.unread_count(user=person) == 3


def test_unread_count_anonymous_is_zero_without_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.unread_count(user=AnonymousUser()) == 0
        assert selectors.unread_count(user=None) == 0


@pytest.mark.parametrize("pk", [0, -5, 2**63, 10**30])
def test_inbox_get_out_of_range_is_none(person, pk):
    assert selectors.inbox_get(user=person, pk=pk) is None
