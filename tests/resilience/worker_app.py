"""The portal's Celery app, for the resilience tests' own worker subprocesses.

Same tasks and settings (``acks_late``, ``reject_on_worker_lost``, prefetch 1), but
the broker is the test's private redis-server and the visibility timeout is short,
so a SIGKILLed worker's message comes back within seconds instead of 15 minutes.
Start with ``celery -A tests.resilience.worker_app worker`` and the environment
set by ``tests/resilience/conftest.py::spawn_worker``.
"""

import os

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

__all__ = ["app"]
