"""No raw code on the pages (issue 13 item 8; DESIGN.md §4 "Words"): the three dashboards
and the pledge and disclosure boards, rendered in Chinese over a world with data in every
part, show no snake_case word (``not_yet_due``, ``period_status``, ``joint_meeting_held``)
in their visible text. Tags, attribute values, URLs and e-mail addresses are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dashboard.services import snapshot_refresh
from huashan.workdays import end_of_day
from issues.models import Issue
from pledges.engine import evaluate
from tests.dashboard.conftest import NOW
from tests.factories.directory import CompoundFactory
from tests.factories.disclosures import DisclosureFactory, disclosure_world
from tests.factories.issues import IssueFactory
from tests.factories.meetings import ActionItemFactory, MeetingFactory
from tests.factories.pledges import PledgeItemFactory, PledgeLetterFactory

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
URL = re.compile(r"(?:https?://|www\.|/)[^\s<>\"]*|[\w.+-]+@[\w-]+\.[\w.]+")


def visible_text(html: str) -> str:
    """The text a reader sees: no script/style/template blocks, no tags, no URLs."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.DOTALL | re.I)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.DOTALL)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return URL.sub(" ", text)


def codes_in(html: str) -> list[str]:
    return sorted(set(SNAKE.findall(visible_text(html))))


def test_the_scanner_finds_codes_and_ignores_urls():
    html = '<p title="a_b">状态：not_yet_due <a href="/x_y/">链接</a> https://e.cn/a_b</p>'
    assert codes_in(html) == ["not_yet_due"]


@pytest.fixture
def world(db, frozen, django_capture_on_commit_callbacks):
    world = disclosure_world()
    compound = world.compound
    CompoundFactory(community=compound.community)  # a neighbour in the comparisons
    for status in ("submitted", "accepted", "transferred", "resolved"):
        for tier in ("small", "big", "hard"):
            IssueFactory(
                compound=compound,
                tier=tier,
                status=status,
                created_at=NOW - dt.timedelta(days=5),
                next_deadline=NOW - dt.timedelta(days=1) if status != "resolved" else None,
            )
    meeting = MeetingFactory(compound=compound, start=NOW - dt.timedelta(days=3))
    for days in (-2, 4, 40):
        day = timezone.localdate() + dt.timedelta(days=days)
        ActionItemFactory(
            meeting=meeting,
            responsible_organization=world.orgs.property_company,
            due_date=day,
            due_at=end_of_day(day),
        )
    letter = PledgeLetterFactory(
        organization=world.orgs.compound_party, compound=compound, published=True
    )
    PledgeItemFactory(
        letter=letter,
        number=1,
        params={"source": "meeting", "kinds": ["joint"], "min_count": 1, "period_months": 1},
    )
    PledgeItemFactory(letter=letter, number=2, heading="信息透明公开")
    DisclosureFactory(organization=world.orgs.pmc)
    DisclosureFactory(organization=world.orgs.property_company, long_term=True)
    evaluate()
    for c in compound.community.compounds.all():
        snapshot_refresh(compound=c)
    return world


def _pages(world) -> dict[str, tuple]:
    compound = world.compound
    people = world.people
    return {
        "compound dashboard": (
            people.compound_party,
            reverse("dashboard:compound", args=[compound.slug]),
        ),
        "community comparison": (
            people.community_party,
            reverse("dashboard:community", args=[compound.community.slug]),
        ),
        "street comparison": (
            people.street_office,
            reverse("dashboard:street", args=[compound.community.street.slug]),
        ),
        "pledge board": (None, f"{reverse('pledges:board')}?compound={compound.slug}"),
        "disclosure board": (None, reverse("disclosures:board", args=[compound.slug])),
        "pledge board (staff)": (
            people.compound_party,
            f"{reverse('pledges:board')}?compound={compound.slug}",
        ),
    }


@pytest.mark.django_db
def test_dashboards_and_boards_show_no_snake_case_in_chinese(client, world):
    assert Issue.objects.filter(compound=world.compound).count() == 12
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    found = {}
    for name, (person, url) in _pages(world).items():
        client.logout()
        if person is not None:
            client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        assert "江南花山郡" in html or world.compound.name in html, name
        codes = codes_in(html)
        if codes:
            found[name] = codes
    assert found == {}


@pytest.mark.django_db
def test_residents_complaints_are_called_wenti_on_dashboards_and_pledge_board(client, world):
    """docs/glossary.md: residents' complaints are 问题 (反映问题); the audit saw "超期诉求"
    beside "超期投诉" on the same dashboard, and the column "修改" for 较上月, "总分" for 合计."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    pages = _pages(world)
    del pages["disclosure board"]  # category names are the seed's own words (投诉电话)
    for name, (person, url) in pages.items():
        client.logout()
        if person is not None:
            client.force_login(person)
        text = visible_text(client.get(url).content.decode())
        for word in ("诉求", "投诉", "总分", "修改"):
            assert word not in text, (name, word)
    client.force_login(world.people.compound_party)
    text = visible_text(client.get(pages["compound dashboard"][1]).content.decode())
    assert "较上月" in text
    assert "合计" in text
    assert "超期问题" in text


@pytest.mark.django_db
def test_pledge_letter_names_the_disclosures_it_cites(client, world):
    """The engine stores a disclosure's category code as its evidence label; the letter page
    showed "佐证: public_revenue · maintenance_fund …" (found by this scan on the demo)."""
    from disclosures.models import Disclosure
    from pledges.models import PeriodResult, PledgeItem, RuleKind

    disclosure = Disclosure.objects.filter(compound=world.compound).first()
    item = PledgeItem.objects.get(letter__compound=world.compound, number=2)
    PeriodResult.objects.filter(item=item).delete()
    PeriodResult.objects.create(
        item=item,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        status="at_risk",
        figures={"scheduled": 1, "on_time": 1, "late": 0, "missing": 0, "threshold": 100},
        evidence=[{"kind": "disclosure", "id": disclosure.pk, "label": disclosure.category.code}],
    )
    PledgeItem.objects.filter(pk=item.pk).update(rule_kind=RuleKind.DISCLOSURE_ON_TIME)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(reverse("pledges:letter", args=[item.letter_id])).content.decode()
    assert codes_in(html) == []
    assert disclosure.category.name in visible_text(html)
    assert reverse("disclosures:detail", args=[disclosure.pk]) in html
