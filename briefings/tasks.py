"""Celery tasks for briefings: thin, idempotent wrappers over services.

Beat entry (settings.CELERY_BEAT_SCHEDULE): ``briefings.tasks.scan_answers`` daily.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="briefings.tasks.scan_answers", ignore_result=True, acks_late=True)
def scan_answers() -> dict:
    """Feedback not answered by its date (决策报告制度 第三条 "…应及时研究办理")."""
    from .services import briefings_scan_answers

    return briefings_scan_answers()
