"""State changes of the dashboard app: the monthly roll-up and the work summaries.

Work summaries (seed: 联席会议议事规则 第六条): the joint meeting sums up its work every half
year (工作小结) and every year (工作总结) — how the "three parties" mechanism improved
property services and community governance — adds suggestions for improvement and
reports to the community party organization. Flow: ``work_summary_request`` (the office;
a Celery task fills the figures) → draft, edited by the office (``work_summary_edit``)
→ ``work_summary_approve`` (the convenor) → ``work_summary_submit`` to the community
party organization. Every step writes a :class:`WorkSummaryEvent`.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huashan.core.documents import dispatch_now
from huashan.directory.models import Compound, Organization
from huashan.directory.selectors import organization_of_kind
from huashan.notify.services import notify_organization

from . import selectors
from .models import CompoundSnapshot, WorkSummary, WorkSummaryEvent

State = WorkSummary.State

NARRATIVE_MAX = 20000
#: A page missing roll-ups asks the worker at most once in this many seconds.
REFRESH_THROTTLE_SECONDS = 300
#: How long a requested PDF shows as "being prepared" before the button comes back.
PDF_PENDING_SECONDS = 600


class WorkSummaryStateError(ValidationError):
    """The summary is not in a state from which this step is allowed."""


def _check(actor, perm: str, obj) -> None:
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this for this compound's work summary."))


def _event(summary: WorkSummary, *, actor, verb: str, old: str = "", new: str = "", note=""):
    WorkSummaryEvent.objects.create(
        summary=summary,
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        from_state=old,
        to_state=new,
        note=str(note)[:2000],
    )


def _link(summary: WorkSummary) -> str:
    try:
        return reverse("dashboard:summary", args=(summary.pk,))
    except NoReverseMatch:
        return ""


def _locked(summary: WorkSummary) -> WorkSummary:
    return WorkSummary.objects.select_for_update().get(pk=summary.pk)


def _guard(summary: WorkSummary, new: str) -> None:
    if new not in WorkSummary.TRANSITIONS[summary.state]:
        raise WorkSummaryStateError(
            _("This work summary is %(state)s; this step is not possible now.")
            % {"state": summary.get_state_display()},
            code="invalid_state",
        )


# --- roll-up ---------------------------------------------------------------------------


def snapshot_refresh(
    *, compound: Compound, month: dt.date | None = None, now: dt.datetime | None = None
) -> CompoundSnapshot:
    """Recompute one compound's roll-up row for ``month`` (default: this month).

    System step (beat); idempotent: an upsert on (compound, month).
    """
    now = now or timezone.now()
    month = selectors.month_start(month or timezone.localdate(now))
    figures = selectors.snapshot_figures(compound=compound, month=month, now=now)
    snapshot, _created = CompoundSnapshot.objects.update_or_create(
        compound=compound, month=month, defaults={"figures": figures, "computed_at": now}
    )
    return snapshot


def snapshots_refresh_all(*, now: dt.datetime | None = None, backfill_months: int = 0) -> int:
    """Refresh this month's row of every compound; also last month's during the first
    three days of a month (late records) and, with ``backfill_months``, any missing row of
    the months before. Returns the number of rows written."""
    now = now or timezone.now()
    this = selectors.month_start(timezone.localdate(now))
    written = 0
    for compound in Compound.objects.order_by("pk"):
        snapshot_refresh(compound=compound, month=this, now=now)
        written += 1
        if timezone.localdate(now).day <= 3:
            snapshot_refresh(compound=compound, month=selectors.add_months(this, -1), now=now)
            written += 1
        if backfill_months:
            have = set(
                CompoundSnapshot.objects.filter(compound=compound).values_list("month", flat=True)
            )
            for i in range(1, backfill_months):
                month = selectors.add_months(this, -i)
                if month not in have:
                    snapshot_refresh(compound=compound, month=month, now=now)
                    written += 1
    return written


# --- work summaries ----------------------------------------------------------------------


def _period(period: str) -> selectors.Period:
    try:
        return selectors.period_parse(period)
    except ValueError as exc:
        raise ValidationError({"period": str(exc.args[0])}, code="invalid") from exc


def _get_or_create_draft(*, actor, compound: Compound, period: selectors.Period) -> WorkSummary:
    summary = (
        WorkSummary.objects.select_for_update()
        .filter(compound=compound, period=period.code)
        .first()
    )
    if summary is not None:
        return summary
    try:
        with transaction.atomic():
            summary = WorkSummary.objects.create(
                compound=compound,
                kind=period.kind,
                period=period.code,
                period_start=period.start,
                period_end=period.end,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        return WorkSummary.objects.select_for_update().get(compound=compound, period=period.code)
    _event(summary, actor=actor, verb="created", new=State.DRAFT)
    return summary


def work_summary_request(*, actor, compound: Compound, period: str) -> WorkSummary:
    """Create the draft (or take the existing one) and have Celery fill its figures.

    seed: 联席会议议事规则 第六条. The figures are generated after commit by
    ``dashboard.work_summary_generate``; the page polls ``generated_at``.
    """
    _check(actor, "dashboard.manage_summary", compound)
    parsed = _period(period)
    with transaction.atomic():
        summary = _get_or_create_draft(actor=actor, compound=compound, period=parsed)
        if summary.state != State.DRAFT:
            raise WorkSummaryStateError(
                _("This work summary is already approved; reopen it to regenerate the figures."),
                code="invalid_state",
            )
        WorkSummary.objects.filter(pk=summary.pk).update(generated_at=None)
        summary.generated_at = None
        _event(summary, actor=actor, verb="generation_requested", note=parsed.code)
        from .tasks import work_summary_generate_task

        actor_id = getattr(actor, "pk", None)
        transaction.on_commit(
            lambda: _dispatch(
                work_summary_generate_task, summary.pk, compound.pk, parsed.code, actor_id
            )
        )
    return summary


def _dispatch(task, *args) -> None:
    # A request must never wait on the broker (DESIGN.md §6): the page shows "not
    # generated yet" and the office can ask again (huashan.core.documents).
    dispatch_now(task, *args)


def work_summary_generate(*, actor, compound: Compound, period: str) -> WorkSummary:
    """Fill (or refresh) the draft's figures from the period's records.

    seed: 联席会议议事规则 第六条. Meetings held, topics handled, agreed items done,
    complaints by tier and outcome with the three rates, pledge items met, disclosures,
    the evaluation (``selectors.summary_figures``). Narrative and suggestions already
    typed by the office are kept. Only drafts; ``actor`` None = the system (command).
    """
    if actor is not None:
        _check(actor, "dashboard.manage_summary", compound)
    parsed = _period(period)
    figures = selectors.summary_figures(compound=compound, period=parsed)
    with transaction.atomic():
        summary = _get_or_create_draft(actor=actor, compound=compound, period=parsed)
        if summary.state != State.DRAFT:
            raise WorkSummaryStateError(
                _("This work summary is already approved; reopen it to regenerate the figures."),
                code="invalid_state",
            )
        summary.figures = figures
        summary.generated_at = timezone.now()
        summary.save(update_fields=["figures", "generated_at"])
        _event(summary, actor=actor, verb="generated", note=parsed.code)
    return summary


def work_summary_edit(
    *, actor, summary: WorkSummary, narrative: str, suggestions: str
) -> WorkSummary:
    """The office writes the narrative and the improvement suggestions (第六条 提出改进完善的
    意见和建议). Drafts only."""
    _check(actor, "dashboard.manage_summary", summary.compound)
    narrative = str(narrative or "").strip()
    suggestions = str(suggestions or "").strip()
    errors = {}
    if len(narrative) > NARRATIVE_MAX:
        errors["narrative"] = _("At most %(max)d characters.") % {"max": NARRATIVE_MAX}
    if len(suggestions) > NARRATIVE_MAX:
        errors["suggestions"] = _("At most %(max)d characters.") % {"max": NARRATIVE_MAX}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(summary)
        if locked.state != State.DRAFT:
            raise WorkSummaryStateError(
                _("Only a draft can be edited; reopen the approved summary first."),
                code="invalid_state",
            )
        locked.narrative = narrative
        locked.suggestions = suggestions
        locked.save(update_fields=["narrative", "suggestions"])
        _event(locked, actor=actor, verb="edited")
    return locked


def work_summary_approve(*, actor, summary: WorkSummary) -> WorkSummary:
    """The convenor approves the draft (seed: 联席会议议事规则 第三条、第六条)."""
    _check(actor, "dashboard.approve_summary", summary.compound)
    with transaction.atomic():
        locked = _locked(summary)
        _guard(locked, State.APPROVED)
        errors = {}
        if locked.generated_at is None:
            errors["figures"] = _("The figures have not been generated yet.")
        if not locked.narrative.strip():
            errors["narrative"] = _("Write the work narrative before approving.")
        if not locked.suggestions.strip():
            errors["suggestions"] = _(
                "Write the improvement suggestions before approving (第六条 提出改进完善的意见和建议)."  # noqa: E501
            )
        if errors:
            raise ValidationError(errors)
        old = locked.state
        locked.state = State.APPROVED
        locked.approved_at = timezone.now()
        locked.approved_by = actor
        locked.save(update_fields=["state", "approved_at", "approved_by"])
        _event(locked, actor=actor, verb="approved", old=old, new=locked.state)
    return locked


def work_summary_reopen(*, actor, summary: WorkSummary, reason: str) -> WorkSummary:
    """Take an approved (not yet submitted) summary back to draft, with a reason."""
    _check(actor, "dashboard.approve_summary", summary.compound)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason.")})
    with transaction.atomic():
        locked = _locked(summary)
        _guard(locked, State.DRAFT)
        old = locked.state
        locked.state = State.DRAFT
        locked.approved_at = None
        locked.approved_by = None
        locked.save(update_fields=["state", "approved_at", "approved_by"])
        _event(locked, actor=actor, verb="reopened", old=old, new=locked.state, note=reason)
    return locked


def work_summary_submit(*, actor, summary: WorkSummary) -> WorkSummary:
    """Report the approved summary to the community party organization (seed: 联席会议议事规则
    第六条 向社区党组织报告); its officers are notified and the PDF is rendered by Celery."""
    _check(actor, "dashboard.approve_summary", summary.compound)
    recipient: Organization | None = organization_of_kind(
        compound=summary.compound, kind=Organization.Kind.COMMUNITY_PARTY
    )
    if recipient is None:
        raise ValidationError(
            _("This compound's community has no community party organization to report to.")
        )
    with transaction.atomic():
        locked = _locked(summary)
        _guard(locked, State.SUBMITTED)
        old = locked.state
        locked.state = State.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = actor
        locked.submitted_to = recipient
        locked.save(update_fields=["state", "submitted_at", "submitted_by", "submitted_to"])
        _event(
            locked, actor=actor, verb="submitted", old=old, new=locked.state, note=recipient.name
        )
        notify_organization(
            organization=recipient,
            subject=_("%(compound)s: %(kind)s %(period)s")
            % {
                "compound": locked.compound.name,
                "kind": locked.get_kind_display(),
                "period": locked.period,
            },
            body=_("The joint meeting of %(compound)s reports its %(kind)s for %(period)s.")
            % {
                "compound": locked.compound.name,
                "kind": locked.get_kind_display(),
                "period": locked.period,
            },
            link=_link(locked),
        )
        from .tasks import work_summary_render_pdf_task

        pk = locked.pk
        transaction.on_commit(lambda: _dispatch(work_summary_render_pdf_task, pk))
    return locked


def snapshots_refresh_queue() -> None:
    """Some compounds have no roll-up yet: ask the worker once every few minutes.

    A request never waits on the broker (DESIGN.md §6): the dispatch is best effort and
    the beat task refreshes every compound anyway. (Moved from the views: views call
    services, never ``apply_async``; issue 15 item 7.)
    """
    if not cache.add("dashboard:snapshots-refresh-queued", 1, REFRESH_THROTTLE_SECONDS):
        return
    from .tasks import snapshots_refresh

    try:
        snapshots_refresh.apply_async(
            kwargs={"backfill_months": selectors.TREND_MONTHS}, retry=False
        )
    except Exception:  # broker down: the beat schedule will do it
        return


def pdf_request_key(summary: WorkSummary) -> str:
    """Cache key holding when the summary's PDF was last asked for (the page polls it)."""
    return f"dashboard:summary-pdf-requested:{summary.pk}"


def work_summary_pdf_request(*, actor, summary: WorkSummary) -> None:
    """Have the worker render the PDF (never in a request: DESIGN.md §4 "PDF speed").

    The office (``dashboard.manage_summary``) or the convenors (``approve_summary``) ask;
    a broker that cannot be reached is a clear error and the page keeps the button.
    """
    compound = summary.compound
    if actor is None or not (
        actor.has_perm("dashboard.manage_summary", compound)
        or actor.has_perm("dashboard.approve_summary", compound)
    ):
        raise PermissionDenied(_("You may not do this for this compound's work summary."))
    if summary.generated_at is None:
        raise ValidationError(_("The figures have not been generated yet."))
    from .tasks import work_summary_render_pdf_task

    cache.set(pdf_request_key(summary), timezone.now().timestamp(), PDF_PENDING_SECONDS)
    if not dispatch_now(work_summary_render_pdf_task, summary.pk):
        # Broker down: the page keeps offering the button.
        cache.delete(pdf_request_key(summary))
        raise ValidationError(
            _("The background worker cannot be reached; try again in a minute.")
        ) from None


def work_summary_render_pdf(*, summary: WorkSummary) -> WorkSummary:
    """Render and store the summary's PDF (system step; the task and the command call it)."""
    from .pdf import work_summary_pdf

    content = work_summary_pdf(summary=summary)
    name = f"{summary.compound.slug}-{summary.period}.pdf"
    with transaction.atomic():
        locked = _locked(summary)
        if locked.pdf:
            locked.pdf.delete(save=False)
        locked.pdf.save(name, ContentFile(content), save=False)
        locked.pdf_rendered_at = timezone.now()
        locked.save(update_fields=["pdf", "pdf_rendered_at"])
    return locked
