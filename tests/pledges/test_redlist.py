"""小区党组织服务承诺 第10条 "建立物业服务'红黑榜'季度考评机制" on the pledge board (issue 18
item 13): the pledge item was only attested, so the board did not show the quarters' verdicts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations.models import QuarterRating
from tests.pledges.web import CheckedClient, seeded_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return seeded_world()


@pytest.fixture
def client():
    return CheckedClient()


def _rate(world, year, quarter, verdict, total):
    return QuarterRating.objects.create(
        compound=world.compound,
        company=world.orgs.property_company,
        year=year,
        quarter=quarter,
        total=Decimal(total),
        verdict=verdict,
    )


def test_article_10_the_last_four_rated_quarters_show_on_the_pledge_board(client, world):
    _rate(world, 2025, 1, QuarterRating.Verdict.RED, "91.00")  # a fifth, older: not shown
    _rate(world, 2025, 2, QuarterRating.Verdict.NEUTRAL, "75.00")
    _rate(world, 2025, 3, QuarterRating.Verdict.BLACK, "55.00")
    _rate(world, 2025, 4, QuarterRating.Verdict.BLACK, "52.50")
    _rate(world, 2026, 1, QuarterRating.Verdict.RED, "90.00")
    QuarterRating.objects.create(
        compound=world.compound,
        company=world.orgs.property_company,
        year=2026,
        quarter=2,
        verdict=QuarterRating.Verdict.PENDING,
    )
    html = client.get(reverse("pledges:board")).content.decode()
    assert 'id="redlist"' in html
    assert html.count("verdict-black") == 2
    assert html.count("verdict-red") == 1  # 2026 Q1 only; 2025 Q1 is the fifth quarter back
    assert "verdict-pending" not in html
    assert "52.50" in html


def test_a_new_rating_shows_at_once_though_the_board_is_cached(client, world):
    first = client.get(reverse("pledges:board")).content.decode()
    assert "verdict-black" not in first
    _rate(world, 2026, 3, QuarterRating.Verdict.BLACK, "50.00")
    assert "verdict-black" in client.get(reverse("pledges:board")).content.decode()


def test_board_queries_do_not_grow_with_ratings(client, world, django_assert_max_num_queries):
    """Each request below misses the page cache (a new rating changes its version)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _rate(world, 2024, 4, QuarterRating.Verdict.NEUTRAL, "70.00")
    with CaptureQueriesContext(connection) as one:
        assert "verdict-neutral" in client.get(reverse("pledges:board")).content.decode()
    for quarter in (1, 2, 3, 4):
        _rate(world, 2025, quarter, QuarterRating.Verdict.BLACK, "50.00")
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(reverse("pledges:board")).content.decode()
    assert html.count("verdict-black") == 4
