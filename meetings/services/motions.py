"""Owners' assembly motions (业主大会议案): deliberation, review, the vote and its result.

seed: 协同联动解决小区事务流程 第二条 ("业主大会决议的程序进行，同时对决策事项和实施结果予以公开");
物业管理委员会服务承诺 第6条 ("重大事项……必须经业主大会表决，杜绝擅自决策"); 民法典 第二百七十八条;
最高人民法院《关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第八条、第九条.

Owners vote themselves: one ballot per exclusive unit they own, online (:func:`motion_vote_cast`,
a receipt number to check against the published list) or on paper (entered by one clerk,
:func:`motion_paper_enter`, confirmed by another, :func:`motion_paper_confirm`). The vote
closes at the announced time: counting before it is refused; the PMC may extend it with a
reason and a notice to the owners. Closing publishes the decision with the tally to the
disclosure board (category ``owners_assembly``), and so does the implementation result.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import acting_person as _person
from huashan.core.services import require_perm as _require
from huashan.directory.models import Compound, Household, Organization, Residency

from .. import tally as tally_module
from ..models import (
    MotionVote,
    OwnersAssemblyMotion,
    UnitOwnership,
)
from ._common import (
    REASON_MAX,
    TITLE_MAX,
    Kind,
    MeetingStateError,
    _guard,
    _link,
    _lock,
    _motion_event,
    _notify_person,
    _orgs_of_kinds,
    _sync,
    _text,
    notify_organization,
)


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
) -> OwnersAssemblyMotion:
    """工作小组提议 (seed: 协同联动 第二条, first step). ``decision_report`` links the advance
    report of the matter (决策报告制度 第二条); ``amount`` is the sum of a fund use."""
    person = _require(
        actor, "meetings.manage_motion", compound, gettext("Only PMC officers do this.")
    )
    if matter not in OwnersAssemblyMotion.Matter.values:
        raise ValidationError({"matter": [_("Choose the matter.")]}, code="invalid")
    title = _text(title, field_name="title", max_length=TITLE_MAX)
    body = _text(body, field_name="body")
    working_group = _text(working_group, field_name="working_group", max_length=100, required=False)
    amount = _amount(amount)
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
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    _check_report(decision_report, motion.compound_id)
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        if locked.stage not in (
            OwnersAssemblyMotion.Stage.PROPOSAL,
            OwnersAssemblyMotion.Stage.PMC_DELIBERATION,
            OwnersAssemblyMotion.Stage.PARTY_REVIEW,
        ):
            raise MeetingStateError(_("The vote has already opened."), code="invalid_state")
        locked.decision_report = decision_report
        locked.save(update_fields=["decision_report"])
        _motion_event(locked, actor=person, verb="link_report", note=str(decision_report))
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


RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _new_receipt() -> str:
    """A receipt number the voter can read out and check (no 0/O, 1/I)."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def owner_register(*, compound) -> dict[int, tuple[str, Decimal]]:
    """Every exclusive unit of the compound → (owner key, area) (two queries).

    The owner key says who counts as one owner (司法解释 第九条): the register line
    (:class:`UnitOwnership`: developer stock → ``developer``; registered owner; holder
    reference); without a line, the verified owners of the unit (co-owners count as one);
    without either, the unit counts as an owner of its own.
    """
    compound_pk = getattr(compound, "pk", compound)
    units = list(
        Household.objects.filter(building__compound_id=compound_pk)
        .select_related("ownership")
        .order_by("pk")
    )
    verified = {}
    for household_pk, person_pk in (
        Residency.objects.filter(
            household__building__compound_id=compound_pk,
            status=Residency.Status.VERIFIED,
            relation=Residency.Relation.OWNER,
        )
        .order_by("person_id")
        .values_list("household_id", "person_id")
    ):
        verified.setdefault(household_pk, person_pk)
    out: dict[int, tuple[str, Decimal]] = {}
    for unit in units:
        line = getattr(unit, "ownership", None)
        if line is not None and (line.developer_stock or line.owner_id or line.holder_ref.strip()):
            key = line.owner_key
        elif unit.pk in verified:
            key = f"person:{verified[unit.pk]}"
        else:
            key = f"unit:{unit.pk}"
        out[unit.pk] = (key, unit.area)
    return out


def compound_register_totals(*, compound) -> tuple[Decimal, int, int]:
    """Total exclusive area, number of owners as the law counts them and number of units."""
    register = owner_register(compound=compound)
    area = sum((a for _k, a in register.values()), Decimal("0"))
    return area, len({k for k, _a in register.values()}), len(register)


def compound_owner_totals(*, compound: Compound) -> tuple[Decimal, int]:
    """Total exclusive area and number of owners (司法解释 第九条) of the compound."""
    area, owners, _units = compound_register_totals(compound=compound)
    return area, owners


def register_set_unit(
    *,
    actor,
    household: Household,
    owner=None,
    holder_name: str = "",
    holder_ref: str = "",
    developer_stock: bool = False,
) -> UnitOwnership:
    """Record who owns an exclusive unit, or that it is the developer's stock."""
    person = _require(
        actor,
        "meetings.enter_paper_ballot",
        household.building.compound,
        gettext("Only PMC officers and the meeting office keep the register."),
    )
    holder_name = _text(holder_name, field_name="holder_name", max_length=100, required=False)
    holder_ref = _text(holder_ref, field_name="holder_ref", max_length=40, required=False)
    if developer_stock and (owner is not None or holder_ref):
        raise ValidationError(
            {"developer_stock": [_("A developer's unit has no other registered owner.")]},
            code="invalid",
        )
    with transaction.atomic():
        line, _made = UnitOwnership.objects.update_or_create(
            household=household,
            defaults={
                "owner": owner,
                "holder_name": holder_name,
                "holder_ref": holder_ref,
                "developer_stock": bool(developer_stock),
                "updated_by": person,
                "updated_at": timezone.now(),
            },
        )
    return line


def motion_open_vote(
    *,
    actor,
    motion: OwnersAssemblyMotion,
    closes_at: dt.datetime,
    declared_total_area: Decimal | None = None,
    declared_total_owners: int | None = None,
) -> OwnersAssemblyMotion:
    """Open the owners' vote. The register is snapshot (area, owners as 第九条 counts them,
    units); totals the PMC declares must match it. A matter that needs an advance decision
    report opens only once its gate is open (``decision_report_gate_problems``)."""
    from .decision_reports import motion_gate_problems

    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    now = timezone.now()
    if not isinstance(closes_at, dt.datetime) or closes_at <= now:
        raise ValidationError({"closes_at": [_("The vote must close in the future.")]})
    problems = motion_gate_problems(motion=motion)
    if problems:
        raise MeetingStateError("；".join(problems), code="gate_shut")
    register = owner_register(compound=motion.compound_id)
    total_area = sum((a for _k, a in register.values()), Decimal("0"))
    total_owners = len({k for k, _a in register.values()})
    errors = {}
    if not register:
        errors["__all__"] = [ValidationError(_("The compound has no households on record."))]
    if declared_total_area is not None and Decimal(declared_total_area) != total_area:
        errors["declared_total_area"] = [
            ValidationError(
                _(
                    "The declared total area %(declared)s m² does not match "
                    "the register (%(actual)s m²)."
                ),
                params={"declared": declared_total_area, "actual": total_area},
                code="area_mismatch",
            )
        ]
    if declared_total_owners is not None and int(declared_total_owners) != total_owners:
        errors["declared_total_owners"] = [
            ValidationError(
                _(
                    "The declared number of owners %(declared)s does not match "
                    "the register (%(actual)s)."
                ),
                params={"declared": declared_total_owners, "actual": total_owners},
                code="owners_mismatch",
            )
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.VOTING)
        locked.stage = OwnersAssemblyMotion.Stage.VOTING
        locked.vote_opens_at = now
        locked.vote_closes_at = closes_at
        locked.total_area = total_area
        locked.total_owners = total_owners
        locked.total_units = len(register)
        locked.owner_keys = {str(pk): key for pk, (key, _a) in register.items()}
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb="open_vote",
            from_state=old,
            to_state=locked.stage,
            note=f"{total_area} m² / {total_owners} / {len(register)}",
        )
    for owner in _owners_to_tell(locked):
        _notify_person(
            owner,
            subject=gettext("Owners' vote open until %(when)s: %(title)s")
            % {
                "when": timezone.localtime(closes_at).strftime("%Y-%m-%d %H:%M"),
                "title": locked.title,
            },
            body=locked.body[:500],
            link=_link("meetings:motion", locked.pk),
        )
    return _sync(motion, locked)


def _owners_to_tell(motion: OwnersAssemblyMotion):
    from huashan.directory.models import Person

    return Person.objects.filter(
        is_active=True,
        residencies__status=Residency.Status.VERIFIED,
        residencies__relation=Residency.Relation.OWNER,
        residencies__household__building__compound_id=motion.compound_id,
    ).distinct()


def owned_units(*, person, motion: OwnersAssemblyMotion) -> list[Household]:
    """The exclusive units of the motion's compound the person is a verified owner of."""
    if person is None or not getattr(person, "pk", None):
        return []
    return list(
        Household.objects.filter(
            building__compound_id=motion.compound_id,
            residencies__person_id=person.pk,
            residencies__status=Residency.Status.VERIFIED,
            residencies__relation=Residency.Relation.OWNER,
        )
        .select_related("building")
        .order_by("building__sort_key", "unit", "room")
    )


def _vote_checks(locked: OwnersAssemblyMotion, household: Household, choice: str) -> str:
    """Common refusals of a ballot; returns the unit's owner key."""
    if choice not in MotionVote.Choice.values:
        raise ValidationError({"choice": [_("Choose for, against or abstain.")]}, code="invalid")
    if household.building.compound_id != locked.compound_id:
        raise ValidationError(
            {
                "household": ValidationError(
                    _("This household is not in the compound."), code="foreign_household"
                )
            }
        )
    now = timezone.now()
    if locked.stage != OwnersAssemblyMotion.Stage.VOTING or (
        locked.vote_closes_at and now >= locked.vote_closes_at
    ):
        raise MeetingStateError(_("The vote is not open."), code="not_open")
    key = (locked.owner_keys or {}).get(str(household.pk)) or f"unit:{household.pk}"
    other = (
        MotionVote.objects.filter(motion=locked, owner_key=key)
        .exclude(choice=choice)
        .exclude(household=household)
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                "choice": ValidationError(
                    _(
                        "The same owner's units count as one owner (司法解释 第九条) and must "
                        "vote the same way: another unit of this owner voted “%(choice)s”."
                    )
                    % {"choice": other.get_choice_display()},
                    code="owner_split",
                )
            }
        )
    return key


def _create_vote(**fields) -> MotionVote:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return MotionVote.objects.create(receipt=_new_receipt(), **fields)
        except IntegrityError as exc:
            if "motion_vote_once" in str(exc):
                raise ValidationError(
                    {
                        "household": ValidationError(
                            _("This unit has already voted (online or on paper)."),
                            code="duplicate_vote",
                        )
                    }
                ) from None
    raise ValidationError(_("Please try again."), code="receipt")  # pragma: no cover


def motion_vote_cast(
    *, actor, motion: OwnersAssemblyMotion, household: Household, choice: str
) -> MotionVote:
    """An owner votes online for one exclusive unit they own: once, before the close, with a
    receipt number. Officers do not type online votes (paper ballots: :func:`motion_paper_enter`).
    Refuses a unit of another compound, a unit the person does not own, a second ballot and
    a ballot after the close."""
    person = _person(actor)
    if person is None:
        raise PermissionDenied(gettext("Log in to vote."))
    if not household.residencies.filter(
        person=person, status=Residency.Status.VERIFIED, relation=Residency.Relation.OWNER
    ).exists():
        raise PermissionDenied(gettext("Only a verified owner of this unit can vote for it."))
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        key = _vote_checks(locked, household, choice)
        now = timezone.now()
        vote = _create_vote(
            motion=locked,
            household=household,
            choice=choice,
            area=household.area,
            voter=person,
            recorded_by=person,
            channel=MotionVote.Channel.ONLINE,
            owner_key=key,
            confirmed_by=person,
            confirmed_at=now,
            cast_at=now,
        )
        _motion_event(locked, actor=person, verb="vote", note=vote.receipt)
    return vote


def motion_paper_enter(
    *, actor, motion: OwnersAssemblyMotion, household: Household, choice: str
) -> MotionVote:
    """A clerk enters a paper ballot; it counts once a second clerk confirms it (as the
    evaluation ballots are). A unit that already voted (online or paper) is refused."""
    person = _require(
        actor,
        "meetings.enter_paper_ballot",
        motion,
        gettext("Only PMC officers and the meeting office enter paper ballots."),
    )
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        key = _vote_checks(locked, household, choice)
        vote = _create_vote(
            motion=locked,
            household=household,
            choice=choice,
            area=household.area,
            voter=None,
            recorded_by=person,
            channel=MotionVote.Channel.PAPER,
            owner_key=key,
        )
        _motion_event(locked, actor=person, verb="paper_vote", note=f"{household} {vote.receipt}")
    return vote


def motion_paper_confirm(*, actor, vote: MotionVote) -> MotionVote:
    """A second clerk — not the one who entered it — confirms a paper ballot."""
    person = _require(
        actor,
        "meetings.enter_paper_ballot",
        vote.motion,
        gettext("Only PMC officers and the meeting office confirm paper ballots."),
    )
    with transaction.atomic():
        locked = _lock(MotionVote, vote.pk)
        if locked.channel != MotionVote.Channel.PAPER or locked.confirmed_at:
            raise MeetingStateError(
                _("This ballot does not wait for confirmation."), code="not_pending"
            )
        if locked.recorded_by_id == person.pk:
            raise PermissionDenied(
                gettext("A second person confirms the paper ballot, not the one who entered it.")
            )
        if locked.motion.stage != OwnersAssemblyMotion.Stage.VOTING:
            raise MeetingStateError(_("The vote is already counted."), code="counted")
        locked.confirmed_by, locked.confirmed_at = person, timezone.now()
        locked.save(update_fields=["confirmed_by", "confirmed_at"])
        _motion_event(locked.motion, actor=person, verb="confirm_paper", note=locked.receipt or "")
    return _sync(vote, locked)


def motion_extend_vote(
    *, actor, motion: OwnersAssemblyMotion, closes_at: dt.datetime, reason: str
) -> OwnersAssemblyMotion:
    """Extend the vote before it closes, with a reason; every owner is told."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    reason = _text(reason, field_name="reason", max_length=REASON_MAX)
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        now = timezone.now()
        if locked.stage != OwnersAssemblyMotion.Stage.VOTING or now >= locked.vote_closes_at:
            raise MeetingStateError(_("The vote is not open."), code="not_open")
        if not isinstance(closes_at, dt.datetime) or closes_at <= locked.vote_closes_at:
            raise ValidationError(
                {"closes_at": [_("The new closing time must be later than the announced one.")]},
                code="not_later",
            )
        old_close = locked.vote_closes_at
        locked.vote_closes_at = closes_at
        locked.save(update_fields=["vote_closes_at"])
        when = timezone.localtime(closes_at).strftime("%Y-%m-%d %H:%M")
        _motion_event(
            locked,
            actor=person,
            verb="extend",
            note=f"{timezone.localtime(old_close):%Y-%m-%d %H:%M} → {when}: {reason}",
        )
    for owner in _owners_to_tell(locked):
        _notify_person(
            owner,
            subject=gettext("The owners' vote is extended to %(when)s: %(title)s")
            % {"when": when, "title": locked.title},
            body=reason,
            link=_link("meetings:motion", locked.pk),
        )
    return _sync(motion, locked)


def counted_votes(motion: OwnersAssemblyMotion):
    """Online ballots and confirmed paper ballots."""
    return motion.votes.filter(confirmed_at__isnull=False)


def motion_tally(*, motion: OwnersAssemblyMotion) -> tally_module.TallyResult:
    """Count the ballots under Civil Code art. 278 with the headcount of 司法解释 第九条."""
    votes = counted_votes(motion).values_list("area", "choice", "owner_key")
    return tally_module.tally_votes(
        matter=motion.matter,
        votes=list(votes),
        total_area=motion.total_area or Decimal("0"),
        total_owners=motion.total_owners or 0,
    )


def _absolute_link(motion: OwnersAssemblyMotion) -> str:
    """The motion page as an absolute http(s) link (the board's source link is a URL)."""
    from django.conf import settings

    site = str(getattr(settings, "HUASHAN_SITE_URL", "") or "").rstrip("/")
    path = _link("meetings:motion", motion.pk)
    return f"{site}{path}" if site.startswith(("http://", "https://")) and path else ""


def _pmc(motion: OwnersAssemblyMotion) -> Organization | None:
    return (_orgs_of_kinds(motion.compound, [Kind.PMC]) or [None])[0]


def _decision_markdown(motion: OwnersAssemblyMotion, result, receipts: list) -> str:
    # Labels are looked up outside the f-strings, where the catalogue tools can find them.
    verdict = gettext("Passed") if result.passed else gettext("Not passed")
    label = {
        "motion": gettext("Motion"),
        "decision": gettext("Decision"),
        "rule": gettext("Rule"),
        "item": gettext("Item"),
        "area": gettext("Area (m²)"),
        "owners": gettext("Owners"),
        "all": gettext("All owners"),
        "took_part": gettext("Took part"),
        "yes": gettext("For"),
        "no": gettext("Against"),
        "abstain": gettext("Abstain"),
        "receipts": gettext("Receipt numbers of the counted ballots"),
    }
    lines = [
        f"**{label['motion']}**：{motion.title}",
        "",
        f"**{label['decision']}**：{verdict}",
        "",
        motion.decision_text,
        "",
        f"**{label['rule']}**：{tally_module.threshold_in_words(motion.matter)}",
        "",
        f"| {label['item']} | {label['area']} | {label['owners']} |",
        "|---|---|---|",
        f"| {label['all']} | {result.total_area} | {result.total_owners} |",
        f"| {label['took_part']} | {result.participating_area} | {result.participating_owners} |",
        f"| {label['yes']} | {result.yes_area} | {result.yes_owners} |",
        f"| {label['no']} | {result.no_area} | {result.no_owners} |",
        f"| {label['abstain']} | {result.abstain_area} | {result.abstain_owners} |",
        "",
        *[f"- {reason}" for reason in result.reasons],
        "",
        result.headcount_basis,
        "",
        f"**{label['receipts']}**：",
        "",
        "、".join(f"{r} {c}" for r, c in receipts) or "—",
    ]
    return "\n".join(lines)


def motion_close_vote(
    *, actor, motion: OwnersAssemblyMotion, decision_text: str = ""
) -> OwnersAssemblyMotion:
    """Count the vote at or after the announced close — never earlier — store the tally and
    publish the decision with the tally and the reasons to the disclosure board (category
    ``owners_assembly``; 协同联动 第二条 "对决策事项……予以公开")."""
    from disclosures.services.external import disclosure_publish_external

    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    decision_text = _text(decision_text, field_name="decision_text", required=False)
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.DECIDED)
        now = timezone.now()
        if locked.vote_closes_at and now < locked.vote_closes_at:
            raise MeetingStateError(
                _(
                    "The vote closes at the announced time (%(when)s); it cannot be closed "
                    "early. Extend it instead if needed."
                )
                % {"when": timezone.localtime(locked.vote_closes_at).strftime("%Y-%m-%d %H:%M")},
                code="not_closed_yet",
            )
        pending = locked.votes.filter(confirmed_at__isnull=True).count()
        if pending:
            raise MeetingStateError(
                _("%(n)s paper ballots still wait for a second person to confirm them.")
                % {"n": pending},
                code="pending_paper",
            )
        try:
            result = motion_tally(motion=locked)
        except tally_module.TallyInputError as exc:
            raise ValidationError(
                _("The votes do not add up: %(error)s") % {"error": exc}, code="bad_tally"
            ) from None
        locked.tally = result.as_dict()
        locked.passed = result.passed
        verdict = gettext("Passed") if result.passed else gettext("Not passed")
        locked.decision_text = decision_text or f"{verdict}. " + "；".join(result.reasons)
        locked.stage = OwnersAssemblyMotion.Stage.DECIDED
        locked.decided_at = now
        receipts = [
            (r, str(MotionVote.Choice(c).label))
            for r, c in counted_votes(locked).order_by("receipt").values_list("receipt", "choice")
        ]
        pmc = _pmc(locked)
        if pmc is None:
            raise ValidationError(_("The compound has no PMC."), code="no_pmc")
        disclosure = disclosure_publish_external(
            actor=person,
            compound=locked.compound,
            organization=pmc,
            category_code="owners_assembly",
            title=(gettext("Owners' assembly decision: %(title)s") % {"title": locked.title})[:200],
            body=_decision_markdown(locked, result, receipts),
            source_url=_absolute_link(locked),
        )
        locked.decision_disclosure_id = disclosure.pk
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb="decide",
            from_state=old,
            to_state=locked.stage,
            note=locked.decision_text,
        )
    return _sync(motion, locked)


def motion_publish_result(
    *, actor, motion: OwnersAssemblyMotion, result_text: str
) -> OwnersAssemblyMotion:
    """Publish the implementation result to the disclosure board (实施结果予以公开,
    协同联动 第二条; the half-yearly report of 物业管理委员会服务承诺 第1条 links to it)."""
    person = _require(
        actor, "meetings.manage_motion", motion, gettext("Only PMC officers do this.")
    )
    from disclosures.services.external import disclosure_publish_external

    result_text = _text(result_text, field_name="result_text")
    with transaction.atomic():
        locked = _lock(OwnersAssemblyMotion, motion.pk)
        old = _guard(locked, "stage", OwnersAssemblyMotion.Stage.RESULT_PUBLISHED)
        locked.result_text = result_text
        locked.result_published_at = timezone.now()
        locked.stage = OwnersAssemblyMotion.Stage.RESULT_PUBLISHED
        pmc = _pmc(locked)
        if pmc is None:
            raise ValidationError(_("The compound has no PMC."), code="no_pmc")
        disclosure = disclosure_publish_external(
            actor=person,
            compound=locked.compound,
            organization=pmc,
            category_code="owners_assembly",
            title=(
                gettext("Implementation result of the owners' decision: %(title)s")
                % {"title": locked.title}
            )[:200],
            body=result_text,
            source_url=_absolute_link(locked),
        )
        locked.result_disclosure_id = disclosure.pk
        locked.save()
        _motion_event(
            locked,
            actor=person,
            verb="publish_result",
            from_state=old,
            to_state=locked.stage,
            note=result_text,
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
