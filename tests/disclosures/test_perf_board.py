"""The public disclosure board's cached body (issue 9: public pages ≥ 50 % of the bare probe).

A hit reads the compound and its board version in one query and runs no list or count
query, whatever the data size; every change the board shows (publication, correction,
expiry, archiving, objections) is a new version, visible on the very next request.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disclosures import services
from disclosures.models import PeriodType
from tests.disclosures.publishing import publish
from tests.factories.disclosures import DisclosureFactory, category

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def board_url(world, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"compound": world.compound.slug, **params}.items())
    return f"{reverse('disclosures:board')}?{query}"


def published(world, **kwargs):
    fields = {
        "actor": world.pmc_chair,
        "compound": world.compound,
        "organization": world.pmc,
        "category": category("public_revenue"),
        "title": "2026年7月公共收益收支明细",
        "body_markdown": "本月收支如下。",
        "period_type": PeriodType.MONTH,
        "period_start": dt.date(2026, 7, 1),
        "period_end": dt.date(2026, 7, 31),
        **kwargs,
    }
    disclosure = services.disclosure_create_draft(**fields)
    return publish(world.pmc_chair, disclosure)


def get(client, url) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def board_list(text: str) -> str:
    start = text.index('data-testid="disclosure-list"')
    return text[start : text.index("</ul>", start)]


def list_queries(sqls: list[str]) -> list[str]:
    """The board's list and paginator count (they read the disclosures' titles / COUNT)."""
    return [s for s in sqls if '"title"' in s or "COUNT(" in s.upper()]


def _more(world, count: int) -> None:
    for i in range(count):
        DisclosureFactory(organization=world.pmc if i % 2 else world.company, title=f"公示{i}")


@pytest.mark.parametrize("params", [{}, {"archive": "on"}, {"category": "public_revenue"}])
def test_a_hit_runs_no_list_query_and_does_not_grow_with_data(world, params):
    client = Client()
    _more(world, 3)
    _miss_text, miss = get(client, board_url(world, **params))
    assert list_queries(miss), "the first request builds the list"
    hit_text, small = get(client, board_url(world, **params))
    assert board_list(hit_text) == board_list(_miss_text)
    assert list_queries(small) == []
    # An anonymous visitor's repeat is the whole page from the cache: the version alone.
    assert len(small) == 1

    _more(world, 40)  # a new version: one more miss, then hits again
    get(client, board_url(world, **params))
    _text, large = get(client, board_url(world, **params))
    assert list_queries(large) == []
    assert len(large) == len(small)


def test_new_publication_and_correction_show_on_the_next_request(world):
    client = Client()
    first = published(world, title="七月公共收益")
    assert "七月公共收益" in get(client, board_url(world))[0]
    get(client, board_url(world))  # cached now

    published(
        world,
        title="八月公共收益",
        period_start=dt.date(2026, 8, 1),
        period_end=dt.date(2026, 8, 31),
    )
    assert "八月公共收益" in get(client, board_url(world))[0]

    services.disclosure_correct(
        actor=world.pmc_chair,
        disclosure=first,
        reason="金额录入错误，已更正。",
        title="七月公共收益（更正）",
    )
    text = get(client, board_url(world))[0]
    assert "七月公共收益（更正）" in text
    assert "第 2 版" in text


def test_expired_and_archived_disappear_on_the_next_request(world):
    client = Client()
    with time_machine.travel(dt.datetime(2026, 8, 3, 9, 0, tzinfo=TZ), tick=False):
        expiring = published(world, title="短期公示")
        archived = published(
            world,
            title="要撤下的公示",
            period_start=dt.date(2026, 6, 1),
            period_end=dt.date(2026, 6, 30),
        )
        text = get(client, board_url(world))[0]
        assert "短期公示" in text
        assert "要撤下的公示" in text
        get(client, board_url(world))  # cached

        # Same frozen instant: the event ids still make it a new version.
        services.disclosure_archive(actor=world.pmc_chair, disclosure=archived, note="撤下")
        text = get(client, board_url(world))[0]
        assert "要撤下的公示" not in text
        assert "短期公示" in text

    expiring.refresh_from_db()
    day_after = expiring.posting_end + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(day_after, dt.time(1, 0), tzinfo=TZ)):
        get(client, board_url(world))  # cached before the beat job runs
        assert services.disclosures_expire_due(today=day_after) == 1
        assert "短期公示" not in get(client, board_url(world))[0]
        assert "短期公示" in get(client, board_url(world, archive="on"))[0]


def test_objections_filed_and_answered_show_on_the_next_request(world):
    client = Client()
    disclosure = published(world, title="有异议的公示")
    assert "objection-summary" not in get(client, board_url(world))[0]
    get(client, board_url(world))  # cached

    objection = services.objection_file(
        actor=world.resident, disclosure=disclosure, body="支出没有发票。"
    )
    text = get(client, board_url(world))[0]
    assert "objection-summary" in text
    get(client, board_url(world))  # cached
    services.objection_answer(actor=world.pmc_chair, objection=objection, answer="发票见附件。")
    assert "已答复 1 条" in get(client, board_url(world))[0]


def test_the_staff_link_is_per_visitor_not_cached(world):
    published(world)
    desk = reverse("disclosures:staff")
    staff = Client()
    staff.force_login(world.pmc_chair)
    assert desk in get(staff, board_url(world))[0]
    anonymous_text, sqls = get(Client(), board_url(world))
    assert list_queries(sqls) == []  # the staff member's visit filled the cache
    assert desk not in anonymous_text
    assert world.pmc_chair.name not in anonymous_text
    assert "csrfmiddlewaretoken" not in anonymous_text.split('id="main"')[-1].split("</main>")[0]


@pytest.mark.parametrize(
    "params",
    [{"q": "公共收益"}, {"period": "bogus"}, {"page": "999"}, {"organization": "abc"}],
)
def test_searches_and_invalid_filters_are_never_cached(world, params):
    """The body fragment (a logged-in visitor skips the anonymous whole-page cache)."""
    published(world)
    client = Client()
    client.force_login(world.pmc_chair)
    get(client, board_url(world, **params))
    _text, sqls = get(client, board_url(world, **params))
    assert list_queries(sqls), "built on every request"


def test_invalid_filters_are_not_served_from_a_valid_entry(world):
    published(world)
    client = Client()
    get(client, board_url(world))
    text = get(client, board_url(world, period="bogus"))[0]
    assert "field-error" in text
    assert "field-error" not in get(client, board_url(world))[0]


def test_unknown_parameters_do_not_leak_into_the_cached_links(world):
    for i in range(25):
        DisclosureFactory(organization=world.pmc, title=f"公示{i}")
    client = Client()
    get(client, board_url(world, utm_source="<evil>"))
    text = get(client, board_url(world))[0]
    body = text[text.index("disclosure-tabs") :]
    assert "page=2" in body
    assert "utm_source" not in body


def test_an_anonymous_search_is_not_cached_whole_either(world):
    """Every visitor types something else: caching searches would only fill the cache."""
    published(world)
    client = Client()
    get(client, board_url(world, q="公共收益"))
    _text, sqls = get(client, board_url(world, q="公共收益"))
    assert list_queries(sqls)
