"""SMS codes: sign in without a password, verify a number at registration (issue 21 item 1).

Why our own small service and not django-allauth's login-by-code: docs/accounts.md.

Rules (settings ``SMS_CODE_*``):

* one code per number every ``SMS_CODE_INTERVAL_SECONDS`` (60 s), at most
  ``SMS_CODE_DAILY_LIMIT`` (10) per number in 24 hours, and at most
  ``SMS_CODE_ADDRESS_LIMIT`` (20) requests per client address per hour — counted in the
  database (the :class:`SignInCode` rows), so a cache outage lifts no limit;
* a code lives ``SMS_CODE_TTL_MINUTES`` (5) minutes, only the newest one counts, it is
  used once and dies after ``SMS_CODE_MAX_TRIES`` (5) wrong tries;
* the answer is the same whether or not the number has an account: a sign-in code for
  an unknown number is recorded (so the limits apply alike) but no message goes out;
* signing in with a code goes through ``django.contrib.auth.authenticate`` with the
  number as ``username``, so django-axes locks a number + address after failures and
  ``throttle.AddressThrottleBackend`` refuses a locked-out address, as for passwords.
"""

from __future__ import annotations

import enum
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from huashan.accounts.models import SignInCode
from huashan.core.clientip import client_ip
from huashan.directory.models import Person

logger = logging.getLogger(__name__)

CODE_LENGTH = 6
_CODE_RE = re.compile(r"^\d{6}$")
ADDRESS_WINDOW = timedelta(hours=1)
DAY = timedelta(hours=24)

Purpose = SignInCode.Purpose


def interval() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "SMS_CODE_INTERVAL_SECONDS", 60)))


def daily_limit() -> int:
    return int(getattr(settings, "SMS_CODE_DAILY_LIMIT", 10))


def address_limit() -> int:
    return int(getattr(settings, "SMS_CODE_ADDRESS_LIMIT", 20))


def ttl() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "SMS_CODE_TTL_MINUTES", 5)))


def max_tries() -> int:
    return int(getattr(settings, "SMS_CODE_MAX_TRIES", 5))


def code_hash(*, mobile: str, purpose: str, code: str) -> str:
    return salted_hmac("huashan.accounts.codes", f"{mobile}:{purpose}:{code}").hexdigest()


class CodeThrottled(Exception):
    """A limit refuses this request; ``message`` says when to try again (in Chinese)."""

    def __init__(self, message, *, retry_after: int):
        super().__init__(str(message))
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class CodeRequested:
    row: SignInCode
    code: str


def _lock_number(mobile: str) -> None:
    """Serialise requests for one number (two tabs pressing "send" at once)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sms-code:{mobile}"])


def code_request(*, request, mobile: str, purpose: str) -> CodeRequested:
    """Record a new code for ``mobile`` and send it; raise :class:`CodeThrottled` if limited.

    Sends to a registered, active number for sign-in and to any number for registration
    (the person holding that phone is the only one who can read it).
    """
    if purpose not in Purpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    now = timezone.now()
    address = client_ip(request) if request is not None else None
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    with transaction.atomic():
        _lock_number(mobile)
        if address and (
            SignInCode.objects.filter(address=address, created_at__gt=now - ADDRESS_WINDOW).count()
            >= address_limit()
        ):
            raise CodeThrottled(
                _("Too many codes were requested from your network. Please try again in an hour."),
                retry_after=int(ADDRESS_WINDOW.total_seconds()),
            )
        recent = list(
            SignInCode.objects.filter(mobile=mobile, created_at__gt=now - DAY).values_list(
                "created_at", flat=True
            )
        )
        if recent:
            wait = max(recent) + interval() - now
            if wait > timedelta(0):
                seconds = max(int(wait.total_seconds()) + 1, 1)
                raise CodeThrottled(
                    _(
                        "A code was just sent to this number. You can ask for another in "
                        "%(s)s seconds."
                    )
                    % {"s": seconds},
                    retry_after=seconds,
                )
        if len(recent) >= daily_limit():
            raise CodeThrottled(
                _(
                    "Too many codes were sent to this number today. Please try again tomorrow "
                    "or log in with your password."
                ),
                retry_after=int(DAY.total_seconds()),
            )
        deliver = purpose == Purpose.REGISTER or (
            Person.objects.filter(mobile=mobile, is_active=True).exists()
        )
        row = SignInCode.objects.create(
            mobile=mobile,
            purpose=purpose,
            code_hash=code_hash(mobile=mobile, purpose=purpose, code=code),
            address=address,
            created_at=now,
            expires_at=now + ttl(),
            sent=False,
        )
    if deliver:
        _send(row, code)
    return CodeRequested(row=row, code=code)


def _send(row: SignInCode, code: str) -> None:
    """Send at once (a code is worthless in five minutes: no outbox retry); keep the answer."""
    from huashan.notify.sms import SmsRejected, sms_send

    kind = "login_code" if row.purpose == Purpose.LOGIN else "register_code"
    minutes = int(ttl().total_seconds() // 60)
    try:
        answer = sms_send(mobile=row.mobile, kind=kind, params={"code": code, "minutes": minutes})
    except SmsRejected as exc:
        logger.warning("sign-in code %s: the SMS gateway refused: %s", row.pk, exc)
        answer, sent = {"error": str(exc), **exc.answer}, False
    except Exception as exc:  # timeouts, refused connections: the user asks again
        logger.warning("sign-in code %s: the SMS gateway failed: %s", row.pk, exc)
        answer, sent = {"error": f"{type(exc).__name__}: {exc}"}, False
    else:
        sent = True
    SignInCode.objects.filter(pk=row.pk).update(sent=sent, gateway_answer=answer)


class CodeCheck(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"


CHECK_MESSAGES = {
    CodeCheck.WRONG: _("The code is not right. Check the SMS and type the 6 digits again."),
    CodeCheck.EXPIRED: _("This code has expired or was typed wrong too often. Ask for a new code."),
}


def code_check(*, mobile: str, purpose: str, code: str) -> CodeCheck:
    """Use the newest code of ``mobile`` for ``purpose``: OK once, then never again."""
    code = "".join(str(code or "").split())
    now = timezone.now()
    with transaction.atomic():
        row = (
            SignInCode.objects.select_for_update()
            .filter(mobile=mobile, purpose=purpose)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None or row.used_at is not None or row.expires_at <= now:
            return CodeCheck.EXPIRED
        if row.tries >= max_tries():
            return CodeCheck.EXPIRED
        if _CODE_RE.match(code) and constant_time_compare(
            row.code_hash, code_hash(mobile=mobile, purpose=purpose, code=code)
        ):
            row.used_at = now
            row.save(update_fields=["used_at"])
            return CodeCheck.OK
        row.tries += 1
        row.save(update_fields=["tries"])
        return CodeCheck.EXPIRED if row.tries >= max_tries() else CodeCheck.WRONG


class SmsCodeBackend(BaseBackend):
    """``authenticate(request, username=<mobile>, sms_code=<code>)``: sign in with a code.

    Placed after axes' and the address throttle's backends, so a locked-out number or
    address never reaches the code check. The check's outcome is left on the request
    (``request.sms_code_check``) for the form's message.
    """

    def authenticate(self, request, username=None, sms_code=None, **kwargs):
        if username is None or sms_code is None:
            return None
        result = code_check(mobile=username, purpose=Purpose.LOGIN, code=sms_code)
        if request is not None:
            request.sms_code_check = result
        if result is not CodeCheck.OK:
            return None
        person = Person.objects.filter(mobile=username).first()
        if person is None or not person.is_active:
            return None
        return person

    def get_user(self, user_id):
        person = Person.objects.filter(pk=user_id).first()
        return person if person is not None and person.is_active else None
