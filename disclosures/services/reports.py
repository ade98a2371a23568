"""Period reports of a compound's disclosures: requested, rendered by a worker, resumed."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.documents import dispatch_now, work_lease, work_leases_lost
from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound

from ..models import Report
from .common import logger

# --- reports ---------------------------------------------------------------------------


def report_request(*, actor, compound: Compound, period: str) -> Report:
    """Queue a quarterly (``2026Q3``) or annual (``2026``) report (rendered by Celery)."""
    from ..selectors import period_bounds

    person = _require(
        actor,
        "disclosures.request_report",
        compound,
        _("You may not generate reports for this compound."),
    )
    try:
        period_bounds(period)
    except ValueError as exc:
        raise ValidationError({"period": [str(exc)]}) from exc
    with transaction.atomic():
        report = Report.objects.create(compound=compound, period=period, requested_by=person)
        transaction.on_commit(lambda: _dispatch_report(report.pk))
    return report


def _dispatch_report(report_id: int) -> None:
    from ..tasks import disclosure_report_generate

    # Broker down: logged, and reports_resume_pending re-dispatches.
    dispatch_now(disclosure_report_generate, report_id)


REPORT_LEASE = "disclosures.report"


def report_generate(*, report_id: int, takeover: bool = False) -> Report:
    """Render the report PDF and store it (idempotent: a done report is left alone).

    ``takeover`` is set when the broker redelivered the task because the worker
    that was rendering died: its report is still "running" and must be claimed
    again, or it would stay running forever.
    """
    # The lease is taken before the claim, so a sweep never sees the report running
    # without one; a killed worker's lease goes stale within a minute (core.documents).
    with work_lease(REPORT_LEASE, report_id):
        return _report_render(report_id=report_id, takeover=takeover)


def _report_render(*, report_id: int, takeover: bool) -> Report:
    from ..pdf import report_pdf

    claimable = [Report.Status.PENDING, Report.Status.FAILED]
    if takeover:
        claimable.append(Report.Status.RUNNING)
    claimed = Report.objects.filter(pk=report_id, status__in=claimable).update(
        status=Report.Status.RUNNING, progress=5, error=""
    )
    report = Report.objects.select_related("compound").get(pk=report_id)
    if not claimed:
        return report

    def progress(percent: int) -> None:
        Report.objects.filter(pk=report_id).update(progress=max(5, min(99, percent)))

    try:
        data = report_pdf(compound=report.compound, period=report.period, progress=progress)
    except Exception as exc:
        logger.exception("disclosure report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        report.refresh_from_db()
        return report
    report.file.save(
        f"disclosures-{report.compound.slug}-{report.period}.pdf", ContentFile(data), save=False
    )
    report.status = Report.Status.DONE
    report.progress = 100
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "status", "progress", "finished_at"])
    return report


def reports_resume_pending(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Re-dispatch reports still pending (broker was down), or stuck running for long."""
    now = timezone.now()
    ids = list(
        Report.objects.filter(
            status=Report.Status.PENDING, created_at__lt=now - older_than
        ).values_list("pk", flat=True)[:50]
    )
    # A report "running" whose worker no longer stamps its lease lost that worker
    # (killed, out of memory): render it again within about a minute; after six hours
    # of such retries, give up and say so.
    running = Report.objects.filter(status=Report.Status.RUNNING)
    given_up = running.filter(created_at__lt=now - timedelta(hours=6)).update(
        status=Report.Status.FAILED, error="timed out"
    )
    orphaned = work_leases_lost(REPORT_LEASE, running.values_list("pk", flat=True)[:50])
    Report.objects.filter(pk__in=orphaned, status=Report.Status.RUNNING).update(
        status=Report.Status.PENDING, progress=0
    )
    for pk in [*ids, *orphaned]:
        _dispatch_report(pk)
    return len(ids) + len(orphaned) + given_up
