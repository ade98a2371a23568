"""One small SMS gateway interface and its three backends (issue 21 item 2).

Chinese providers send only pre-approved templates under a registered sign name, so
the portal never sends free text by SMS: each *message kind* (:data:`KINDS`) has named
parameters and maps, through settings, to one template id of the provider
(``SMS_TEMPLATES``). The sign name is ``SMS_SIGN_NAME``; the backend is ``SMS_BACKEND``:

* ``console`` (default, development and tests): nothing leaves the machine; each
  message is logged, kept in :data:`console_outbox` and, when ``SMS_FILE_PATH`` is
  set, appended to that file as one JSON line.
* ``aliyun``: Alibaba Cloud SMS ``SendSms`` (API version 2017-05-25) through its
  documented RPC HTTP API, signed with HMAC-SHA1 (signature version 1.0).
* ``tencent``: Tencent Cloud SMS ``SendSms`` (API version 2021-01-11) through its
  documented HTTP API, signed with TC3-HMAC-SHA256.

The official SDKs (``alibabacloud_dysmsapi20170525``, ``tencentcloud-sdk-python-sms``)
were not used: installing them pulls in some twenty further packages (aiohttp,
APScheduler, the Darabonba runtime) and replaces the installed ``cryptography``, all
to send one signed HTTP request; docs/accounts.md "SMS gateway".

:meth:`SmsGateway.send` returns the provider's answer (stored on the notification) or
raises :class:`SmsRejected` (``permanent=True`` when retrying cannot help: a template
or sign-name error, an invalid number) — any other exception (a timeout, a refused
connection) is transient and the outbox retries it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

#: Message kind → its named template parameters, in the order Tencent's positional
#: templates ({1}, {2}) expect them. Alibaba's templates use the names (${code}).
KINDS: dict[str, tuple[str, ...]] = {
    "login_code": ("code", "minutes"),
    "register_code": ("code", "minutes"),
    "notice": ("subject",),
    "tracking": ("number", "status"),
}
#: Providers refuse template variables longer than this (Alibaba: 35 characters).
PARAM_MAX = 35

#: The in-memory record of the console backend (like django.core.mail.outbox).
console_outbox: list[dict] = []


class SmsRejected(Exception):
    """The provider answered with an error; ``answer`` is what it said."""

    def __init__(self, message: str, *, answer: dict | None = None, permanent: bool = False):
        super().__init__(message)
        self.answer = answer or {}
        self.permanent = permanent


@dataclass(frozen=True)
class SmsMessage:
    mobile: str
    kind: str
    params: dict

    def ordered_params(self) -> list[str]:
        return [str(self.params.get(name, "")) for name in KINDS[self.kind]]


def template_id(kind: str) -> str:
    templates = getattr(settings, "SMS_TEMPLATES", {}) or {}
    return str(templates.get(kind, "") or "")


def clip_params(kind: str, params: dict) -> dict:
    """Only the kind's named parameters, each cut to what the providers accept."""
    if kind not in KINDS:
        raise ValueError(f"unknown SMS kind {kind!r}")
    clipped = {}
    for name in KINDS[kind]:
        value = " ".join(str(params.get(name, "")).split())
        clipped[name] = value if len(value) <= PARAM_MAX else value[: PARAM_MAX - 1] + "…"
    return clipped


def timeout_seconds() -> float:
    return float(getattr(settings, "SMS_TIMEOUT_SECONDS", 5))


class SmsGateway:
    name = "base"

    def send(self, message: SmsMessage) -> dict:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsGateway(SmsGateway):
    """Development backend: nothing is sent; the message is logged and recorded."""

    name = "console"

    def send(self, message: SmsMessage) -> dict:
        record = {
            "mobile": message.mobile,
            "kind": message.kind,
            "template": template_id(message.kind),
            "sign_name": getattr(settings, "SMS_SIGN_NAME", ""),
            "params": message.params,
            "at": datetime.now(UTC).isoformat(),
        }
        console_outbox.append(record)
        path = getattr(settings, "SMS_FILE_PATH", "")
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        logger.info("SMS (console) to %s: %s %s", message.mobile, message.kind, message.params)
        return {"backend": "console", "Code": "OK"}


def _post_or_get(request: urllib.request.Request) -> dict:
    with urllib.request.urlopen(request, timeout=timeout_seconds()) as response:
        raw = response.read(65536)
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as exc:
        raise SmsRejected(f"unreadable answer: {raw[:200]!r}") from exc
    return answer if isinstance(answer, dict) else {"answer": answer}


def _check_url(url: str) -> str:
    if urlsplit(url).scheme not in ("http", "https"):
        raise SmsRejected("SMS endpoint is not http(s)", permanent=True)
    return url


# --- Alibaba Cloud -----------------------------------------------------------------

ALIYUN_PERMANENT_CODES = frozenset(
    {
        "isv.SMS_TEMPLATE_ILLEGAL",
        "isv.SMS_SIGNATURE_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.INVALID_PARAMETERS",
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.PARAM_LENGTH_LIMIT",
        "isv.INVALID_JSON_PARAM",
        "isv.TEMPLATE_PARAMS_ILLEGAL",
        "InvalidAccessKeyId.NotFound",
        "SignatureDoesNotMatch",
    }
)


def aliyun_percent(value: str) -> str:
    """Alibaba's RPC percent-encoding (RFC 3986: only A-Z a-z 0-9 - _ . ~ kept)."""
    return quote(str(value), safe="~")


def aliyun_signature(params: dict, secret: str, method: str = "GET") -> str:
    canonical = "&".join(
        f"{aliyun_percent(k)}={aliyun_percent(v)}" for k, v in sorted(params.items())
    )
    to_sign = f"{method}&{aliyun_percent('/')}&{aliyun_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsGateway(SmsGateway):
    name = "aliyun"

    def send(self, message: SmsMessage) -> dict:
        params = {
            "AccessKeyId": settings.ALIYUN_SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": message.mobile,
            "RegionId": getattr(settings, "ALIYUN_SMS_REGION", "cn-hangzhou"),
            "SignName": settings.SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template_id(message.kind),
            "TemplateParam": json.dumps(message.params, ensure_ascii=False),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, settings.ALIYUN_SMS_ACCESS_KEY_SECRET)
        url = _check_url(settings.ALIYUN_SMS_ENDPOINT).rstrip("/") + "/?" + urlencode(params)
        answer = _post_or_get(urllib.request.Request(url, method="GET"))
        code = str(answer.get("Code", ""))
        if code != "OK":
            raise SmsRejected(
                f"aliyun {code}: {answer.get('Message', '')}",
                answer=answer,
                permanent=code in ALIYUN_PERMANENT_CODES,
            )
        return answer


# --- Tencent Cloud -----------------------------------------------------------------

TENCENT_TRANSIENT_PREFIXES = ("LimitExceeded", "InternalError", "RequestLimitExceeded")


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tencent_authorization(
    *, secret_id: str, secret_key: str, host: str, payload: bytes, timestamp: int
) -> str:
    """TC3-HMAC-SHA256 ``Authorization`` header of a JSON POST to the SMS service."""
    content_type = "application/json; charset=utf-8"
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/sms/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), "sms"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


class TencentSmsGateway(SmsGateway):
    name = "tencent"

    def send(self, message: SmsMessage) -> dict:
        url = _check_url(settings.TENCENT_SMS_ENDPOINT)
        host = urlsplit(url).netloc
        payload = json.dumps(
            {
                "PhoneNumberSet": [f"+86{message.mobile}"],
                "SmsSdkAppId": settings.TENCENT_SMS_APP_ID,
                "SignName": settings.SMS_SIGN_NAME,
                "TemplateId": template_id(message.kind),
                "TemplateParamSet": message.ordered_params(),
            },
            ensure_ascii=False,
        ).encode("utf-8")
        timestamp = int(time.time())
        request = urllib.request.Request(
            url,
            data=payload,
            method="POST",
            headers={
                "Authorization": tencent_authorization(
                    secret_id=settings.TENCENT_SMS_SECRET_ID,
                    secret_key=settings.TENCENT_SMS_SECRET_KEY,
                    host=host,
                    payload=payload,
                    timestamp=timestamp,
                ),
                "Content-Type": "application/json; charset=utf-8",
                "Host": host,
                "X-TC-Action": "SendSms",
                "X-TC-Timestamp": str(timestamp),
                "X-TC-Version": "2021-01-11",
                "X-TC-Region": getattr(settings, "TENCENT_SMS_REGION", "ap-guangzhou"),
            },
        )
        answer = _post_or_get(request)
        response = answer.get("Response", {}) if isinstance(answer.get("Response"), dict) else {}
        error = response.get("Error")
        if error:
            code = str(error.get("Code", ""))
            raise SmsRejected(
                f"tencent {code}: {error.get('Message', '')}",
                answer=answer,
                permanent=not code.startswith(TENCENT_TRANSIENT_PREFIXES),
            )
        statuses = response.get("SendStatusSet") or [{}]
        code = str(statuses[0].get("Code", ""))
        if code != "Ok":
            raise SmsRejected(
                f"tencent {code}: {statuses[0].get('Message', '')}",
                answer=answer,
                permanent=not code.startswith(TENCENT_TRANSIENT_PREFIXES),
            )
        return answer


BACKENDS: dict[str, type[SmsGateway]] = {
    "console": ConsoleSmsGateway,
    "aliyun": AliyunSmsGateway,
    "tencent": TencentSmsGateway,
}


def gateway() -> SmsGateway:
    name = getattr(settings, "SMS_BACKEND", "console") or "console"
    if name not in BACKENDS:
        raise SmsRejected(f"unknown SMS_BACKEND {name!r}", permanent=True)
    return BACKENDS[name]()


def sms_send(*, mobile: str, kind: str, params: dict) -> dict:
    """Send one templated message now through the configured gateway."""
    if not template_id(kind) and (getattr(settings, "SMS_BACKEND", "console") != "console"):
        raise SmsRejected(f"no template configured for {kind}", permanent=True)
    return gateway().send(SmsMessage(mobile=mobile, kind=kind, params=clip_params(kind, params)))
