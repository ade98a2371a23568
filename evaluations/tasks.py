"""Celery tasks of the evaluation and the red/black list: thin, idempotent wrappers over services.

Beat entries (settings.CELERY_BEAT_SCHEDULE, see docs/evaluations.md):
``evaluations.tasks.rate_previous_quarter`` daily in the first days of each quarter,
``evaluations.tasks.year_end_referrals`` daily in December and January,
``evaluations.tasks.sweep_documents`` every 5 minutes (it also runs the ballot
sweep, ``flush_ballots``, until that has a beat entry of its own).
"""

from __future__ import annotations

from celery import shared_task

from huashan.core.documents import render_task


@shared_task(name="evaluations.tasks.rate_previous_quarter", ignore_result=True, acks_late=True)
def rate_previous_quarter() -> dict:
    """Rate last quarter's property company of every compound (小区党组织服务承诺 第10条).

    Safe to run twice: an already rated quarter is skipped; the alarm is unique.
    """
    from evaluations.services import quarters_rate_previous
    from huashan.core.heartbeat import heartbeat_stamp

    rated = quarters_rate_previous()
    heartbeat_stamp(name="evaluations.rate_previous_quarter")
    return {"rated": len(rated), "black": sum(1 for r in rated if r.failing)}


@shared_task(name="evaluations.tasks.year_end_referrals", ignore_result=True, acks_late=True)
def year_end_referrals(year: int | None = None) -> dict:
    """Draft the year-end reports on failing companies (小区党组织服务承诺 第10条 "年底上报").

    Without ``year``: in December the current year, in January the previous one,
    otherwise nothing. Safe to run twice: one report per company and year.
    """
    from django.utils import timezone

    from evaluations.services import year_end_referral_year, year_end_referrals_scan

    year = year or year_end_referral_year(timezone.localdate())
    if year is None:
        return {"year": None, "created": 0}
    created = year_end_referrals_scan(year=year)
    return {"year": year, "created": len(created)}


@render_task(name="evaluations.tasks.render_document")
def render_document(document_id: int) -> str:
    """Render a results, evidence or ballot-slips PDF, niced. The message carries the row's
    id only: slips tokens are issued by the worker, never sent through the broker."""
    from evaluations.services import document_render

    document = document_render(document_id=document_id)
    return document.status if document else "missing"


@shared_task(name="evaluations.tasks.sweep_documents", ignore_result=True, acks_late=True)
def sweep_documents() -> dict:
    """Render documents whose dispatch was lost or whose worker died; sweep waiting ballots."""
    from evaluations.services import ballots_sweep, documents_sweep

    return {"rendered": documents_sweep(), "ballots": ballots_sweep()}


@shared_task(name="evaluations.tasks.flush_ballots", ignore_result=True, acks_late=True)
def flush_ballots() -> dict:
    """Write waiting ballots in shuffled batches, keeping a pool back (issue 14 item 2).

    Safe to run twice and at any time: each run writes a random subset of what is
    waiting beyond ``services.BALLOT_POOL`` ballots per target; closing the scoring
    writes the rest.
    """
    from evaluations.services import ballots_sweep

    return {"ballots": ballots_sweep()}


@shared_task(name="evaluations.tasks.december_reminders", ignore_result=True, acks_late=True)
def december_reminders() -> dict:
    """Remind community party organizations to open the year's evaluation (第一条 每年12月)."""
    from evaluations.services import campaign_december_reminders

    return {"reminded": len(campaign_december_reminders())}


@render_task(name="evaluations.tasks.render_referral", soft_time_limit=120, time_limit=180)
def render_referral(referral_id: int) -> str:
    """Render the year-end referral PDF of its current version, niced (第10条 "年底上报")."""
    from evaluations.services.documents import referral_pdf_render

    return referral_pdf_render(referral_id=referral_id)
