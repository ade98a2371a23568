"""Celery tasks of provisioning.

Beat entry in ``settings.CELERY_BEAT_SCHEDULE`` (every night of January)::

    "provisioning-year-rollover": {
        "task": "provisioning.tasks.year_rollover",
        "schedule": crontab(hour=0, minute=5, month_of_year=1),
    },

A missed night is harmless: the command ``provision_year`` or the next night
run fills the same rows (idempotent).
"""

from __future__ import annotations

from celery import shared_task

from .services import rollover


@shared_task(name="provisioning.tasks.year_rollover")
def year_rollover() -> dict:
    """1 January: each compound's new year of letters and schedules from the templates."""
    results = rollover()
    return {
        "compounds": len(results),
        "letters": sum(len(r.letters_created) for r in results),
        "schedules": sum(r.schedules_created for r in results),
        "campaigns": sum(1 for r in results if r.campaign_created),
        "pending": sum(1 for r in results if r.pending),
    }
