"""问责退出: accountability cases, opened by hand, for absences or low satisfaction.

seed: 物业管理委员会服务承诺 第10条 (连续3次无故缺席工作会议), 第4条 (满意度低于60%)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.services import require_perm as _require
from huashan.core.state import guard, lock
from huashan.directory.models import Compound, Membership, Organization, Person
from huashan.directory.selectors import organization_of_kind

from .. import evidence
from ..models import AccountabilityCase
from ..notices import notify_organization
from .common import ABSENCE_LIMIT, SATISFACTION_THRESHOLD, _event, _text

# --- 问责退出 -------------------------------------------------------------------


def _party_org(compound: Compound) -> Organization | None:
    return organization_of_kind(compound=compound, kind="compound_party")


def _case_opened(case: AccountabilityCase, actor: Person | None) -> None:
    _event(
        compound=case.compound,
        actor=actor,
        verb="case_open",
        to_state=AccountabilityCase.Status.OPEN,
        note=case.details[:500],
        case=case,
    )
    party = _party_org(case.compound)
    if party is not None:
        notify_organization(
            party,
            subject=gettext("Accountability case opened: %(name)s (%(trigger)s)")
            % {"name": case.person.name, "trigger": case.get_trigger_display()},
            body=case.details[:1000],
        )


def case_open(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    person: Person,
    trigger: str,
    details: str,
) -> AccountabilityCase:
    """Open a case by hand: a confirmed collective complaint or a broken pledge
    (物业管理委员会服务承诺 第10条 "履职不力导致业主集体投诉并经核查属实；违反参选承诺")."""
    reviewer = _require(
        actor, "pledges.review_case", compound, _("You may not open accountability cases here.")
    )
    errors: dict[str, Any] = {}
    if trigger not in AccountabilityCase.MANUAL_TRIGGERS:
        errors["trigger"] = [_("Choose a confirmed collective complaint or a broken pledge.")]
    try:
        details = _text(details, field="details")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if organization.compound_id != compound.pk:
        errors["organization"] = [_("This belongs to another compound.")]
    elif not Membership.objects.filter(organization=organization, person=person).exists():
        errors["person"] = [_("This person is not a member of the organization.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = AccountabilityCase.objects.create(
            compound=compound,
            organization=organization,
            person=person,
            trigger=trigger,
            details=details,
            opened_by=reviewer,
        )
        _case_opened(case, reviewer)
    return case


def _resignation_ends_seats(case: AccountabilityCase) -> int:
    """物业管理委员会服务承诺 第10条 "…主动辞职": a resignation decided on day D ends the
    member's current seats in the organization so that from D on they hold no seat and no
    power (``Membership.current`` counts the end day itself, so the term ends on D − 1;
    a seat that began on D itself ends on D, the earliest a term may end). Returns the
    number of seats ended."""
    decided = timezone.localdate(case.decided_at)
    seats = list(
        Membership.objects.current(decided)
        .select_for_update()
        .filter(organization=case.organization, person=case.person)
    )
    for seat in seats:
        seat.end = max(seat.start, decided - dt.timedelta(days=1))
        seat.save(update_fields=["end"])
    return len(seats)


def case_decide(
    *, actor, case: AccountabilityCase, outcome: str, reasons: str
) -> AccountabilityCase:
    """The compound party organization decides: resigned / warned / no action, with reasons."""
    reviewer = _require(
        actor, "pledges.review_case", case.compound, _("You may not decide this case.")
    )
    if outcome not in AccountabilityCase.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    reasons = _text(reasons, field="reasons")
    with transaction.atomic():
        locked = lock(case)
        guard(
            locked,
            AccountabilityCase.Status.DECIDED,
            state_attr="status",
            message=_("This case has already been decided."),
        )
        locked.status = AccountabilityCase.Status.DECIDED
        locked.outcome = outcome
        locked.reasons = reasons
        locked.decided_by = reviewer
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "outcome", "reasons", "decided_by", "decided_at"])
        ended = _resignation_ends_seats(locked) if outcome == locked.Outcome.RESIGNED else 0
        _event(
            compound=locked.compound,
            actor=reviewer,
            verb="case_decide",
            from_state=AccountabilityCase.Status.OPEN,
            to_state=outcome,
            note=reasons[:1000],
            case=locked,
        )
        if ended:
            _event(
                compound=locked.compound,
                actor=reviewer,
                verb="membership_end",
                note=gettext("%(name)s no longer holds a seat in %(organization)s.")
                % {"name": locked.person.name, "organization": locked.organization.name},
                case=locked,
            )
        notify_organization(
            locked.organization,
            subject=gettext("Accountability case decided: %(outcome)s")
            % {"outcome": locked.get_outcome_display()},
            body=reasons[:1000],
        )
    return locked


def accountability_scan_absences(*, now: dt.datetime | None = None) -> list[AccountabilityCase]:
    """Open a case for each PMC member with 3 consecutive unexcused absences at work meetings,
    exactly once per streak (物业管理委员会服务承诺 第10条 "连续3次无故缺席工作会议").

    A case follows its streak (``streak_live``, ``streak_length``); when a later scan sees the
    streak shorter or gone, the member attended and the streak ended, so a future streak
    opens a new case. A partial unique index makes a second case for a live streak impossible.
    """
    now = now or timezone.now()
    opened: list[AccountabilityCase] = []
    compounds = Compound.objects.filter(
        pk__in=Organization.objects.filter(kind="pmc", compound__isnull=False).values("compound")
    )
    for compound in compounds:
        streaks = evidence.absence_streaks(compound=compound, organization_kind="pmc")
        if streaks is None:
            continue
        current = {
            (s.organization.pk, s.person.pk): s for s in streaks if s.consecutive_unexcused > 0
        }
        live = {
            (c.organization_id, c.person_id): c
            for c in AccountabilityCase.objects.filter(
                compound=compound, trigger=AccountabilityCase.Trigger.ABSENCES, streak_live=True
            )
        }
        for key, case in live.items():
            streak = current.get(key)
            if streak is None or streak.consecutive_unexcused < case.streak_length:
                AccountabilityCase.objects.filter(pk=case.pk).update(streak_live=False)
            elif streak.consecutive_unexcused > case.streak_length:
                AccountabilityCase.objects.filter(pk=case.pk).update(
                    streak_length=streak.consecutive_unexcused
                )
        for key, streak in current.items():
            if streak.consecutive_unexcused < ABSENCE_LIMIT:
                continue
            case = live.get(key)
            if case is not None and streak.consecutive_unexcused >= case.streak_length:
                continue
            last = streak.last_meeting
            details = gettext(
                "%(name)s missed %(count)d work meetings in a row without excuse "
                "(last: %(meeting)s)."
            ) % {
                "name": streak.person.name,
                "count": streak.consecutive_unexcused,
                "meeting": str(last) if last is not None else "-",
            }
            try:
                with transaction.atomic():
                    case = AccountabilityCase.objects.create(
                        compound=compound,
                        organization=streak.organization,
                        person=streak.person,
                        trigger=AccountabilityCase.Trigger.ABSENCES,
                        details=details,
                        figures={
                            "consecutive_unexcused": streak.consecutive_unexcused,
                            "last_meeting": getattr(last, "pk", None),
                        },
                        streak_live=True,
                        streak_length=streak.consecutive_unexcused,
                        opened_at=now,
                    )
                    _case_opened(case, None)
            except IntegrityError:
                continue  # another scan opened it first
            opened.append(case)
    return opened


def accountability_open_for_low_satisfaction(
    *,
    compound: Compound,
    organization: Organization,
    person: Person,
    year: int,
    satisfaction: float,
    threshold: float = SATISFACTION_THRESHOLD,
) -> AccountabilityCase | None:
    """Called by the evaluations module with a member's annual satisfaction (%): below the
    threshold opens one case per member and year (物业管理委员会服务承诺 第4条 "满意度低于
    60%的委员主动辞职"). Returns the case, or None when the score is at or above it."""
    try:
        satisfaction = float(satisfaction)
    except (TypeError, ValueError):
        raise ValidationError({"satisfaction": _("Enter a percentage.")}) from None
    if not 0 <= satisfaction <= 100:
        raise ValidationError({"satisfaction": _("Enter a percentage between 0 and 100.")})
    if satisfaction >= threshold:
        return None
    key = f"satisfaction:{organization.pk}:{int(year)}"
    existing = AccountabilityCase.objects.filter(
        compound=compound, person=person, trigger_key=key
    ).first()
    if existing is not None:
        return existing
    details = gettext(
        "Satisfaction of %(name)s in the %(year)d evaluation: %(value)s %% (below %(limit)s %%)."
    ) % {
        "name": person.name,
        "year": int(year),
        "value": f"{satisfaction:g}",
        "limit": f"{threshold:g}",
    }
    try:
        with transaction.atomic():
            case = AccountabilityCase.objects.create(
                compound=compound,
                organization=organization,
                person=person,
                trigger=AccountabilityCase.Trigger.LOW_SATISFACTION,
                trigger_key=key,
                details=details,
                figures={"satisfaction": satisfaction, "threshold": threshold, "year": year},
            )
            _case_opened(case, None)
    except IntegrityError:
        return AccountabilityCase.objects.get(compound=compound, person=person, trigger_key=key)
    return case
