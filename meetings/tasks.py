"""Celery beat tasks for meetings: thin, idempotent wrappers over the services.

Beat entries (ask the integrator to add them to ``settings.CELERY_BEAT_SCHEDULE``):
``meetings.tasks.scan_action_items`` every 15 minutes, ``meetings.tasks.remind_schedule``
daily, ``meetings.tasks.sweep_documents`` every 5 minutes,
``meetings.tasks.remind_work_summaries`` daily.
"""

from __future__ import annotations

from celery import shared_task

from huashan.core.documents import render_task


@shared_task(name="meetings.tasks.scan_action_items", ignore_result=True)
def scan_action_items() -> dict:
    """Reminders before due and 督办 on breach, each once (联席会议议事规则 第五条)."""
    from huashan.core.heartbeat import heartbeat_stamp

    from .services import action_items_scan

    report = action_items_scan()
    heartbeat_stamp(name="meetings.scan_action_items")
    return {"reminded": len(report.reminded), "breached": len(report.breached)}


@shared_task(name="meetings.tasks.remind_schedule", ignore_result=True)
def remind_schedule() -> dict:
    """Tell the office when no joint meeting is scheduled this month (小区党组织服务承诺 1)."""
    from .services import meeting_schedule_scan

    return {"reminded": len(meeting_schedule_scan())}


@render_task(name="meetings.tasks.render_meeting_document", soft_time_limit=120, time_limit=180)
def render_meeting_document(document_id: int) -> str:
    """Render one notice / sign-in sheet / minutes / summary PDF and store it (niced)."""
    from .services import meeting_document_render

    document = meeting_document_render(document_id=document_id)
    return document.status if document else "missing"


@shared_task(name="meetings.tasks.sweep_documents", ignore_result=True)
def sweep_documents() -> dict:
    """Render documents whose dispatch was lost (broker outage)."""
    from .services import meeting_documents_sweep

    return {"rendered": meeting_documents_sweep()}


@shared_task(name="meetings.tasks.remind_work_summaries", ignore_result=True)
def remind_work_summaries() -> dict:
    """Half-year briefs and annual summaries: reminded before their due date, flagged to
    the community party organization when overdue, each once (联席会议议事规则 第六条).
    Beat entry: daily (e.g. 08:30)."""
    from .services.summaries import work_summaries_scan

    return {"reminded": len(work_summaries_scan())}
