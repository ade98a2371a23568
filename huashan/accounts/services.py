"""State changes for accounts: registration, passwords, reset links.

Residency verification itself lives in ``huashan.directory.services``
(``residency_verify`` / ``residency_reject``); views here only call it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from huashan.accounts.models import AccountEvent
from huashan.accounts.signals import person_registered
from huashan.directory.models import Household, Person, Residency, ResidencyEvent

DUPLICATE_MOBILE = _(
    "This mobile number is already registered. Log in instead, or ask the staff to reset "
    "your password."
)


def person_register(
    *, mobile: str, name: str, password: str | None, household: Household, relation: str
) -> Person:
    """A resident signs up and claims a household; staff verify the claim later.

    Creates the person, a ``pending`` residency and its ``registered`` event in
    one transaction. Only verified residents count as owners in votes and
    evaluations (seed: 评议监督考核制度 — 业主评议), hence the pending state.
    Raises ``ValidationError`` (code ``duplicate_mobile``) for a taken number.
    """
    if relation not in Residency.Relation.values:
        raise ValidationError(_("Choose owner, family member or tenant."), code="relation")
    with transaction.atomic():
        if Person.objects.filter(mobile=mobile).exists():
            raise ValidationError(DUPLICATE_MOBILE, code="duplicate_mobile")
        try:
            with transaction.atomic():
                person = Person(mobile=mobile, name=name)
                # No password: the resident signs in with SMS codes only (issue 21).
                person.set_password(password or None)
                person.full_clean(exclude=["password"])
                person.save()
        except IntegrityError as exc:  # a concurrent registration won the race
            raise ValidationError(DUPLICATE_MOBILE, code="duplicate_mobile") from exc
        residency = Residency.objects.create(
            person=person,
            household=household,
            relation=relation,
            status=Residency.Status.PENDING,
        )
        ResidencyEvent.objects.create(
            residency=residency,
            actor=person,
            verb="registered",
            to_state=Residency.Status.PENDING,
        )
        # The registration page links the privacy notice; registering accepts it.
        person_registered.send(sender=Person, person=person)
    return person


def registration_submit(
    *, mobile: str, name: str, password: str | None, household: Household, relation: str
) -> Person | None:
    """The registration form's one answer, whether or not the number is taken.

    A new number registers (:func:`person_register`) and returns the person. A taken
    number changes nothing and returns None: its owner is told instead
    (:func:`registration_attempt_alert`), so the page cannot be used to find out who
    has an account (issue 14 item 7: it used to say "该手机号已注册"). The password is
    hashed either way, so both answers take as long.
    """
    try:
        return person_register(
            mobile=mobile, name=name, password=password, household=household, relation=relation
        )
    except ValidationError as error:
        if error.code != "duplicate_mobile":
            raise
    make_password(password or None)  # the cost of the registration that did not happen
    owner = Person.objects.filter(mobile=mobile).first()
    if owner is not None:
        registration_attempt_alert(owner=owner)
    return None


def registration_attempt_alert(*, owner: Person) -> None:
    """Tell the owner of a number that someone tried to register it again.

    An in-app message, and an e-mail when the person left an address (SMS would go
    here too once a provider is configured); plus an account event, so staff see it.
    """
    from huashan.notify.services import notification_create

    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        AccountEvent.objects.create(
            person=owner, actor=None, verb=AccountEvent.Verb.REGISTRATION_ATTEMPTED
        )
        if not owner.is_active:
            return
        subject = gettext("Someone tried to register with your mobile number")
        body = gettext(
            "At %(time)s someone tried to open a new account on the portal with your mobile "
            "number %(mobile)s. Nothing was changed: your account and password are as before. "
            "If it was you, log in with your password; if you forgot it, ask the residents' "
            "committee or the joint-meeting office for a reset link."
        ) % {
            "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "mobile": owner.masked_mobile,
        }
        link = reverse("accounts:login")
        notification_create(recipient=owner, channel="inbox", subject=subject, body=body, link=link)
        if owner.email:
            notification_create(
                recipient=owner,
                channel="email",
                subject=subject,
                body=body,
                link=settings.HUASHAN_SITE_URL.rstrip("/") + link,
            )


def person_password_change(*, actor: Person, person: Person, password: str) -> Person:
    """A logged-in person sets a new password for their own account."""
    if actor.pk != person.pk:
        raise PermissionDenied
    return _password_set(
        actor=actor, person=person, password=password, verb=AccountEvent.Verb.PASSWORD_CHANGED
    )


def person_password_reset_complete(*, person: Person, password: str) -> Person:
    """The person opened a valid reset link (the token proves who they are)."""
    return _password_set(
        actor=person, person=person, password=password, verb=AccountEvent.Verb.PASSWORD_RESET
    )


def _password_set(*, actor: Person, person: Person, password: str, verb: str) -> Person:
    with transaction.atomic():
        person.set_password(password)
        person.save(update_fields=["password"])
        AccountEvent.objects.create(person=person, actor=actor, verb=verb)
    return person


def person_password_reset_link_issue(*, actor: Person, person: Person) -> tuple[str, str]:
    """Staff issue a one-time reset link for a resident who forgot their password.

    Returns ``(uidb64, token)`` for ``accounts:password_reset_confirm``. The
    token is Django's: it stops working once the password changes (one use)
    and after ``PASSWORD_RESET_TIMEOUT``. No password is ever shown to staff.
    The issue is recorded, so taking over an account leaves a trace.
    """
    if not actor.has_perm("accounts.reset_password", person):
        raise PermissionDenied
    if not person.is_active:
        raise ValidationError(_("This account is disabled."), code="inactive")
    with transaction.atomic():
        AccountEvent.objects.create(
            person=person, actor=actor, verb=AccountEvent.Verb.RESET_LINK_ISSUED
        )
    uidb64 = urlsafe_base64_encode(force_bytes(person.pk))
    return uidb64, default_token_generator.make_token(person)


def person_code_login_record(*, person: Person) -> None:
    """An account event for a sign-in with an SMS code (the person sees it in their history)."""
    AccountEvent.objects.create(person=person, actor=person, verb=AccountEvent.Verb.CODE_LOGIN)
