"""Celery wrappers over the outbox services (thin, idempotent, by id)."""

from celery import shared_task


@shared_task(
    name="huashan.notify.tasks.deliver",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def deliver(notification_id: int) -> None:
    """Send one notification; a second run (redelivery) finds nothing to claim."""
    from .services import deliver_notification

    deliver_notification(notification_id=notification_id)


@shared_task(
    name="huashan.notify.tasks.notification_sweep",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def notification_sweep() -> dict:
    """Beat, every 2 minutes: reclaim stuck rows and deliver what is due."""
    from dataclasses import asdict

    from .services import notification_sweep_outbox

    return asdict(notification_sweep_outbox())
