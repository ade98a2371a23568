"""Read queries for notifications: the inbox page and the header counter."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from .models import Notification

# Ids beyond a PostgreSQL bigint would make the query itself fail (a 500).
MAX_PK = 2**63 - 1


def unread_count(*, user) -> int:
    """Unread inbox messages of ``user``: one indexed COUNT, 0 for anonymous visitors."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(
        recipient_id=user.pk, channel=Notification.Channel.INBOX, read_at__isnull=True
    ).count()


def inbox_list(*, user) -> QuerySet[Notification]:
    """The user's inbox: unread first, newest first within each group."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return Notification.objects.filter(
        recipient_id=user.pk, channel=Notification.Channel.INBOX
    ).order_by(unread.desc(), "-created_at", "-pk")


def inbox_get(*, user, pk: int) -> Notification | None:
    """One inbox message if it is the user's own; None for anything else."""
    if not 0 < pk <= MAX_PK:
        return None
    return Notification.objects.filter(
        pk=pk, recipient_id=user.pk, channel=Notification.Channel.INBOX
    ).first()
