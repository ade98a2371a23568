"""Celery application. Configuration lives in settings (CELERY_* names).

Every task's base class is :class:`huashan.core.celerytask.BreakerTask` (Django's task
class plus a breaker on dispatch: a hung broker costs one timeout, not one per request).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huashan.settings")

app = Celery("huashan", task_cls="huashan.core.celerytask:BreakerTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
