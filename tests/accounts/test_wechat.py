"""WeChat (issue 21): sign-in with WeChat (网页授权) linked by a verified mobile number,
disabled when unconfigured; PDFs in WeChat's browser; share metadata for WeChat groups.
WeChat's API is faked by a local HTTP server (the one edge we cannot reach)."""

from __future__ import annotations

import http.server
import json
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from huashan.accounts.models import AccountEvent, WeChatLink
from huashan.accounts.wechat import ALREADY_LINKED, WeChatPdfMiddleware
from tests.accounts.conftest import last_code, zh
from tests.factories.directory import PersonFactory

pytestmark = pytest.mark.django_db

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile "
    "MicroMessenger/8.0.47.2560 NetType/WIFI Language/zh_CN"
)
MOBILE = "13712345678"


class FakeWeChat(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), WeChatHandler)
        self.codes: dict[str, str] = {}  # code → openid
        self.requests: list[dict] = []


class WeChatHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        server: FakeWeChat = self.server
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        server.requests.append(query)
        ok = (
            urlsplit(self.path).path == "/sns/oauth2/access_token"
            and query.get("appid") == "wx-test"
            and query.get("secret") == "wx-secret"
            and query.get("grant_type") == "authorization_code"
            and query.get("code") in server.codes
        )
        if ok:
            body = {
                "access_token": "at",
                "expires_in": 7200,
                "openid": server.codes.pop(query["code"]),
                "scope": "snsapi_base",
            }
        else:
            body = {"errcode": 40029, "errmsg": "invalid code"}
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def fake_wechat(settings):
    server = FakeWeChat()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WECHAT_APP_ID = "wx-test"
    settings.WECHAT_APP_SECRET = "wx-secret"
    settings.WECHAT_API_BASE = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def start(client: Client) -> str:
    """Open /accounts/wechat/ and return the state WeChat would hand back."""
    response = client.get(reverse("accounts:wechat_start"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?")
    assert location.endswith("#wechat_redirect")
    query = parse_qs(urlsplit(location.removesuffix("#wechat_redirect")).query)
    assert query["appid"] == ["wx-test"]
    assert query["scope"] == ["snsapi_base"]
    assert query["redirect_uri"][0].endswith(reverse("accounts:wechat_callback"))
    return query["state"][0]


def come_back(client: Client, fake: FakeWeChat, openid: str, state: str):
    fake.codes["code-1"] = openid
    return client.get(reverse("accounts:wechat_callback"), {"code": "code-1", "state": state})


def test_wechat_is_off_while_unconfigured(settings):
    settings.WECHAT_APP_ID = settings.WECHAT_APP_SECRET = ""
    client = Client()
    for name in ("wechat_start", "wechat_callback", "wechat_link"):
        assert client.get(reverse(f"accounts:{name}")).status_code == 404
    html = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:wechat_start") not in html


def test_first_wechat_sign_in_links_by_a_verified_number_then_signs_in_directly(fake_wechat):
    person = PersonFactory(mobile=MOBILE)
    client = Client(HTTP_USER_AGENT=WECHAT_UA)
    login_page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:wechat_start") in login_page
    response = come_back(client, fake_wechat, "openid-A", start(client))
    assert response["Location"] == reverse("accounts:wechat_link")
    assert "_auth_user_id" not in client.session
    # Prove the number with an SMS code, then the link is made and the person is in.
    link_url = reverse("accounts:wechat_link")
    client.post(link_url, {"action": "send", "username": MOBILE})
    from huashan.notify import sms

    code = last_code(sms.console_outbox, MOBILE)
    done = client.post(link_url, {"action": "login", "username": MOBILE, "code": code})
    assert done.status_code == 302
    assert WeChatLink.objects.get(openid="openid-A").person == person
    assert client.session["_auth_user_id"] == str(person.pk)
    # Next time: straight in.
    again = Client(HTTP_USER_AGENT=WECHAT_UA)
    response = come_back(again, fake_wechat, "openid-A", start(again))
    assert response.status_code == 302
    assert again.session["_auth_user_id"] == str(person.pk)
    verbs = set(AccountEvent.objects.filter(person=person).values_list("verb", flat=True))
    assert {"wechat_linked", "signed_in_with_wechat"} <= verbs


def test_an_account_already_linked_to_another_wechat_is_refused(fake_wechat, sms_outbox):
    person = PersonFactory(mobile=MOBILE)
    WeChatLink.objects.create(person=person, openid="openid-OLD")
    client = Client()
    come_back(client, fake_wechat, "openid-NEW", start(client))
    link_url = reverse("accounts:wechat_link")
    client.post(link_url, {"action": "send", "username": MOBILE})
    response = client.post(
        link_url, {"action": "login", "username": MOBILE, "code": last_code(sms_outbox, MOBILE)}
    )
    assert response.status_code == 200
    assert zh(str(ALREADY_LINKED)) in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not WeChatLink.objects.filter(openid="openid-NEW").exists()


def test_a_wrong_or_replayed_state_is_refused(fake_wechat):
    client = Client()
    state = start(client)
    fake_wechat.codes["c"] = "openid-A"
    bad = client.get(reverse("accounts:wechat_callback"), {"code": "c", "state": "forged"})
    assert bad.status_code == 400
    replay = client.get(reverse("accounts:wechat_callback"), {"code": "c", "state": state})
    assert replay.status_code == 400  # the state was used up by the first answer
    assert fake_wechat.requests == []  # WeChat was never asked


def test_wechat_refusing_the_code_gets_a_clear_page(fake_wechat):
    client = Client()
    state = start(client)
    response = client.get(reverse("accounts:wechat_callback"), {"code": "unknown", "state": state})
    assert response.status_code == 502
    assert zh("Log in with an SMS code") in response.content.decode()


def test_the_link_page_without_a_wechat_identity_starts_over(fake_wechat):
    response = Client().get(reverse("accounts:wechat_link"))
    assert response["Location"] == reverse("accounts:wechat_start")


# --- pages in WeChat's browser ---------------------------------------------------------


def _pdf(request):
    return HttpResponse(b"%PDF-1.7", content_type="application/pdf")


@pytest.mark.parametrize(
    ("agent", "query", "is_hint"),
    [(WECHAT_UA, "", True), (WECHAT_UA, "?download=1", False), ("Mozilla/5.0 Chrome", "", False)],
)
def test_a_pdf_opened_in_wechat_gets_a_download_hint(agent, query, is_hint):
    request = RequestFactory().get(f"/meetings/3/minutes.pdf{query}", HTTP_USER_AGENT=agent)
    response = WeChatPdfMiddleware(_pdf)(request)
    assert response.status_code == 200
    if is_hint:
        assert response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert "/meetings/3/minutes.pdf?download=1" in html
        assert zh("Try to open the PDF here") in html
    else:
        assert response["Content-Type"] == "application/pdf"


def test_public_pages_carry_share_metadata_and_work_with_wechats_user_agent(client):
    from tests.factories.directory import CompoundFactory

    CompoundFactory(slug="jiangnan-huashan")
    response = Client(HTTP_USER_AGENT=WECHAT_UA).get(reverse("privacy:notice"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta property="og:title"' in html
    assert '<meta property="og:description"' in html
    assert 'content="http://testserver/static/img/share.png"' in html
    assert '<meta property="og:url" content="http://testserver/privacy/"' in html
