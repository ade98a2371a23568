"""Words on the complaint pages (issue 13 item 8, the issues part).

* The accept action is 受理 (accepting a complaint), never 验收通过 (acceptance of
  finished work) — docs/glossary.md; seed: 协同联动解决小区事务流程 第二条 (the office
  受理 and 转办 every problem).
* Histories show Chinese phrases from ``IssueEvent.VERB_LABELS``, never a code.
* The resolved page names its two texts (问题描述 / 办理结果) and offers "not solved" only
  while the complaint waits for the reporter's confirmation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from issues import services
from issues.models import Category, Issue, IssueEvent, Whistle
from issues.views import _remember_code
from tests.factories.issues import IssueEventFactory, IssueFactory
from tests.factories.world import compound_world

S = Issue.Status
SERVICES = sorted((Path(settings.BASE_DIR) / "issues" / "services").glob("*.py"))
SEED = Path(settings.BASE_DIR) / "issues" / "management" / "commands" / "seed_issues.py"


def zh(msgid) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(str(msgid)))


def written_verbs() -> set[str]:
    """Every verb the issues/services/ package and the demo seed write (read from the source)."""
    verbs: set[str] = set()
    for path in (*SERVICES, SEED):
        text = path.read_text(encoding="utf-8")
        verbs |= set(re.findall(r'verb="([a-z_]+)"', text))
        verbs |= set(re.findall(r'self\.event\(\s*index,\s*[\w.]+,\s*"([a-z_]+)"', text))
        if 'verb=f"whistle_{level}"' in text:
            verbs |= {f"whistle_{level}" for level in Whistle.Level.values}
    verbs.add("seed_issues")  # seed_issues.MARKER
    return verbs


def test_every_verb_the_services_write_has_a_chinese_phrase():
    verbs = written_verbs()
    assert {"submit", "accept", "resolve", "deadline_breached", "whistle_street"} <= verbs
    missing = sorted(v for v in verbs if v not in IssueEvent.VERB_LABELS)
    assert missing == []
    with translation.override("en"):
        english = {v: str(IssueEvent.VERB_LABELS[v]) for v in verbs}
    with translation.override("zh-hans"):
        chinese = {v: str(IssueEvent.VERB_LABELS[v]) for v in verbs}
    assert sorted(v for v in verbs if chinese[v] == english[v]) == []  # all translated


def test_every_state_has_a_label():
    assert set(IssueEvent.STATE_LABELS) == set(S.values)
    event = IssueEvent(verb="accept", from_state=S.SUBMITTED, to_state=S.ACCEPTED)
    with translation.override("zh-hans"):
        assert event.phrase == "已受理（已提交 → 已受理）"


def test_views_keep_no_verb_table_of_their_own():
    import issues.views

    assert not hasattr(issues.views, "EVENT_LABELS")


# --- pages -------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return compound_world(default_compound=True)


@pytest.fixture
def category(db):
    return Category.objects.get(code="environment")


def test_accept_is_受理_on_the_manage_page_the_queue_and_the_flash_协同联动第二条(world, category):
    issue = IssueFactory(compound=world.compound, category=category, reporter=None)
    client = Client()
    client.force_login(world.people.joint_meeting_office)
    page = client.get(reverse("issues:staff_detail", args=[issue.tracking_number]))
    body = page.content.decode()
    assert "验收通过" not in body
    assert '<summary class="btn btn-secondary">受理</summary>' in body
    done = client.post(
        reverse("issues:staff_action", args=[issue.tracking_number, "accept"]),
        {"accept-note": "收到"},
        follow=True,
    )
    assert "已受理。" in done.content.decode()
    assert "验收通过" not in done.content.decode()

    other = IssueFactory(compound=world.compound, category=category, reporter=None)
    queue = client.get(reverse("issues:queue")).content.decode()
    assert "验收通过" not in queue
    assert 'value="accept" class="btn btn-secondary">受理</button>' in queue
    bulk = client.post(
        reverse("issues:queue"), {"action": "accept", "issues": [other.pk]}, follow=True
    )
    assert "已受理1个问题。" in bulk.content.decode(), bulk.content.decode()[:3000]


def test_the_meetings_accept_keeps_its_own_word():
    """验收 stays the word for accepting finished work (meetings' action items)."""
    assert zh("Accept") == "验收通过"
    assert zh("Accept the complaint") == "受理"


def _event_rows(issue, actor):
    verbs = sorted(IssueEvent.VERB_LABELS)
    for verb in verbs:
        IssueEventFactory(issue=issue, verb=verb, actor=actor, public=True, note="")
    return verbs


def test_no_timeline_shows_a_raw_verb(world, category):
    issue = IssueFactory(compound=world.compound, category=category, reporter=world.resident)
    verbs = _event_rows(issue, world.people.joint_meeting_office)
    IssueEventFactory(issue=issue, verb="some_future_verb", public=True, note="")
    staff = Client()
    staff.force_login(world.people.joint_meeting_office)
    reporter = Client()
    reporter.force_login(world.resident)
    pages = {
        "staff": staff.get(reverse("issues:staff_detail", args=[issue.tracking_number])),
        "reporter": reporter.get(reverse("issues:detail", args=[issue.tracking_number])),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        body = response.content.decode()
        shown = re.findall(r"<strong>([^<]*)</strong>", body)
        for verb in [*verbs, "some_future_verb"]:
            assert verb not in shown, (name, verb)
        assert zh("Recorded a change") in shown  # an unknown verb gets a generic phrase
        assert "已受理" in shown or any(s.startswith("已受理") for s in shown)


def _resolved(world, category, status):
    issue = IssueFactory(
        compound=world.compound,
        category=category,
        reporter=None,
        reporter_phone="",
        tracking_code_hash=services.tracking_code_hash("ABCDEFGH23"),
        status=status,
        resolved_at=timezone.now(),
        public_explanation="已更换灯泡，楼道恢复照明。",
    )
    client = Client()
    session = client.session
    session.save()
    # the anonymous reporter proved the code earlier in this browser
    request = type("R", (), {"session": session})()
    _remember_code(request, issue.tracking_number, "ABCDEFGH23")
    session.save()
    return issue, client


def test_resolved_page_names_both_texts_and_offers_reopen_folded(world, category):
    issue, client = _resolved(world, category, S.RESOLVED)
    body = client.get(reverse("issues:detail", args=[issue.tracking_number])).content.decode()
    assert "<h2>问题描述</h2>" in body
    assert "<h2>办理结果</h2>" in body
    assert "<h2>说明</h2>" not in body
    assert 'data-testid="reopen"' in body
    assert "为什么没有解决" in body


def test_closed_complaint_shows_no_reopen_box(world, category):
    issue, client = _resolved(world, category, S.CLOSED)
    body = client.get(reverse("issues:detail", args=[issue.tracking_number])).content.decode()
    assert "<h2>办理结果</h2>" in body
    assert 'data-testid="reopen"' not in body
    assert "为什么没有解决" not in body
