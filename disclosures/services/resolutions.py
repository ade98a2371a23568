"""The PMC's half-yearly report on owners' assembly resolutions (决议执行情况).

seed: 物业管理委员会服务承诺 1 严格执行业主大会决议 — "每半年通过线上线下渠道向全体业主
汇报决议执行情况，对未落实事项公开说明原因并制定整改计划。"

What a report must hold, by status (decisions, also in docs/rules.md PMC-1):

* **not implemented** (未落实): the reason (说明原因) and the rectification plan
  (整改计划) with its target date, which may be today but not a day in the past —
  the seed's two duties, and a plan without a date cannot be checked by anyone.
* **in progress**: a plan — what is left and how it is done. A resolution being carried
  out is not yet 落实, so owners are told what remains; there is nothing to explain yet,
  so no reason is asked for, and a target date is welcome (checked like the one above)
  but not required: work in progress often waits on others (a contractor, a permit).
* **implemented**: nothing more; a note in the reason or plan fields is kept, a target
  date is dropped (there is nothing left to do by then).

Only a resolution the owners passed, of the motion's own compound, is reported on, for a
half-year from the one in which the vote was counted up to the current one. Recording
again in the same half-year updates the row and writes an ``updated`` event.

The report is public as soon as it is recorded, and the compound's owners are told ("向全体
业主汇报"), as they are told of the vote itself (the owners' register of ``meetings``): on
the first report of the half-year and whenever the status changes, not for a corrected word.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from huashan import periods
from huashan.core.services import require_perm
from huashan.core.state import clean_text, lock, record_event
from huashan.notify.services import notify_persons

from ..resolutions import ResolutionFollowUp, ResolutionFollowUpEvent

Status = ResolutionFollowUp.Status

FOLLOWUP_REASON_MAX_CHARS = 2000
FOLLOWUP_PLAN_MAX_CHARS = 2000
#: Stages of a motion whose vote has been counted (its result is known).
DECIDED_STAGES = ("decided", "result_published")


def resolution_first_period(motion) -> periods.Period | None:
    """The half-year in which the owners' vote on ``motion`` was counted (None: not yet)."""
    if motion.decided_at is None:
        return None
    return periods.containing(periods.HALF_YEAR, motion.decided_at)


def resolution_current_period() -> periods.Period:
    """The half-year of today (China time): the last one a report may be recorded for."""
    return periods.containing(periods.HALF_YEAR, timezone.localdate())


def resolution_report_period(code: str | None) -> periods.Period | None:
    """The half-year a reader asks to see the report for: today's without a code; None for
    a code that is not a half-year or one still to come (the page answers 404, the API 400)."""
    current = resolution_current_period()
    if not code:
        return current
    try:
        half_year = periods.parse(str(code)[:10], kinds=(periods.HALF_YEAR,))
    except periods.PeriodError:
        return None
    return None if current < half_year else half_year


def _period(value) -> periods.Period:
    if isinstance(value, periods.Period) and value.kind == periods.HALF_YEAR:
        return value
    try:
        return periods.parse(
            str(value or ""),
            kinds=(periods.HALF_YEAR,),
            message=gettext("Write the half-year as 2026H1 or 2026H2."),
        )
    except periods.PeriodError as exc:
        raise ValidationError({"period": [str(exc)]}, code="period") from None


def _check_motion(motion, period: periods.Period) -> None:
    """Refuse a motion that did not pass, or a half-year outside its reporting span."""
    first = resolution_first_period(motion)
    if motion.passed is not True or motion.stage not in DECIDED_STAGES or first is None:
        raise ValidationError(
            gettext("Only a resolution the owners' assembly passed is reported on."),
            code="not_passed",
        )
    if period < first:
        raise ValidationError(
            {
                "period": [
                    gettext("The resolution was passed in %(first)s; report from then on.")
                    % {"first": first.label}
                ]
            },
            code="before_resolution",
        )
    if resolution_current_period() < period:
        raise ValidationError(
            {"period": [gettext("A half-year that has not begun cannot be reported on yet.")]},
            code="future_period",
        )


def _check_plan_due(plan_due: dt.date | None, *, required: bool) -> dt.date | None:
    if plan_due is None:
        if required:
            raise ValidationError(
                {"plan_due": [gettext("Give the date by which the plan is carried out.")]},
                code="required",
            )
        return None
    if not isinstance(plan_due, dt.date) or isinstance(plan_due, dt.datetime):
        raise ValidationError({"plan_due": [gettext("Enter a valid date.")]}, code="invalid")
    if plan_due < timezone.localdate():
        raise ValidationError(
            {"plan_due": [gettext("The target date cannot be in the past.")]}, code="past"
        )
    return plan_due


def _cleaned(status: str, reason, plan, plan_due) -> tuple[str, str, dt.date | None]:
    """Reason, plan and target date as the status requires them (module docstring)."""
    if status not in Status.values:
        raise ValidationError(
            {"status": [gettext("Choose implemented, in progress or not implemented.")]},
            code="invalid_choice",
        )
    for name, value in (("reason", reason), ("plan", plan)):
        if isinstance(value, str) and "\x00" in value:
            # PostgreSQL cannot store a NUL character; say so instead of failing.
            raise ValidationError(
                {name: [gettext("Null characters are not allowed.")]}, code="null_characters"
            )
    not_done = status == Status.NOT_IMPLEMENTED
    reason = clean_text(
        reason, field="reason", max_length=FOLLOWUP_REASON_MAX_CHARS, required=not_done
    )
    needs_plan = status != Status.IMPLEMENTED
    plan = clean_text(plan, field="plan", max_length=FOLLOWUP_PLAN_MAX_CHARS, required=needs_plan)
    if status == Status.IMPLEMENTED:
        return reason, plan, None
    return reason, plan, _check_plan_due(plan_due, required=not_done)


def _tell_owners(row: ResolutionFollowUp, motion, half_year: periods.Period) -> None:
    """Each verified owner of the compound gets the report in the inbox (and by SMS if they
    chose notices of disclosures), linked to the resolution on the public page."""
    from meetings.services.owner_register import owners_to_tell

    link = reverse("disclosures:resolutions_period", args=(motion.compound.slug, half_year.code))
    subject = gettext("Resolution report (%(period)s): %(title)s — %(status)s") % {
        "period": half_year.label,
        "title": motion.title,
        "status": row.get_status_display(),
    }
    body = "\n".join(part for part in (row.reason, row.plan) if part)
    notify_persons(
        persons=owners_to_tell(motion),
        subject=subject,
        body=body,
        link=f"{link}#resolution-{motion.pk}",
    )


def resolution_followup_record(
    *,
    actor,
    motion,
    period,
    status: str,
    reason: str = "",
    plan: str = "",
    plan_due: dt.date | None = None,
) -> ResolutionFollowUp:
    """Record (or update) how a passed resolution stands in a half-year (物管会服务承诺 1).

    ``period`` is a half-year code (``2026H1``) or a :class:`huashan.periods.Period`.
    Raises ``PermissionDenied`` unless the actor holds a PMC seat of the motion's
    compound, ``ValidationError`` (naming the field) for anything the rules refuse.
    """
    person = require_perm(
        actor,
        "disclosures.record_resolution_followup",
        motion,
        gettext("Only the officers of the compound's property management committee do this."),
    )
    half_year = _period(period)
    status = str(status or "")
    reason, plan, plan_due = _cleaned(status, reason, plan, plan_due)
    _check_motion(motion, half_year)
    with transaction.atomic():
        # One report per resolution and half-year: the motion's row serializes two officers
        # recording the same resolution at once (the unique constraint backs it up).
        lock(type(motion), motion.pk)
        row = (
            ResolutionFollowUp.objects.select_for_update()
            .filter(motion_id=motion.pk, period=half_year.code)
            .first()
        )
        old_status = row.status if row is not None else ""
        if row is None:
            row = ResolutionFollowUp(
                compound_id=motion.compound_id, motion_id=motion.pk, period=half_year.code
            )
        row.status, row.reason, row.plan, row.plan_due = status, reason, plan, plan_due
        row.recorded_by = person
        row.recorded_at = timezone.now()
        row.save()
        record_event(
            ResolutionFollowUpEvent,
            followup=row,
            actor=person,
            verb="updated" if old_status else "recorded",
            from_state=old_status,
            to_state=status,
            note="\n".join(part for part in (reason, plan) if part),
        )
        if old_status != status:
            _tell_owners(row, motion, half_year)
    return row
