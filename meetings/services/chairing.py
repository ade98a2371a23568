"""Who chairs a joint meeting (主持): the community party head, or a compound party head
entrusted by them (委托) for the meeting's day — checked on that day for the chair and the
convener, with the default chair filled in when none is named; when a 委托 is revoked,
the meetings scheduled under it go back to the community party head.

seed: 联席会议议事规则 第三条 ("社区党组织负责人或受其委托的小区党组织负责人").
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.directory import delegations
from huashan.directory.models import ChairDelegation, Compound, Person

from ..models import Meeting
from ._common import (
    OFFICE_KINDS,
    Kind,
    MKind,
    MStatus,
    _localdate,
    _meeting_event,
    _notify_person,
    _orgs_of_kinds,
    meeting_link,
    notify_organization,
)


def _default_chair(compound: Compound, on: dt.date) -> Person | None:
    """The community party head, else a compound party head entrusted on ``on``
    (联席会议议事规则 第三条 "社区党组织负责人或受其委托的小区党组织负责人")."""
    head = delegations.community_party_head(compound, on)
    if head is not None:
        return head
    delegation = (
        ChairDelegation.objects.active(on)
        .filter(compound=compound)
        .select_related("delegate")
        .order_by("-start", "-pk")
        .first()
    )
    if delegation is not None and delegations.is_compound_party_head(
        compound, delegation.delegate, on
    ):
        return delegation.delegate
    return None


def _chair_allowed(compound: Compound, person: Person, on: dt.date | None = None) -> bool:
    """May ``person`` chair the compound's joint meeting on ``on`` (第三条)?"""
    return delegations.chair_standing(compound, person, on or timezone.localdate())[0]


CHAIR_MESSAGE = _(
    "The chair must be the community party head or a compound party head entrusted by "
    "them for the meeting's date (联席会议议事规则 第三条)."
)


CONVENER_MESSAGE = _(
    "The convener must be the community party head or a compound party head entrusted by "
    "them for the meeting's date (联席会议议事规则 第三条)."
)


#: A joint meeting left without a chair (its delegation revoked, no community party head
#: that day) goes no further until one is named (第三条).
NO_CHAIR_MESSAGE = _(
    "This joint meeting has no chair: name the community party head or an entrusted "
    "compound party head first (联席会议议事规则 第三条)."
)


def _joint_chair(
    compound: Compound, start, chair: Person | None, convener: Person | None, errors: dict
) -> tuple[Person | None, ChairDelegation | None]:
    """Check the chair and convener of a joint meeting on its day; fill the default chair.

    Returns ``(chair, delegation)``, the delegation being the 委托 a compound party head
    chairs under (``None`` for the community party head). Adds errors to ``errors``.
    """
    if not isinstance(start, dt.datetime) or timezone.is_naive(start):
        return chair, None
    on = _localdate(start)
    chair = chair or _default_chair(compound, on)
    delegation = None
    if chair is None:
        errors.setdefault("chair", []).append(
            ValidationError(
                _(
                    "No one may chair this joint meeting: the community has no party head "
                    "and no compound party head is entrusted for that day."
                ),
                code="no_chair",
            )
        )
    else:
        allowed, delegation = delegations.chair_standing(compound, chair, on)
        if not allowed:
            errors.setdefault("chair", []).append(
                ValidationError(CHAIR_MESSAGE, code="invalid_chair")
            )
    if (
        convener is not None
        and convener != chair
        and not delegations.chair_standing(compound, convener, on)[0]
    ):
        errors.setdefault("convener", []).append(
            ValidationError(CONVENER_MESSAGE, code="invalid_convener")
        )
    return chair, delegation


def _fallback_chair(compound: Compound, on: dt.date, actor: Person | None) -> Person | None:
    """Who takes the chair back when a delegation ends: the community party head who
    revoked it if they still stand on ``on``, else the community party head of that day."""
    if actor is not None and delegations.is_community_party_head(compound, actor, on):
        return actor
    return delegations.community_party_head(compound, on)


def _restand(meeting: Meeting) -> tuple[Person | None, Person | None, ChairDelegation | None]:
    """The chair, convener and delegation of ``meeting`` once its delegation is revoked
    (both are checked again on the meeting's day; another 委托 in force still counts)."""
    on = _localdate(meeting.start)
    chair, delegation = meeting.chair, None
    if chair is not None:
        allowed, delegation = delegations.chair_standing(meeting.compound, chair, on)
        if not allowed:
            chair, delegation = None, None
    convener = meeting.convener
    if convener is not None and not delegations.chair_standing(meeting.compound, convener, on)[0]:
        convener = None
    return chair, convener, delegation


def meetings_chair_after_revocation(
    *, delegation: ChairDelegation, actor: Person, reason: str
) -> list[Meeting]:
    """The joint meetings scheduled under a revoked 委托 go back to the community party
    head (seed: 联席会议议事规则 第三条 "由社区党组织负责人或受其委托的小区党组织负责人召集并
    主持": without the 委托 the delegate neither convenes nor chairs).

    Registered on :data:`huashan.directory.delegations.REVOKE_HOOKS`; runs inside the
    revoking transaction. Only meetings not yet begun (draft or notice sent) change; a
    meeting held, or begun, keeps the record of the delegation it was chaired under. With
    no community party head on the meeting's day the meeting is left without a chair and
    flagged: the office and the community party organization are told to name one.
    Everyone on the list is told of the change (a notice already sent stays as issued).
    """
    candidates = (
        Meeting.objects.select_for_update()
        .filter(
            compound_id=delegation.compound_id,
            kind=MKind.JOINT,
            status__in=(MStatus.DRAFT, MStatus.NOTICE_SENT),
            start__gt=timezone.now(),
        )
        .filter(
            Q(chair_delegation=delegation)
            | Q(chair_id=delegation.delegate_id)
            | Q(convener_id=delegation.delegate_id)
        )
        .order_by("start", "pk")
    )
    changed = []
    for meeting in candidates:
        chair, convener, standing = _restand(meeting)
        if chair is None:
            chair = _fallback_chair(meeting.compound, _localdate(meeting.start), actor)
        convener = convener or chair
        before = (meeting.chair_id, meeting.convener_id, meeting.chair_delegation_id)
        after = (_pk(chair), _pk(convener), _pk(standing))
        if before == after:
            continue
        old_chair, same_people = meeting.chair, before[:2] == after[:2]
        meeting.chair, meeting.convener, meeting.chair_delegation = chair, convener, standing
        meeting.save(update_fields=["chair", "convener", "chair_delegation"])
        if same_people:
            # Another 委托 to the same person still covers the day: only the record moves.
            note = gettext("Chaired under the delegation of %(start)s–%(end)s") % {
                "start": f"{standing.start:%Y-%m-%d}",
                "end": f"{standing.end:%Y-%m-%d}",
            }
            _meeting_event(meeting, actor=actor, verb="update", note=note)
        else:
            _tell_chair_change(meeting, actor=actor, old_chair=old_chair, reason=reason)
        changed.append(meeting)
    return changed


def _pk(obj) -> int | None:
    return obj.pk if obj is not None else None


def _tell_chair_change(meeting: Meeting, *, actor: Person, old_chair, reason: str) -> None:
    """The event, and who is told: everyone on the list, the new chair (the community
    party head), the former one; with no chair, the office and the community party org."""
    day = f"{timezone.localtime(meeting.start):%Y-%m-%d %H:%M}"
    words = {"title": meeting.title, "day": day, "old": old_chair.name if old_chair else "—"}
    if meeting.chair is None:
        verb = "chair_needed"
        note = gettext("%(old)s no longer chairs; no one may chair yet: %(reason)s") % {
            **words,
            "reason": reason,
        }
        subject = gettext("The joint meeting needs a chair: %(title)s") % words
        body = (
            gettext(
                "The delegation to chair the joint meeting of %(day)s was revoked and the "
                "community has no party head that day: name a chair before the meeting is "
                "held (联席会议议事规则 第三条)."
            )
            % words
        )
    else:
        words["new"] = meeting.chair.name
        verb = "chair_fallback"
        note = gettext("%(old)s → %(new)s: %(reason)s") % {**words, "reason": reason}
        subject = gettext("Change of chair: %(title)s") % words
        body = (
            gettext(
                "The delegation to chair the joint meeting was revoked: the meeting of %(day)s "
                "is now convened and chaired by %(new)s instead of %(old)s "
                "(联席会议议事规则 第三条)."
            )
            % words
        )
    _meeting_event(meeting, actor=actor, verb=verb, note=note)
    link = meeting_link(meeting)
    people = {m.person_id: m.person for m in meeting.members.select_related("person")}
    for person in (meeting.chair, old_chair):
        if person is not None:
            people.setdefault(person.pk, person)
    for person in people.values():
        _notify_person(person, subject=subject, body=body, link=link)
    if meeting.chair is None:
        for org in _orgs_of_kinds(meeting.compound, (*OFFICE_KINDS, Kind.COMMUNITY_PARTY)):
            notify_organization(org, subject=subject, body=body, link=link)
