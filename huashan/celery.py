"""Celery application. Configuration lives in settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huashan.settings")

app = Celery("huashan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
