"""Histories speak Chinese phrases, never codes (DESIGN.md §4 "Words"; issue 13 item 5).

Every verb that the ``meetings/services/`` package writes must have a label on the event model it
is written to; every state an event may carry must have a label too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from meetings.models import (
    ActionItem,
    ActionItemEvent,
    AgendaTopic,
    AgendaTopicEvent,
    Attendance,
    DecisionReport,
    DecisionReportEvent,
    Meeting,
    MeetingEvent,
    MotionEvent,
    OwnersAssemblyMotion,
    Summary,
)

SERVICES = Path(__file__).resolve().parents[2] / "meetings" / "services"
HELPERS = {
    "_meeting_event": MeetingEvent,
    "_item_event": ActionItemEvent,
    "_topic_event": AgendaTopicEvent,
    "_report_event": DecisionReportEvent,
    "_motion_event": MotionEvent,
}
# Verbs computed at run time, spelled out: ``_topic_decide`` writes the target status,
# ``motion_party_review`` writes ``review_<level>``.
DYNAMIC = {
    "target": [
        AgendaTopic.Status.ACCEPTED,
        AgendaTopic.Status.MERGED,
        AgendaTopic.Status.DEFERRED,
        AgendaTopic.Status.REJECTED,
    ],
    "f'review_{level}'": ["review_compound", "review_community"],
}


def _verbs_written() -> dict[type, set[str]]:
    found: dict[type, set[str]] = {model: set() for model in HELPERS.values()}
    modules = sorted(SERVICES.glob("*.py"))
    assert len(modules) > 5  # the package, one module per thing served (issue 15 item 2)
    nodes = [
        node
        for module in modules
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
    ]
    for node in nodes:
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in HELPERS):
            continue
        model = HELPERS[node.func.id]
        for kw in node.keywords:
            if kw.arg != "verb":
                continue
            values = [kw.value]
            if isinstance(kw.value, ast.IfExp):
                values = [kw.value.body, kw.value.orelse]
            for value in values:
                if isinstance(value, ast.Constant):
                    found[model].add(value.value)
                elif ast.unparse(value) in DYNAMIC:
                    found[model].update(str(v) for v in DYNAMIC[ast.unparse(value)])
                elif ast.unparse(value) != "verb":
                    pytest.fail(f"unknown dynamic verb {ast.unparse(value)}: add it to DYNAMIC")
    return found


def test_every_verb_written_by_meeting_services_has_a_phrase():
    written = _verbs_written()
    assert sum(len(v) for v in written.values()) > 40  # the scan found the calls
    missing = {
        model.__name__: sorted(verbs - set(model.VERB_LABELS))
        for model, verbs in written.items()
        if verbs - set(model.VERB_LABELS)
    }
    assert missing == {}


@pytest.mark.parametrize(
    ("model", "choices"),
    [
        (MeetingEvent, Meeting.Status),
        (MeetingEvent, Summary.Status),
        (MeetingEvent, Attendance.Status),
        (AgendaTopicEvent, AgendaTopic.Status),
        (ActionItemEvent, ActionItem.Status),
        (DecisionReportEvent, DecisionReport.Status),
        (MotionEvent, OwnersAssemblyMotion.Stage),
    ],
)
def test_every_state_an_event_carries_has_a_label(model, choices):
    assert set(choices.values) <= set(model.STATE_LABELS)


def test_phrases_are_chinese_in_the_chinese_ui():
    with translation.override("zh-hans"):
        for model in HELPERS.values():
            for verb, label in model.VERB_LABELS.items():
                text = str(label)
                assert re.search(r"[\u4e00-\u9fff]", text), f"{model.__name__}.{verb}: {text}"


CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b(?:create|held|attendance|update|cancel)\b")


def _timeline(html: str) -> str:
    found = re.findall(r'<ol class="timeline[^"]*">(.*?)</ol>', html, re.S)
    assert found, "the page has a history"
    return "\n".join(found)


@pytest.mark.django_db
def test_meeting_history_shows_phrases_not_codes(joint_meeting, world, clock, client):
    from meetings import services
    from tests.meetings.test_services import _approved_meeting

    _topic, summary = _approved_meeting(joint_meeting, world, clock)
    services.summary_distribute(actor=world.meeting_clerk, summary=summary)
    client.force_login(world.meeting_clerk)
    html = client.get(
        reverse("meetings:detail", args=[joint_meeting.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    history = _timeline(html)
    assert "分送" in history
    assert "会签" in history
    assert not CODE.findall(history), CODE.findall(history)
    # The countersign table says 会签, never 签收 (签收 is receiving the distributed summary).
    countersigns = re.search(r'data-testid="countersigns">(.*?)</table>', html, re.S)
    assert countersigns
    assert "未签收" not in countersigns.group(1)


@pytest.mark.django_db
def test_agreed_item_decision_report_and_motion_histories_show_phrases(
    joint_meeting, world, clock, client
):
    """The three other timelines (议定事项, 决策报告, 业主大会议案) read as Chinese phrases."""
    import datetime as dt

    from meetings import services
    from tests.meetings.conftest import hold

    hold(joint_meeting, world, clock)
    item = services.action_item_create(
        actor=world.meeting_clerk,
        meeting=joint_meeting,
        title="修复路灯",
        responsible_organization=world.orgs.property_company,
        due_date=dt.date(2026, 4, 10),
    )
    services.action_item_post_progress(
        actor=world.people.property_company, item=item, note="已采购灯具"
    )
    report = services.decision_report_create(
        actor=world.people.pmc,
        compound=world.compound,
        matter="maintenance_fund",
        title="使用维修资金修屋面",
        body="屋面渗漏",
    )
    services.decision_report_file(actor=world.people.pmc, report=report)
    motion = services.motion_propose(
        actor=world.people.pmc,
        compound=world.compound,
        title="使用维修资金修屋面",
        body="修屋面",
        matter="fund_use",
    )
    pages = [
        (
            world.meeting_clerk,
            reverse("meetings:action_item", args=[item.pk]),
            ("登记议定事项", "进展"),
        ),
        (world.people.pmc, reverse("meetings:decision_report", args=[report.pk]), ("报告",)),
        (world.people.pmc, reverse("meetings:motion", args=[motion.pk]), ("提出议案",)),
    ]
    for person, url, words in pages:
        client.force_login(person)
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        history = _timeline(html)
        for word in words:
            assert word in history, (url, history)
        assert not CODE.findall(history), (url, CODE.findall(history))


@pytest.mark.django_db
def test_reordering_the_agenda_is_recorded_with_titles_not_ids(joint_meeting, world):
    from meetings import services

    a = services.topic_propose(actor=world.people.pmc, compound=world.compound, title="甲议题")
    b = services.topic_propose(actor=world.people.pmc, compound=world.compound, title="乙议题")
    services.topic_accept(actor=world.meeting_clerk, topic=a)
    services.topic_accept(actor=world.meeting_clerk, topic=b)
    services.topic_reorder(actor=world.meeting_clerk, meeting=joint_meeting, topic_ids=[b.pk, a.pk])
    event = MeetingEvent.objects.get(meeting=joint_meeting, verb="reorder")
    assert event.note == "1. 乙议题、2. 甲议题"
