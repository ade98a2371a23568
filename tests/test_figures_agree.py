"""One source per figure (issue 13 item 7; DESIGN.md §4 "One source per number").

The audit saw "本月到期议定事项" 5 on the compound dashboard and 2 on the community and
street comparisons for the same compound at the same moment, and the pledge board say
"定期联席会议 已完成 0 次" while the dashboard said the month's joint meeting was held.
Here one world is built, the roll-up is computed, then the data moves on (an item comes
due, one goes overdue, the joint meeting is held) and every page is read at the same
frozen moment: each shared figure must be the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dashboard.services import snapshot_refresh
from huashan.workdays import end_of_day
from meetings.models import Meeting
from pledges.engine import evaluate
from tests.factories.meetings import ActionItemFactory, MeetingFactory
from tests.factories.pledges import PledgeItemFactory, PledgeLetterFactory
from tests.factories.world import compound_world

TZ = timezone.get_fixed_timezone(8 * 60)
NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ)
SHARED = ("action_items_due", "action_items_overdue", "joint_meeting_held")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def world(db, frozen, django_capture_on_commit_callbacks):
    world = compound_world()
    compound = world.compound
    letter = PledgeLetterFactory(
        organization=world.orgs.compound_party, compound=compound, published=True
    )
    # seed: 小区党组织服务承诺 第1条 "每月至少召开1次……三方联席会议".
    world.item = PledgeItemFactory(
        letter=letter,
        number=1,
        heading="定期联席会议",
        params={"source": "meeting", "kinds": ["joint"], "min_count": 1, "period_months": 1},
    )
    office = world.orgs.joint_meeting_office
    past = MeetingFactory(compound=compound, start=NOW - dt.timedelta(days=40))
    today = timezone.localdate()

    def item(days: int, **kw):
        day = today + dt.timedelta(days=days)
        return ActionItemFactory(
            meeting=past,
            responsible_organization=office,
            due_date=day,
            due_at=end_of_day(day),
            **kw,
        )

    item(3)  # due this month
    evaluate()
    for c in (compound,):
        snapshot_refresh(compound=c)
    # The data moves on after the roll-up and the hourly pledge run.
    item(5)
    item(-3)  # overdue
    item(30)  # due next month: neither figure
    with django_capture_on_commit_callbacks(execute=True):
        MeetingFactory(compound=compound, start=NOW - dt.timedelta(days=2))
    return world


def _compound_figures(client, world) -> dict:
    client.force_login(world.people.compound_party)
    url = reverse("dashboard:compound", args=[world.compound.slug])
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    board = response.context["board"]
    return {key: board.figures[key].value for key in SHARED}


def _comparison_figures(client, person, url, compound) -> dict:
    client.force_login(person)
    comparison = client.get(url).context["comparison"]
    (row,) = [r for r in comparison.rows if r.compound.pk == compound.pk]
    return {key: row.values[key] for key in SHARED}


@pytest.mark.django_db
def test_dashboards_show_the_same_agreed_items_and_joint_meeting_figures(client, world):
    """联席会议议事规则 第五条 (议定事项 followed up) and 小区党组织服务承诺 第1条: the compound
    dashboard, the community and the street comparison agree at the same moment."""
    compound = world.compound
    own = _compound_figures(client, world)
    assert own == {"action_items_due": 2, "action_items_overdue": 1, "joint_meeting_held": True}
    community = _comparison_figures(
        client,
        world.people.community_party,
        reverse("dashboard:community", args=[compound.community.slug]),
        compound,
    )
    street = _comparison_figures(
        client,
        world.people.street_office,
        reverse("dashboard:street", args=[compound.community.street.slug]),
        compound,
    )
    assert community == own
    assert street == own


@pytest.mark.django_db
def test_pledge_board_counts_the_joint_meeting_the_dashboard_counts(client, world):
    """小区党组织服务承诺 第1条 (每月至少召开1次联席会议): the board's count of joint meetings
    held this month is the dashboard's, once the meeting is recorded."""
    from meetings.selectors import meeting_count

    start = NOW.replace(day=1, hour=0)
    held = meeting_count(compound=world.compound, kinds=[Meeting.Kind.JOINT], start=start, end=NOW)
    assert held == 1
    assert _compound_figures(client, world)["joint_meeting_held"] is True
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("pledges:board"), {"compound": world.compound.slug}).content
    html = html.decode()
    item = re.search(rf'data-item="{world.item.pk}".*?</li>', html, flags=re.DOTALL).group(0)
    assert f"{held} done, at least 1 promised." in item


@pytest.mark.django_db
def test_pledge_board_numbers_each_item_once(client, world):
    """The audit saw "1. 1. 定期联席会议": the list numbers items by the letter's numbers."""
    html = client.get(reverse("pledges:board"), {"compound": world.compound.slug}).content
    html = html.decode()
    assert f'value="{world.item.number}"' in html
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b1\.\s+1\.", text)
    assert "1. 定期联席会议" not in text


@pytest.mark.django_db
def test_meetings_saved_in_one_transaction_re_evaluate_the_compound_once(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    """A seed or a bulk entry saves many meetings: the pledges are re-evaluated once."""
    from pledges import hooks

    calls = []
    monkeypatch.setattr(hooks, "_started", {})
    monkeypatch.setattr(
        "pledges.services.pledges_evaluate_compound",
        lambda *, compound_id: calls.append(compound_id),
    )
    with django_capture_on_commit_callbacks(execute=True):
        for days in (5, 6, 7):
            MeetingFactory(compound=world.compound, start=NOW - dt.timedelta(days=days))
    assert calls == [world.compound.pk]


@pytest.mark.django_db
def test_marking_the_meeting_held_updates_the_pledge_board_at_once(
    client, world, django_capture_on_commit_callbacks
):
    """Through the real service (meetings.services.meeting_mark_held, save with
    update_fields=["status", …]): the board counts the second meeting immediately."""
    from meetings.services import meeting_mark_held

    meeting = MeetingFactory(
        compound=world.compound,
        start=NOW - dt.timedelta(hours=2),
        status=Meeting.Status.NOTICE_SENT,
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_mark_held(actor=world.people.compound_party, meeting=meeting)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("pledges:board"), {"compound": world.compound.slug}).content
    item = re.search(rf'data-item="{world.item.pk}".*?</li>', html.decode(), flags=re.DOTALL)
    assert "2 done, at least 1 promised." in item.group(0)
