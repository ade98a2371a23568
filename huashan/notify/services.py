"""Notification writes: create, deliver (claim with compare-and-set), sweep, read.

DESIGN.md §4 "Notifications" and §6: a request never waits on the broker.
``notification_create`` writes the outbox row in the caller's transaction and,
after commit, hands the id to Celery with a bounded publish (measured on this
stack with the settings' ``socket_timeout``/``socket_connect_timeout`` = 3 s:
closed broker port ≈ 0.1 s, broker that accepts but never answers ≈ 3 s; the
default retry policy would allow several such waits). If the publish fails the
row simply stays pending and the periodic sweep delivers it.

Exactly once: every sender first claims the row with a conditional UPDATE
(``pending → sending``) and acts only if that UPDATE changed one row, in the
manner of healthchecks' ``sendalerts``. The on-commit task, a redelivered task
(``acks_late``) and any number of sweeps may race; only one of them sends.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from huashan.directory.selectors import organization_recipients

from .channels import SENDERS, PermanentDeliveryError
from .models import Notification, NotificationEvent

logger = logging.getLogger(__name__)

Status = Notification.Status
Channel = Notification.Channel

# One retry at most when publishing: bounded by ~2 × socket_timeout in the worst case.
DISPATCH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# A worker that died mid-send leaves its row "sending"; the sweep takes it back after this.
STUCK_SENDING_AFTER = timedelta(minutes=10)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# The sweep runs every 2 minutes with expires=100 s: stop well before the next one.
SWEEP_TIME_BUDGET_SECONDS = 90
SWEEP_BATCH_SIZE = 50
SUBJECT_MAX = Notification._meta.get_field("subject").max_length
LINK_MAX = Notification._meta.get_field("link").max_length


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 8))


def backoff_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the n-th failed attempt, at most an hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


# --- creating ---------------------------------------------------------------


def notification_create(
    *,
    recipient=None,
    organization=None,
    channel: str,
    subject: str,
    body: str,
    link: str = "",
    mobile: str = "",
    sms_kind: str = "",
    sms_params: dict | None = None,
) -> Notification:
    """Write one outbox row; deliver it after the caller's transaction commits.

    An ``sms`` row needs a message kind (``huashan.notify.sms.KINDS``) and its
    parameters, and a recipient or a ``mobile`` (issue 21 item 2).

    Call it inside the transaction that makes the change the message is about,
    so a rolled-back change sends nothing. Inbox messages are delivered by
    being written (status ``delivered``); e-mail and webhook rows are
    dispatched to Celery on commit and swept if that dispatch fails.

    seed: 决策报告制度 第一条 (重要紧急信息须第一时间通报), 第三条 (及时通报).
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown notification channel {channel!r}")
    if channel in (Channel.INBOX, Channel.EMAIL) and recipient is None:
        raise ValueError(f"a {channel} notification needs a recipient")
    if channel == Channel.WEBHOOK and organization is None:
        raise ValueError("a webhook notification needs an organization")
    if channel == Channel.SMS:
        from .sms import clip_params

        if recipient is None and not mobile:
            raise ValueError("an sms notification needs a recipient or a mobile number")
        sms_params = clip_params(sms_kind, sms_params or {})  # ValueError for an unknown kind
    else:
        mobile, sms_kind, sms_params = "", "", {}
    # E-mail headers cannot hold line breaks; the body keeps the full text.
    subject = " ".join(str(subject).split())
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    link = str(link)[:LINK_MAX]
    now = timezone.now()
    is_inbox = channel == Channel.INBOX
    notification = Notification.objects.create(
        recipient=recipient if channel != Channel.WEBHOOK else None,
        organization=organization if channel == Channel.WEBHOOK else None,
        channel=channel,
        subject=subject,
        body=str(body),
        link=link,
        status=Status.DELIVERED if is_inbox else Status.PENDING,
        created_at=now,
        next_attempt_at=now,
        delivered_at=now if is_inbox else None,
        mobile=mobile,
        sms_kind=sms_kind,
        sms_params=sms_params,
    )
    if not is_inbox:
        notification_id = notification.pk
        transaction.on_commit(lambda: notification_dispatch(notification_id=notification_id))
    return notification


@dataclass(frozen=True)
class OutboxMessage:
    """One row for :func:`notifications_create_bulk` (the fields of ``notification_create``)."""

    channel: str
    subject: str
    body: str
    link: str = ""
    recipient: Any = None
    organization: Any = None


# --- telling an organization or a person (issue 15 item 1) --------------------


def organization_messages(
    *, organization, subject: str, body: str, link: str = "", recipients=None
) -> list[OutboxMessage]:
    """What :func:`notify_organization` writes, as rows (for a bulk insert).

    An inbox row for each of ``organization_recipients`` (the one rule in
    docs/roles.md "Who is told"), and one webhook row when the organization has a
    group robot. ``recipients`` lets a batch pass the people it already read.
    """
    if organization is None:
        return []
    people = (
        recipients if recipients is not None else organization_recipients(organization=organization)
    )
    rows = [
        OutboxMessage(
            channel=Channel.INBOX, recipient=person, subject=subject, body=body, link=link
        )
        for person in people
    ]
    if organization.webhook_url:
        rows.append(
            OutboxMessage(
                channel=Channel.WEBHOOK,
                organization=organization,
                subject=subject,
                body=body,
                link=link,
            )
        )
    return rows


def notify_organization(
    *, organization, subject: str, body: str, link: str = "", recipients=None
) -> list[Notification]:
    """Tell an organization: its officers, staff seats and grid workers, and its robot.

    Nothing for ``None``. Call inside the transaction of the change it reports.
    seed: 决策报告制度 第一条, 第三条 (及时通报); the rule: docs/roles.md "Who is told".
    """
    return [
        notification_create(
            recipient=row.recipient,
            organization=row.organization,
            channel=row.channel,
            subject=row.subject,
            body=row.body,
            link=row.link,
        )
        for row in organization_messages(
            organization=organization,
            subject=subject,
            body=body,
            link=link,
            recipients=recipients,
        )
    ]


def notify_person(*, person, subject: str, body: str, link: str = "") -> Notification | None:
    """An inbox message for one active person; nothing for ``None`` or an inactive account.

    Also an SMS when the person chose this kind of notice for SMS (issue 21 item 2;
    :func:`notice_category` reads the kind from the link). Returns the inbox row.
    """
    if person is None or not person.is_active:
        return None
    inbox = notification_create(
        recipient=person, channel=Channel.INBOX, subject=subject, body=body, link=link
    )
    if notice_category(link) in sms_categories(person):
        _sms_notice(person, subject=subject, body=body, link=link)
    return inbox


def _sms_notice(person, *, subject: str, body: str, link: str) -> Notification:
    """The SMS copy of a notice, for a person who chose this kind of notice for SMS."""
    return notification_create(
        recipient=person,
        channel=Channel.SMS,
        subject=subject,
        body=body,
        link=link,
        sms_kind="notice",
        sms_params={"subject": subject},
    )


def notify_persons(*, persons, subject: str, body: str, link: str = "") -> int:
    """:func:`notify_person` for many people at once — every owner of a compound, say — in
    a fixed number of statements: the inbox rows in one insert
    (:func:`notifications_create_bulk`), the SMS preferences in one query, and an SMS row
    only for those who chose this kind of notice for SMS. Inactive accounts get nothing.
    Returns the number of people told."""
    from .models import SmsPreference

    people = [p for p in persons if p is not None and p.is_active]
    if not people:
        return 0
    notifications_create_bulk(
        OutboxMessage(
            channel=Channel.INBOX, subject=subject, body=body, link=link, recipient=person
        )
        for person in people
    )
    category = notice_category(link)
    # Read whole and matched here: SQLite (`make run`) has no JSON containment lookup.
    wanting = {
        person_id
        for person_id, categories in SmsPreference.objects.filter(
            person__in=[p.pk for p in people]
        ).values_list("person_id", "categories")
        if category in (categories or ())
    }
    for person in people:
        if person.pk in wanting:
            _sms_notice(person, subject=subject, body=body, link=link)
    return len(people)


#: Where a notice links → the category a resident may choose for SMS.
_CATEGORY_PREFIXES = (
    ("/issues/", "complaints"),
    ("/meetings/", "meetings"),
    ("/disclosures/", "disclosures"),
    ("/evaluations/", "disclosures"),
    ("/accounts/", "account"),
    ("/directory/", "account"),
)


def notice_category(link: str) -> str:
    """The SMS-preference category of a notice, from the page it links to."""
    path = str(link or "")
    if "://" in path:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    for prefix, category in _CATEGORY_PREFIXES:
        if path.startswith(prefix):
            return category
    return "other"


def sms_categories(person) -> set[str]:
    """The categories ``person`` wants by SMS (one query; empty when never chosen)."""
    from .models import SmsPreference

    row = SmsPreference.objects.filter(person=person).values_list("categories", flat=True).first()
    return set(row or ())


def sms_preference_set(*, actor, person, categories: Iterable[str]):
    """A resident chooses which notices also reach them by SMS (only their own)."""
    from .models import SmsPreference

    if actor is None or actor.pk != person.pk:
        raise PermissionDenied
    allowed = set(SmsPreference.Category.values)
    chosen = sorted({c for c in categories if c in allowed})
    row, _created = SmsPreference.objects.update_or_create(
        person=person, defaults={"categories": chosen}
    )
    return row


def tracking_sms(*, mobile: str, number: str, status: str, link: str = "") -> Notification:
    """Tell an anonymous reporter who left a number that their complaint moved on."""
    return notification_create(
        channel=Channel.SMS,
        mobile=mobile,
        subject=f"{number}: {status}",
        body="",
        link=link,
        sms_kind="tracking",
        sms_params={"number": number, "status": status},
    )


# The rows travel as one JSON document (json.dumps is C; a list-per-column array
# parameter is adapted value by value in Python).
_BULK_INSERT_SQL = f"""
INSERT INTO {Notification._meta.db_table}
    (recipient_id, organization_id, channel, subject, body, link, status, attempts,
     last_error, created_at, next_attempt_at, delivered_at,
     mobile, sms_kind, sms_params, gateway_answer)
SELECT m.r, m.o, m.c, m.s, m.b, m.l,
       CASE WHEN m.c = %(inbox)s THEN %(delivered)s ELSE %(pending)s END, 0, '',
       %(now)s, %(now)s, CASE WHEN m.c = %(inbox)s THEN %(now)s::timestamptz END,
       '', '', '{{}}'::jsonb, '{{}}'::jsonb
FROM json_to_recordset(%(rows)s::json) AS m(r bigint, o bigint, c text, s text, b text, l text)
RETURNING id, channel
"""


def _set_based() -> bool:
    """PostgreSQL takes the one-statement JSON insert; SQLite (`make run`) the ORM."""
    return connection.vendor == "postgresql"


def notifications_create_bulk(messages: Iterable[OutboxMessage]) -> list[int]:
    """Write many outbox rows in one INSERT; deliver them after the caller's commit.

    The same rules as :func:`notification_create` (inbox rows are written
    delivered, e-mail and webhook rows pending; subjects on one line, cut to
    fit), for set-based callers such as the deadline scans that raise hundreds
    of alarms per batch: one ``INSERT … SELECT FROM json_to_recordset(…)``
    instead of a model instance per row. Returns the new rows' ids. After commit
    the pending rows are handed to the broker one by one; at the first failed
    publish the rest are left to ``notification_sweep_outbox`` instead of
    waiting on a broker that is down once per row.
    """
    rows = []
    channels = frozenset(Channel.values)
    for message in messages:
        channel = message.channel
        if channel not in channels:
            raise ValueError(f"unknown notification channel {channel!r}")
        if channel in (Channel.INBOX, Channel.EMAIL) and message.recipient is None:
            raise ValueError(f"a {channel} notification needs a recipient")
        if channel == Channel.WEBHOOK and message.organization is None:
            raise ValueError("a webhook notification needs an organization")
        if channel == Channel.SMS:
            raise ValueError("SMS rows are written one by one (notification_create)")
        subject = " ".join(str(message.subject).split())
        if len(subject) > SUBJECT_MAX:
            subject = subject[: SUBJECT_MAX - 1] + "…"
        webhook = channel == Channel.WEBHOOK
        rows.append(
            {
                "r": None if webhook else getattr(message.recipient, "pk", message.recipient),
                "o": getattr(message.organization, "pk", message.organization) if webhook else None,
                "c": str(channel),
                "s": subject,
                "b": str(message.body),
                "l": str(message.link)[:LINK_MAX],
            }
        )
    if not rows:
        return []
    params = {
        "rows": json.dumps(rows, ensure_ascii=False),
        "now": timezone.now(),
        "inbox": str(Channel.INBOX),
        "delivered": str(Status.DELIVERED),
        "pending": str(Status.PENDING),
    }
    if _set_based():
        with connection.cursor() as cursor:
            cursor.execute(_BULK_INSERT_SQL, params)
            created = cursor.fetchall()
    else:  # SQLite under `make run`: the same rows through the ORM
        now = params["now"]
        objects = Notification.objects.bulk_create(
            Notification(
                recipient_id=row["r"],
                organization_id=row["o"],
                channel=row["c"],
                subject=row["s"],
                body=row["b"],
                link=row["l"],
                status=Status.DELIVERED if row["c"] == Channel.INBOX else Status.PENDING,
                created_at=now,
                next_attempt_at=now,
                delivered_at=now if row["c"] == Channel.INBOX else None,
            )
            for row in rows
        )
        created = [(n.pk, n.channel) for n in objects]
    pending = [pk for pk, channel in created if channel != Channel.INBOX]
    if pending:

        def dispatch_all() -> None:
            for notification_id in pending:
                if not notification_dispatch(notification_id=notification_id):
                    break  # the broker is down: the sweep delivers the rest

        transaction.on_commit(dispatch_all)
    return [pk for pk, _channel in created]


def notification_dispatch(*, notification_id: int) -> bool:
    """Hand one id to the broker without ever blocking a request for long.

    Returns False (and logs) when the broker is unreachable; the row stays
    pending and ``notification_sweep_outbox`` delivers it later.
    """
    from .tasks import deliver

    try:
        deliver.apply_async(
            kwargs={"notification_id": notification_id},
            retry=True,
            retry_policy=DISPATCH_RETRY_POLICY,
        )
    except Exception:  # kombu/redis/socket errors alike: the sweep is the fallback.
        logger.warning(
            "notification %s: broker unreachable, left pending for the sweep",
            notification_id,
            exc_info=True,
        )
        return False
    return True


# --- delivering -------------------------------------------------------------


def deliver_notification(*, notification_id: int) -> bool:
    """Claim one due pending row and send it; True only if this call delivered it.

    Safe to call any number of times, concurrently: the conditional UPDATE
    lets exactly one caller through. Network I/O happens outside any
    transaction; the outcome is written with a guard on the same claim.
    """
    claimed_at = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Status.PENDING, next_attempt_at__lte=claimed_at
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=claimed_at)
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("recipient", "organization").get(
        pk=notification_id
    )
    sender = SENDERS.get(notification.channel)
    try:
        if sender is None:
            raise PermanentDeliveryError(f"channel {notification.channel} has no sender")
        sender(notification)
    except PermanentDeliveryError as exc:
        _finish(notification, claimed_at, Status.FAILED, error=str(exc))
        return False
    except Exception as exc:  # SMTP, HTTP, DNS, timeouts: retry later.
        logger.warning("notification %s: delivery attempt failed: %s", notification_id, exc)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= max_attempts():
            _finish(notification, claimed_at, Status.FAILED, error=error)
        else:
            _finish(
                notification,
                claimed_at,
                Status.PENDING,
                error=error,
                next_attempt_at=timezone.now() + backoff_delay(notification.attempts),
            )
        return False
    return _finish(notification, claimed_at, Status.DELIVERED)


def _finish(
    notification: Notification,
    claimed_at,
    status: str,
    *,
    error: str = "",
    next_attempt_at=None,
) -> bool:
    now = timezone.now()
    fields: dict = {"status": status, "last_error": error}
    if status == Status.DELIVERED:
        fields["delivered_at"] = now
    if next_attempt_at is not None:
        fields["next_attempt_at"] = next_attempt_at
    with transaction.atomic():
        # Guard on our own claim: if the sweep reclaimed a stuck row, we no longer own it.
        updated = Notification.objects.filter(
            pk=notification.pk, status=Status.SENDING, claimed_at=claimed_at
        ).update(**fields)
        if updated:
            verb = {
                Status.DELIVERED: "delivered",
                Status.FAILED: "failed",
                Status.PENDING: "retry_scheduled",
            }[status]
            NotificationEvent.objects.create(
                notification=notification,
                verb=verb,
                from_state=Status.SENDING,
                to_state=status,
                note=error,
            )
    return bool(updated)


@dataclass
class SweepResult:
    reclaimed: int = 0
    given_up: int = 0
    attempted: int = 0
    delivered: int = 0


def notification_sweep_outbox(
    *,
    batch_size: int = SWEEP_BATCH_SIZE,
    time_budget_seconds: float = SWEEP_TIME_BUDGET_SECONDS,
) -> SweepResult:
    """Reclaim stuck rows, then deliver due pending rows inline, batch by batch.

    Inline, not re-enqueued: the sweep is the path for when the broker path
    failed, so it depends only on the database and the outside channel. The
    claim makes a concurrent task, a second sweep or a redelivery harmless.
    A time budget keeps one run shorter than the beat interval; whatever is
    left is due for the next run.
    """
    result = SweepResult()
    now = timezone.now()
    result.reclaimed, result.given_up = _reclaim_stuck(now=now)
    started = time.monotonic()
    seen: set[int] = set()
    while time.monotonic() - started < time_budget_seconds:
        due = list(
            Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
            .exclude(pk__in=seen)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not due:
            break
        for pk in due:
            if time.monotonic() - started >= time_budget_seconds:
                break
            seen.add(pk)
            result.attempted += 1
            if deliver_notification(notification_id=pk):
                result.delivered += 1
    return result


def _reclaim_stuck(*, now) -> tuple[int, int]:
    """Rows "sending" for longer than any send can take: the worker died mid-send."""
    cutoff = now - STUCK_SENDING_AFTER
    reclaimed = given_up = 0
    with transaction.atomic():
        stuck = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_at__lt=cutoff)
            .values_list("pk", "attempts")[:1000]
        )
        events = []
        for pk, attempts in stuck:
            to_state = Status.FAILED if attempts >= max_attempts() else Status.PENDING
            note = "sender did not finish within 10 minutes"
            Notification.objects.filter(pk=pk, status=Status.SENDING).update(
                status=to_state, next_attempt_at=now, last_error=note
            )
            events.append(
                NotificationEvent(
                    notification_id=pk,
                    verb="reclaimed",
                    from_state=Status.SENDING,
                    to_state=to_state,
                    note=note,
                )
            )
            if to_state == Status.FAILED:
                given_up += 1
            else:
                reclaimed += 1
        NotificationEvent.objects.bulk_create(events)
    return reclaimed, given_up


def notification_requeue(*, actor, notifications: QuerySet[Notification]) -> int:
    """Admin action: send failed (or stalled pending) rows again, with fresh attempts."""
    if not (actor.is_superuser or actor.has_perm("notify.change_notification")):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            notifications.select_for_update()
            .filter(status__in=(Status.FAILED, Status.PENDING))
            .exclude(channel=Channel.INBOX)
            .values_list("pk", "status")
        )
        for pk, old in ids:
            Notification.objects.filter(pk=pk, status=old).update(
                status=Status.PENDING, attempts=0, next_attempt_at=now, last_error=""
            )
        NotificationEvent.objects.bulk_create(
            NotificationEvent(
                notification_id=pk, actor=actor, verb="requeued", from_state=old, to_state="pending"
            )
            for pk, old in ids
        )
        for pk, _old in ids:
            transaction.on_commit(lambda pk=pk: notification_dispatch(notification_id=pk))
    return len(ids)


# --- reading ----------------------------------------------------------------


def notification_mark_read(*, actor, notification: Notification) -> bool:
    """The recipient has seen one inbox message. True if it was unread."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    now = timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=now
    )
    if updated:
        notification.read_at = now
    return bool(updated)


def notification_mark_all_read(*, actor) -> int:
    """Every unread inbox message of the actor, in one UPDATE."""
    if not actor.is_authenticated:
        raise PermissionDenied
    return Notification.objects.filter(
        recipient=actor, channel=Channel.INBOX, read_at__isnull=True
    ).update(read_at=timezone.now())
