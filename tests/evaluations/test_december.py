"""评议监督考核制度 第一条 "每年12月开展": the December reminder to open the campaign."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluations import services, tasks
from huashan.notify.models import Notification

pytestmark = pytest.mark.django_db


def reminders(world):
    return Notification.objects.filter(recipient=world.organizer, link="/evaluations/")


def test_december_reminds_the_community_party_officers_once(world):
    """The 2025 campaign exists; nothing covers 2026 yet."""
    assert services.campaign_december_reminders(today=dt.date(2026, 11, 30)) == []
    assert not reminders(world).exists()

    first = services.campaign_december_reminders(today=dt.date(2026, 12, 1))
    again = services.campaign_december_reminders(today=dt.date(2026, 12, 2))

    assert first == [world.compound.community]
    assert again == []
    (note,) = reminders(world)
    assert "2026" in note.subject
    assert world.compound.name in note.body


def test_no_reminder_once_the_years_campaign_is_open(world):
    services.campaign_create(actor=world.organizer, compound=world.compound, year=2026)
    assert services.campaign_december_reminders(today=dt.date(2026, 12, 1)) == []
    assert not reminders(world).exists()


def test_a_community_campaign_also_counts(world):
    services.campaign_create(actor=world.organizer, community=world.compound.community, year=2026)
    assert services.campaign_december_reminders(today=dt.date(2026, 12, 1)) == []


def test_the_beat_task_runs_the_service(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert tasks.december_reminders() == {"reminded": 1}
    assert tasks.december_reminders() == {"reminded": 0}
    assert reminders(world).count() == 1
