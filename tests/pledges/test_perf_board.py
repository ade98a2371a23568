"""The public pledge board's cached body (issue 9: public pages ≥ 50 % of the bare probe).

A hit reads the compound and the year's board version in one query and builds nothing;
a recomputed result, a changed item, an attestation or a new day is a new version.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pledges import services
from pledges.engine import evaluate
from pledges.models import RuleKind
from tests.factories.pledges import PledgeItemFactory
from tests.pledges.web import seeded_world

pytestmark = pytest.mark.django_db


def get(client, **params) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pledges:board"), params)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def build_queries(sqls: list[str]) -> list[str]:
    """The queries that build the board (items with their results)."""
    return [s for s in sqls if '"heading"' in s or '"figures"' in s]


def status_of(html: str, item) -> str:
    match = re.search(
        rf'data-item="{item.pk}"[^>]*>\s*<p><span class="badge[^"]*" data-status="(\w+)"', html
    )
    assert match, f"item {item.pk} not on the board"
    return match[1]


def test_a_hit_builds_nothing_and_does_not_grow_with_items():
    world = seeded_world(pmc=True)
    client = Client()
    miss_html, miss = get(client)
    assert build_queries(miss)
    hit_html, small = get(client)
    assert build_queries(small) == []
    assert len(small) == 1  # the compound with its board version
    assert hit_html.count('class="pledge-item"') == miss_html.count('class="pledge-item"') == 21

    for number in range(30):
        PledgeItemFactory(letter=world.letter, number=40 + number)
    evaluate()
    html, rebuilt = get(client)
    assert build_queries(rebuilt), "thirty new items are a new version"
    assert html.count('class="pledge-item"') == 51
    _html, large = get(client)
    assert build_queries(large) == []
    assert len(large) == len(small)


def test_attestation_and_recomputed_result_show_on_the_next_request():
    world = seeded_world()
    item = PledgeItemFactory(
        letter=world.letter,
        number=30,
        heading="年度评议事项",
        rule_kind=RuleKind.ATTESTED,
        params={"period_months": 12},
    )
    evaluate()
    client = Client()
    before = status_of(get(client)[0], item)
    assert build_queries(get(client)[1]) == []  # cached

    services.attestation_record(
        actor=world.party_secretary,
        item=item,
        period_start=dt.date(world.year, 1, 1),
        judgement="met",
        evidence="经评议，承诺已履行。",
    )
    assert build_queries(get(client)[1]), "an attestation is a new version"
    evaluate()
    html, sqls = get(client)
    assert build_queries(sqls), "a recomputed result is a new version"
    after = status_of(html, item)
    assert after != before
    assert after in ("attested", "met")


def test_item_change_shows_on_the_next_request():
    world = seeded_world()
    item = world.items[0]
    client = Client()
    get(client)
    assert build_queries(get(client)[1]) == []
    services.item_update(
        actor=world.party_secretary,
        item=item,
        text=item.text,
        rule_kind=item.rule_kind,
        params=item.params,
        number=item.number,
        heading="改过的标题",
    )
    assert "改过的标题" in get(client)[0]


def test_a_new_day_is_a_new_version():
    seeded_world()
    client = Client()
    get(client)
    assert build_queries(get(client)[1]) == []
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with time_machine.travel(tomorrow):
        assert build_queries(get(client)[1]), "the current period is chosen by today's date"


def test_years_and_compounds_have_their_own_entries():
    world = seeded_world()
    client = Client()
    this_year = get(client)[0]
    assert world.letter.title in this_year
    last_year = get(client, year=world.year - 1)[0]
    assert world.letter.title not in last_year
    assert f'<option value="{world.year - 1}" selected>' in last_year
    # The hidden compound field is echoed only when the visitor gave one.
    assert 'type="hidden" name="compound"' not in this_year
    given = get(client, compound=world.compound.slug)[0]
    assert 'type="hidden" name="compound"' in given
