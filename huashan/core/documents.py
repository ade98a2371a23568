"""One lifecycle for every document the worker renders (DESIGN.md §4 "PDF", §6; issue 15 item 5).

request (a service, in the web request: a row or a flag, permission-checked)
→ ``dispatch_on_commit`` (after the transaction commits; a broker that cannot be
reached never fails or slows the request)
→ ``render_task`` (the Celery task: ``acks_late``, ``reject_on_worker_lost``, time
limits, and the process niced with ``render_low_priority`` so pages stay fast)
→ ``document_store`` (the file, or the error, on the row)
→ a sweep (``documents_sweep_pending`` for rows left pending; ``work_lease`` /
``work_leases_lost`` to tell a slow render from a dead worker).

Users: meetings.MeetingDocument and evaluations.EvaluationDocument (pending /
ready / failed rows: everything above), disclosures.Report (its own running /
progress states, the lease and the niced task), dashboard.WorkSummary.pdf and
pledges.PledgeLetter.pdf (the dispatch and the niced task).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import threading
from collections.abc import Callable, Iterable

from django.core.files.base import ContentFile
from django.utils import timezone

logger = logging.getLogger(__name__)


# --- dispatch and the render task ------------------------------------------------------------

RENDER_NICENESS = 5


def dispatch_now(task, *args) -> bool:
    """Queue ``task(*args)`` without waiting on the broker (``retry=False``).

    False when the broker cannot be reached: logged, and the caller's sweep (or the
    user asking again) redoes it; a request never fails because of it (DESIGN.md §6).
    """
    try:
        task.apply_async(args=args, retry=False)
    except Exception:
        logger.warning("could not queue %s%r", getattr(task, "name", task), args, exc_info=True)
        return False
    return True


def dispatch_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits (never a row the
    worker cannot see yet; nothing queued when it rolls back)."""
    from django.db import transaction

    transaction.on_commit(lambda: dispatch_now(task, *args))


def dispatch_once(key: str, seconds: int, task, *args) -> bool:
    """For documents without a row (the stored file is the state: pledge letters, the
    year-end referral): queue ``task(*args)`` after commit unless ``key`` queued it in
    the last ``seconds``. A page reload past that re-queues work a dispatch or a worker
    lost; a broker that cannot be reached drops the key, so the next reload tries again.
    """
    from django.core.cache import cache
    from django.db import transaction

    if not cache.add(key, 1, seconds):
        return False

    def send() -> None:
        if not dispatch_now(task, *args):
            cache.delete(key)

    transaction.on_commit(send)
    return True


def render_low_priority() -> None:
    """Raise this worker process's niceness to ``RENDER_NICENESS`` (DESIGN.md §6: PDFs
    render niced). ``os.nice`` adds up, so only the missing part is added, once."""
    with contextlib.suppress(OSError, AttributeError):
        current = os.nice(0)
        if current < RENDER_NICENESS:
            os.nice(RENDER_NICENESS - current)


def render_task(*, name: str, soft_time_limit: int = 240, time_limit: int = 300, **options):
    """``shared_task`` for a render: ``acks_late`` + ``reject_on_worker_lost`` (a killed
    worker's message comes back), no result, time limits, and niced before it runs.
    The body must be idempotent (a redelivered message renders again)."""
    from celery import shared_task

    def decorate(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            from django.conf import settings

            # Eager mode runs tasks inside the web process: never nice that one.
            if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
                render_low_priority()
            return func(*args, **kwargs)

        return shared_task(
            name=name,
            ignore_result=True,
            acks_late=True,
            reject_on_worker_lost=True,
            soft_time_limit=soft_time_limit,
            time_limit=time_limit,
            **options,
        )(run)

    return decorate


# --- store and sweep ---------------------------------------------------------------------------


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
    model,
    render_one: Callable[..., object],
    *,
    older_than: dt.timedelta,
    batch: int = 20,
    lease: str | None = None,
) -> int:
    """Render up to ``batch`` rows of ``model`` still pending after ``older_than``.

    With ``lease`` (the label ``render_one`` holds its ``work_lease`` under), a row a
    live worker is rendering right now is left to it; only lost work is redone.
    """
    cutoff = timezone.now() - older_than
    ids = list(
        model.objects.filter(status=model.Status.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:batch]
    )
    if lease is not None:
        ids = work_leases_lost(lease, ids)
    for pk in ids:
        render_one(document_id=pk)
    return len(ids)


# --- leases: telling a slow render from a dead worker ------------------------------------
#
# A row marked "running" whose worker was SIGKILLed stayed running until the broker's
# visibility timeout (15 min) returned the message, or a sweep gave up waiting (20 min):
# ~17 minutes before a report was redone (issue 14 item 8). A lease says "a live worker
# holds this row": stamped when the work starts and every LEASE_BEAT_SECONDS while it
# runs (a daemon thread, so a long WeasyPrint call keeps it fresh), removed when the work
# ends. A sweep running every minute re-queues the rows whose lease is older than
# LEASE_LOST_AFTER — within about a minute of the kill, never while the render lives.
# Leases are rows of the core heartbeat table, named "lease:<label>:<pk>".

LEASE_BEAT_SECONDS = 15
LEASE_LOST_AFTER = dt.timedelta(seconds=60)


def _lease_name(label: str, pk: int) -> str:
    return f"lease:{label}:{pk}"[:64]


@contextlib.contextmanager
def work_lease(label: str, pk: int, *, every: float = LEASE_BEAT_SECONDS):
    """Hold the lease of row ``pk`` of ``label`` (e.g. ``"disclosures.report"``) while the
    block runs. Take it *before* claiming the row, so a sweep never sees the row running
    without a lease."""
    from django.db import connection

    from huashan.core.heartbeat import heartbeat_stamp

    name = _lease_name(label, pk)
    heartbeat_stamp(name=name)
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                heartbeat_stamp(name=name)
        except Exception:  # a lost stamp only risks a duplicate render (idempotent)
            logger.warning("lease %s: stamp failed", name, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    # Inside an uncommitted transaction the lease row is invisible to every sweep (and a
    # second connection stamping it would wait on that row's lock): nothing to keep alive.
    thread = None
    if not connection.in_atomic_block:
        thread = threading.Thread(target=beat, name=f"lease-{name}", daemon=True)
        thread.start()
    try:
        yield
    finally:
        stop.set()
        if thread is not None:
            thread.join(every + 5)
        work_lease_release(label, pk)


def work_lease_release(label: str, pk: int) -> None:
    from huashan.core.models import Heartbeat

    Heartbeat.objects.filter(name=_lease_name(label, pk)).delete()


def work_leases_lost(
    label: str, pks: Iterable[int], *, lost_after: dt.timedelta = LEASE_LOST_AFTER
) -> list[int]:
    """Of ``pks`` (rows the caller sees "running"), those no live worker holds: their
    lease is older than ``lost_after`` or gone. One query."""
    from huashan.core.models import Heartbeat

    pks = list(pks)
    if not pks:
        return []
    names = {_lease_name(label, pk): pk for pk in pks}
    fresh_after = timezone.now() - lost_after
    alive = set(
        Heartbeat.objects.filter(name__in=names, at__gte=fresh_after).values_list("name", flat=True)
    )
    return [pk for name, pk in names.items() if name not in alive]
