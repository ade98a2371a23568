"""WeChat: sign in with WeChat (网页授权) and pages that work in WeChat's browser (issue 21).

Sign-in is configuration, not code: it is on when ``WECHAT_APP_ID`` and
``WECHAT_APP_SECRET`` (an official account's credentials) are set, and every WeChat URL
answers 404 while they are empty.

The flow (WeChat's documented OAuth 2.0 for web pages, scope ``snsapi_base``):

1. ``/accounts/wechat/`` sends the browser to ``open.weixin.qq.com/connect/oauth2/
   authorize`` with a one-time ``state`` kept in the session;
2. WeChat returns to ``/accounts/wechat/callback/?code=…&state=…``; the state must match,
   and the code is exchanged at ``api.weixin.qq.com/sns/oauth2/access_token`` for the
   user's ``openid``;
3. an ``openid`` already linked signs its person in; a new one is linked to an existing
   account only after the person proves their mobile number with an SMS code (the same
   code service, limits and axes as ``/accounts/login/code/``). A person already linked
   to another WeChat account is refused, so one phone cannot collect accounts.

:class:`WeChatPdfMiddleware`: WeChat's built-in browser cannot save a PDF on Android; a PDF
asked for from it gets a small page with a download hint instead (open in the system
browser, or try the direct link), never a blank screen.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from huashan.accounts.models import AccountEvent, WeChatLink

SESSION_STATE = "wechat_state"
SESSION_OPENID = "wechat_openid"
SESSION_UNIONID = "wechat_unionid"
SESSION_NEXT = "wechat_next"
TIMEOUT_SECONDS = 5


def enabled() -> bool:
    app_id = getattr(settings, "WECHAT_APP_ID", "")
    return bool(app_id and getattr(settings, "WECHAT_APP_SECRET", ""))


def require_enabled() -> None:
    if not enabled():
        raise Http404


def is_wechat(request: HttpRequest) -> bool:
    return "micromessenger" in request.META.get("HTTP_USER_AGENT", "").lower()


def authorize_url(*, redirect_uri: str, state: str) -> str:
    query = urlencode(
        {
            "appid": settings.WECHAT_APP_ID,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
        }
    )
    return f"{settings.WECHAT_OAUTH_URL}?{query}#wechat_redirect"


def new_state() -> str:
    return secrets.token_urlsafe(16)


class WeChatError(Exception):
    """WeChat refused the code (expired, used, wrong app) or could not be reached."""


def code_exchange(code: str) -> dict:
    """``code`` → ``{"openid": …, "unionid": …}`` from WeChat's access-token endpoint."""
    query = urlencode(
        {
            "appid": settings.WECHAT_APP_ID,
            "secret": settings.WECHAT_APP_SECRET,
            "code": code,
            "grant_type": "authorization_code",
        }
    )
    url = f"{settings.WECHAT_API_BASE.rstrip('/')}/sns/oauth2/access_token?{query}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # fixed host
            answer = json.loads(response.read(65536) or b"{}")
    except (OSError, ValueError) as exc:
        raise WeChatError(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(answer, dict) or not answer.get("openid"):
        raise WeChatError(f"errcode {answer.get('errcode') if isinstance(answer, dict) else '?'}")
    return {"openid": str(answer["openid"])[:64], "unionid": str(answer.get("unionid", ""))[:64]}


ALREADY_LINKED = _(
    "This account is already linked with another WeChat account. Sign in with an SMS code "
    "instead, or ask the staff to remove the old link."
)


def wechat_link(*, person, openid: str, unionid: str = "") -> WeChatLink:
    """Link ``openid`` to ``person`` (whose number an SMS code just proved)."""
    from django.core.exceptions import ValidationError

    with transaction.atomic():
        existing = WeChatLink.objects.select_for_update().filter(person=person).first()
        if existing is not None and existing.openid != openid:
            raise ValidationError(ALREADY_LINKED, code="already_linked")
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                link = WeChatLink.objects.create(person=person, openid=openid, unionid=unionid)
        except IntegrityError as exc:  # the openid was linked to someone else meanwhile
            raise ValidationError(ALREADY_LINKED, code="already_linked") from exc
        AccountEvent.objects.create(
            person=person, actor=person, verb=AccountEvent.Verb.WECHAT_LINKED
        )
    return link


class WeChatPdfMiddleware:
    """A PDF opened inside WeChat gets a page with a download hint (``?download=1`` skips it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method == "GET"
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("application/pdf")
            and is_wechat(request)
            and request.GET.get("download") != "1"
        ):
            query = request.GET.copy()
            query["download"] = "1"
            direct = f"{request.path}?{query.urlencode()}"
            if hasattr(response, "close"):
                response.close()
            html = render_to_string("accounts/wechat_pdf.html", {"direct": direct}, request=request)
            return HttpResponse(html)
        return response
