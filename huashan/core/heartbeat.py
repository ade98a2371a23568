"""Heartbeats: periodic processes prove they are alive; pages and /healthz read them.

Celery beat runs ``huashan.core.tasks.beat_heartbeat`` every minute. If its
row grows old, no deadline scan, alarm or reminder is running either, and
staff must be told (DESIGN.md §4 "Scheduling").
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Heartbeat

BEAT = "beat"


def heartbeat_stamp(*, name: str) -> Heartbeat:
    """Record that ``name`` ran just now (one row per name, upserted)."""
    heartbeat, _created = Heartbeat.objects.update_or_create(
        name=name, defaults={"at": timezone.now()}
    )
    return heartbeat


def heartbeat_last(*, name: str):
    """When ``name`` last ran, or None if it never has."""
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


def heartbeat_age(*, name: str) -> timedelta | None:
    last = heartbeat_last(name=name)
    if last is None:
        return None
    return max(timezone.now() - last, timedelta(0))


def beat_stale_after() -> timedelta:
    return getattr(settings, "BEAT_STALE_AFTER", timedelta(minutes=10))


def scheduler_warning() -> str | None:
    """A staff-page warning when Celery beat is silent; None while it is healthy."""
    age = heartbeat_age(name=BEAT)
    if age is None:
        return _("The scheduler has never run: deadline alarms and reminders are not being sent.")
    if age <= beat_stale_after():
        return None
    minutes = int(age.total_seconds() // 60)
    return ngettext(
        "The scheduler has not run for %(minutes)d minute: "
        "deadline alarms and reminders are not being sent.",
        "The scheduler has not run for %(minutes)d minutes: "
        "deadline alarms and reminders are not being sent.",
        minutes,
    ) % {"minutes": minutes}
