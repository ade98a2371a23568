"""Celery tasks for disclosures: thin wrappers over the services (idempotent).

Beat entries to add to settings.CELERY_BEAT_SCHEDULE (see docs/disclosures.md):
``disclosures.tasks.scan_schedules`` hourly, ``disclosures.tasks.expire_postings``
hourly, ``disclosures.tasks.scan_objections`` every 10 minutes,
``disclosures.tasks.resume_reports`` every 5 minutes.
"""

from __future__ import annotations

from celery import shared_task

from huashan.core.documents import render_task


@shared_task(name="disclosures.tasks.scan_schedules", ignore_result=True)
def scan_schedules() -> dict:
    """Remind publishers before due dates; tell the compound party org when missed.

    seed: 公示承诺制度 第二、三条. Safe to run twice (unique alarm rows).
    """
    from huashan.core.heartbeat import heartbeat_stamp

    from .services import schedules_scan

    result = schedules_scan()
    heartbeat_stamp(name="disclosures.scan_schedules")
    return {"reminders": result.reminders, "missed": result.missed}


@shared_task(name="disclosures.tasks.expire_postings", ignore_result=True)
def expire_postings() -> dict:
    """Move postings whose window ended to ``expired`` (seed: 公示承诺制度 第四条)."""
    from .services import disclosures_expire_due

    return {"expired": disclosures_expire_due()}


@shared_task(name="disclosures.tasks.scan_objections", ignore_result=True)
def scan_objections() -> dict:
    """Overdue answers to objections go to the compound party organization (第三条)."""
    from .services import objections_scan_overdue

    return {"overdue": objections_scan_overdue()}


@shared_task(name="disclosures.tasks.resume_reports", ignore_result=True)
def resume_reports() -> dict:
    """Re-dispatch report jobs the broker lost."""
    from .services import reports_resume_pending

    return {"resumed": reports_resume_pending()}


@render_task(
    bind=True,
    name="disclosures.tasks.disclosure_report_generate",
    time_limit=900,
    soft_time_limit=840,
)
def disclosure_report_generate(self, report_id: int) -> dict:
    """Render and store a quarterly / annual report PDF (idempotent; niced, DESIGN.md §6)."""
    from .services import report_generate

    # Redelivered after a worker died mid-render: take the "running" report over.
    redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
    report = report_generate(report_id=report_id, takeover=redelivered)
    return {"status": report.status}
