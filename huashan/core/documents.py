"""The shared tail of every "PDF rendered by the worker" pipeline (DESIGN.md: long work in Celery).

A document row has ``status`` (pending / ready / failed), ``file``, ``error``,
``rendered_at`` and ``created_at``. Each app renders its own bytes; these helpers
store the outcome the same way and re-render rows a lost dispatch or a killed
worker left pending (meetings.MeetingDocument, evaluations.EvaluationDocument).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.utils import timezone

logger = logging.getLogger(__name__)


def document_store(document, render: Callable[[], bytes], *, filename: str):
    """Run ``render`` and record the file (ready) or the error (failed) on ``document``."""
    Status = type(document).Status
    try:
        data = render()
    except Exception as exc:
        logger.exception("rendering %s %s failed", type(document).__name__, document.pk)
        document.status = Status.FAILED
        document.error = str(exc)[:2000]
        document.save(update_fields=["status", "error"])
        return document
    document.file.save(filename, ContentFile(data), save=False)
    document.status = Status.READY
    document.rendered_at = timezone.now()
    document.error = ""
    document.save(update_fields=["file", "status", "rendered_at", "error"])
    return document


def documents_sweep_pending(
    model, render_one: Callable[..., object], *, older_than: dt.timedelta, batch: int = 20
) -> int:
    """Render up to ``batch`` rows of ``model`` still pending after ``older_than``."""
    cutoff = timezone.now() - older_than
    ids = list(
        model.objects.filter(status=model.Status.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:batch]
    )
    for pk in ids:
        render_one(document_id=pk)
    return len(ids)
