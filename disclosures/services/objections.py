"""Owners' objections to a disclosure and the publisher's answers, with their deadline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan import workdays
from huashan.core.services import require_perm as _require
from huashan.core.state import lock, record_event, sync
from huashan.notify.services import notify_person

from ..models import (
    Disclosure,
    Objection,
    ObjectionEvent,
)
from .common import (
    ANSWER_MAX_CHARS,
    ANSWER_MIN_CHARS,
    OBJECTION_MAX_CHARS,
    OBJECTION_MIN_CHARS,
    OBJECTIONS_PER_OWNER,
    DisclosureStateError,
    State,
    _locked,
    _notify_org,
    _party_org,
    _text,
    disclosure_link,
)

# --- objections ---------------------------------------------------------------------


def _objection_event(objection: Objection, *, actor, verb: str, from_state="", to_state=""):
    """One row of the objection's history (the state kit's ``record_event``)."""
    return record_event(
        ObjectionEvent,
        objection=objection,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
    )


def objection_policy() -> workdays.DeadlinePolicy:
    """Deadline policy for answering an objection (default 7 working days; setting
    ``HUASHAN_OBJECTION_ANSWER_POLICY`` names another ``huashan.workdays`` policy code)."""
    code = getattr(settings, "HUASHAN_OBJECTION_ANSWER_POLICY", "feedback_7_working_days")
    return workdays.policy_by_code(code)


def objection_file(*, actor, disclosure: Disclosure, body: str) -> Objection:
    """A verified owner objects to a posted disclosure (seed: 公示承诺制度 第三条).

    Accepted only while the disclosure is posted (see module docstring).
    """
    person = _require(
        actor,
        "disclosures.file_objection",
        disclosure,
        _("Only verified owners of this compound can object to its disclosures."),
    )
    body = _text(
        body,
        field_name="body",
        max_length=OBJECTION_MAX_CHARS,
        min_length=OBJECTION_MIN_CHARS,
    )
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(disclosure)
        if locked.state == State.SUPERSEDED:
            raise DisclosureStateError(
                _("This version was replaced by a correction; object to the current version."),
                code="superseded",
            )
        if locked.state != State.PUBLISHED:
            raise DisclosureStateError(
                _(
                    "This disclosure is no longer posted, so objections are closed. "
                    "If the matter still concerns you, please report it as a complaint."
                ),
                code="not_posted",
            )
        if (
            Objection.objects.filter(disclosure=locked, objector=person).count()
            >= OBJECTIONS_PER_OWNER
        ):
            raise ValidationError(
                {
                    "body": [
                        _("You have already filed %(max)d objections to this disclosure.")
                        % {"max": OBJECTIONS_PER_OWNER}
                    ]
                }
            )
        objection = Objection.objects.create(
            disclosure=locked,
            objector=person,
            body=body,
            created_at=now,
            answer_due=workdays.deadline(now, objection_policy()),
        )
        _objection_event(objection, actor=person, verb="filed", to_state=Objection.State.OPEN)
        _notify_org(
            locked.organization,
            subject=gettext("New objection to “%(title)s”") % {"title": locked.title},
            body=gettext("Please answer by %(due)s.")
            % {"due": workdays.format_deadline(objection.answer_due)},
            link=disclosure_link(locked),
        )
    return objection


def objection_answer(*, actor, objection: Objection, answer: str) -> Objection:
    """The publisher answers an objection; the answer is public (第三条 "应当答复")."""
    person = _require(
        actor,
        "disclosures.answer_objection",
        objection,
        _("You may not answer objections to this disclosure."),
    )
    answer = _text(
        answer, field_name="answer", max_length=ANSWER_MAX_CHARS, min_length=ANSWER_MIN_CHARS
    )
    with transaction.atomic():
        locked = lock(objection, related=("disclosure", "objector"))
        if locked.state != Objection.State.OPEN:
            raise ValidationError(
                _("This objection has already been answered."), code="already_answered"
            )
        locked.state = Objection.State.ANSWERED
        locked.answer = answer
        locked.answered_by = person
        locked.answered_at = timezone.now()
        locked.save(update_fields=["state", "answer", "answered_by", "answered_at"])
        _objection_event(
            locked,
            actor=person,
            verb="answered",
            from_state=Objection.State.OPEN,
            to_state=Objection.State.ANSWERED,
        )
        notify_person(
            person=locked.objector,
            subject=gettext("Your objection to “%(title)s” was answered")
            % {"title": locked.disclosure.title},
            body=answer[:500],
            link=disclosure_link(locked.disclosure),
        )
    return sync(objection, locked)


def objections_scan_overdue(*, now: dt.datetime | None = None) -> int:
    """Tell the compound party organization about unanswered objections past their deadline.

    Once per objection: compare-and-set on ``overdue_notified_at`` (STYLE.md, healthchecks).
    """
    now = now or timezone.now()
    candidates = list(
        Objection.objects.filter(
            state=Objection.State.OPEN, answer_due__lt=now, overdue_notified_at__isnull=True
        )
        .select_related("disclosure__compound", "disclosure__organization")
        .order_by("answer_due")[:500]
    )
    done = 0
    for objection in candidates:
        with transaction.atomic():
            claimed = Objection.objects.filter(
                pk=objection.pk, state=Objection.State.OPEN, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=now)
            if claimed != 1:
                continue
            _objection_event(objection, actor=None, verb="overdue")
            disclosure = objection.disclosure
            _notify_org(
                _party_org(disclosure.compound),
                subject=gettext("Objection not answered in time: “%(title)s”")
                % {"title": disclosure.title},
                body=gettext("%(org)s has not answered an objection due %(due)s.")
                % {
                    "org": disclosure.organization.name,
                    "due": workdays.format_deadline(objection.answer_due),
                },
                link=disclosure_link(disclosure),
            )
            done += 1
    return done
