"""The portal's Celery app, for the resilience tests' own worker subprocesses.

Same tasks and settings (``acks_late``, ``reject_on_worker_lost``, prefetch 1), but
the broker is the test's private redis-server and the visibility timeout is short,
so a SIGKILLed worker's message comes back within seconds instead of 15 minutes.
Start with ``celery -A tests.resilience.worker_app worker`` and the environment
set by ``tests/resilience/conftest.py::spawn_worker``.
"""

import os
import time

from celery.signals import worker_process_init

from huashan.celery import app

app.conf.broker_url = os.environ["RES_BROKER_URL"]
app.conf.broker_transport_options = {
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
    "visibility_timeout": float(os.environ.get("RES_VISIBILITY_TIMEOUT", "4")),
    # Look for abandoned messages every second (defaults: every 10 × 10 s).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


@worker_process_init.connect
def _small_slow_scan_batches(**_kwargs) -> None:
    """``RES_SCAN_BATCH_SIZE`` / ``RES_SCAN_BATCH_PAUSE``: the deadline scan commits many
    small batches, each followed by a pause, so a SIGKILL lands between two commits."""
    size = os.environ.get("RES_SCAN_BATCH_SIZE")
    if not size:
        return
    from issues.services import scan as services  # where the scan looks these names up

    services.SCAN_BATCH_SIZE = int(size)
    pause = float(os.environ.get("RES_SCAN_BATCH_PAUSE", "0"))
    raise_alarms = services._raise_alarms

    def raise_alarms_then_pause(*args, **kwargs):
        raise_alarms(*args, **kwargs)
        time.sleep(pause)

    services._raise_alarms = raise_alarms_then_pause


__all__ = ["app"]
