"""Celery tasks: thin and idempotent (called synchronously here)."""

from __future__ import annotations

import pytest
from django.db import transaction

from dashboard.models import CompoundSnapshot, WorkSummary
from dashboard.services import work_summary_request
from dashboard.tasks import (
    snapshots_refresh,
    work_summary_generate_task,
    work_summary_render_pdf_task,
)

pytestmark = pytest.mark.django_db


def test_request_creates_draft_and_task_fills_it(world, monkeypatch):
    sent = []
    monkeypatch.setattr(
        "dashboard.tasks.work_summary_generate_task.apply_async",
        lambda args, **kw: sent.append(args),
    )
    office = world.people.joint_meeting_office
    with transaction.atomic():
        summary = work_summary_request(actor=office, compound=world.compound, period="2026H1")
    assert summary.state == WorkSummary.State.DRAFT
    assert summary.generated_at is None
    # on_commit does not run inside the test transaction; run the task as the worker would.
    assert work_summary_generate_task(summary.pk, world.compound.pk, "2026H1", office.pk) == (
        "generated"
    )
    summary.refresh_from_db()
    assert summary.generated_at is not None
    assert summary.figures["period"] == "2026H1"
    # Twice is harmless; a vanished row is skipped.
    assert work_summary_generate_task(summary.pk, world.compound.pk, "2026H1", office.pk)
    assert work_summary_generate_task(10**9, world.compound.pk, "2026H1") == "skipped"


def test_render_pdf_task_stores_file(world):
    office = world.people.joint_meeting_office
    summary = work_summary_request(actor=office, compound=world.compound, period="2026H1")
    work_summary_generate_task(summary.pk, world.compound.pk, "2026H1", None)
    assert work_summary_render_pdf_task(summary.pk) == "rendered"
    summary.refresh_from_db()
    assert summary.pdf.name.endswith(".pdf")
    with summary.pdf.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    summary.pdf.delete(save=False)
    assert work_summary_render_pdf_task(10**9) == "missing"


def test_snapshots_task_is_idempotent(world):
    snapshots_refresh(backfill_months=2)
    snapshots_refresh(backfill_months=2)
    assert CompoundSnapshot.objects.filter(compound=world.compound).count() == 2
