"""Celery application. Configuration lives in settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huashan.settings")

app = Celery("huashan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_filesystem_broker_folders() -> None:
    """kombu's filesystem transport needs its folders to exist before use."""
    from django.conf import settings

    if str(getattr(settings, "CELERY_BROKER_URL", "")).startswith("filesystem://"):
        opts = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "processed_folder"):
            os.makedirs(opts[key], exist_ok=True)


app.on_after_configure.connect(lambda sender, **kw: _ensure_filesystem_broker_folders())
