"""The staff page of a complaint (``/issues/<number>/manage/``) for every kind of reporter.

Issue 13 item 1: the page raised ``VariableDoesNotExist`` (HTTP 500) for every complaint
filed without an account, because the template passed ``issue.reporter.name`` as a
filter argument and ``reporter`` was None. seed: 协同联动解决小区事务流程 第二条 (the
office accepts and transfers every problem) — a complaint nobody can open is one nobody
can handle.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from issues.models import Category
from tests.factories.issues import IssueEventFactory, IssueFactory

pytestmark = pytest.mark.django_db

ROLES = ("joint_meeting_office", "compound_party", "community_party")


@pytest.fixture
def category(db):
    category, _ = Category.objects.get_or_create(code="environment", defaults={"name": "环境卫生"})
    return category


def _reporters(world):
    """(label, IssueFactory kwargs, text the staff page must show about the reporter)."""
    return [
        ("no account, no contact", {"reporter": None, "reporter_phone": ""}, "未留联系方式"),
        (
            "name and mobile, no account",
            {"reporter": None, "reporter_name": "王小明", "reporter_phone": "13912345678"},
            "13912345678",
        ),
        ("account", {"reporter": world.resident}, world.resident.mobile),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_manage_page_renders_for_every_kind_of_reporter_协同联动第二条(world, category, role):
    """Clerk, compound party secretary and community party secretary all get 200."""
    client = Client()
    client.force_login(getattr(world.people, role))
    for label, kwargs, shown in _reporters(world):
        issue = IssueFactory(compound=world.compound, category=category, **kwargs)
        response = client.get(reverse("issues:staff_detail", args=[issue.tracking_number]))
        assert response.status_code == 200, (role, label)
        body = response.content.decode()
        assert shown in body, (role, label)
        if kwargs.get("reporter_phone") == "":
            assert 'href="tel:"' not in body  # no empty call link


def test_manage_page_shows_the_account_name_when_no_name_was_typed(world, category):
    issue = IssueFactory(
        compound=world.compound, category=category, reporter=world.resident, reporter_name=""
    )
    client = Client()
    client.force_login(world.people.joint_meeting_office)
    body = client.get(reverse("issues:staff_detail", args=[issue.tracking_number])).content
    assert world.resident.name in body.decode()


def test_manage_page_queries_do_not_grow_with_the_timeline(world, category):
    """Query count of the staff page: the same for 2 and for 30 events (no N+1)."""
    client = Client()
    client.force_login(world.people.joint_meeting_office)
    counts = []
    for events in (2, 30):
        issue = IssueFactory(compound=world.compound, category=category, reporter=None)
        for _ in range(events):
            IssueEventFactory(issue=issue, actor=world.people.property_company)
        url = reverse("issues:staff_detail", args=[issue.tracking_number])
        client.get(url)  # warm the session / per-user lookups
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 25, counts  # 23 on 2026-12-07


# A filter argument reached through a relation (``|default:issue.reporter.name``): Django
# resolves filter *arguments* strictly, so a None relation raises VariableDoesNotExist
# (HTTP 500) where the same lookup as a plain ``{{ }}`` value would give "".
FILTER_ARG_THROUGH_RELATION = re.compile(r"\|\s*\w+\s*:\s*[A-Za-z_]\w*\.\w+\.\w+")


def test_no_template_passes_a_relation_lookup_as_a_filter_argument():
    root = Path(settings.BASE_DIR) / "templates"
    offenders = []
    for folder in ("issues", "emails"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if FILTER_ARG_THROUGH_RELATION.search(line):
                        offenders.append(f"{folder}/{path.name}:{number}")
    assert offenders == []
