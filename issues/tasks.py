"""Celery beat tasks for complaints: thin wrappers over the services (idempotent).

Beat entries (settings.CELERY_BEAT_SCHEDULE):
``issues.tasks.scan_deadlines`` every 5 minutes, ``issues.tasks.auto_close`` hourly.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="issues.tasks.scan_deadlines", ignore_result=True)
def scan_deadlines() -> dict:
    """Warn before deadlines, tell supervisors on breach (seed: 协同联动 第二条 督办).

    Safe to run twice, and to rerun after a worker was killed mid-way: each batch of
    alarms is claimed with ``INSERT … ON CONFLICT DO NOTHING`` on a unique constraint
    and notifies in the same transaction; an idle rerun is one indexed query.
    """
    from huashan.core.heartbeat import heartbeat_stamp
    from issues.services import issue_scan_deadlines

    report = issue_scan_deadlines()
    heartbeat_stamp(name="issues.scan_deadlines")
    return {"warned": len(report.warned), "breached": len(report.breached)}


@shared_task(name="issues.tasks.auto_close", ignore_result=True)
def auto_close() -> dict:
    """Close resolved issues nobody objected to within the compound's auto-close days."""
    from issues.services import issue_auto_close_scan

    return {"closed": len(issue_auto_close_scan())}
