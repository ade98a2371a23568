"""Accepting (受理), transferring (转办), starting, progress, questions to the reporter and the
plan (seed: 协同联动 第二条 转办与督办; 公示承诺制度 第一条 progress is public).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import require_perm as _require
from huashan.directory.models import (
    Compound,
    Organization,
    Person,
)
from huashan.directory.selectors import compound_organizations

from ..models import (
    Issue,
    IssueEvent,
    Referral,
    SupervisionOrder,
)
from ._common import (
    SUPERVISOR_KINDS,
    IssueStateError,
    Kind,
    Status,
    Tier,
    _event,
    _guard,
    _locked,
    _require_open,
    _sync,
    _text,
    staff_link,
)
from .clocks import (
    _refresh_next_deadline,
    _restart_feedback_clock,
    _unpause,
    clock_policy_for,
    clocks_for,
)
from .notifications import (
    _notify_reporter,
    _notify_responsible,
    _orgs_of_kinds,
    notify_organization,
)
from .tracking import _require_reporter

# --- routing ---------------------------------------------------------------------


def issue_accept(*, actor, issue: Issue, note: str = "") -> Issue:
    """Accept the issue: the 48-hour response clock stops (小区党组织服务承诺 第3条)."""
    note = _text(note, field_name="note", required=False)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not accept this issue.")
        )
        old = _guard(locked, Status.ACCEPTED)
        now = timezone.now()
        locked.status = Status.ACCEPTED
        locked.accepted_at = now
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _event(
            locked,
            actor=person,
            verb="accept",
            from_state=old,
            to_state=Status.ACCEPTED,
            note=note,
            public=True,
        )
        _notify_reporter(
            locked,
            subject=gettext("Your issue %(number)s was accepted")
            % {"number": locked.tracking_number},
            body=note or gettext("Staff accepted your issue and will follow it up."),
        )
    return _sync(issue, locked)


def _covering_org(compound: Compound, organization: Organization, field_name: str) -> None:
    if not compound_organizations(compound=compound).filter(pk=organization.pk).exists():
        raise ValidationError(
            {field_name: [_("This organization does not act for this compound.")]},
            code="invalid_organization",
        )


def _ensure_referrals(
    issue: Issue,
    *,
    actor: Person,
    kinds: Iterable[str],
    purpose: str,
    ack_due: dt.datetime | None,
    note: str = "",
) -> list[Referral]:
    existing = set(
        Referral.objects.filter(issue=issue, purpose=purpose).values_list(
            "organization_id", flat=True
        )
    )
    created = []
    for org in _orgs_of_kinds(issue.compound, kinds):
        if org.pk in existing:
            continue
        created.append(
            Referral.objects.create(
                issue=issue,
                organization=org,
                purpose=purpose,
                created_by=actor,
                created_at=timezone.now(),
                ack_due=ack_due,
                note=note,
            )
        )
    return created


def issue_transfer(*, actor, issue: Issue, organization: Organization, note: str = "") -> Issue:
    """转办: hand the issue to the party that must fix it.

    seed: 协同联动 第二条 — "属于物业管理委员会、物业企业自行解决的转办解决，由小区党组织和社区
    环境和物业管理委员会进行督办，并报社区党组织和社区居民委员会备档": for a small matter the
    transfer also records the two supervising referrals and the two filing ones.
    """
    note = _text(note, field_name="note", required=False)
    if organization is None:
        raise ValidationError({"organization": [_("Choose an organization.")]}, code="required")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not transfer this issue.")
        )
        old = _guard(locked, Status.TRANSFERRED)
        _covering_org(locked.compound, organization, "organization")
        if locked.assigned_org_id == organization.pk and old == Status.TRANSFERRED:
            raise ValidationError(
                {"organization": [_("The issue is already with this organization.")]},
                code="same_organization",
            )
        now = timezone.now()
        clocks = clocks_for(clock_policy_for(locked.compound))
        locked.status = Status.TRANSFERRED
        locked.assigned_org = organization
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        Referral.objects.create(
            issue=locked,
            organization=organization,
            purpose=Referral.Purpose.FIX,
            created_by=person,
            created_at=now,
            ack_due=workdays.deadline(now, clocks.response),
            note=note,
        )
        if locked.tier == Tier.SMALL:
            _ensure_referrals(
                locked,
                actor=person,
                kinds=SUPERVISOR_KINDS,
                purpose=Referral.Purpose.SUPERVISE,
                ack_due=workdays.deadline(now, clocks.response),
            )
            _ensure_referrals(
                locked,
                actor=person,
                kinds=(Kind.COMMUNITY_PARTY, Kind.RESIDENTS_COMMITTEE),
                purpose=Referral.Purpose.FILE,
                ack_due=None,
            )
        public_note = gettext("Transferred to %(org)s.") % {"org": organization.name}
        _event(
            locked,
            actor=person,
            verb="transfer",
            from_state=old,
            to_state=Status.TRANSFERRED,
            note=f"{public_note} {note}".strip(),
            public=True,
            organization=organization,
        )
        notify_organization(
            organization,
            subject=gettext("Issue %(number)s was transferred to you")
            % {"number": locked.tracking_number},
            body=f"{locked.description[:500]}\n{note}".strip(),
            link=staff_link(locked),
        )
        _notify_reporter(
            locked,
            subject=gettext("Your issue %(number)s was transferred")
            % {"number": locked.tracking_number},
            body=public_note,
        )
    return _sync(issue, locked)


def _acknowledge_fix_referrals(issue: Issue, person: Person, now: dt.datetime) -> None:
    # Only a staff seat acts for an organization (docs/roles.md: voice-only seats do not).
    from ..rules import person_staff_org_ids

    Referral.objects.filter(
        issue=issue,
        purpose=Referral.Purpose.FIX,
        organization_id__in=person_staff_org_ids(person),
        acknowledged_at__isnull=True,
    ).update(acknowledged_at=now, acknowledged_by=person)


def issue_start(*, actor, issue: Issue, note: str = "") -> Issue:
    """The responsible party starts work (also resumes after waiting for the reporter)."""
    note = _text(note, field_name="note", required=False)
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.work_issue", locked, gettext("You may not work on this issue.")
        )
        old = _guard(
            locked,
            Status.IN_PROGRESS,
            allowed_from=(Status.ACCEPTED, Status.TRANSFERRED, Status.WAITING_REPORTER),
        )
        now = timezone.now()
        _unpause(locked, now)
        locked.status = Status.IN_PROGRESS
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _acknowledge_fix_referrals(locked, person, now)
        _event(
            locked,
            actor=person,
            verb="start",
            from_state=old,
            to_state=Status.IN_PROGRESS,
            note=note,
            public=True,
        )
    return _sync(issue, locked)


def _fulfil_orders(issue: Issue, person: Person | None, now: dt.datetime, *, all_orders=False):
    from ..rules import person_staff_org_ids

    orders = SupervisionOrder.objects.filter(issue=issue, fulfilled_at__isnull=True)
    if not all_orders:
        orders = orders.filter(organization_id__in=person_staff_org_ids(person))
    orders.update(fulfilled_at=now)


def issue_post_progress(*, actor, issue: Issue, note: str, public: bool = True) -> IssueEvent:
    """A progress note; a public one restarts the feedback clock (7 个工作日内反馈, 第3条).

    Not on a legacy matter: its clock is the periodic explanation the three parties give
    together (协同联动 第五条), restarted only by a published joint explanation.
    """
    note = _text(note, field_name="note")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.work_issue", locked, gettext("You may not post on this issue.")
        )
        _require_open(locked)
        now = timezone.now()
        if public:
            clocks = clocks_for(clock_policy_for(locked.compound))
            _restart_feedback_clock(locked, clocks, now)
            locked.last_public_update_at = now
            _refresh_next_deadline(locked)
            locked.save()
        _fulfil_orders(locked, person, now)
        event = _event(locked, actor=person, verb="progress", note=note, public=bool(public))
        if public:
            _notify_reporter(
                locked,
                subject=gettext("Progress on your issue %(number)s")
                % {"number": locked.tracking_number},
                body=note,
            )
    _sync(issue, locked)
    return event


def issue_wait_for_reporter(*, actor, issue: Issue, question: str) -> Issue:
    """Ask the reporter something; every clock pauses until they answer."""
    question = _text(question, field_name="question")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.work_issue", locked, gettext("You may not work on this issue.")
        )
        old = _guard(locked, Status.WAITING_REPORTER)
        now = timezone.now()
        if locked.accepted_at is None:
            locked.accepted_at = now  # a question to the reporter is a response
        locked.status = Status.WAITING_REPORTER
        locked.paused_at = now
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _event(
            locked,
            actor=person,
            verb="wait_for_reporter",
            from_state=old,
            to_state=Status.WAITING_REPORTER,
            note=question,
            public=True,
        )
        _notify_reporter(
            locked,
            subject=gettext("A question about your issue %(number)s")
            % {"number": locked.tracking_number},
            body=question,
        )
    return _sync(issue, locked)


def issue_reporter_reply(
    *, actor, issue: Issue, note: str, tracking_code: str | None = None
) -> Issue:
    """The reporter answers; the clocks resume, shifted by the time they were paused."""
    note = _text(note, field_name="note")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require_reporter(
            actor, locked, tracking_code, gettext("Only the reporter can answer here.")
        )
        old = _guard(locked, Status.IN_PROGRESS, allowed_from=(Status.WAITING_REPORTER,))
        now = timezone.now()
        _unpause(locked, now)
        locked.status = Status.IN_PROGRESS
        _refresh_next_deadline(locked)
        locked.save()
        _event(
            locked,
            actor=person,
            verb="reporter_reply",
            from_state=old,
            to_state=Status.IN_PROGRESS,
            note=note,
            public=True,
        )
        _notify_responsible(
            locked,
            subject=gettext("The reporter answered on %(number)s")
            % {"number": locked.tracking_number},
            body=note,
        )
    return _sync(issue, locked)


def issue_give_plan(*, actor, issue: Issue, plan: str) -> Issue:
    """复杂问题7日内明确解决方案 (物业管理委员会服务承诺 第3条)."""
    plan = _text(plan, field_name="plan")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.work_issue", locked, gettext("You may not work on this issue.")
        )
        _require_open(locked)
        now = timezone.now()
        clocks = clocks_for(clock_policy_for(locked.compound))
        locked.plan_given_at = now
        _restart_feedback_clock(locked, clocks, now)
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        _fulfil_orders(locked, person, now)
        _event(locked, actor=person, verb="plan", note=plan, public=True)
        _notify_reporter(
            locked,
            subject=gettext("A solution plan for your issue %(number)s")
            % {"number": locked.tracking_number},
            body=plan,
        )
    return _sync(issue, locked)


def referral_acknowledge(*, actor, referral: Referral) -> Referral:
    """The referred organization confirms it has the matter (its own acknowledgement time)."""
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("organization", "issue")
            .get(pk=referral.pk)
        )
        person = _require(
            actor,
            "issues.view_queue",
            locked.organization,
            gettext("Only members of the referred organization can acknowledge."),
        )
        if locked.acknowledged_at is not None:
            raise IssueStateError(
                _("This referral was already acknowledged."), code="already_acknowledged"
            )
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = person
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _event(
            locked.issue,
            actor=person,
            verb="referral_ack",
            note=gettext("%(org)s acknowledged (%(purpose)s).")
            % {"org": locked.organization.name, "purpose": locked.get_purpose_display()},
            public=False,
            organization=locked.organization,
        )
    referral.acknowledged_at = locked.acknowledged_at
    referral.acknowledged_by = person
    return locked
