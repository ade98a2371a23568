"""Celery tasks for pledges: thin, idempotent wrappers over services.

Beat entries (settings.CELERY_BEAT_SCHEDULE, see docs/pledges.md):
``pledges.tasks.evaluate`` hourly, ``pledges.tasks.escalate_findings`` every 15 minutes,
``pledges.tasks.scan_absences`` hourly, ``pledges.tasks.scan_supervisor_reports`` hourly.
"""

from __future__ import annotations

from celery import shared_task

from huashan.core.documents import render_task


@shared_task(name="pledges.tasks.evaluate", ignore_result=True, acks_late=True)
def evaluate() -> dict:
    """Compute every pledge item's period status and send due alarms (once each).

    seed: 公示承诺制度 第四条 (承诺履诺监督管理).
    """
    from huashan.core.heartbeat import heartbeat_stamp
    from pledges.services import pledges_evaluate

    report = pledges_evaluate()
    heartbeat_stamp(name="pledges.evaluate")
    return {
        "created": report.created,
        "updated": report.updated,
        "frozen": report.frozen_skipped,
        "alarms": report.alarms,
    }


@shared_task(name="pledges.tasks.escalate_findings", ignore_result=True, acks_late=True)
def escalate_findings() -> dict:
    """Unfixed safety findings past 3 days become hazard complaints (小区党组织服务承诺 第7条)."""
    from pledges.services import finding_escalate_overdue

    return {"escalated": len(finding_escalate_overdue())}


@shared_task(name="pledges.tasks.scan_absences", ignore_result=True, acks_late=True)
def scan_absences() -> dict:
    """Open a case per 3 consecutive unexcused absences (物业管理委员会服务承诺 第10条)."""
    from pledges.services import accountability_scan_absences

    return {"opened": len(accountability_scan_absences())}


@render_task(name="pledges.tasks.letter_pdf_generate")
def letter_pdf_generate(letter_id: int) -> bool:
    """Render and store a letter's PDF (niced); a missing letter is a no-op."""
    from pledges.models import PledgeLetter
    from pledges.pdf import letter_pdf_store

    letter = PledgeLetter.objects.filter(pk=letter_id).select_related("compound", "organization")
    letter = letter.first()
    if letter is None:
        return False
    letter_pdf_store(letter=letter)
    return True


@shared_task(name="pledges.tasks.scan_supervisor_reports", ignore_result=True, acks_late=True)
def scan_supervisor_reports() -> dict:
    """Quality supervisor's reports not acknowledged by their due time are raised once to
    the community party organization and the bodies that did not answer (决策报告制度 第四条)."""
    from pledges.services import supervisor_reports_scan_overdue

    return {"raised": supervisor_reports_scan_overdue()}
