"""The SMS channel of the outbox against local fakes of the providers' HTTP APIs (issue 21
item 2): success, a template error, a timeout retried once, delivered exactly once; the
fakes recompute each provider's signature, so a wrong signing algorithm fails here."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from huashan.notify import sms
from huashan.notify.models import Notification, NotificationEvent, SmsPreference
from huashan.notify.services import (
    deliver_notification,
    notice_category,
    notification_create,
    notify_person,
    sms_preference_set,
)
from tests.factories.directory import PersonFactory

pytestmark = pytest.mark.django_db

ALIYUN_SECRET = "aliyun-test-secret"
TENCENT_SECRET = "tencent-test-secret"


class FakeProvider(http.server.ThreadingHTTPServer):
    """``mode``: ok | template_error | timeout_once. Records every request."""

    daemon_threads = True

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.mode = "ok"
        self.requests: list[dict] = []
        self.bad_signatures = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class AliyunHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        server: FakeProvider = self.server
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        signature = params.pop("Signature", "")
        if signature != sms.aliyun_signature(params, ALIYUN_SECRET):
            server.bad_signatures += 1
        server.requests.append(params)
        if server.mode == "timeout_once" and len(server.requests) == 1:
            time.sleep(1.5)
        if server.mode == "template_error":
            body = {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法", "RequestId": "r1"}
        else:
            body = {"Code": "OK", "Message": "OK", "BizId": f"biz{len(server.requests)}"}
        self._answer(body)

    def _answer(self, body):
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)


class TencentHandler(AliyunHandler):
    def do_POST(self):
        server: FakeProvider = self.server
        payload = self.rfile.read(int(self.headers["Content-Length"]))
        expected = sms.tencent_authorization(
            secret_id="tencent-id",
            secret_key=TENCENT_SECRET,
            host=self.headers["Host"],
            payload=payload,
            timestamp=int(self.headers["X-TC-Timestamp"]),
        )
        if self.headers["Authorization"] != expected or self.headers["X-TC-Action"] != "SendSms":
            server.bad_signatures += 1
        server.requests.append(json.loads(payload))
        if server.mode == "timeout_once" and len(server.requests) == 1:
            time.sleep(1.5)
        if server.mode == "template_error":
            body = {
                "Response": {
                    "Error": {
                        "Code": "FailedOperation.TemplateIncorrectOrUnapproved",
                        "Message": "template is not approved",
                    },
                    "RequestId": "r1",
                }
            }
        else:
            body = {
                "Response": {
                    "SendStatusSet": [
                        {"SerialNo": f"sn{len(server.requests)}", "Code": "Ok", "Message": "ok"}
                    ],
                    "RequestId": "r2",
                }
            }
        self._answer(body)


@pytest.fixture(params=["aliyun", "tencent"])
def provider(request, settings):
    handler = AliyunHandler if request.param == "aliyun" else TencentHandler
    server = FakeProvider(handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = request.param
    settings.SMS_SIGN_NAME = "花山议事"
    settings.SMS_TIMEOUT_SECONDS = 0.5
    settings.SMS_TEMPLATES = {
        "login_code": "T_LOGIN",
        "register_code": "T_REG",
        "notice": "T_NOTICE",
        "tracking": "T_TRACK",
    }
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "aliyun-id"
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = ALIYUN_SECRET
    settings.ALIYUN_SMS_ENDPOINT = server.url
    settings.TENCENT_SMS_SECRET_ID = "tencent-id"
    settings.TENCENT_SMS_SECRET_KEY = TENCENT_SECRET
    settings.TENCENT_SMS_APP_ID = "1400000000"
    settings.TENCENT_SMS_ENDPOINT = server.url
    server.name = request.param
    yield server
    server.shutdown()
    server.server_close()


def queued_sms(person=None, mobile="", kind="notice", params=None) -> Notification:
    return notification_create(
        recipient=person,
        mobile=mobile,
        channel="sms",
        subject="业委会会议通知",
        body="",
        sms_kind=kind,
        sms_params=params or {"subject": "业委会会议通知"},
    )


def test_success_stores_the_answer_and_uses_the_configured_template(provider):
    person = PersonFactory(mobile="13712345678")
    row = queued_sms(person)
    assert deliver_notification(notification_id=row.pk) is True
    row.refresh_from_db()
    assert row.status == "delivered"
    assert provider.bad_signatures == 0
    assert len(provider.requests) == 1
    sent = provider.requests[0]
    if provider.name == "aliyun":
        assert sent["PhoneNumbers"] == "13712345678"
        assert sent["TemplateCode"] == "T_NOTICE"
        assert sent["SignName"] == "花山议事"
        assert json.loads(sent["TemplateParam"]) == {"subject": "业委会会议通知"}
        assert row.gateway_answer["BizId"] == "biz1"
    else:
        assert sent["PhoneNumberSet"] == ["+8613712345678"]
        assert sent["TemplateId"] == "T_NOTICE"
        assert sent["TemplateParamSet"] == ["业委会会议通知"]
        assert row.gateway_answer["Response"]["SendStatusSet"][0]["SerialNo"] == "sn1"


def test_a_template_error_fails_at_once_and_keeps_the_answer(provider):
    provider.mode = "template_error"
    row = queued_sms(PersonFactory())
    assert deliver_notification(notification_id=row.pk) is False
    row.refresh_from_db()
    assert row.status == "failed"
    assert row.attempts == 1
    assert "Template" in json.dumps(row.gateway_answer) or "TEMPLATE" in json.dumps(
        row.gateway_answer
    )
    assert NotificationEvent.objects.filter(notification=row, verb="failed").count() == 1


def test_a_timeout_is_retried_once_and_delivered_exactly_once(provider):
    provider.mode = "timeout_once"
    row = queued_sms(
        mobile="13700000000", kind="tracking", params={"number": "HS1", "status": "处理中"}
    )
    assert deliver_notification(notification_id=row.pk) is False
    row.refresh_from_db()
    assert row.status == "pending"  # nothing is lost: it stays queued
    assert row.next_attempt_at > timezone.now()
    assert "timed out" in row.last_error or "Timeout" in row.last_error
    # The backoff has passed: the retry goes through; any further run finds nothing.
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert deliver_notification(notification_id=row.pk) is True
    assert deliver_notification(notification_id=row.pk) is False
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 2)
    assert len(provider.requests) == 2
    assert NotificationEvent.objects.filter(notification=row, verb="delivered").count() == 1
    assert provider.bad_signatures == 0


def test_parameters_longer_than_the_provider_allows_are_cut():
    params = sms.clip_params("notice", {"subject": "长" * 80, "extra": "ignored"})
    assert params == {"subject": "长" * 34 + "…"}
    assert len(params["subject"]) == sms.PARAM_MAX


def test_an_unknown_kind_is_refused_when_queued():
    with pytest.raises(ValueError, match="unknown SMS kind"):
        queued_sms(PersonFactory(), kind="free_text")


def test_an_sms_needs_a_number_or_a_person():
    with pytest.raises(ValueError, match="mobile"):
        notification_create(channel="sms", subject="x", body="", sms_kind="notice")


def test_the_console_backend_is_the_default(settings, tmp_path):
    settings.SMS_BACKEND = "console"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    sms.console_outbox.clear()
    row = queued_sms(PersonFactory(mobile="13600000000"))
    assert deliver_notification(notification_id=row.pk) is True
    assert sms.console_outbox[-1]["mobile"] == "13600000000"
    line = json.loads((tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert line["params"] == {"subject": "业委会会议通知"}


# --- residents choose which notices come by SMS ----------------------------------------


@pytest.mark.parametrize(
    ("link", "category"),
    [
        ("/issues/HS2026/", "complaints"),
        ("/meetings/3/", "meetings"),
        ("/disclosures/9/", "disclosures"),
        ("/accounts/me/", "account"),
        ("http://example.cn/issues/HS1/", "complaints"),
        ("", "other"),
    ],
)
def test_notice_category_comes_from_the_link(link, category):
    assert notice_category(link) == category


def test_a_resident_gets_by_sms_only_what_they_chose(settings):
    settings.SMS_BACKEND = "console"
    person = PersonFactory()
    notify_person(person=person, subject="会议", body="b", link="/meetings/1/")
    assert not Notification.objects.filter(channel="sms").exists()  # nothing by default
    sms_preference_set(actor=person, person=person, categories=["complaints", "bogus"])
    assert SmsPreference.objects.get(person=person).categories == ["complaints"]
    notify_person(person=person, subject="会议", body="b", link="/meetings/1/")
    notify_person(person=person, subject="您的诉求有进展", body="b", link="/issues/HS1/")
    rows = Notification.objects.filter(channel="sms")
    assert [(r.recipient_id, r.sms_kind, r.sms_params) for r in rows] == [
        (person.pk, "notice", {"subject": "您的诉求有进展"})
    ]


def test_nobody_sets_another_persons_sms_choices():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        sms_preference_set(actor=PersonFactory(), person=PersonFactory(), categories=["other"])


def test_the_sms_choice_page(client):
    from django.urls import reverse

    person = PersonFactory(mobile="13712345678")
    client.force_login(person)
    url = reverse("notify:sms_preference")
    page = client.get(url)
    assert page.status_code == 200
    assert "137****5678" in page.content.decode()
    assert client.post(url, {"categories": ["meetings"]}).status_code == 302
    assert SmsPreference.objects.get(person=person).categories == ["meetings"]
    bad = client.post(url, {"categories": ["<script>", "x" * 5000]})
    assert bad.status_code == 400
    assert "<script>" not in bad.content.decode().split("<main", 1)[-1].split("</main>")[0]
    assert SmsPreference.objects.get(person=person).categories == ["meetings"]


def test_the_sms_choice_page_needs_login(client):
    from django.urls import reverse

    response = client.get(reverse("notify:sms_preference"))
    assert response.status_code == 302


def test_sms_rows_never_show_in_the_inbox(client):
    from django.urls import reverse

    person = PersonFactory()
    queued_sms(person)
    client.force_login(person)
    html = client.get(reverse("notify:inbox")).content.decode()
    assert "业委会会议通知" not in html


def test_a_pending_sms_older_than_the_backoff_is_swept(provider):
    from huashan.notify.services import notification_sweep_outbox

    row = queued_sms(PersonFactory())
    Notification.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=1)
    )
    result = notification_sweep_outbox(time_budget_seconds=10)
    assert result.delivered >= 1
    row.refresh_from_db()
    assert row.status == "delivered"


# --- anonymous reporters who left a number -------------------------------------------


def test_an_anonymous_reporter_with_a_number_gets_progress_by_sms():
    from django.utils import translation

    from issues.models import Issue
    from tests.factories.issues import IssueEventFactory, IssueFactory

    issue = IssueFactory(reporter=None, reporter_phone="13900001111")
    IssueEventFactory(issue=issue, verb="accept", from_state="new", to_state="accepted")
    row = Notification.objects.get(channel="sms")
    with translation.override("zh-hans"):
        label = str(dict(Issue.Status.choices)["accepted"])
    assert (row.mobile, row.recipient_id, row.sms_kind) == ("13900001111", None, "tracking")
    assert row.sms_params == {"number": issue.tracking_number, "status": label}


@pytest.mark.parametrize(
    ("reporter_phone", "with_account", "public", "states"),
    [
        ("", False, True, ("new", "accepted")),  # anonymous, no number left
        ("13900001111", True, True, ("new", "accepted")),  # has an account: inbox instead
        ("13900001111", False, False, ("new", "accepted")),  # internal note
        ("13900001111", False, True, ("", "")),  # a note without a change of state
    ],
)
def test_no_tracking_sms_otherwise(reporter_phone, with_account, public, states):
    from tests.factories.issues import IssueEventFactory, IssueFactory

    reporter = PersonFactory() if with_account else None
    issue = IssueFactory(reporter=reporter, reporter_phone=reporter_phone)
    IssueEventFactory(issue=issue, public=public, from_state=states[0], to_state=states[1])
    assert not Notification.objects.filter(channel="sms").exists()


def _told(count: int, settings):
    """notify_persons to ``count`` people (one opted into SMS, one inactive); its statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huashan.notify.services import notify_persons

    settings.SMS_BACKEND = "console"
    people = PersonFactory.create_batch(count)
    chooser, inactive = people[0], people[1]
    sms_preference_set(actor=chooser, person=chooser, categories=["disclosures"])
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    with CaptureQueriesContext(connection) as queries:
        told = notify_persons(
            persons=people, subject="决议执行情况", body="b", link="/disclosures/c/x/resolutions/"
        )
    return people, told, len(queries)


def test_many_people_are_told_in_as_many_statements_as_three(settings):
    """Every owner of a compound told of a vote or a resolution report: one inbox insert, one
    read of SMS choices, an SMS row only for who chose it — not two statements per owner."""
    people, told, few = _told(3, settings)
    assert told == 2
    inbox = Notification.objects.filter(channel="inbox", subject="决议执行情况")
    assert sorted(inbox.values_list("recipient_id", flat=True)) == sorted(
        p.pk for p in people if p.is_active
    )
    assert list(
        Notification.objects.filter(channel="sms").values_list("recipient_id", "sms_kind")
    ) == [(people[0].pk, "notice")]
    _more, told_more, many = _told(12, settings)
    assert told_more == 11
    assert many == few
