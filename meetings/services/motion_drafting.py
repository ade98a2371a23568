"""Owners' assembly motions (业主大会议案) before the vote: the working group proposes, the
PMC deliberates with all its members, the compound and community party organizations review;
the advance decision report is linked; a motion may be withdrawn with a reason.

seed: 协同联动解决小区事务流程 第二条 ("按照物业管理委员会的工作小组提议、物业管理委员会全体委员
商议、小区及社区党组织审议、业主大会决议的程序进行"); 物业管理委员会服务承诺 第6条; 决策报告制度
第二条. The gate a major matter passes before its vote opens is
``decision_reports.motion_gate_problems``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound

from ..models import OwnersAssemblyMotion
from ._common import (
    REASON_MAX,
    TITLE_MAX,
    Kind,
    MeetingStateError,
    _guard,
    _link,
    _lock,
    _motion_event,
    _orgs_of_kinds,
    _sync,
    _text,
    notify_organization,
)
from .hearings import hearing_subject_checked


def motion_propose(
    *,
    actor,
    compound: Compound,
    title: str,
    body: str,
    matter: str,
    working_group: str = "",
    amount: Decimal | None = None,
    decision_report=None,
    hearing_subject: str = "",
) -> OwnersAssemblyMotion:
    """工作小组提议 (seed: 协同联动 第二条, first step). ``decision_report`` links the advance
    report of the matter (决策报告制度 第二条); ``amount`` is the sum of a fund use;
    ``hearing_subject`` flags a matter that needs an owners' hearing (小区党组织服务承诺 8)."""
    person = _require(
        actor, "meetings.manage_motion", compound, gettext("Only PMC officers do this.")
    )
    if matter not in OwnersAssemblyMotion.Matter.values:
        raise ValidationError({"matter": [_("Choose the matter.")]}, code="invalid")
    title = _text(title, field_name="title", max_length=TITLE_MAX)
    body = _text(body, field_name="body")
    working_group = _text(working_group, field_name="working_group", max_length=100, required=False)
    amount = _amount(amount)
    hearing_subject = hearing_subject_checked(hearing_subject)
    _check_report(decision_report, compound)
    with transaction.atomic():
        motion = OwnersAssemblyMotion.objects.create(
            compound=compound,
            title=title,
            body=body,
            matter=matter,
            proposed_by=person,
            working_group=working_group,
            amount=amount,
            decision_report=decision_report,
            hearing_subject=hearing_subject,
        )
        _motion_event(motion, actor=person, verb="propose", to_state=motion.stage)
    return motion


def _amount(amount) -> Decimal | None:
    if amount in (None, ""):
        return None
    try:
        value = Decimal(amount).quantize(Decimal("0.01"))
        if value < 0 or value >= Decimal("1e10"):
            raise ValueError
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationError({"amount": [_("Give a valid amount.")]}, code="invalid") from None
    return value


def _check_report(report, compound) -> None:
    if report is not None and report.compound_id != getattr(compound, "pk", compound):
        raise ValidationError(
            {"decision_report": [_("The decision report is of another compound.")]},
            code="foreign_report",
        )


def motion_link_report(
    *, actor, motion: OwnersAssemblyMotion, decision_report
) -> OwnersAssemblyMotion:
    """Link the advance decision report of the matter before the vote (决策报告制度 第二条)."""
    return motion_link(
        actor=actor,
        motion=motion,
        field="decision_report",
        value=decision_report,
        verb="link_report",
        check=lambda: _check_report(decision_report, motion.compound_id),
    )


def motion_link(*, actor, motion: OwnersAssemblyMotion, field: str, value, verb: str, check):
    """Link a record the vote depends on (its decision report, its hearing) while the motion
    is still before its vote: permission first, then ``check()``, then the field, an event."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    check()
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        if locked.stage not in (
            OwnersAssemblyMotion.Stage.PROPOSAL,
            OwnersAssemblyMotion.Stage.PMC_DELIBERATION,
            OwnersAssemblyMotion.Stage.PARTY_REVIEW,
        ):
            raise MeetingStateError(_("The vote has already opened."), code="invalid_state")
        setattr(locked, field, value)
        locked.save(update_fields=[field])
        _motion_event(locked, actor=person, verb=verb, note=str(value))
    return _sync(motion, locked)


def motion_pmc_deliberate(
    *, actor, motion: OwnersAssemblyMotion, resolution: str
) -> OwnersAssemblyMotion:
    """物业管理委员会全体委员商议: record the PMC's deliberation (协同联动 第二条)."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    resolution = _text(resolution, field_name="resolution")
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.PMC_DELIBERATION)
        locked.pmc_resolution = resolution
        locked.stage = OwnersAssemblyMotion.Stage.PMC_DELIBERATION
        locked.save(update_fields=["pmc_resolution", "stage"])
        _motion_event(
            locked,
            actor=person,
            verb="pmc_deliberate",
            from_state=old,
            to_state=locked.stage,
            note=resolution,
        )
        for org in _orgs_of_kinds(locked.compound, [Kind.COMPOUND_PARTY, Kind.COMMUNITY_PARTY]):
            notify_organization(
                org,
                subject=gettext("Owners' assembly motion for party review: %(title)s")
                % {"title": locked.title},
                body=resolution,
                link=_link("meetings:motion", locked.pk),
            )
    return _sync(motion, locked)


def motion_party_review(
    *, actor, motion: OwnersAssemblyMotion, level: str, opinion: str, approve: bool = True
) -> OwnersAssemblyMotion:
    """小区及社区党组织审议: ``level`` is ``compound`` or ``community``. When both have
    approved, the motion is ready for the owners' vote; a refusal withdraws it."""
    if level not in ("compound", "community"):
        raise ValidationError({"level": [_("Choose compound or community.")]}, code="invalid")
    perm = f"meetings.review_motion_{level}"
    person = _require(actor, perm, motion, gettext("You may not review this motion."))
    opinion = _text(opinion, field_name="opinion")
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        if locked.stage != OwnersAssemblyMotion.Stage.PMC_DELIBERATION:
            raise MeetingStateError(
                _("The motion is not waiting for party review."), code="invalid_state"
            )
        now = timezone.now()
        setattr(locked, f"{level}_party_review", opinion)
        setattr(locked, f"{level}_party_reviewed_at", now)
        old = locked.stage
        if not approve:
            locked.stage = OwnersAssemblyMotion.Stage.WITHDRAWN
        elif locked.compound_party_reviewed_at and locked.community_party_reviewed_at:
            locked.stage = OwnersAssemblyMotion.Stage.PARTY_REVIEW
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb=f"review_{level}",
            from_state=old,
            to_state=locked.stage,
            note=opinion,
        )
    return _sync(motion, locked)


def motion_withdraw(*, actor, motion: OwnersAssemblyMotion, reason: str) -> OwnersAssemblyMotion:
    """Withdraw a motion before the vote, with a reason."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.WITHDRAWN)
        locked.stage = OwnersAssemblyMotion.Stage.WITHDRAWN
        locked.save(update_fields=["stage"])
        _motion_event(
            locked,
            actor=person,
            verb="withdraw",
            from_state=old,
            to_state=locked.stage,
            note=reason,
        )
    return _sync(motion, locked)
