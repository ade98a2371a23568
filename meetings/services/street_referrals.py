"""Beyond the compound, to the street: a held joint meeting proposes taking a major,
difficult or legacy complaint to the street, the community party organization asks the
street (提请街道) or says why not, the street convenes its joint meeting (街道联席会议),
and the outcome returns to the complaint's timeline.

seed: 协同联动解决小区事务流程 第四条.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Meeting
from ._common import (
    OFFICE_KINDS,
    REASON_MAX,
    Kind,
    MeetingStateError,
    MKind,
    MStatus,
    _guard,
    _lock,
    _meeting_event,
    _notify_person,
    _orgs_of_kinds,
    _require_any,
    _sync,
    _text,
    meeting_link,
    notify_organization,
)
from .scheduling import meeting_create

PROPOSAL_MAX = 4000


#: Tiers a joint meeting may take to the street: the seed speaks of "重大物业管理服务问题"
#: beyond the three parties and the community — 大事 / 难事 / 历史遗留, never a 小事.
STREET_TIERS = ("big", "hard", "legacy")


_HELD_STATES = (MStatus.HELD, MStatus.MINUTES_APPROVED, MStatus.CLOSED)


def _referral_issue_event(referral, *, actor, verb: str, note: str, public: bool) -> None:
    from huashan.core.state import record_event
    from issues.models import IssueEvent

    record_event(IssueEvent, issue=referral.issue, actor=actor, verb=verb, note=note, public=public)


def _referral_link(referral) -> str:
    return meeting_link(referral.street_meeting or referral.joint_meeting)


def street_referral_propose(*, actor, meeting: Meeting, issue, proposal: str):
    """The compound's joint meeting studies a problem beyond the three parties and the
    community and proposes (研究并提出建议) to take it to the street; the proposal goes
    to the community party organization (报社区党组织).

    seed: 协同联动 第四条. Only from a joint meeting that has been held, for an open
    大事 / 难事 / 历史遗留 complaint of the same compound, once per complaint at a time.
    """
    from ..models.meetings import StreetReferral

    person = _require_any(
        actor,
        ("meetings.run_office", "meetings.convene"),
        meeting,
        gettext("Only the joint-meeting office records the joint meeting's proposal."),
    )
    proposal = _text(proposal, field_name="proposal", max_length=PROPOSAL_MAX)
    if meeting.kind != MKind.JOINT or meeting.status not in _HELD_STATES:
        raise MeetingStateError(
            _("Only a joint meeting that has been held proposes taking a problem to the street."),
            code="not_held_joint",
        )
    if issue.compound_id != meeting.compound_id:
        raise ValidationError({"issue": [_("This complaint is not of this compound.")]})
    if issue.tier not in STREET_TIERS or not issue.is_open:
        raise ValidationError(
            {
                "issue": [
                    _(
                        "Only an open major, difficult or legacy matter goes to the street; "
                        "a small matter is handled in the compound."
                    )
                ]
            },
            code="tier",
        )
    with transaction.atomic():
        if StreetReferral.objects.filter(
            issue=issue,
            status__in=(
                StreetReferral.Status.PROPOSED,
                StreetReferral.Status.REQUESTED,
                StreetReferral.Status.CONVENED,
            ),
        ).exists():
            raise ValidationError(
                {"issue": [_("This complaint is already on its way to the street.")]},
                code="duplicate",
            )
        referral = StreetReferral.objects.create(
            compound=meeting.compound,
            issue=issue,
            joint_meeting=meeting,
            proposal=proposal,
            proposed_by=person,
        )
        _meeting_event(meeting, actor=person, verb="street_propose", note=proposal[:200])
        _referral_issue_event(
            referral,
            actor=person,
            verb="street_propose",
            note=gettext("The joint meeting proposes taking it to the street: %(text)s")
            % {"text": proposal},
            public=True,
        )
        for org in _orgs_of_kinds(meeting.compound, [Kind.COMMUNITY_PARTY]):
            notify_organization(
                org,
                subject=gettext("The joint meeting asks you to take %(number)s to the street")
                % {"number": issue.tracking_number},
                body=proposal,
                link=meeting_link(meeting),
            )
    return referral


#: Summoned when the request names no one: the street bodies that convene the street
#: joint meeting.
STREET_WHISTLE_DEFAULT_KINDS = (Kind.STREET_OFFICE, Kind.STREET_PMC)


def street_whistle_organizations(compound) -> list:
    """The street bodies and departments covering the compound, whom a street whistle may
    summon (街道吹哨、部门报到)."""
    from huashan.directory.models import Organization
    from huashan.directory.selectors import compound_organizations

    return list(
        compound_organizations(compound=compound)
        .filter(kind__in=Organization.STREET_KINDS)
        .order_by("kind", "name", "pk")
    )


def _street_summons(compound, organizations) -> list:
    """The bodies the request summons: those named, each a street body or department of
    the compound's street; by default the street office and the street property committee."""
    organizations = [o for o in organizations or () if o is not None]
    if not organizations:
        return _orgs_of_kinds(compound, STREET_WHISTLE_DEFAULT_KINDS)
    allowed = {o.pk for o in street_whistle_organizations(compound)}
    if any(o.pk not in allowed for o in organizations):
        raise ValidationError(
            {"organizations": [_("Summon the street's bodies or its departments.")]},
            code="not_street_body",
        )
    return organizations


def street_referral_request(
    *, actor, referral, request_text: str = "", decline_reason: str = "", organizations=()
):
    """The community party organization asks the street (提请街道) to use 街道吹哨、部门报到
    and convene a street joint meeting — or says, with a reason, why it does not.

    Asking is blowing the street whistle on the complaint: ``organizations`` (by default
    the street office and the street property committee) are summoned and each must report
    in (报到); the whistle is linked to the referral (``StreetReferral.street_whistle``).

    seed: 协同联动 第四条 "社区党组织应及时提请街道运用'街道吹哨、部门报到'机制，召集街道联席会议".
    """
    from ..models.meetings import StreetReferral

    person = _require_any(
        actor,
        ("meetings.refer_to_street",),
        referral.compound,
        gettext("Only the community party organization asks the street."),
    )
    declining = bool((decline_reason or "").strip())
    if declining:
        decline_reason = _text(decline_reason, field_name="decline_reason", max_length=REASON_MAX)
        target = StreetReferral.Status.DECLINED
    else:
        request_text = _text(request_text, field_name="request_text", max_length=PROPOSAL_MAX)
        organizations = _street_summons(referral.compound, organizations)
        target = StreetReferral.Status.REQUESTED
    with transaction.atomic():
        locked = _lock(StreetReferral, referral.pk)
        _guard(locked, "status", target)
        locked.status = target
        locked.requested_by = person
        locked.requested_at = timezone.now()
        if declining:
            locked.decline_reason = decline_reason
        else:
            locked.request_text = request_text
        locked.save()
        _referral_issue_event(
            locked,
            actor=person,
            verb="street_decline" if declining else "street_request",
            note=decline_reason if declining else request_text,
            public=True,
        )
        if not declining:
            _blow_street_whistle(locked, actor=actor, organizations=organizations)
        if declining:
            for org in _orgs_of_kinds(locked.compound, OFFICE_KINDS):
                notify_organization(
                    org,
                    subject=gettext("%(number)s is not taken to the street")
                    % {"number": locked.issue.tracking_number},
                    body=decline_reason,
                    link=meeting_link(locked.joint_meeting),
                )
        else:
            for org in _orgs_of_kinds(locked.compound, [Kind.STREET_PMC, Kind.STREET_OFFICE]):
                notify_organization(
                    org,
                    subject=gettext(
                        "The community party organization asks for a street joint meeting "
                        "on %(number)s"
                    )
                    % {"number": locked.issue.tracking_number},
                    body="\n\n".join([request_text, locked.proposal]),
                    link=meeting_link(locked.joint_meeting),
                )
    return _sync(referral, locked)


def _blow_street_whistle(referral, *, actor, organizations) -> None:
    """街道吹哨、部门报到 on the complaint, in the request's words, linked to the referral."""
    from issues.services import whistle_blow

    whistle = whistle_blow(
        actor=actor,
        issue=referral.issue,
        level="street",
        organizations=organizations,
        reason=referral.request_text,
        street_referral=referral,
    )
    referral.street_whistle = whistle
    referral.save(update_fields=["street_whistle"])


def street_joint_meeting_convene(
    *, actor, referral, title: str, start: dt.datetime, end: dt.datetime, place: str
) -> Meeting:
    """The street convenes the street joint meeting (召集街道联席会议) on a requested
    referral: a meeting of kind ``street_joint`` for the compound, its members the street
    office, the street property committee, the departments and the community party
    organization (协同联动 第四条)."""
    from ..models.meetings import StreetReferral

    _require_any(
        actor,
        ("meetings.convene_street",),
        referral.compound,
        gettext("Only the street convenes a street joint meeting."),
    )
    if referral.status != StreetReferral.Status.REQUESTED:
        raise MeetingStateError(
            _("The community party organization has not asked the street yet."),
            code="not_requested",
        )
    with transaction.atomic():
        meeting = meeting_create(
            actor=actor,
            compound=referral.compound,
            kind=MKind.STREET_JOINT,
            title=title,
            start=start,
            end=end,
            place=place,
            is_ad_hoc=True,
            ad_hoc_reason=gettext("Street joint meeting on complaint %(number)s")
            % {"number": referral.issue.tracking_number},
        )
        locked = _lock(StreetReferral, referral.pk)
        _guard(locked, "status", StreetReferral.Status.CONVENED)
        locked.status = StreetReferral.Status.CONVENED
        locked.street_meeting = meeting
        locked.save(update_fields=["status", "street_meeting"])
        _referral_issue_event(
            locked,
            actor=actor,
            verb="street_convene",
            note=f"{meeting.title} {timezone.localtime(meeting.start):%Y-%m-%d %H:%M}",
            public=True,
        )
        for member in meeting.members.select_related("person"):
            _notify_person(
                member.person,
                subject=gettext("Street joint meeting: %(title)s") % {"title": meeting.title},
                body=locked.proposal,
                link=meeting_link(meeting),
            )
    _sync(referral, locked)
    return meeting


def street_referral_conclude(*, actor, referral, outcome: str):
    """The outcome of the street joint meeting returns to the complaint: a public step on
    its timeline, told to the compound's office, the community party organization and
    the body handling the complaint (协同联动 第四条 "积极解决物业管理服务中存在的问题")."""
    from ..models.meetings import StreetReferral

    person = _require_any(
        actor,
        ("meetings.convene_street",),
        referral.compound,
        gettext("Only the street records the street joint meeting's outcome."),
    )
    outcome = _text(outcome, field_name="outcome", max_length=PROPOSAL_MAX)
    with transaction.atomic():
        locked = _lock(StreetReferral, referral.pk)
        _guard(locked, "status", StreetReferral.Status.CONCLUDED)
        if locked.street_meeting is None or locked.street_meeting.status not in _HELD_STATES:
            raise MeetingStateError(
                _("Record the outcome once the street joint meeting has been held."),
                code="not_held",
            )
        locked.status = StreetReferral.Status.CONCLUDED
        locked.outcome = outcome
        locked.concluded_at = timezone.now()
        locked.save(update_fields=["status", "outcome", "concluded_at"])
        _referral_issue_event(
            locked, actor=person, verb="street_outcome", note=outcome, public=True
        )
        _meeting_event(
            locked.street_meeting, actor=person, verb="street_outcome", note=outcome[:200]
        )
        kinds = [*OFFICE_KINDS, Kind.COMMUNITY_PARTY]
        told = {o.pk: o for o in _orgs_of_kinds(locked.compound, kinds)}
        if locked.issue.assigned_org_id:
            told.setdefault(locked.issue.assigned_org_id, locked.issue.assigned_org)
        for org in told.values():
            notify_organization(
                org,
                subject=gettext("Outcome of the street joint meeting on %(number)s")
                % {"number": locked.issue.tracking_number},
                body=outcome,
                link=meeting_link(locked.street_meeting),
            )
    return _sync(referral, locked)
