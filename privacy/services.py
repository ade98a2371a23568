"""A resident's rights over their personal information (个人信息保护法 arts. 44–47).

* art. 44/45 — to know and to copy: :func:`person_data` (what the portal holds) and
  :func:`person_export` (a zip of JSON plus the photos they uploaded);
* art. 46 — to correct: :func:`person_correct`;
* art. 47 — to delete, and to withdraw consent: :func:`person_delete`,
  :func:`consent_withdraw`.

Only the person themself acts on their own data (``actor == person``). Every request
leaves a :class:`~privacy.models.PrivacyEvent`. Deletion anonymises rather than erases
what must stay a public record (complaints keep their text, the reporter is removed) and
is refused, with the reason, while the rules need the person on a record that is still
open (a ballot in an owners' vote that is open; an objection to a published disclosure
awaiting its answer; a published disclosure they wrote).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.state import clean_text
from privacy.models import Consent, ContactAccess, PrivacyEvent

#: The privacy notice in force (bump when templates/privacy/notice.html changes).
NOTICE_VERSION = "2026-12"
#: An export is built at most once per person in this window (a replayed request
#: gets the same clear answer, not a second zip).
EXPORT_INTERVAL = timedelta(minutes=10)
NAME_MAX = 50


def _own(actor, person) -> None:
    if actor is None or person is None or actor.pk != person.pk:
        raise PermissionDenied


# --- consents ------------------------------------------------------------------------


def consent_record(*, person, purpose: str) -> Consent:
    return Consent.objects.create(person=person, purpose=purpose, notice_version=NOTICE_VERSION)


def notice_accepted_at_registration(sender, *, person, **kwargs) -> None:
    """Receiver of ``person_registered``: registering accepts the privacy notice it links."""
    consent_record(person=person, purpose=Consent.Purpose.PRIVACY_NOTICE)


def consents_current(*, person) -> list[dict]:
    """The consents a resident can see and withdraw, including the implied ones."""
    from huashan.notify.services import sms_categories

    rows = [
        {
            "purpose": c.purpose,
            "label": c.get_purpose_display(),
            "granted_at": c.granted_at,
            "withdrawn_at": c.withdrawn_at,
            "version": c.notice_version,
        }
        for c in Consent.objects.filter(person=person)
    ]
    if sms_categories(person):
        rows.append(
            {
                "purpose": Consent.Purpose.SMS_NOTICES,
                "label": Consent.Purpose.SMS_NOTICES.label,
                "granted_at": None,
                "withdrawn_at": None,
                "version": "",
            }
        )
    from issues.models import Issue

    if Issue.objects.filter(reporter=person, share_identity=True).exists():
        rows.append(
            {
                "purpose": Consent.Purpose.SHARE_IDENTITY,
                "label": Consent.Purpose.SHARE_IDENTITY.label,
                "granted_at": None,
                "withdrawn_at": None,
                "version": "",
            }
        )
    return rows


def consent_withdraw(*, actor, person, purpose: str) -> None:
    """Withdraw a consent (art. 15); the processing it allowed stops from now on.

    ``sms_notices`` clears the SMS choices; ``share_identity`` hides the reporter from
    the party complained about on every complaint of theirs. Withdrawing the privacy
    notice itself means leaving: that is :func:`person_delete`.
    """
    _own(actor, person)
    if purpose not in (Consent.Purpose.SMS_NOTICES, Consent.Purpose.SHARE_IDENTITY):
        raise ValidationError(
            _("To withdraw your acceptance of the privacy notice, delete your account below."),
            code="purpose",
        )
    from huashan.notify.models import SmsPreference
    from issues.models import Issue

    now = timezone.now()
    with transaction.atomic():
        if purpose == Consent.Purpose.SMS_NOTICES:
            SmsPreference.objects.filter(person=person).update(categories=[])
        else:
            Issue.objects.filter(reporter=person, share_identity=True).update(share_identity=False)
        Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True).update(
            withdrawn_at=now
        )
        PrivacyEvent.objects.create(
            person=person, actor=actor, verb="consent_withdrawn", note=purpose
        )


# --- staff looking at contact details ------------------------------------------------


def contact_viewed_on_issue(*, viewer, issue) -> None:
    """Log that ``viewer`` was shown the reporter's name and number on ``issue``."""
    if not (issue.reporter_id or issue.reporter_phone):
        return
    ContactAccess.objects.create(
        person_id=issue.reporter_id, viewer=viewer, where=f"issue:{issue.tracking_number}"
    )


# --- what the portal holds -----------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def person_data(*, person) -> dict:
    """Everything the portal holds about ``person``, as JSON-ready data (nobody else's).

    Ballots appear as the fact (which vote, when, how) — never the choice; anonymous
    evaluation ballots are not linked to anyone and so cannot appear.
    """
    from huashan.notify.services import sms_categories

    return {
        "account": _account_data(person),
        "residencies": _residencies_data(person),
        "memberships": _memberships_data(person),
        "complaints": _complaints_data(person),
        "ballots_cast": _ballots_data(person),
        "notifications": _notifications_data(person),
        "sms_choices": sorted(sms_categories(person)),
        "consents": [
            {
                "purpose": c["purpose"],
                "label": str(c["label"]),
                "granted_at": _iso(c["granted_at"]),
                "withdrawn_at": _iso(c["withdrawn_at"]),
            }
            for c in consents_current(person=person)
        ],
        "contact_details_seen_by": [
            {"by": a.viewer.name if a.viewer else "", "where": a.where, "at": _iso(a.at)}
            for a in ContactAccess.objects.filter(person=person).select_related("viewer")
        ],
        "account_history": _account_history_data(person),
    }


def _account_data(person) -> dict:
    return {
        "mobile": person.mobile,
        "name": person.name,
        "email": person.email,
        "date_joined": _iso(getattr(person, "date_joined", None)),
        "last_login": _iso(person.last_login),
        "has_password": person.has_usable_password(),
    }


def _residencies_data(person) -> list[dict]:
    from huashan.directory.models import Residency

    residencies = Residency.objects.filter(person=person).select_related(
        "household__building__compound"
    )
    return [
        {
            "household": str(r.household),
            "compound": str(r.household.building.compound),
            "relation": r.get_relation_display(),
            "status": r.get_status_display(),
        }
        for r in residencies
    ]


def _memberships_data(person) -> list[dict]:
    from huashan.directory.models import Membership

    memberships = Membership.objects.filter(person=person).select_related("organization")
    return [
        {
            "organization": str(m.organization),
            "role": m.get_role_display(),
            "start": _iso(m.start),
            "end": _iso(m.end),
        }
        for m in memberships
    ]


def _complaints_data(person) -> list[dict]:
    from issues.models import Issue

    issues = Issue.objects.filter(reporter=person).select_related("category", "compound")
    return [
        {
            "tracking_number": i.tracking_number,
            "category": str(i.category),
            "status": i.get_status_display(),
            "description": i.description,
            "location": getattr(i, "location", ""),
            "reporter_name": i.reporter_name,
            "reporter_phone": i.reporter_phone,
            "share_identity": i.share_identity,
            "created_at": _iso(i.created_at),
        }
        for i in issues
    ]


def _ballots_data(person) -> list[dict]:
    """Which vote, when and how — never the choice."""
    from meetings.models import MotionVote

    votes = MotionVote.objects.filter(voter=person).select_related("motion")
    return [
        {
            "vote": v.motion.title,
            "cast_at": _iso(v.cast_at),
            "channel": v.get_channel_display(),
        }
        for v in votes
    ]


def _notifications_data(person) -> list[dict]:
    from huashan.notify.models import Notification

    notifications = Notification.objects.filter(recipient=person).order_by("-created_at")
    return [
        {
            "channel": n.get_channel_display(),
            "subject": n.subject,
            "body": n.body,
            "created_at": _iso(n.created_at),
            "status": n.get_status_display(),
        }
        for n in notifications
    ]


def _account_history_data(person) -> list[dict]:
    from huashan.accounts.models import AccountEvent

    return [
        {"what": str(e.phrase), "at": _iso(e.at)}
        for e in AccountEvent.objects.filter(person=person)
    ]


class ExportTooSoon(Exception):
    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


def person_export(*, actor, person) -> bytes:
    """A zip: ``data.json`` (:func:`person_data`) and the photos of their complaints."""
    from issues.models import IssuePhoto

    _own(actor, person)
    now = timezone.now()
    with transaction.atomic():
        recent = PrivacyEvent.objects.filter(
            person=person, verb="exported", at__gt=now - EXPORT_INTERVAL
        ).exists()
        if recent:
            raise ExportTooSoon(int(EXPORT_INTERVAL.total_seconds() // 60))
        PrivacyEvent.objects.create(person=person, actor=actor, verb="exported")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(person_data(person=person), ensure_ascii=False, indent=2)
        )
        photos = IssuePhoto.objects.filter(
            issue__reporter=person, stage=IssuePhoto.Stage.REPORT
        ).select_related("issue")
        for photo in photos:
            try:
                with photo.image.open("rb") as handle:
                    archive.writestr(
                        f"photos/{photo.issue.tracking_number}-{photo.token}.jpg", handle.read()
                    )
            except (FileNotFoundError, ValueError, OSError):
                continue
    return buffer.getvalue()


# --- correcting ----------------------------------------------------------------------


def person_correct(*, actor, person, name: str, email: str):
    """Correct one's name and e-mail address (art. 46); the number is the login itself."""
    _own(actor, person)
    name = clean_text(name, field="name", max_length=NAME_MAX, required=True)
    email = (email or "").strip()
    with transaction.atomic():
        before = f"{person.name} / {person.email}"
        person.name, person.email = name, email
        person.full_clean(exclude=["password", "mobile"])
        person.save(update_fields=["name", "email"])
        PrivacyEvent.objects.create(person=person, actor=actor, verb="corrected", note=before)
    return person


# --- deleting ------------------------------------------------------------------------


def deletion_blockers(*, person) -> list[str]:
    """Why the records the person is on must still be kept (empty: deletion may go ahead)."""
    from disclosures.models import Disclosure, Objection
    from meetings.models import MotionVote, OwnersAssemblyMotion

    reasons = []
    open_votes = MotionVote.objects.filter(
        voter=person, motion__stage=OwnersAssemblyMotion.Stage.VOTING
    ).select_related("motion")
    for vote in open_votes:
        reasons.append(
            str(
                _(
                    "You voted in the owners' vote “%(title)s”, which is still open. The "
                    "ballot must be kept with your name until the vote is counted and "
                    "published (rules of the owners' assembly). Ask again after the result."
                )
            )
            % {"title": vote.motion.title}
        )
    if Objection.objects.filter(
        objector=person,
        state=Objection.State.OPEN,
        disclosure__state=Disclosure.State.PUBLISHED,
    ).exists():
        reasons.append(
            str(
                _(
                    "Your objection to a published disclosure is waiting for its answer; the "
                    "answer must reach you. Ask again once it has been answered."
                )
            )
        )
    if Disclosure.objects.filter(created_by=person, state=Disclosure.State.PUBLISHED).exists():
        reasons.append(
            str(
                _(
                    "You published a disclosure that is still on the public board; the "
                    "record of who published it must be kept while it is shown."
                )
            )
        )
    return reasons


def person_delete(*, actor, person) -> None:
    """Delete the account: anonymise, end memberships, keep the public records.

    Raises ``ValidationError`` listing the reasons when :func:`deletion_blockers` finds
    any. Otherwise, in one transaction: complaints keep their text and timeline but lose
    the reporter (account, name, number, identity sharing); memberships end today;
    notifications, SMS choices, consents and sign-in codes go; the account is disabled,
    its name becomes "已注销用户" and its number a placeholder that can never sign in,
    so the same number can register afresh.
    """
    from huashan.accounts.models import SignInCode
    from huashan.directory.models import Membership, Person
    from huashan.notify.models import Notification, SmsPreference
    from issues.models import Issue

    _own(actor, person)
    reasons = deletion_blockers(person=person)
    if reasons:
        PrivacyEvent.objects.create(
            person=person, actor=actor, verb="deletion_refused", note="\n".join(reasons)
        )
        raise ValidationError(reasons, code="must_keep")
    today = timezone.localdate()
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        mobile = locked.mobile
        Issue.objects.filter(reporter=locked).update(
            reporter=None, reporter_name="", reporter_phone="", share_identity=False
        )
        Membership.objects.filter(person=locked).filter(end__isnull=True).update(end=today)
        Membership.objects.filter(person=locked, end__gt=today).update(end=today)
        Notification.objects.filter(recipient=locked).delete()
        SmsPreference.objects.filter(person=locked).delete()
        Consent.objects.filter(person=locked).delete()
        SignInCode.objects.filter(mobile=mobile).delete()
        Person.objects.filter(pk=locked.pk).update(
            name=str(_("Deleted user")),
            email="",
            mobile=f"0{locked.pk:010d}"[-11:],
            is_active=False,
            password=make_password(None),
        )
        PrivacyEvent.objects.create(person=locked, actor=None, verb="deleted")
    if getattr(settings, "PRIVACY_LOG_DELETIONS", True):
        import logging

        logging.getLogger(__name__).info("person %s deleted their account", person.pk)
