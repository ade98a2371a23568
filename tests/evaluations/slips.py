"""Printing ballot slips in a test the way a clerk does: ask on the page, let the worker
render (its task run here), then download the PDF (issue 15 item 5)."""

from __future__ import annotations

from unittest import mock

from django.test import TestCase
from django.urls import reverse

from evaluations import tasks


def printed_slips(client, campaign) -> bytes:
    """POST the slips, run the queued render, GET the PDF; the bytes of the PDF."""
    url = reverse("evaluations:slips", args=[campaign.pk])
    queued: list[int] = []
    with (
        mock.patch.object(
            tasks.render_document, "apply_async", lambda args, **kw: queued.extend(args)
        ),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert client.post(url).status_code == 302
    assert queued, "the page queued no printing"
    with TestCase.captureOnCommitCallbacks(execute=True):
        for document_id in queued:
            assert tasks.render_document(document_id) == "ready"
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    return b"".join(served.streaming_content)
