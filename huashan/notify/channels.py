"""How one notification leaves the building: e-mail, group-robot webhook and SMS.

Each sender raises :class:`PermanentDeliveryError` when retrying cannot help
(no address on file) and any other exception for a transient failure (SMTP or
HTTP trouble), which the outbox retries with backoff.
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from .models import Notification

WEBHOOK_TIMEOUT_SECONDS = 5
# WeCom group robots reject text content longer than 2048 UTF-8 bytes.
WEBHOOK_MAX_CONTENT_BYTES = 2048


class PermanentDeliveryError(Exception):
    """Retrying will not help; the row goes straight to failed."""


class WebhookRejectedError(Exception):
    """The robot answered, but with an error code (rate limit, bad key...)."""


def absolute_link(link: str) -> str:
    """Messages leave the site: a local path needs the site's address in front."""
    if link.startswith("/") and not link.startswith("//"):
        return getattr(settings, "HUASHAN_SITE_URL", "").rstrip("/") + link
    return link


def send_email(notification: Notification) -> None:
    recipient = notification.recipient
    if recipient is None or not recipient.email:
        raise PermanentDeliveryError("recipient has no e-mail address")
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(
            "emails/notification.txt",
            {"notification": notification, "link": absolute_link(notification.link)},
        )
    send_mail(
        subject=notification.subject,
        message=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[recipient.email],
        fail_silently=False,
    )


def webhook_content(notification: Notification) -> str:
    parts = [notification.subject, notification.body, absolute_link(notification.link)]
    content = "\n".join(part for part in parts if part)
    encoded = content.encode("utf-8")
    if len(encoded) > WEBHOOK_MAX_CONTENT_BYTES:
        content = encoded[: WEBHOOK_MAX_CONTENT_BYTES - 3].decode("utf-8", "ignore") + "…"
    return content


def send_webhook(notification: Notification) -> None:
    organization = notification.organization
    url = organization.webhook_url if organization is not None else ""
    if not url:
        raise PermanentDeliveryError("organization has no webhook URL")
    # urllib also opens file:// and ftp:// URLs; only ever POST over HTTP(S).
    if urlsplit(url).scheme not in ("http", "https"):
        raise PermanentDeliveryError("webhook URL is not http(s)")
    payload = {"msgtype": "text", "text": {"content": webhook_content(notification)}}
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        raw = response.read(65536)
    # WeCom and DingTalk answer HTTP 200 with {"errcode": 0} on success.
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return
    if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
        raise WebhookRejectedError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


def send_sms(notification: Notification) -> None:
    """Send the row's template through the configured SMS gateway (issue 21 item 2).

    The provider's answer is stored on the row, success or not. A template, sign-name
    or number error is permanent (straight to failed); a timeout or a refused
    connection is transient and the outbox retries it like any other channel.
    """
    from .sms import SmsRejected, sms_send

    recipient = notification.recipient
    mobile = notification.mobile or (recipient.mobile if recipient is not None else "")
    if not mobile:
        raise PermanentDeliveryError("no mobile number")
    if recipient is not None and not recipient.is_active:
        raise PermanentDeliveryError("the account is disabled")
    try:
        answer = sms_send(mobile=mobile, kind=notification.sms_kind, params=notification.sms_params)
    except SmsRejected as exc:
        _store_answer(notification, {"error": str(exc), **exc.answer})
        if exc.permanent:
            raise PermanentDeliveryError(str(exc)) from exc
        raise
    except ValueError as exc:  # an unknown message kind
        raise PermanentDeliveryError(str(exc)) from exc
    except Exception as exc:
        _store_answer(notification, {"error": f"{type(exc).__name__}: {exc}"})
        raise
    _store_answer(notification, answer)


def _store_answer(notification: Notification, answer: dict) -> None:
    Notification.objects.filter(pk=notification.pk).update(gateway_answer=answer)


SENDERS = {
    Notification.Channel.EMAIL: send_email,
    Notification.Channel.WEBHOOK: send_webhook,
    Notification.Channel.SMS: send_sms,
}
