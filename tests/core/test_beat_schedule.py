"""Every beat entry names a task the worker knows, with an expiry (DESIGN.md §6)."""

import pytest
from django.conf import settings

from huashan.celery import app


@pytest.mark.parametrize("name", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_beat_entry_names_a_registered_task_and_expires(name):
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks, f"{name}: task {entry['task']!r} is not registered"
    assert entry.get("options", {}).get("expires"), f"{name}: a missed run must expire"
