"""Retention periods enforced (docs/privacy.md "How long we keep it").

Beat entry in ``settings.CELERY_BEAT_SCHEDULE``::

    "privacy-retention": {
        "task": "privacy.tasks.retention_sweep",
        "schedule": crontab(hour=3, minute=40),
        "options": {"expires": 3600},
    },
"""

from celery import shared_task


@shared_task(name="privacy.tasks.retention_sweep", ignore_result=True, acks_late=True)
def retention_sweep() -> dict:
    from privacy.retention import retention_sweep as sweep

    return sweep()
