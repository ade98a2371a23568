"""Celery tasks of the dashboard app: thin, idempotent wrappers over the services.

Beat entry: ``dashboard.snapshots_refresh`` every 15 minutes.
"""

from __future__ import annotations

from celery import shared_task

from huashan.core.documents import render_task


@shared_task(
    name="dashboard.snapshots_refresh",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=540,
    time_limit=600,
)
def snapshots_refresh(backfill_months: int = 12) -> int:
    """Refresh the monthly roll-up of every compound (missing months back-filled)."""
    from huashan.core.heartbeat import heartbeat_stamp

    from .services import snapshots_refresh_all

    written = snapshots_refresh_all(backfill_months=backfill_months)
    heartbeat_stamp(name="dashboard.snapshots_refresh")
    return written


@shared_task(
    name="dashboard.work_summary_generate",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
)
def work_summary_generate_task(
    summary_id: int, compound_id: int, period: str, actor_id: int | None = None
) -> str:
    """Fill a draft work summary's figures (seed: 联席会议议事规则 第六条). Safe to run twice."""
    from django.contrib.auth import get_user_model

    from huashan.directory.models import Compound

    from .models import WorkSummary
    from .services import work_summary_generate

    summary = WorkSummary.objects.filter(pk=summary_id).first()
    compound = Compound.objects.filter(pk=compound_id).first()
    if summary is None or compound is None or summary.state != WorkSummary.State.DRAFT:
        return "skipped"
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    # The request checked the actor's permission; run as the system if they lost it since.
    if actor is not None and not actor.has_perm("dashboard.manage_summary", compound):
        actor = None
    work_summary_generate(actor=actor, compound=compound, period=period)
    return "generated"


@render_task(name="dashboard.work_summary_render_pdf")
def work_summary_render_pdf_task(summary_id: int) -> str:
    """Render and store a work summary's PDF (niced worker, never in a request)."""
    from .models import WorkSummary
    from .services import work_summary_render_pdf

    summary = WorkSummary.objects.select_related("compound").filter(pk=summary_id).first()
    if summary is None:
        return "missing"
    work_summary_render_pdf(summary=summary)
    return "rendered"
