"""小区制度, the public rulebook with live figures (issue 18, "The rulebook, live")."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from huashan import workdays
from rulebook import figures
from tests.factories.directory import CompoundFactory
from tests.factories.issues import IssueFactory
from tests.factories.world import compound_world

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)

pytestmark = pytest.mark.django_db


def _answered(compound, *, after: dt.timedelta, filed: dt.datetime):
    """A complaint filed at ``filed`` whose response clock is the portal's, answered ``after``."""
    due = workdays.deadline(filed, workdays.RESPONSE_48H)
    return IssueFactory(
        compound=compound,
        created_at=filed,
        response_due=due,
        next_deadline=due,
        accepted_at=filed + after,
        status="accepted",
    )


@pytest.fixture
def world():
    return compound_world()


def _response_figure(compound) -> str:
    with translation.override("en"):
        return figures.compound_figures(compound, NOW)["PP-3"][0].text


def test_seed_pp3_48_hours_answered_a_minute_early_counts_in_time_a_minute_late_does_not(world):
    """小区党组织服务承诺 第3条 "承诺48小时内响应业主诉求": the rulebook's figure under the
    article counts a complaint answered at 47 h 59 min in time and one at 48 h 01 min late."""
    filed = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SH)
    _answered(world.compound, after=dt.timedelta(hours=47, minutes=59), filed=filed)
    _answered(world.compound, after=dt.timedelta(hours=48, minutes=1), filed=filed)
    text = _response_figure(world.compound)
    assert "1 of 2 in time (50.0%)" in text
    with translation.override("en"):
        assert str(workdays.RESPONSE_48H.label) in text


def test_a_complaint_of_the_previous_quarter_is_not_in_this_quarters_figure(world):
    _answered(
        world.compound,
        after=dt.timedelta(hours=1),
        filed=dt.datetime(2026, 9, 30, 23, 0, tzinfo=SH),
    )
    assert "no complaint of this quarter" in _response_figure(world.compound)


def test_another_compounds_complaints_do_not_count(world):
    filed = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SH)
    _answered(world.compound, after=dt.timedelta(hours=1), filed=filed)
    other = CompoundFactory(community=world.compound.community)
    assert "no complaint of this quarter" in _response_figure(other)
    assert "1 of 1 in time" in _response_figure(world.compound)


def test_the_page_is_public_and_shows_article_text_status_and_figure(client, world):
    filed = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SH)
    _answered(world.compound, after=dt.timedelta(hours=2), filed=filed)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("rulebook:compound", args=[world.compound.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "承诺48小时内响应业主诉求，7个工作日内反馈处理进展" in page  # the article, verbatim
    assert 'id="PP-3"' in page
    assert "1 件中 1 件按时" in page  # its live figure, in Chinese
    assert "小区党组织服务承诺" in page
    assert "评议监督考核制度" in page
    assert reverse("issues:board") + f"?compound={world.compound.slug}" in page


def test_no_raw_code_reaches_the_reader(client, world):
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("rulebook:compound", args=[world.compound.slug])).content
    visible = re.sub(r"<[^>]+>", " ", page.decode())
    for raw in ("response_48h", "on_time", "not_due", "partial", "PP-3", "None"):
        assert raw not in visible, raw


def test_unknown_compound_is_a_plain_404(client):
    response = client.get(reverse("rulebook:compound", args=["no-such-compound"]))
    assert response.status_code == 404


def test_index_goes_to_the_named_compound(client, world):
    response = client.get(reverse("rulebook:index") + f"?compound={world.compound.slug}")
    assert response.status_code == 302
    assert response.url == reverse("rulebook:compound", args=[world.compound.slug])


def test_queries_do_not_grow_with_the_records(client, world, django_assert_max_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("rulebook:compound", args=[world.compound.slug])
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as few:
        client.get(url)
    filed = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SH)
    for minutes in range(30):
        _answered(world.compound, after=dt.timedelta(minutes=minutes + 1), filed=filed)
    cache.clear()
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(len(few)):
        client.get(url)
