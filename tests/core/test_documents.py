"""One rendered-document lifecycle (huashan/core/documents.py, issue 15 item 5).

request → dispatch after commit → render niced in the worker → store → sweep lost work.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from huashan.core import documents
from huashan.core.documents import (
    dispatch_now,
    dispatch_on_commit,
    render_task,
    work_lease,
)

pytestmark = pytest.mark.django_db


class _Task:
    name = "tests.fake"

    def __init__(self, error: Exception | None = None):
        self.calls = []
        self.error = error

    def apply_async(self, **kwargs):
        if self.error:
            raise self.error
        self.calls.append(kwargs)


def test_dispatch_never_waits_on_the_broker_and_says_when_it_could_not_queue():
    task = _Task()
    assert dispatch_now(task, 7, "x") is True
    assert task.calls == [{"args": (7, "x"), "retry": False}]
    assert dispatch_now(_Task(ConnectionError("broker down")), 7) is False


def test_dispatch_on_commit_queues_only_after_the_commit(django_capture_on_commit_callbacks):
    task = _Task()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dispatch_on_commit(task, 3)
        assert task.calls == []  # not before the row is visible to the worker
    assert len(callbacks) == 1
    assert task.calls == [{"args": (3,), "retry": False}]


def test_dispatch_once_queues_once_per_window_and_again_after_a_broker_outage(
    django_capture_on_commit_callbacks,
):
    from django.core.cache import cache

    key = "tests:core:dispatch-once"
    cache.delete(key)
    down = _Task(ConnectionError("broker down"))
    with django_capture_on_commit_callbacks(execute=True):
        assert documents.dispatch_once(key, 60, down, 1) is True
    assert cache.get(key) is None  # not queued: the next reload tries again
    task = _Task()
    with django_capture_on_commit_callbacks(execute=True):
        assert documents.dispatch_once(key, 60, task, 1) is True
        assert documents.dispatch_once(key, 60, task, 1) is False  # a reload: already queued
    assert task.calls == [{"args": (1,), "retry": False}]
    cache.delete(key)


def test_every_render_task_is_niced_acks_late_and_requeued_when_its_worker_dies():
    from dashboard.tasks import work_summary_render_pdf_task
    from disclosures.tasks import disclosure_report_generate
    from evaluations.tasks import render_document
    from meetings.tasks import render_meeting_document
    from pledges.tasks import letter_pdf_generate

    tasks = [
        work_summary_render_pdf_task,
        disclosure_report_generate,
        render_document,
        render_meeting_document,
        letter_pdf_generate,
    ]
    for task in tasks:
        assert task.acks_late, task.name
        assert task.reject_on_worker_lost, task.name
        assert task.time_limit, task.name
        assert task.soft_time_limit, task.name
    # The Celery names are strings the broker and the beat schedule know: unchanged.
    assert [t.name for t in tasks] == [
        "dashboard.work_summary_render_pdf",
        "disclosures.tasks.disclosure_report_generate",
        "evaluations.tasks.render_document",
        "meetings.tasks.render_meeting_document",
        "pledges.tasks.letter_pdf_generate",
    ]
    with mock.patch.object(documents, "render_low_priority") as niced:
        assert letter_pdf_generate(10**9) is False  # a missing letter: nothing to render
    niced.assert_called_once_with()


def test_render_task_nices_the_process_before_the_body_runs():
    order = []

    @render_task(name="tests.core.render_probe")
    def probe(value):
        order.append(("body", value))
        return value

    with mock.patch.object(
        documents, "render_low_priority", side_effect=lambda: order.append("nice")
    ):
        assert probe(5) == 5
    assert order == ["nice", ("body", 5)]


def test_render_task_never_nices_the_web_process_in_eager_mode(settings):
    @render_task(name="tests.core.render_probe_eager")
    def probe():
        return "done"

    settings.CELERY_TASK_ALWAYS_EAGER = True
    with mock.patch.object(documents, "render_low_priority") as niced:
        assert probe() == "done"
    niced.assert_not_called()


def test_render_low_priority_only_adds_the_missing_niceness():
    with mock.patch.object(documents.os, "nice", side_effect=[2, 5]) as nice:
        documents.render_low_priority()
    assert nice.call_args_list == [mock.call(0), mock.call(3)]
    with mock.patch.object(documents.os, "nice", return_value=7) as nice:
        documents.render_low_priority()
    assert nice.call_args_list == [mock.call(0)]  # already lower: left alone


def test_the_sweep_leaves_a_row_a_live_worker_holds_and_redoes_a_lost_one(time_machine):
    """A pending meeting document older than two minutes is rendered again unless a
    live worker holds its lease (the render is slow, not lost)."""
    from meetings.models import MeetingDocument
    from meetings.services.documents import DOCUMENT_LEASE, meeting_documents_sweep
    from tests.factories.meetings import MeetingFactory

    meeting = MeetingFactory()

    held, lost = (
        MeetingDocument.objects.create(meeting=meeting, kind=kind)
        for kind in (MeetingDocument.Kind.NOTICE, MeetingDocument.Kind.SIGN_IN)
    )
    time_machine.move_to(dt.timedelta(minutes=5), tick=False)
    rendered = []
    with (
        mock.patch(
            "meetings.services.documents.meeting_document_render",
            side_effect=lambda document_id: rendered.append(document_id),
        ),
        work_lease(DOCUMENT_LEASE, held.pk, every=3600),
    ):
        assert meeting_documents_sweep() == 1
    assert rendered == [lost.pk]
