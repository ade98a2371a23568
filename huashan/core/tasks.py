"""Periodic housekeeping tasks of the portal core (thin wrappers, idempotent)."""

from celery import shared_task


@shared_task(name="huashan.core.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Stamp the scheduler heartbeat; /healthz and staff banners read it."""
    from huashan.core.heartbeat import heartbeat_stamp

    heartbeat_stamp(name="beat")


@shared_task(name="huashan.core.tasks.calendar_coverage_check", ignore_result=True)
def calendar_coverage_check() -> None:
    """Log loudly when this or next year's holiday schedule is unknown."""
    from huashan.workdays import calendar_coverage_warning, log_coverage_warning

    log_coverage_warning(calendar_coverage_warning())
