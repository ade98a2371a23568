"""The pledge letter's PDF is queued through ``huashan.core.documents.dispatch_once``
(issue 15): one queued render per letter within ``PDF_QUEUE_SECONDS``, after commit; a
broker that cannot be reached lets the next visit queue it again."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from pledges import tasks
from pledges.views.common import PDF_QUEUE_SECONDS
from tests.pledges.web import seeded_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return seeded_world()


def visit(client, world, capture):
    """GET the letter's PDF and run what it queued after commit; the response."""
    with capture(execute=True):
        return client.get(reverse("pledges:letter_pdf", args=[world.letter.pk]))


def test_one_render_is_queued_per_letter_within_the_window(
    client, world, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.letter_pdf_generate, "apply_async") as queued:
        first = visit(client, world, django_capture_on_commit_callbacks)
        second = visit(client, world, django_capture_on_commit_callbacks)
    assert (first.status_code, second.status_code) == (202, 202)
    queued.assert_called_once_with(args=(world.letter.pk,), retry=False)


def test_the_window_is_the_views_queue_seconds(client, world):
    with mock.patch("pledges.views.public.dispatch_once", autospec=True) as once:
        response = client.get(reverse("pledges:letter_pdf", args=[world.letter.pk]))
    assert response.status_code == 202
    once.assert_called_once_with(
        f"pledges:pdf-queued:{world.letter.pk}",
        PDF_QUEUE_SECONDS,
        tasks.letter_pdf_generate,
        world.letter.pk,
    )


def test_a_broker_outage_lets_the_next_visit_queue_again(
    client, world, django_capture_on_commit_callbacks
):
    with mock.patch.object(
        tasks.letter_pdf_generate, "apply_async", side_effect=ConnectionError("broker down")
    ) as queued:
        first = visit(client, world, django_capture_on_commit_callbacks)
        second = visit(client, world, django_capture_on_commit_callbacks)
    assert (first.status_code, second.status_code) == (202, 202)
    assert queued.call_count == 2
