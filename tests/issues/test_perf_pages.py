"""The public complaint pages serve their user-independent part from the fragment cache
(huashan/core/pagecache.py): a hit runs no list, count or rates query and does not
grow with the number of complaints; a public change shows on the very next request;
per-user parts (CSRF token, login, "me too" form) are never cached.

seed: 公示承诺制度 第一条 / 第四条 (progress is public and timely). Benchmark:
bench/results/2026-11-28.md (board 1 %, detail 6–8 % of the bare probe).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from issues import services
from issues.models import Category, Issue
from tests.factories.issues import IssueEventFactory, IssueFactory
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def category(db):
    category, _ = Category.objects.get_or_create(code="environment", defaults={"name": "环境卫生"})
    return category


def make_issues(world, category, n: int) -> list[Issue]:
    issues = []
    for i in range(n):
        issue = IssueFactory(compound=world.compound, category=category, building=world.building)
        IssueEventFactory(issue=issue, note=f"第{i}条进展")
        issues.append(issue)
    return issues


def hit(client: Client, path: str, **params):
    """Request twice; return the second (cache hit) response and its SQL."""
    assert client.get(path, params).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


# --- board ----------------------------------------------------------------------------


def test_board_hit_runs_no_list_count_or_rates_query_at_any_size(world, category):
    client = Client()
    make_issues(world, category, 5)
    _, small_sql = hit(client, reverse("issues:board"))
    make_issues(world, category, 40)
    large, large_sql = hit(client, reverse("issues:board"))
    assert len(large_sql) == len(small_sql) <= 2
    for sql in large_sql:
        assert "COUNT(" not in sql.upper()
        assert 'FROM "issues_issue"' not in sql
    # The hit still shows the newest complaints (the second size's first page).
    assert large.content.decode().count('class="card board-item"') == 20


def test_board_filters_are_normalized_into_one_entry(world, category):
    make_issues(world, category, 3)
    client = Client()
    path = reverse("issues:board")
    assert client.get(path, {"status": "submitted"}).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, {"status": "submitted", "utm_source": "wechat", "_": "1"})
    assert response.status_code == 200
    # The same fragment entry: unknown parameters are ignored. (A new URL misses the
    # anonymous whole-page cache, whose key is the full path because the language
    # switch links back to it: one more version read, no list queries.)
    assert len(ctx.captured_queries) <= 3
    # Another filter or page is another entry (built, so it runs the list queries).
    with CaptureQueriesContext(connection) as ctx:
        client.get(path, {"status": "closed"})
    assert len(ctx.captured_queries) > 3


def test_board_shows_a_public_change_on_the_next_request(world, category):
    issue = make_issues(world, category, 1)[0]
    client = Client()
    assert "电梯今天已修好" not in client.get(reverse("issues:board")).content.decode()
    IssueEventFactory(issue=issue, note="电梯今天已修好")
    assert "电梯今天已修好" in client.get(reverse("issues:board")).content.decode()
    # A complaint filed through the service (it writes its "submit" event) appears too.
    filed = services.issue_submit(
        actor=world.resident,
        compound=world.compound,
        category=category,
        description="三号楼门禁坏了",
        building=world.building,
        is_public=True,
        client_key="test-board",
    ).issue
    body = Client().get(reverse("issues:board")).content.decode()
    assert filed.tracking_number in body


def test_board_per_user_parts_are_never_cached(world, category):
    make_issues(world, category, 2)
    anonymous, resident, staff = Client(), Client(), Client()
    resident.force_login(world.resident)
    staff.force_login(world.people.joint_meeting_office)
    bodies = {}
    for name, client in (("anonymous", anonymous), ("resident", resident), ("staff", staff)):
        client.get(reverse("issues:board"))  # the first fills the cache
        bodies[name] = client.get(reverse("issues:board")).content.decode()
    assert world.resident.name in bodies["resident"]
    assert world.resident.name not in bodies["anonymous"] + bodies["staff"]
    assert world.people.joint_meeting_office.name in bodies["staff"]
    # The anonymous page has no form that needs a token (the language switch is a GET),
    # which is what lets it be cached whole; the logged-in pages carry their own.
    assert CSRF.search(bodies["anonymous"]) is None
    tokens = {name: CSRF.search(bodies[name]).group(1) for name in ("resident", "staff")}
    assert len(set(tokens.values())) == 2
    # ...while the cached list is the same for all three.
    start = '<section class="card" aria-labelledby="rates-title">'
    lists = {
        body[body.index(start) : body.index('<ul class="stack board-list">')]
        for body in bodies.values()
    }
    assert len(lists) == 1


# --- detail ---------------------------------------------------------------------------


def detail_url(issue: Issue) -> str:
    return reverse("issues:detail", args=[issue.tracking_number])


def test_detail_hit_is_one_small_query_whatever_the_timeline(world, category):
    issue = make_issues(world, category, 1)[0]
    client = Client()
    _, small_sql = hit(client, detail_url(issue))
    for n in range(30):
        IssueEventFactory(issue=issue, note=f"追加进展{n}")
    response, large_sql = hit(client, detail_url(issue))
    # Issue 20: the compound is matched by slug inside the stamp's query (was two).
    assert len(large_sql) == len(small_sql) <= 1
    # No timeline, photo or clock-policy query: only the issue's stamp.
    assert not any('"note"' in sql or "issuephoto" in sql for sql in large_sql)
    assert "追加进展29" in response.content.decode()


def test_detail_shows_a_public_change_on_the_next_request_but_no_private_one(world, category):
    issue = make_issues(world, category, 1)[0]
    client = Client()
    client.get(detail_url(issue))
    IssueEventFactory(issue=issue, note="内部备注不能给居民看", public=False)
    IssueEventFactory(issue=issue, note="明天上午派人维修")
    body = client.get(detail_url(issue)).content.decode()
    assert "明天上午派人维修" in body
    assert "内部备注不能给居民看" not in body
    # Closing it removes the "me too" form on the next request (status is in the key).
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.CLOSED)
    me_too = reverse("issues:me_too", args=[issue.tracking_number])
    assert me_too not in client.get(detail_url(issue)).content.decode()


def test_detail_per_user_parts_are_never_cached(world, category):
    issue = make_issues(world, category, 1)[0]
    first, second = Client(), Client()
    second.force_login(world.neighbour)
    one = [first.get(detail_url(issue)).content.decode() for _ in range(2)][1]
    two = [second.get(detail_url(issue)).content.decode() for _ in range(2)][1]
    me_too = reverse("issues:me_too", args=[issue.tracking_number])
    # A visitor with no session is sent to the filing form for "me too" (where an anonymous
    # "me too" starts anyway), so their page carries no token and is cached whole.
    assert me_too not in one
    assert reverse("issues:file") in one
    assert CSRF.search(one) is None
    assert me_too in two
    assert CSRF.search(two) is not None
    assert world.neighbour.name in two
    assert world.neighbour.name not in one
    # The reporter still gets their own, uncached view (name, phone, actions).
    reporter = Client()
    reporter.force_login(issue.reporter)
    body = reporter.get(detail_url(issue)).content.decode()
    assert issue.reporter_phone in body


def test_detail_of_a_private_or_merged_issue_stays_404_even_if_once_cached(world, category):
    issue = make_issues(world, category, 1)[0]
    client = Client()
    assert client.get(detail_url(issue)).status_code == 200
    Issue.objects.filter(pk=issue.pk).update(is_public=False)
    assert client.get(detail_url(issue)).status_code == 404
    other = compound_world()
    assert client.get(detail_url(issue), {"compound": other.compound.slug}).status_code == 404
