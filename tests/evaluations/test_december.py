"""评议监督考核制度 第一条 "每年12月开展": the December reminder to open the campaign."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluations import services, tasks
from huashan.notify.models import Notification

pytestmark = pytest.mark.django_db


def reminders(world):
    return Notification.objects.filter(recipient=world.community_secretary, link="/evaluations/")


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
    services.campaign_create(actor=world.community_secretary, compound=world.compound, year=2026)
    assert services.campaign_december_reminders(today=dt.date(2026, 12, 1)) == []
    assert not reminders(world).exists()


def test_a_community_campaign_also_counts(world):
    services.campaign_create(
        actor=world.community_secretary, community=world.compound.community, year=2026
    )
    assert services.campaign_december_reminders(today=dt.date(2026, 12, 1)) == []


def test_the_beat_task_runs_the_service(world, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert tasks.december_reminders() == {"reminded": 1}
    assert tasks.december_reminders() == {"reminded": 0}
    assert reminders(world).count() == 1


def test_the_reminder_is_one_alarm_row_per_community_and_year(world):
    """评议监督考核制度 第一条 "每年12月": one unique alarm row, like every other alarm.

    A second run does nothing even when the inbox no longer holds the first
    reminder (read and deleted) or a new officer took a seat since: the row,
    not a translated subject, is the "once".
    """
    from django.db import IntegrityError, transaction

    from evaluations.models import DecemberReminder
    from huashan.directory.models import Membership, Organization
    from tests.factories.directory import MembershipFactory

    assert services.campaign_december_reminders(today=dt.date(2026, 12, 1))
    (alarm,) = DecemberReminder.objects.all()
    assert (alarm.community, alarm.year) == (world.compound.community, 2026)

    Notification.objects.all().delete()
    party = Organization.objects.get(
        kind=Organization.Kind.COMMUNITY_PARTY, community=world.compound.community
    )
    MembershipFactory(organization=party, role=Membership.Role.SECRETARY)
    assert services.campaign_december_reminders(today=dt.date(2026, 12, 2)) == []
    assert not Notification.objects.exists()
    assert DecemberReminder.objects.count() == 1

    with pytest.raises(IntegrityError), transaction.atomic():
        DecemberReminder.objects.create(community=world.compound.community, year=2026)


def test_next_december_is_a_new_alarm(world):
    services.campaign_december_reminders(today=dt.date(2026, 12, 1))
    assert services.campaign_december_reminders(today=dt.date(2027, 12, 1)) == [
        world.compound.community
    ]
