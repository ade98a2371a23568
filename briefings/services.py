"""Sending a briefing, acknowledging it, saying what was done (决策报告制度 第一条、第三条).

Who sends what (the rules' own words):

* 三方 (residents' committee, PMC, property company) tell each other — and the compound
  party organization, which convenes them — of residents' concerns and progress, of urgent
  matters "第一时间" and of new developments ("视情向有关单位报告": to whichever bodies
  they choose, the street and the community included).
* Any body that received opinions about the compound passes them on "给小区党组织、三方及
  居民": the opinions are always public.
* 街道、社区、小区党组织 send feedback that 三方 "应及时研究办理": each party says what it
  did, by a date the sender sets (the rules give no number, so the sender does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.core.state import clean_text, lock, record_event, sync
from huashan.directory.models import Membership, Organization
from huashan.directory.rules import STAFF_ROLES
from huashan.directory.selectors import compound_organizations
from huashan.notify.services import notify_organization

from .models import (
    BODY_MAX,
    RESPONSE_MAX,
    TITLE_MAX,
    Briefing,
    BriefingAlarm,
    BriefingEvent,
    BriefingRecipient,
)

Kind = Briefing.Kind
OrgKind = Organization.Kind
THREE_PARTIES = frozenset(Organization.THREE_PARTIES)
PARTY_ORGS = frozenset({OrgKind.STREET_OFFICE, OrgKind.COMMUNITY_PARTY, OrgKind.COMPOUND_PARTY})

#: Who may send each kind (第一条: 三方相互通报; 第三条: 有关单位 pass opinions on; the
#: street, community and compound party organizations send feedback; 三方 report news).
SENDER_KINDS: dict[str, frozenset[str]] = {
    Kind.PROGRESS: THREE_PARTIES,
    Kind.URGENT: THREE_PARTIES | {OrgKind.COMPOUND_PARTY},
    Kind.OPINIONS: frozenset(OrgKind) - {OrgKind.JOINT_MEETING_OFFICE},
    Kind.FEEDBACK: PARTY_ORGS,
    Kind.NEW_SITUATION: THREE_PARTIES,
}
#: Addressed by default (the sender itself is never addressed).
DEFAULT_RECIPIENT_KINDS: dict[str, frozenset[str]] = {
    Kind.PROGRESS: THREE_PARTIES | {OrgKind.COMPOUND_PARTY},
    Kind.URGENT: THREE_PARTIES | {OrgKind.COMPOUND_PARTY},
    Kind.OPINIONS: THREE_PARTIES | {OrgKind.COMPOUND_PARTY},
    Kind.FEEDBACK: THREE_PARTIES,
    Kind.NEW_SITUATION: frozenset({OrgKind.COMPOUND_PARTY, OrgKind.COMMUNITY_PARTY}),
}


def _refuse(field: str, message, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def acting_organizations(*, actor, compound) -> list[Organization]:
    """The compound's bodies in which ``actor`` holds a staff seat today (one query)."""
    if not getattr(actor, "is_authenticated", False):
        return []
    orgs = compound_organizations(compound=compound)
    if actor.is_superuser:
        return list(orgs.order_by("kind", "pk"))
    seats = Membership.objects.current().filter(person=actor, role__in=STAFF_ROLES)
    return list(orgs.filter(memberships__in=seats).distinct().order_by("kind", "pk"))


def sender_kinds_for(kind: str) -> frozenset[str]:
    return SENDER_KINDS.get(kind, frozenset())


def _check_sender(actor, compound, sender: Organization, kind: str) -> None:
    if kind not in Kind.values:
        raise _refuse("kind", _("Choose what kind of briefing this is."), "kind")
    if sender not in acting_organizations(actor=actor, compound=compound):
        raise PermissionDenied(gettext("You may only send briefings for a body you serve in."))
    if sender.kind not in sender_kinds_for(kind):
        raise _refuse(
            "sender",
            _("%(body)s does not send this kind of briefing.")
            % {"body": sender.get_kind_display()},
            "sender_kind",
        )


def _recipients(compound, sender, kind: str, chosen: Iterable[Organization] | None):
    bodies = {o.pk: o for o in compound_organizations(compound=compound)}
    if chosen:
        picked = [o for o in dict.fromkeys(chosen) if o.pk != sender.pk]
        strangers = [o for o in picked if o.pk not in bodies]
        if strangers:
            raise _refuse(
                "recipients",
                _("Address only bodies that act for this compound."),
                "recipient_scope",
            )
    else:
        wanted = DEFAULT_RECIPIENT_KINDS[kind]
        picked = [o for o in bodies.values() if o.kind in wanted and o.pk != sender.pk]
    if kind == Kind.FEEDBACK:
        picked = [o for o in picked if o.kind in THREE_PARTIES]
    if not picked:
        raise _refuse("recipients", _("Choose at least one body to tell."), "required")
    return sorted(picked, key=lambda o: (o.kind, o.pk))


def _respond_by(kind: str, respond_by: dt.date | None) -> dt.date | None:
    if kind != Kind.FEEDBACK:
        return None
    if respond_by is None:
        raise _refuse(
            "respond_by", _("Feedback needs the date by which the parties answer."), "required"
        )
    if respond_by <= timezone.localdate():
        raise _refuse("respond_by", _("The answer date must be after today."), "past")
    return respond_by


def briefing_send(
    *,
    actor,
    compound,
    sender: Organization,
    kind: str,
    title: str,
    body: str,
    recipients: Iterable[Organization] | None = None,
    public: bool = False,
    respond_by: dt.date | None = None,
) -> Briefing:
    """Send a briefing: one row per addressed body, an event, and each body told at once.

    Urgent briefings ("重要紧急信息须第一时间通报并联动处置") go out in the same
    transaction as every other notice, straight to the inbox, e-mail and group robot of
    each addressed body, and each body acknowledges them. Opinions are public ("及居民").
    """
    _check_sender(actor, compound, sender, kind)
    title = clean_text(title, field="title", max_length=TITLE_MAX)
    body = clean_text(body, field="body", max_length=BODY_MAX)
    addressed = _recipients(compound, sender, kind, recipients)
    due = _respond_by(kind, respond_by)
    with transaction.atomic():
        briefing = Briefing.objects.create(
            compound=compound,
            kind=kind,
            sender=sender,
            author=actor if getattr(actor, "pk", None) else None,
            title=title,
            body=body,
            public=bool(public) or kind == Kind.OPINIONS,
            respond_by=due,
        )
        BriefingRecipient.objects.bulk_create(
            BriefingRecipient(briefing=briefing, organization=o) for o in addressed
        )
        record_event(BriefingEvent, actor=actor, verb="sent", briefing=briefing, note=kind)
        _tell(briefing, addressed)
    return briefing


def _tell(briefing: Briefing, addressed: list[Organization]) -> None:
    link = reverse("briefings:detail", args=[briefing.pk])
    # The kind leads the subject: 紧急通报 is seen first in an inbox (第一条 "第一时间").
    subject = gettext("%(kind)s: %(title)s") % {
        "kind": briefing.get_kind_display(),
        "title": briefing.title,
    }
    body = gettext("%(sender)s: %(body)s") % {
        "sender": briefing.sender.name,
        "body": briefing.body[:500],
    }
    for organization in addressed:
        notify_organization(organization=organization, subject=subject, body=body, link=link)


def _recipient_for(actor, recipient: BriefingRecipient) -> BriefingRecipient:
    """The row locked, if ``actor`` holds a staff seat in its organization today."""
    locked = lock(recipient, related=("briefing", "organization"))
    serves = getattr(actor, "is_superuser", False) or (
        getattr(actor, "is_authenticated", False)
        and Membership.objects.current()
        .filter(person=actor, organization=locked.organization, role__in=STAFF_ROLES)
        .exists()
    )
    if not serves:
        raise PermissionDenied(gettext("Only the addressed body answers for itself."))
    return locked


def briefing_acknowledge(*, actor, recipient: BriefingRecipient) -> BriefingRecipient:
    """The addressed body has read it and acts (联动处置). Once; a second time is a no-op."""
    with transaction.atomic():
        locked = _recipient_for(actor, recipient)
        if locked.acknowledged_at is None:
            locked.acknowledged_at = timezone.now()
            locked.acknowledged_by = actor
            locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
            record_event(
                BriefingEvent,
                actor=actor,
                verb="acknowledged",
                briefing=locked.briefing,
                note=locked.organization.name,
            )
    return sync(recipient, locked)


def briefing_respond(*, actor, recipient: BriefingRecipient, response: str) -> BriefingRecipient:
    """What the party did with the feedback (三方应及时研究办理); it also acknowledges."""
    response = clean_text(response, field="response", max_length=RESPONSE_MAX, min_length=5)
    with transaction.atomic():
        locked = _recipient_for(actor, recipient)
        if not locked.briefing.needs_response:
            raise _refuse("response", _("Only feedback asks what was done."), "no_response")
        if locked.responded_at is not None:
            raise _refuse("response", _("This body has already said what it did."), "answered")
        now = timezone.now()
        locked.response, locked.responded_at, locked.responded_by = response, now, actor
        if locked.acknowledged_at is None:
            locked.acknowledged_at, locked.acknowledged_by = now, actor
        locked.save()
        record_event(
            BriefingEvent,
            actor=actor,
            verb="responded",
            briefing=locked.briefing,
            note=locked.organization.name,
        )
        notify_organization(
            organization=locked.briefing.sender,
            subject=gettext("%(body)s answered: %(title)s")
            % {"body": locked.organization.name, "title": locked.briefing.title},
            body=response[:500],
            link=reverse("briefings:detail", args=[locked.briefing.pk]),
        )
    return sync(recipient, locked)


def briefings_scan_answers(*, today: dt.date | None = None) -> dict[str, int]:
    """Feedback still unanswered: on its answer date the addressed body is reminded, the
    day after both it and the sender are told it is overdue — each once (a unique alarm
    row per body and stage), however often the daily beat runs."""
    today = today or timezone.localdate()
    waiting = BriefingRecipient.objects.filter(
        briefing__kind=Kind.FEEDBACK, responded_at__isnull=True, briefing__respond_by__lte=today
    ).select_related("briefing__sender", "organization")
    told = {BriefingAlarm.Stage.DUE_SOON: 0, BriefingAlarm.Stage.OVERDUE: 0}
    for row in waiting:
        stage = (
            BriefingAlarm.Stage.OVERDUE
            if row.briefing.respond_by < today
            else BriefingAlarm.Stage.DUE_SOON
        )
        with transaction.atomic():
            _, created = BriefingAlarm.objects.get_or_create(recipient=row, stage=stage)
            if not created:
                continue
            _tell_waiting(row, stage)
        told[stage] += 1
    return {str(stage): count for stage, count in told.items()}


def _tell_waiting(row: BriefingRecipient, stage: str) -> None:
    briefing = row.briefing
    link = reverse("briefings:detail", args=[briefing.pk])
    params = {"title": briefing.title, "date": briefing.respond_by.isoformat()}
    if stage == BriefingAlarm.Stage.DUE_SOON:
        subject = gettext("Answer due today: %(title)s") % params
        notify_organization(organization=row.organization, subject=subject, body="", link=link)
        return
    subject = gettext("Not answered by %(date)s: %(title)s") % params
    body = gettext("%(body)s has not said what it did.") % {"body": row.organization.name}
    for organization in (row.organization, briefing.sender):
        notify_organization(organization=organization, subject=subject, body=body, link=link)
    record_event(
        BriefingEvent, actor=None, verb="overdue", briefing=briefing, note=row.organization.name
    )
