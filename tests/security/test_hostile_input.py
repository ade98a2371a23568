"""Hostile input (issue 9 item 5): forms, uploads, headers, CSRF, throttles, enumeration.

Every POST form of the main pages is collected by GETting the pages as the people who
use them, then posted with oversized, malformed, Unicode-edge and script input. Each
post runs in a savepoint that is rolled back, so the world stays as seeded.
"""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.access.world import PNG_1X1, kwargs_for
from tests.security.forms import post_forms

SCRIPT = '<script>alert("hs-xss")</script>'
PAYLOADS = {
    "oversized": "长" * 100_000,
    "nul": "漏水\x00了",
    "rtl_override": "正常\u202egnp.exe",
    "astral_emoji": "漏水😀🏠𝄞",
    "lone_surrogate_escaped": "\\ud800\\udfff 漏水",
    "script": SCRIPT,
}
#: Put into every field, hidden and select ones included.
MALFORMED = "-1e309' OR 1=1 --"

#: (role, page) pairs whose POST forms are fuzzed. ``None`` is anonymous.
PAGES = [
    (None, "core:home"),
    (None, "accounts:login"),
    (None, "accounts:register"),
    (None, "issues:file"),
    (None, "issues:track"),
    ("owner_a", "issues:file"),
    ("owner_a", "issues:detail"),
    ("owner_a", "accounts:me"),
    ("owner_a", "accounts:password_change"),
    ("owner_a", "disclosures:detail"),
    ("property_staff", "issues:staff_detail"),
    ("compound_party", "issues:staff_detail"),
    ("compound_party", "accounts:residency_queue"),
    ("compound_party", "accounts:staff_password_find"),
    ("compound_party", "directory:roster_import"),
    ("compound_party", "disclosures:create"),
    ("compound_party", "pledges:activity_new"),
    ("compound_party", "pledges:inspection_new"),
    ("compound_party", "pledges:letter_manage"),
    ("clerk", "meetings:create"),
    ("clerk", "meetings:detail"),
    ("clerk", "meetings:minutes"),
    ("community_party", "evaluations:manage"),
    ("rc", "evaluations:report"),
    ("pmc", "meetings:decision_report"),
    ("compound_party", "briefings:list"),
    ("rc", "briefings:detail"),
]
SKIP_ACTIONS = ("/accounts/logout/", "/i18n/setlang/")


def _client(world, role):
    client = Client()
    if role is not None:
        client.force_login(world.people[role])
    return client


def _page_url(world, name: str) -> str:
    from tests.access.urls import named_urls

    keys = dict(named_urls())[name]
    return reverse(name, kwargs=kwargs_for(world, name, keys))


def _collect(world):
    """[(role, page, form)] for every POST form on PAGES."""
    found = []
    for role, name in PAGES:
        url = _page_url(world, name)
        response = _client(world, role).get(url, follow=True)
        assert response.status_code == 200, f"{name} as {role}: {response.status_code}"
        for form in post_forms(response.content.decode(), url):
            if not form.action.startswith(SKIP_ACTIONS):
                found.append((role, name, form))
    return found


def _post(client, action, data):
    with transaction.atomic():
        response = client.post(action, data, follow=False)
        transaction.set_rollback(True)
    return response


@pytest.mark.django_db
def test_every_form_survives_hostile_text(world):
    forms = _collect(world)
    assert len(forms) >= 20  # the crawl found the forms

    problems = []
    for role, page, form in forms:
        client = _client(world, role)
        for label, payload in [*PAYLOADS.items(), ("malformed", MALFORMED)]:
            data = dict(form.fields)
            targets = list(data) if label == "malformed" else form.text_fields
            for name in targets:
                if name != "csrfmiddlewaretoken":
                    data[name] = payload
            response = _post(client, form.action, data)
            body = response.content.decode("utf-8", "replace")
            if response.status_code >= 500:
                problems.append(
                    f"{label} → {form.action} ({page} as {role}): {response.status_code}"
                )
            if SCRIPT in body:
                problems.append(f"script reflected unescaped by {form.action} ({page} as {role})")

    assert problems == []


@pytest.mark.django_db
def test_typed_text_comes_back_escaped_not_lost(world):
    """A rejected filing keeps what the resident typed, escaped."""
    client = _client(world, "owner_a")
    response = client.post(
        reverse("issues:file"),
        {"description": SCRIPT + " 楼道漏水😀", "location_text": ""},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in body
    assert "&lt;script&gt;alert(&quot;hs-xss&quot;)&lt;/script&gt; 楼道漏水😀" in body


# --- headers and CSRF ----------------------------------------------------------------------

HTML_PAGES = [
    (None, "/"),
    (None, "/issues/board/"),
    (None, "/accounts/login/"),
    (None, "/disclosures/"),
    (None, "/pledges/"),
    (None, "/evaluations/"),
    (None, "/no-such-page/"),
    ("compound_party", "/issues/queue/"),
    ("compound_party", "/meetings/items/"),
    ("community_party", "/dashboard/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "url"), HTML_PAGES)
def test_html_responses_forbid_framing_and_inline_script(world, role, url):
    response = _client(world, role).get(url)

    assert response["Content-Type"].startswith("text/html")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert re.search(r"script-src 'self'(;|$)", csp)
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused_with_a_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people["owner_a"])
    blocked = client.post(reverse("issues:file"), {"description": "漏水", "location_text": "1栋"})
    page = client.get(reverse("issues:file"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    allowed = client.post(
        reverse("issues:file"),
        {"description": "漏水", "location_text": "1栋", "csrfmiddlewaretoken": token.group(1)},
    )

    assert blocked.status_code == 403
    assert blocked["Content-Type"].startswith("text/html")
    assert allowed.status_code in (200, 302)


@pytest.mark.django_db
def test_login_is_throttled_per_mobile_and_address(world, settings):
    mobile = world.people["pmc"].mobile
    client = Client(REMOTE_ADDR="10.0.0.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": mobile, "password": f"wrong-{n}"})

    locked = client.post(reverse("accounts:login"), {"username": mobile, "password": "huashan2026"})
    elsewhere = Client(REMOTE_ADDR="10.0.0.8").post(
        reverse("accounts:login"), {"username": mobile, "password": "huashan2026"}
    )

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert elsewhere.status_code == 302  # the lock is per number and address


# --- enumeration ---------------------------------------------------------------------------


def _without_csrf(body: bytes) -> str:
    return re.sub(r'value="[^"]{20,}"', 'value=""', body.decode())


@pytest.mark.django_db
def test_tracking_codes_cannot_be_enumerated(world):
    known = world.anonymous_issue.tracking_number
    client = Client(REMOTE_ADDR="10.0.1.1")
    url = reverse("issues:track")

    right = Client(REMOTE_ADDR="10.0.1.2").post(
        url, {"tracking_number": known, "code": world.tracking_code}
    )
    wrong_code = client.post(url, {"tracking_number": known, "code": "AAAA-BBBB"})
    unknown = client.post(url, {"tracking_number": "HS-2026-999999", "code": "AAAA-BBBB"})
    for _ in range(8):
        client.post(url, {"tracking_number": "HS-2026-999998", "code": "CCCC-DDDD"})
    throttled = client.post(url, {"tracking_number": known, "code": world.tracking_code})

    assert right.status_code == 302
    assert wrong_code.status_code == unknown.status_code == 200
    # The form shows back what was typed; apart from that the answers are identical.
    assert _without_csrf(wrong_code.content).replace(known, "N") == _without_csrf(
        unknown.content
    ).replace("HS-2026-999999", "N")
    assert throttled.status_code == 429


@pytest.mark.django_db
def test_private_and_unknown_issue_numbers_look_the_same(world):
    client = Client()
    private = client.get(reverse("issues:detail", args=[world.issue_b.tracking_number]))
    unknown = client.get(reverse("issues:detail", args=["HS-2026-999999"]))

    assert private.status_code == unknown.status_code == 404


@pytest.mark.django_db
def test_ballot_tokens_wrong_and_unknown_get_the_same_answer(world):
    client = Client(REMOTE_ADDR="10.0.2.1")
    good = client.get(reverse("evaluations:ballot", args=[world.ballot_token]))
    near_token = world.ballot_token[:-1] + ("A" if world.ballot_token[-1] != "A" else "B")
    near = client.get(reverse("evaluations:ballot", args=[near_token]))
    unknown = client.get(reverse("evaluations:ballot", args=["Z" * 24]))

    assert good.status_code == 200
    assert near.status_code == unknown.status_code == 404
    assert _without_csrf(near.content).replace(near_token, "T") == _without_csrf(
        unknown.content
    ).replace("Z" * 24, "T")


@pytest.mark.django_db
def test_ballot_token_guessing_is_throttled(world):
    client = Client(REMOTE_ADDR="10.0.2.2")
    statuses = [
        client.get(reverse("evaluations:ballot", args=[f"guess{n:019d}"])).status_code
        for n in range(30)
    ]

    assert statuses[-1] == 429


# --- uploads -------------------------------------------------------------------------------


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def _png_bomb() -> bytes:
    """A tiny PNG that declares 100,000 × 100,000 pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 301, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"
HOSTILE_FILES = {
    # JPEG magic, then a page: no decoder accepts it, a browser sniffing it would run it.
    "jpeg_html_polyglot": (
        "photo.jpg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<html><script>alert(1)</script>",
    ),
    "pdf_named_jpg": ("photo.jpg", PDF),
    "html_named_png": ("photo.png", b"<html><body onload=alert(1)>x</body></html>"),
    "png_as_exe": ("photo.exe", PNG_1X1),
    "decompression_bomb": ("bomb.png", _png_bomb()),
    "fifty_megabytes": ("huge.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (50 * 1024 * 1024)),
}


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _assert_rejected(response, label: str, error_marker: str) -> None:
    body = response.content.decode("utf-8", "replace")
    assert response.status_code < 500, f"{label}: {response.status_code}"
    assert response.status_code in (200, 400, 413), f"{label}: {response.status_code}"
    assert error_marker in body, f"{label}: no error shown"
    assert "<script>alert(1)</script>" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "label",
    [pytest.param(label) for label in HOSTILE_FILES],
)
def test_issue_photos_reject_hostile_files(world, label):
    from issues.models import IssuePhoto

    client = _client(world, "owner_a")
    step1 = client.post(
        reverse("issues:file"),
        {
            "category": world.issue_a.category_id,
            "description": "楼道灯坏了",
            "location_text": "1栋",
        },
    )
    assert step1.status_code == 302
    before = IssuePhoto.objects.count()
    name, content = HOSTILE_FILES[label]

    response = client.post(step1["Location"], {"photos": [_upload(name, content)]})

    _assert_rejected(response, label, "field-error")
    assert IssuePhoto.objects.count() == before
    assert "楼道灯坏了" in response.content.decode()  # nothing typed is lost


@pytest.mark.django_db
def test_issue_photo_that_is_a_real_picture_is_accepted(world):
    from issues.models import IssuePhoto

    client = _client(world, "owner_a")
    step1 = client.post(
        reverse("issues:file"),
        {
            "category": world.issue_a.category_id,
            "description": "楼道灯坏了",
            "location_text": "1栋",
        },
    )
    response = client.post(step1["Location"], {"photos": [_upload("ok.jpg", _jpeg())]})

    assert response.status_code == 302
    assert IssuePhoto.objects.filter(issue__description="楼道灯坏了").count() == 1


@pytest.fixture
def draft(world):
    from huashan.directory.models import Organization
    from tests.factories.disclosures import DisclosureFactory

    organization = Organization.objects.get(compound=world.a, kind=Organization.Kind.COMPOUND_PARTY)
    return DisclosureFactory(organization=organization, state="draft")


@pytest.mark.django_db
@pytest.mark.parametrize("label", list(HOSTILE_FILES))
def test_disclosure_attachments_reject_hostile_files(world, draft, label):
    client = _client(world, "compound_party")
    name, content = HOSTILE_FILES[label]

    response = client.post(
        reverse("disclosures:attachment_add", args=[draft.pk]), {"file": _upload(name, content)}
    )

    _assert_rejected(response, label, "field-error")
    assert draft.attachments.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("label", ["pdf_named_jpg", "html_named_png", "fifty_megabytes"])
def test_roster_import_rejects_files_that_are_not_xlsx(world, label):
    from huashan.directory.models import Household

    client = _client(world, "compound_party")
    before = Household.objects.count()
    name, content = HOSTILE_FILES[label]

    response = client.post(
        reverse("directory:roster_import", args=[world.a.slug]),
        {"file": _upload(name.rsplit(".", 1)[0] + ".xlsx", content)},
    )

    _assert_rejected(response, label, "error")
    assert Household.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("label", ["jpeg_html_polyglot", "html_named_png", "fifty_megabytes"])
def test_evaluation_report_pdf_rejects_files_that_are_not_pdf(world, label):
    client = _client(world, "rc")
    name, content = HOSTILE_FILES[label]
    url = _page_url(world, "evaluations:report")

    response = client.post(url, {"text": "工作报告", "pdf": _upload(name[:-4] + ".pdf", content)})

    _assert_rejected(response, label, "error")
