"""Celery application. Configuration lives in settings (CELERY_* names).

Every task's base class is :class:`huashan.core.celerytask.BreakerTask` (Django's task
class plus a breaker on dispatch: a hung broker costs one timeout, not one per request).
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huashan.settings")

app = Celery("huashan", task_cls="huashan.core.celerytask:BreakerTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
@signals.beat_init.connect
def _refuse_without_a_secret_key(**_kwargs) -> None:
    """A worker or beat never runs with a missing or published SECRET_KEY (issue 14 item 8):
    they write the links and tokens that residents receive. Celery's signals swallow an
    ``Exception`` from a handler, so the refusal is a ``SystemExit``."""
    from django.core.exceptions import ImproperlyConfigured

    from huashan.core.checks import secret_key_required

    try:
        secret_key_required()
    except ImproperlyConfigured as exc:
        raise SystemExit(str(exc)) from exc
