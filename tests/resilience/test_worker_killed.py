"""A Celery worker SIGKILLed in the middle of a deadline scan and of a PDF rendering.

Real ``celery worker`` subprocesses (prefork pool) consume from a private
redis-server with a 4-second visibility timeout (``tests/resilience/worker_app.py``).
With ``acks_late`` a message is acknowledged only after its task returned, so a
killed worker leaves it "unacked" in Redis; ``reject_on_worker_lost`` requeues it at
once when only a pool child dies; the visibility timeout brings it back when the
whole worker died. The tasks must be idempotent: they may run twice (DESIGN.md §6).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections import Counter

import pytest
import redis
from django.utils import timezone

from disclosures.models import Category as DisclosureCategory
from disclosures.models import Report
from disclosures.tasks import disclosure_report_generate
from huashan.core.models import Heartbeat
from huashan.notify.models import Notification
from issues.models import Issue, IssueAlarm, IssueEvent
from issues.services import issue_scan_deadlines
from issues.tasks import scan_deadlines
from meetings.models import MeetingDocument, Minutes
from meetings.tasks import render_meeting_document
from tests.factories.disclosures import DisclosureFactory
from tests.factories.issues import CategoryFactory, IssueFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.world import compound_world

from .conftest import celery_publishes_to, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

#: Open complaints whose response and feedback deadlines have both passed.
OVERDUE_ISSUES = 60
#: Long enough minutes that rendering takes a few seconds (~2 s on this machine).
MINUTES_TEXT = "业主代表发言：地下车库停车秩序混乱，消防通道被占用，请物业公司限期整改。\n" * 500
SCAN_DONE = "issues.scan_deadlines"  # the heartbeat the scan task stamps when it finishes


def overdue_issues(world, count: int) -> list[Issue]:
    now = timezone.now()
    category = CategoryFactory()
    return Issue.objects.bulk_create(
        IssueFactory.build(
            compound=world.compound,
            category=category,
            reporter=world.resident,
            tracking_number=f"HS-2098-{n:06d}",
            created_at=now - dt.timedelta(days=20),
            response_due=now - dt.timedelta(days=18),
            feedback_due=now - dt.timedelta(days=10),
            next_deadline=now - dt.timedelta(days=18),
        )
        for n in range(count)
    )


def unacked(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return client.hlen("unacked")
    finally:
        client.close()


def test_worker_killed_mid_scan_and_mid_pdf_completes_after_restart_without_duplicates(
    spawn_worker, monkeypatch
):
    # The scan commits per batch (1,000 issues in production): here batches of 5 overdue
    # issues (10 alarms), each followed by a pause, so the kill lands between two commits.
    monkeypatch.setenv("RES_SCAN_BATCH_SIZE", "5")
    monkeypatch.setenv("RES_SCAN_BATCH_PAUSE", "0.3")
    world = compound_world()
    overdue_issues(world, OVERDUE_ISSUES)
    meeting = MeetingFactory(compound=world.compound, title="2026年3月联席会议")
    Minutes.objects.create(meeting=meeting, discussion=MINUTES_TEXT, outcome="限期整改")
    document = MeetingDocument.objects.create(meeting=meeting, kind=MeetingDocument.Kind.MINUTES)

    first = spawn_worker(concurrency=2)
    with celery_publishes_to(spawn_worker.redis_url):
        scan_deadlines.delay()
        render_meeting_document.delay(document.pk)
    # Kill the whole worker (main process and both pool children) mid-scan.
    wait_until(lambda: IssueAlarm.objects.count() >= 10, timeout=60, what="the scan to start")
    first.kill()
    alarms_at_kill = IssueAlarm.objects.count()
    document.refresh_from_db()
    assert document.status == MeetingDocument.Status.PENDING  # killed mid-render
    assert not Heartbeat.objects.filter(name=SCAN_DONE).exists()  # killed mid-scan
    assert unacked(spawn_worker.redis_url) == 2  # both messages held, neither lost

    # A new worker: the messages become visible again after the visibility timeout.
    spawn_worker(concurrency=2)
    wait_until(
        lambda: Heartbeat.objects.filter(name=SCAN_DONE).exists(),
        timeout=60,
        what="the scan to finish after the restart",
    )
    wait_until(
        lambda: MeetingDocument.objects.get(pk=document.pk).status == MeetingDocument.Status.READY,
        timeout=60,
        what="the minutes PDF after the restart",
    )
    # A scan that outlives the visibility timeout is delivered once more and runs beside
    # the first; each skips the rows the other holds locked (SKIP LOCKED), so the first
    # heartbeat may come before the other's last batch commits.
    wait_until(
        lambda: IssueAlarm.objects.count() >= 2 * OVERDUE_ISSUES,
        timeout=60,
        what="every alarm to be raised",
    )
    wait_until(lambda: unacked(spawn_worker.redis_url) == 0, timeout=30, what="acks")

    # The scan completed: a further scan finds nothing left to raise.
    alarms = IssueAlarm.objects.count()
    assert 0 < alarms_at_kill < alarms
    assert alarms == 2 * OVERDUE_ISSUES  # response and feedback, breached, for each
    report = issue_scan_deadlines()
    assert report.warned == []
    assert report.breached == []
    # No alarm, breach event or notification twice, though the scan ran twice.
    assert IssueEvent.objects.filter(verb="deadline_breached").count() == alarms
    breach_events = Counter(
        IssueEvent.objects.filter(verb="deadline_breached").values_list("issue_id", "note")
    )
    assert set(breach_events.values()) == {1}
    inbox = Notification.objects.filter(channel="inbox")  # only the scan notified anyone
    per_recipient = Counter(inbox.values_list("recipient_id", "subject"))
    assert per_recipient
    assert set(per_recipient.values()) == {1}
    per_subject = Counter(inbox.values_list("subject", flat=True))
    assert len(per_subject) == alarms
    assert len(set(per_subject.values())) == 1  # the same recipients for every alarm
    # One document row, rendered, a real PDF.
    assert MeetingDocument.objects.filter(meeting=meeting).count() == 1
    document.refresh_from_db()
    with document.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_worker_child_killed_mid_report_pdf_renders_it_after_redelivery(spawn_worker):
    world = compound_world()
    category, _created = DisclosureCategory.objects.get_or_create(
        code="company_other", defaults={"name": "其他"}
    )
    paragraph = "<p>本季度公共收益收支明细：电梯广告、停车场租金、快递柜场地费，均已入账。</p>"
    DisclosureFactory(
        organization=world.orgs.property_company,
        category=category,
        body_markdown="公共收益",
        body_html=paragraph * 1500,
    )
    today = timezone.localdate()
    report = Report.objects.create(
        compound=world.compound, period=f"{today.year}Q{(today.month - 1) // 3 + 1}"
    )

    worker = spawn_worker(concurrency=1)
    with celery_publishes_to(spawn_worker.redis_url):
        disclosure_report_generate.delay(report.pk)
    wait_until(
        lambda: Report.objects.get(pk=report.pk).status == Report.Status.RUNNING,
        timeout=60,
        what="the report to start rendering",
    )
    (child,) = worker.children()
    os.kill(child, signal.SIGKILL)  # the pool child dies mid-render; the worker lives on
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING
    assert not report.file

    # reject_on_worker_lost requeues the message at once; the worker runs it again.
    wait_until(
        lambda: (
            worker.output().count("disclosure_report_generate") >= 2
            and "succeeded in" in worker.output()
        ),
        timeout=60,
        what="the redelivered report task",
    )
    assert "WorkerLostError" in worker.output() or "signal 9" in worker.output()
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, (report.status, report.error)
    with report.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert Report.objects.count() == 1
