"""Resolving, confirming, auto-closing, reopening, rejecting and merging a complaint; every
closing state carries a public explanation (公示承诺制度 第一条; 协同联动 第五条 不得相互推诿).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.photos import photos_sanitize
from huashan.core.services import require_perm as _require
from huashan.directory.models import (
    mask_name,
)

from ..models import (
    Issue,
    IssuePhoto,
    MeToo,
    Satisfaction,
    WhistleSummons,
)
from ._common import (
    SUPERVISOR_KINDS,
    IssueStateError,
    Status,
    _event,
    _guard,
    _locked,
    _save_photos,
    _sync,
    _text,
    closing_explanation_clean,
    staff_link,
)
from .clocks import (
    _feedback_policy,
    _refresh_next_deadline,
    clock_policy_for,
    clocks_for,
    policy_number,
)
from .notifications import (
    _notify_reporter,
    _notify_responsible,
    _orgs_of_kinds,
    notify_organization,
)
from .routing import _fulfil_orders
from .tracking import _require_reporter


def _unreported_summonses(issue: Issue) -> list[WhistleSummons]:
    return list(
        WhistleSummons.objects.filter(whistle__issue=issue, reported_at__isnull=True)
        .select_related("organization", "person")
        .order_by("pk")
    )


def _summons_label(summons: WhistleSummons) -> str:
    if summons.organization_id:
        return summons.organization.name
    return mask_name(summons.person.name)


def issue_resolve(*, actor, issue: Issue, explanation: str, photos=()) -> Issue:
    """Resolved, with a public explanation and optional proof photos.

    Blocked while a summoned party has not reported in (协同联动 第三条/第四条; see
    the module docstring).
    """
    explanation = closing_explanation_clean(explanation)
    cleaned = photos_sanitize(photos)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.work_issue", locked, gettext("You may not resolve this issue.")
        )
        old = _guard(locked, Status.RESOLVED)
        missing = _unreported_summonses(locked)
        if missing:
            raise IssueStateError(
                _(
                    "Not every summoned party has reported in yet (%(names)s). The issue "
                    "can be resolved once each of them has reported."
                ),
                params={"names": "、".join(_summons_label(s) for s in missing)},
                code="whistle_unreported",
            )
        now = timezone.now()
        locked.paused_at = None
        locked.status = Status.RESOLVED
        locked.resolved_at = now
        locked.public_explanation = explanation
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _save_photos(locked, cleaned, stage=IssuePhoto.Stage.RESOLUTION)
        _fulfil_orders(locked, person, now, all_orders=True)
        _event(
            locked,
            actor=person,
            verb="resolve",
            from_state=old,
            to_state=Status.RESOLVED,
            note=explanation,
            public=True,
        )
        _notify_reporter(
            locked,
            subject=gettext("Your issue %(number)s is resolved: please tell us how it went")
            % {"number": locked.tracking_number},
            body=explanation,
        )
    return _sync(issue, locked)


def issue_confirm(*, actor, issue: Issue, tracking_code: str | None = None) -> Issue:
    """The reporter confirms the resolution; the issue closes."""
    with transaction.atomic():
        locked = _locked(issue)
        person = _require_reporter(
            actor, locked, tracking_code, gettext("Only the reporter can confirm.")
        )
        old = _guard(locked, Status.CLOSED, allowed_from=(Status.RESOLVED,))
        locked.status = Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save()
        _event(
            locked,
            actor=person,
            verb="confirm",
            from_state=old,
            to_state=Status.CLOSED,
            note=gettext("The reporter confirmed the result."),
            public=True,
        )
    return _sync(issue, locked)


def issue_close_auto(*, issue: Issue, now: dt.datetime) -> Issue | None:
    """System: close a resolved issue nobody objected to within ``auto_close_days``."""
    with transaction.atomic():
        locked = _locked(issue)
        if locked.status != Status.RESOLVED or locked.resolved_at is None:
            return None
        days = policy_number(clock_policy_for(locked.compound), "auto_close_days")
        if locked.resolved_at + dt.timedelta(days=days) > now:
            return None
        locked.status = Status.CLOSED
        locked.closed_at = now
        locked.save()
        _event(
            locked,
            actor=None,
            verb="auto_close",
            from_state=Status.RESOLVED,
            to_state=Status.CLOSED,
            note=gettext("Closed automatically: no objection within %(days)d days.")
            % {"days": days},
            public=True,
            at=now,
        )
    return _sync(issue, locked)


def reopen_refusal(issue: Issue, *, now: dt.datetime | None = None) -> str | None:
    """Why the reporter may not reopen now, or None if they may.

    Rules: once only; within ``reopen_days`` of the resolution; and if they
    already rated it, only when they said 不满意 or "not solved" (issue 3 §6).
    """
    now = now or timezone.now()
    if issue.status not in (Status.RESOLVED, Status.CLOSED) or issue.resolved_at is None:
        return gettext("Only a resolved or closed issue can be reopened.")
    if issue.reopen_count >= 1:
        return gettext("An issue can be reopened only once.")
    days = policy_number(clock_policy_for(issue.compound), "reopen_days")
    if issue.resolved_at + dt.timedelta(days=days) < now:
        return gettext("The %(days)d days for reopening have passed.") % {"days": days}
    satisfaction = Satisfaction.objects.filter(issue=issue).first()
    if (
        satisfaction is not None
        and satisfaction.solved
        and satisfaction.rating != Satisfaction.Rating.UNSATISFIED
    ):
        return gettext("You said the problem is solved, so it cannot be reopened.")
    return None


def issue_reopen(*, actor, issue: Issue, reason: str, tracking_code: str | None = None) -> Issue:
    """The reporter objects to the result and the issue goes back to work (once)."""
    reason = _text(reason, field_name="reason")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require_reporter(
            actor, locked, tracking_code, gettext("Only the reporter can reopen this issue.")
        )
        now = timezone.now()
        refusal = reopen_refusal(locked, now=now)
        if refusal:
            raise IssueStateError(refusal, code="reopen_refused")
        old = _guard(locked, Status.IN_PROGRESS)
        clocks = clocks_for(clock_policy_for(locked.compound))
        locked.status = Status.IN_PROGRESS
        locked.reopen_count += 1
        locked.resolved_at = None
        locked.closed_at = None
        locked.feedback_due = workdays.deadline(now, _feedback_policy(locked, clocks))
        if locked.is_hazard:
            locked.hazard_due = workdays.deadline(now, clocks.hazard)
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _event(
            locked,
            actor=person,
            verb="reopen",
            from_state=old,
            to_state=Status.IN_PROGRESS,
            note=reason,
            public=True,
        )
        subject = gettext("Issue %(number)s was reopened by the reporter") % {
            "number": locked.tracking_number
        }
        _notify_responsible(locked, subject=subject, body=reason)
        for org in _orgs_of_kinds(locked.compound, SUPERVISOR_KINDS):
            notify_organization(org, subject=subject, body=reason, link=staff_link(locked))
    return _sync(issue, locked)


def issue_reject(*, actor, issue: Issue, explanation: str) -> Issue:
    """Rejected, with a reason the resident can read (never a bare brush-off)."""
    explanation = closing_explanation_clean(explanation)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not reject this issue.")
        )
        old = _guard(locked, Status.REJECTED)
        now = timezone.now()
        if locked.accepted_at is None:
            # A rejection with reasons answers the reporter: it is the response (第3条), and
            # it is counted on time or late like any other answer.
            locked.accepted_at = now
        locked.status = Status.REJECTED
        locked.paused_at = None
        locked.closed_at = now
        locked.public_explanation = explanation
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _event(
            locked,
            actor=person,
            verb="reject",
            from_state=old,
            to_state=Status.REJECTED,
            note=explanation,
            public=True,
        )
        _notify_reporter(
            locked,
            subject=gettext("Your issue %(number)s was not accepted")
            % {"number": locked.tracking_number},
            body=explanation,
        )
    return _sync(issue, locked)


def issue_merge(*, actor, issue: Issue, into: Issue, note: str = "") -> Issue:
    """Merge a duplicate into another open issue; its reporter becomes a "me too" there."""
    note = _text(note, field_name="note", required=False)
    if into is None or into.pk == issue.pk:
        raise ValidationError(
            {"into": [_("Choose another issue to merge into.")]}, code="invalid_merge"
        )
    with transaction.atomic():
        # Lock both rows in id order so two opposite merges cannot deadlock.
        rows = {
            i.pk: i
            for i in Issue.objects.select_for_update(of=("self",))
            .select_related("compound")
            .filter(pk__in=[issue.pk, into.pk])
            .order_by("pk")
        }
        locked, target = rows[issue.pk], rows[into.pk]
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not merge this issue.")
        )
        old = _guard(locked, Status.MERGED)
        if target.compound_id != locked.compound_id or target.status not in Issue.OPEN_STATES:
            raise ValidationError(
                {"into": [_("Merge only into an open issue of the same compound.")]},
                code="invalid_merge",
            )
        now = timezone.now()
        explanation = note or gettext(
            "The same problem is being handled in %(number)s; follow it there."
        ) % {"number": target.tracking_number}
        locked.status = Status.MERGED
        locked.merged_into = target
        locked.paused_at = None
        locked.closed_at = now
        locked.public_explanation = explanation
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        if locked.reporter_id and locked.reporter_id != target.reporter_id:
            MeToo.objects.get_or_create(issue=target, person_id=locked.reporter_id)
        elif not locked.reporter_id and locked.reporter_phone:
            MeToo.objects.get_or_create(issue=target, phone=locked.reporter_phone)
        _event(
            locked,
            actor=person,
            verb="merge",
            from_state=old,
            to_state=Status.MERGED,
            note=explanation,
            public=True,
        )
        _event(
            target,
            actor=person,
            verb="merged_in",
            note=gettext("%(number)s was merged into this issue.")
            % {"number": locked.tracking_number},
            public=False,
        )
        _notify_reporter(
            locked,
            subject=gettext("Your issue %(number)s was merged")
            % {"number": locked.tracking_number},
            body=explanation,
        )
    return _sync(issue, locked)
