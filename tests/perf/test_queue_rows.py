"""The staff queue's rows are display values computed once in the view (issue 20 item 2):
the same cells as before, a dozen template nodes per row, queries flat in the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from huashan.core import pagecache
from tests.factories.issues import IssueFactory

pytestmark = pytest.mark.django_db


def test_a_queue_row_shows_every_cell(client, world):
    now = timezone.now()
    late = IssueFactory(
        compound=world.compound,
        building=world.building,
        location_text="三单元东侧楼道的声控灯在夜里从来都不亮，老人上下楼很不方便，请物业尽快派人来修理",
        description="灯" * 80,
        next_deadline=now - dt.timedelta(hours=1),
    )
    paused = IssueFactory(compound=world.compound, paused_at=now)
    plain = IssueFactory(compound=world.compound, building=None, next_deadline=None)
    client.force_login(world.people.joint_meeting_office)
    response = client.get(reverse("issues:queue"))
    assert response.status_code == 200
    body = response.content.decode()
    rows = {row.number: row for row in response.context["rows"]}
    row = rows[late.tracking_number]
    assert row.overdue
    assert not row.paused
    assert rows[paused.tracking_number].paused
    assert row.url == reverse("issues:staff_detail", args=[late.tracking_number])
    assert f'href="{row.url}"' in body
    assert row.where.startswith(f"{world.building.number} ")
    from django.template.defaultfilters import truncatechars

    # The same text the template's truncatechars filter gave.
    assert row.where == f"{world.building.number} {truncatechars(late.location_text, 30)}"
    assert row.description == truncatechars(late.description, 60) != late.description
    assert row.deadline == timezone.localtime(late.next_deadline).strftime("%m-%d %H:%M")
    assert row.status == late.get_status_display()
    assert "超期" in body or "逾期" in body or "overdue" in body
    other = rows[plain.tracking_number]
    assert other.deadline == "—"
    assert not other.overdue
    assert not other.where.startswith(" ")


def test_queue_queries_do_not_grow_with_rows(
    client, world, django_assert_max_num_queries, monkeypatch
):
    # The page's own build, not the per-person cache (tests/perf/test_speed_queue_cache.py).
    monkeypatch.setattr(pagecache, "person_page_cacheable", lambda request: False)
    IssueFactory(compound=world.compound)
    client.force_login(world.people.joint_meeting_office)
    url = reverse("issues:queue")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    IssueFactory.create_batch(20, compound=world.compound, building=world.building)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)
