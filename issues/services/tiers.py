"""三事分流: the tier of a complaint, the joint consultation and the safety-hazard flag
(seed: 协同联动 第一—五条; 小区党组织服务承诺 第7条).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import require_perm as _require

from ..models import (
    Issue,
    Referral,
)
from ._common import (
    AGENDA_HOOK,
    INVESTIGATE_KINDS,
    SUPERVISOR_KINDS,
    Kind,
    Status,
    Tier,
    _event,
    _locked,
    _require_open,
    _sync,
    _text,
    logger,
    staff_link,
)
from .clocks import (
    _feedback_policy,
    _make_complex,
    _refresh_next_deadline,
    _restart_feedback_clock,
    clock_policy_for,
    clocks_for,
)
from .notifications import _notify_reporter, _orgs_of_kinds, _responsible_orgs, notify_organization
from .routing import _ensure_referrals


def issue_change_tier(*, actor, issue: Issue, tier: str, reason: str) -> Issue:
    """三事分流: re-tier with a reason (seed: 协同联动 第一条—第五条).

    Big (第三条): joint investigation convened by the compound party organization
    and the RC's 环境和物业管理委员会 with the PMC and the property company (each
    referred to investigate), proposal to the residents' committee, and a
    proposed agenda topic for the next joint meeting (``AGENDA_HOOK``).
    Big, hard and legacy matters need a solution plan within 7 days; legacy
    matters get a periodic explanation clock instead of the 7-working-day one.
    """
    reason = _text(reason, field_name="reason")
    if tier not in Tier.values:
        raise ValidationError({"tier": [_("Choose a tier.")]}, code="invalid_tier")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not re-tier this issue.")
        )
        _require_open(locked)
        if locked.tier == tier:
            raise ValidationError(
                {"tier": [_("The issue already has this tier.")]}, code="same_tier"
            )
        old_tier = locked.tier
        now = timezone.now()
        clocks = clocks_for(clock_policy_for(locked.compound))
        locked.tier = tier
        if tier != Tier.SMALL:
            _make_complex(locked, clocks, now)
        if Tier.LEGACY in (tier, old_tier):
            locked.feedback_due = workdays.deadline(now, _feedback_policy(locked, clocks))
        locked.last_public_update_at = now
        _refresh_next_deadline(locked)
        locked.save()
        referrals = (
            _big_matter_referrals(locked, person, reason, clocks, now) if tier == Tier.BIG else []
        )
        _event(
            locked,
            actor=person,
            verb="tier",
            note=gettext("Tier changed from “%(old)s” to “%(new)s”: %(reason)s")
            % {
                "old": Tier(old_tier).label,
                "new": Tier(tier).label,
                "reason": reason,
            },
            public=True,
        )
        for referral in referrals:
            notify_organization(
                referral.organization,
                subject=gettext("Issue %(number)s: %(purpose)s")
                % {"number": locked.tracking_number, "purpose": referral.get_purpose_display()},
                body=reason,
                link=staff_link(locked),
            )
        if tier == Tier.BIG:
            _propose_agenda_after_commit(locked, person, reason)
    return _sync(issue, locked)


def _big_matter_referrals(locked: Issue, person, reason: str, clocks, now) -> list[Referral]:
    """Big matter (协同联动 第三条): the investigating organizations and the residents'
    committee (to decide) are referred, each to acknowledge within the response time."""
    referrals: list[Referral] = []
    ack_due = workdays.deadline(now, clocks.response)
    referrals += _ensure_referrals(
        locked,
        actor=person,
        kinds=INVESTIGATE_KINDS,
        purpose=Referral.Purpose.INVESTIGATE,
        ack_due=ack_due,
        note=reason,
    )
    referrals += _ensure_referrals(
        locked,
        actor=person,
        kinds=(Kind.RESIDENTS_COMMITTEE,),
        purpose=Referral.Purpose.DECIDE,
        ack_due=ack_due,
        note=reason,
    )
    return referrals


def _propose_agenda_after_commit(locked: Issue, person, reason: str) -> None:
    """After commit, every ``AGENDA_HOOK`` proposes the big matter as a joint-meeting topic."""
    hooked = locked

    def _propose_agenda() -> None:
        for hook in list(AGENDA_HOOK):
            try:
                hook(issue=hooked, actor=person, reason=reason)
            except Exception:  # one broken hook must not hide the others
                logger.exception("agenda hook %r failed for %s", hook, hooked)

    transaction.on_commit(_propose_agenda)


def issue_record_consultation(*, actor, issue: Issue, result: str) -> Issue:
    """三方协商落实意见, shown on the public board (公示承诺制度 第一条)."""
    result = _text(result, field_name="result")
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor, "issues.manage_issue", locked, gettext("You may not record a consultation.")
        )
        if locked.status == Status.MERGED:
            _require_open(locked)
        now = timezone.now()
        locked.consultation_result = result
        locked.last_public_update_at = now
        if locked.status in Issue.OPEN_STATES:
            clocks = clocks_for(clock_policy_for(locked.compound))
            # Not a legacy matter's: only the three parties' joint explanation restarts it.
            _restart_feedback_clock(locked, clocks, now)
        _refresh_next_deadline(locked)
        locked.save()
        _event(locked, actor=person, verb="consultation", note=result, public=True)
        _notify_reporter(
            locked,
            subject=gettext("The three parties agreed on your issue %(number)s")
            % {"number": locked.tracking_number},
            body=result,
        )
    return _sync(issue, locked)


def issue_set_hazard(
    *, actor, issue: Issue, is_hazard: bool, reason: str, major: bool = False
) -> Issue:
    """Flag a filed issue as a safety hazard (or withdraw a wrong flag), with a public reason.

    seed: 小区党组织服务承诺 第7条 (安全隐患“零容忍”: 发现问题限期3日内整改，重大隐患即时上报并
    全程跟踪). The 3-day clock starts when the hazard is flagged and never pauses, not even
    while staff wait for the reporter; withdrawing the flag stops it. A hazard flag is
    reported at once to the responsible party and the supervisors. A **major** hazard
    (``major``; also on an issue already flagged) is reported at once upwards, to the
    community party organization and the street, each with a report referral that puts the
    issue in their queue until it is closed (全程跟踪) — not after the 3 days lapse.
    """
    reason = _text(reason, field_name="reason")
    is_hazard = bool(is_hazard)
    major = bool(major) and is_hazard
    with transaction.atomic():
        locked = _locked(issue)
        person = _require(
            actor,
            "issues.manage_issue",
            locked,
            gettext("You may not change the safety-hazard flag of this issue."),
        )
        _require_open(locked)
        _hazard_refuse_unchanged(locked, is_hazard=is_hazard, major=major)
        now = timezone.now()
        clocks = clocks_for(clock_policy_for(locked.compound))
        _hazard_apply(locked, is_hazard=is_hazard, major=major, now=now, clocks=clocks)
        note = _hazard_note(locked, is_hazard=is_hazard, major=major, reason=reason)
        _event(locked, actor=person, verb="hazard", note=note, public=True)
        reports = (
            _ensure_referrals(
                locked,
                actor=person,
                kinds=MAJOR_HAZARD_REPORT_KINDS,
                purpose=Referral.Purpose.REPORT,
                ack_due=workdays.deadline(now, clocks.response),
                note=reason,
            )
            if major
            else []
        )
        if is_hazard:
            _hazard_notify(locked, major=major, note=note, reports=reports)
    return _sync(issue, locked)


def _hazard_refuse_unchanged(locked: Issue, *, is_hazard: bool, major: bool) -> None:
    """Refuse a flag that changes nothing (a major flag on a plain hazard is a change)."""
    upgrade = is_hazard and locked.is_hazard and major and not locked.hazard_major
    if locked.is_hazard == is_hazard and not upgrade:
        message = (
            _("The issue is already flagged as a safety hazard.")
            if is_hazard
            else _("The issue is not flagged as a safety hazard.")
        )
        raise ValidationError({"is_hazard": [message]}, code="unchanged")


def _hazard_apply(locked: Issue, *, is_hazard: bool, major: bool, now, clocks) -> None:
    """Set the flag and its clock (started when newly flagged, stopped when withdrawn); save."""
    newly_flagged = is_hazard and not locked.is_hazard
    locked.is_hazard = is_hazard
    if newly_flagged:
        locked.hazard_due = workdays.deadline(now, clocks.hazard)
    elif not is_hazard:
        locked.hazard_due = None
        locked.hazard_major = False
    if major:
        locked.hazard_major = True
        locked.hazard_reported_at = now
    locked.last_public_update_at = now
    _refresh_next_deadline(locked)
    locked.save()


def _hazard_note(locked: Issue, *, is_hazard: bool, major: bool, reason: str) -> str:
    """The public note of the hazard event: the deadline and the reason."""
    if not is_hazard:
        return gettext("No longer treated as a safety hazard: %(reason)s") % {"reason": reason}
    due = workdays.format_deadline(locked.hazard_due)
    if major:
        return gettext(
            "Major safety hazard, reported at once to the community party organization "
            "and the street, who follow it to closure; to be fixed by %(due)s: "
            "%(reason)s"
        ) % {"due": due, "reason": reason}
    return gettext("Flagged as a safety hazard, to be fixed by %(due)s: %(reason)s") % {
        "due": due,
        "reason": reason,
    }


def _hazard_notify(locked: Issue, *, major: bool, note: str, reports) -> None:
    """Tell the responsible party, the supervisors and (major) those it was reported to."""
    prefix = (
        gettext("[Major safety hazard] %(subject)s")
        if major
        else gettext("[Safety hazard] %(subject)s")
    )
    subject = prefix % {
        "subject": gettext("Issue %(number)s is a safety hazard")
        % {"number": locked.tracking_number}
    }
    targets = _responsible_orgs(locked)
    targets += [o for o in _orgs_of_kinds(locked.compound, SUPERVISOR_KINDS) if o not in targets]
    targets += [r.organization for r in reports if r.organization not in targets]
    for org in targets:
        notify_organization(org, subject=subject, body=note, link=staff_link(locked))


#: Who a major hazard is reported to at once (小区党组织服务承诺 第7条 "重大隐患即时上报"):
#: the community party organization and the street.
MAJOR_HAZARD_REPORT_KINDS = (Kind.COMMUNITY_PARTY, Kind.STREET_OFFICE)
