"""HTML pages of the disclosure board: public board and detail, objections, publishers'
pages (drafts, attachments, ledger import, publish, correct, answers), compliance,
reports and the sunshine code. Every form gets wrong, missing, oversized and hostile input.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from PIL import Image

from disclosures import services
from disclosures.models import (
    Disclosure,
    DisclosureAttachment,
    Ledger,
    Objection,
    PeriodType,
    Report,
)
from tests.disclosures.publishing import publish
from tests.factories.directory import MembershipFactory, PersonFactory
from tests.factories.disclosures import (
    DisclosureFactory,
    ObjectionFactory,
    category,
    ledger_input,
    with_ledger,
)

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
HOSTILE = "<script>alert('x')</script>"
HOSTILE_MD = (
    "正常内容\n\n<script>alert('x')</script>\n\n"
    '<img src=x onerror="alert(1)">\n\n[点我](javascript:alert(1))'
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class CheckedClient(Client):
    """A test client that fails on any template variable that did not resolve."""

    def request(self, **request):
        response = super().request(**request)
        content = getattr(response, "content", b"")
        assert b"INVALID_TEMPLATE_VARIABLE" not in content, content.decode()[:3000]
        return response


@pytest.fixture
def client():
    return CheckedClient()


def login(client, person):
    client.force_login(person)
    return client


def board_url(world, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"compound": world.compound.slug, **params}.items())
    return f"{reverse('disclosures:board')}?{query}"


def staff_url(name: str, world, *args) -> str:
    return f"{reverse(f'disclosures:{name}', args=args)}?compound={world.compound.slug}"


def xlsx_file(rows, name="ledger.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        name,
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def csv_file(rows, name="ledger.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


HEADER = ["日期", "项目", "对方", "金额", "收支", "类别"]
GOOD_ROWS = [
    HEADER,
    ["2026-07-05", "停车费收入", "业主", "1200.00", "收入", "公共收益"],
    ["2026-07-10", "广告位收入", "某传媒公司", "800.50", "收入", "公共收益"],
    ["2026-07-20", "电梯维修", "某电梯公司", "500.25", "支出", "维修"],
]
GOOD_TOTALS = {
    "opening_balance": "10000.00",
    "stated_income": "2000.50",
    "stated_expense": "500.25",
    "stated_closing_balance": "11500.25",
}


def draft(world, **kwargs) -> Disclosure:
    defaults = {
        "actor": world.pmc_chair,
        "compound": world.compound,
        "organization": world.pmc,
        "category": category("public_revenue"),
        "title": "2026年7月公共收益收支明细",
        "body_markdown": "本月收支如下。",
        "period_type": PeriodType.MONTH,
        "period_start": dt.date(2026, 7, 1),
        "period_end": dt.date(2026, 7, 31),
    }
    defaults.update(kwargs)
    return services.disclosure_create_draft(**defaults)


def published(world, **kwargs) -> Disclosure:
    disclosure = draft(world, **kwargs)
    return publish(world.pmc_chair, disclosure)


# --- public board ----------------------------------------------------------------------


def test_board_is_public_and_shows_only_posted(client, world):
    posted = published(world, title="七月公共收益")
    hidden = draft(world, title="还没发布的草稿")
    expired = DisclosureFactory(
        organization=world.company, title="过期的公示", state=Disclosure.State.EXPIRED
    )
    response = client.get(board_url(world))
    assert response.status_code == 200
    text = response.content.decode()
    assert posted.title in text
    assert hidden.title not in text
    assert expired.title not in text
    archive = client.get(board_url(world, archive="on")).content.decode()
    assert expired.title in archive
    assert posted.title not in archive


def test_board_compound_slug_variant_is_the_sunshine_target(client, world):
    posted = published(world)
    path = reverse("disclosures:board", kwargs={"compound_slug": world.compound.slug})
    assert path == f"/disclosures/c/{world.compound.slug}/"
    response = client.get(path)
    assert response.status_code == 200
    assert posted.title in response.content.decode()
    assert client.get("/disclosures/c/no-such-compound/").status_code == 404
    assert client.get("/disclosures/?compound=nope").status_code == 404


def test_board_filters_category_organization_period_and_search(client, world):
    revenue = published(world, title="收益七月")
    notice = DisclosureFactory(
        organization=world.company,
        category=category("company_parking"),
        title="停车位分配情况",
        body_markdown="地下车库 B 区",
        period_type=PeriodType.QUARTER,
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2026, 6, 30),
    )

    def titles(**params):
        text = client.get(board_url(world, **params)).content.decode()
        return {t for t in (revenue.title, notice.title) if t in text}

    assert titles(category="company_parking") == {notice.title}
    assert titles(organization=world.pmc.pk) == {revenue.title}
    assert titles(period="2026Q2") == {notice.title}
    assert titles(period="2026-07") == {revenue.title}
    assert titles(period="2026") == {revenue.title, notice.title}
    assert titles(q="车库") == {notice.title}


@pytest.mark.parametrize(
    "params",
    [
        {"period": "2026Q9"},
        {"period": "last year"},
        {"category": "no-such-category"},
        {"organization": "abc"},
        {"organization": "999999"},
        {"q": "x" * 500},
        {"q": HOSTILE},
        {"q": "1' OR '1'='1"},
        {"page": "-1"},
        {"page": "zzz"},
    ],
)
def test_board_bad_filters_are_field_errors_never_500(client, world, params):
    published(world)
    response = client.get(board_url(world, **params))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<script>alert" not in text
    if "period" in params:
        assert "field-error" in text


def test_board_bad_period_keeps_the_other_filters(client, world):
    revenue = published(world, title="收益七月")
    other = DisclosureFactory(organization=world.company, title="别的组织的公示")
    text = client.get(board_url(world, period="bogus", organization=world.pmc.pk)).content
    text = text.decode()
    assert revenue.title in text
    assert other.title not in text


def _board_world_data(world, count: int) -> None:
    for i in range(count):
        DisclosureFactory(organization=world.pmc if i % 2 else world.company, title=f"公示{i}")


def test_board_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    _board_world_data(world, 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(board_url(world)).status_code == 200
    _board_world_data(world, 30)
    with CaptureQueriesContext(connection) as large:
        assert client.get(board_url(world)).status_code == 200
    assert len(large) == len(small)
    with django_assert_max_num_queries(12):
        client.get(board_url(world, archive="on", period="2026"))


# --- detail ----------------------------------------------------------------------------


def test_detail_sanitizes_the_body(client, world):
    disclosure = published(world, body_markdown=HOSTILE_MD)
    text = client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert "正常内容" in text
    assert "<script>alert" not in text
    assert "onerror" not in text
    assert "javascript:alert" not in text


def test_detail_shows_ledger_with_totals(client, world):
    disclosure = draft(world)
    services.disclosure_ledger_set(
        actor=world.pmc_chair,
        disclosure=disclosure,
        ledger=ledger_input(start=dt.date(2026, 7, 1), lines=5, amount=Decimal("1234.56")),
    )
    publish(world.pmc_chair, disclosure)
    response = client.get(reverse("disclosures:detail", args=[disclosure.pk]))
    text = response.content.decode()
    assert "3703.68" in text  # 3 income lines
    assert "2469.12" in text  # 2 expense lines
    assert "2234.56" in text  # 1000.00 + 3703.68 − 2469.12
    assert text.count("<tr>") >= 5


def test_detail_of_a_draft_is_404_for_the_public_and_edit_for_its_publisher(client, world):
    disclosure = draft(world)
    url = reverse("disclosures:detail", args=[disclosure.pk])
    assert client.get(url).status_code == 404
    login(client, world.resident)
    assert client.get(url).status_code == 404
    login(client, world.pmc_chair)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("disclosures:edit", args=[disclosure.pk])
    assert client.get(reverse("disclosures:detail", args=[999999])).status_code == 404


def _detail_data(world, disclosure, count: int) -> None:
    for _ in range(count):
        ObjectionFactory(disclosure=disclosure, objector=PersonFactory())
        DisclosureAttachment.objects.create(
            disclosure=disclosure,
            file="disclosures/x.pdf",
            original_name="附件.pdf",
            kind="pdf",
            content_type="application/pdf",
            size=10,
        )


def test_detail_query_count_does_not_grow(client, world):
    disclosure = draft(world)
    services.disclosure_ledger_set(
        actor=world.pmc_chair,
        disclosure=disclosure,
        ledger=ledger_input(start=dt.date(2026, 7, 1), lines=4),
    )
    disclosure = publish(world.pmc_chair, disclosure)
    url = reverse("disclosures:detail", args=[disclosure.pk])
    login(client, world.resident)
    _detail_data(world, disclosure, 2)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _detail_data(world, disclosure, 20)
    Ledger.objects.filter(disclosure=disclosure).delete()
    with_ledger(disclosure, ledger_input(start=dt.date(2026, 7, 1), lines=300))
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


# --- objections ------------------------------------------------------------------------


def object_url(disclosure) -> str:
    return reverse("disclosures:object", args=[disclosure.pk])


def test_owner_files_an_objection_and_the_page_masks_the_name(client, world):
    world.resident.name = "王小明"
    world.resident.save()
    disclosure = published(world)
    login(client, world.resident)
    page = client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert 'name="body"' in page
    response = client.post(object_url(disclosure), {"body": "停车费收入少记了一个月。"})
    assert response.status_code == 302
    objection = Objection.objects.get(disclosure=disclosure)
    assert objection.objector == world.resident
    public = Client().get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert "停车费收入少记了一个月。" in public
    assert "王**" in public
    assert "王小明" not in public
    assert world.resident.mobile not in public


def test_objection_needs_login_and_ownership(client, world):
    disclosure = published(world)
    response = client.post(object_url(disclosure), {"body": "我有异议，请核实。"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    page = client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert reverse("accounts:login") in page
    login(client, world.tenant)
    page = client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert 'name="body"' not in page
    response = client.post(object_url(disclosure), {"body": "我有异议，请核实。"})
    assert response.status_code == 403
    assert not Objection.objects.exists()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("", "body"),
        ("短", "body"),
        ("长" * 2001, "body"),
    ],
)
def test_objection_bad_input_is_a_field_error(client, world, body, fragment):
    disclosure = published(world)
    login(client, world.resident)
    response = client.post(object_url(disclosure), {"body": body})
    assert response.status_code == 400
    assert b"field-error" in response.content
    assert not Objection.objects.exists()
    if body:
        assert body[:50].encode() in response.content  # what was typed comes back


def test_objection_script_is_escaped(client, world):
    disclosure = published(world)
    login(client, world.resident)
    client.post(object_url(disclosure), {"body": f"金额不对 {HOSTILE}"})
    text = Client().get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert "&lt;script&gt;" in text
    assert "<script>alert" not in text


def test_objection_to_an_expired_disclosure_is_refused_with_a_message(client, world):
    disclosure = DisclosureFactory(organization=world.pmc, state=Disclosure.State.EXPIRED)
    login(client, world.resident)
    page = client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert 'name="body"' not in page
    response = client.post(object_url(disclosure), {"body": "这个公示有问题。"})
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_objection_to_a_draft_is_404(client, world):
    disclosure = draft(world)
    login(client, world.resident)
    assert client.post(object_url(disclosure), {"body": "这个公示有问题。"}).status_code == 404


def test_publisher_answers_an_objection(client, world):
    disclosure = published(world)
    objection = services.objection_file(
        actor=world.resident, disclosure=disclosure, body="支出没有发票。"
    )
    url = reverse("disclosures:answer", args=[objection.pk])
    # Another organization's staff may not answer.
    login(client, world.company_staff)
    assert client.post(url, {"answer": "已核实，发票见附件。"}).status_code == 403
    login(client, world.pmc_chair)
    page = client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert url in page
    response = client.post(url, {"answer": ""})
    assert response.status_code == 400
    assert b"field-error" in response.content
    response = client.post(url, {"answer": f"已核实，发票见附件。{HOSTILE}"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.state == Objection.State.ANSWERED
    public = Client().get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert "已核实，发票见附件。" in public
    assert "<script>alert" not in public
    # Answering twice: a message, not a 500.
    response = client.post(url, {"answer": "再答一次，再答一次。"})
    assert response.status_code == 400


def test_answer_needs_login(client, world):
    disclosure = published(world)
    objection = ObjectionFactory(disclosure=disclosure, objector=world.resident)
    response = client.post(reverse("disclosures:answer", args=[objection.pk]), {"answer": "好的"})
    assert response.status_code == 302
    assert reverse("disclosures:answer", args=[999999])
    login(client, world.pmc_chair)
    assert client.post(reverse("disclosures:answer", args=[999999]), {}).status_code == 404


# --- publishers: drafts ----------------------------------------------------------------


def draft_data(world, **overrides) -> dict:
    data = {
        "organization": str(world.pmc.pk),
        "category": str(category("public_revenue").pk),
        "title": "2026年7月公共收益收支明细",
        "body_markdown": "本月收支如下：\n\n- 停车费\n- 广告位",
        "period_type": "month",
        "period_start": "2026-07-01",
        "period_end": "2026-07-31",
        "posting_start": "",
        "posting_end": "",
        "channels": ["board", "online"],
        "source_url": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_create_draft_pages_need_a_staff_member(client, world):
    url = staff_url("create", world)
    assert client.get(url).status_code == 302  # login
    login(client, world.resident)
    assert client.get(url).status_code == 403
    assert client.get(staff_url("staff", world)).status_code == 403
    login(client, world.pmc_chair)
    assert client.get(url).status_code == 200
    assert client.get(staff_url("staff", world)).status_code == 200


def test_create_draft_and_preview(client, world):
    login(client, world.pmc_chair)
    url = staff_url("create", world)
    response = client.post(url, draft_data(world, action="preview", body_markdown=HOSTILE_MD))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<li>" not in text or "正常内容" in text
    assert "<script>alert" not in text.split("disclosure-preview", 1)[-1]
    assert not Disclosure.objects.exists()
    response = client.post(url, draft_data(world))
    disclosure = Disclosure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("disclosures:edit", args=[disclosure.pk])
    assert disclosure.state == Disclosure.State.DRAFT
    assert disclosure.created_by == world.pmc_chair
    assert "<li>停车费</li>" in disclosure.body_html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "标" * 201}, "title"),
        ({"category": ""}, "category"),
        ({"category": "999999"}, "category"),
        ({"organization": "999999"}, "organization"),
        ({"period_start": "2026-13-45"}, "period_start"),
        ({"period_end": "2026-06-01"}, "period_end"),
        ({"period_type": "decade"}, "period_type"),
        ({"period_start": "", "period_end": ""}, "period_start"),
        ({"posting_start": "2026-08-10", "posting_end": "2026-08-01"}, "posting_end"),
        ({"channels": ["carrier-pigeon"]}, "channels"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"body_markdown": "x" * 50_001}, "body_markdown"),
    ],
)
def test_create_draft_bad_input_is_a_field_error(client, world, overrides, field):
    login(client, world.pmc_chair)
    data = draft_data(world, **overrides)
    response = client.post(staff_url("create", world), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert not Disclosure.objects.exists()
    if "body_markdown" not in overrides:
        assert "本月收支如下".encode() in response.content  # nothing typed is lost


def test_create_for_another_organization_is_refused(client, world):
    login(client, world.pmc_chair)
    response = client.post(
        staff_url("create", world), draft_data(world, organization=world.company.pk)
    )
    assert response.status_code == 400
    assert "organization" in response.context["form"].errors
    assert not Disclosure.objects.exists()


def test_edit_draft_and_published_edit_becomes_a_correction(client, world):
    disclosure = draft(world)
    login(client, world.pmc_chair)
    url = reverse("disclosures:edit", args=[disclosure.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, draft_data(world, title="改过的标题"))
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.title == "改过的标题"
    response = client.post(url, draft_data(world, title=""))
    assert response.status_code == 400
    publish(world.pmc_chair, disclosure)
    response = client.post(url, draft_data(world, title="偷偷修改"))
    assert response.status_code == 302
    assert response["Location"] == reverse("disclosures:correct", args=[disclosure.pk])
    disclosure.refresh_from_db()
    assert disclosure.title == "改过的标题"
    # Someone of another organization cannot even see the draft form.
    other = draft(world, title="另一个草稿")
    login(client, world.company_staff)
    assert client.get(reverse("disclosures:edit", args=[other.pk])).status_code == 404


def test_publish_refuses_a_posting_window_shorter_than_the_minimum(client, world):
    report = draft(
        world,
        actor=world.company_staff,
        organization=world.company,
        category=category("service_report_quarterly"),
        title="物业服务季度报告",
        period_type=PeriodType.QUARTER,
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2026, 6, 30),
        posting_start=timezone.localdate(),
        posting_end=timezone.localdate() + dt.timedelta(days=10),
    )
    login(client, world.company_staff)
    response = client.post(reverse("disclosures:publish", args=[report.pk]))
    assert response.status_code == 400
    assert b"30" in response.content
    assert b"publish-errors" in response.content
    report.refresh_from_db()
    assert report.state == Disclosure.State.DRAFT


def test_publish_and_delete_permissions(client, world):
    disclosure = draft(world)
    login(client, world.resident)
    assert client.post(reverse("disclosures:publish", args=[disclosure.pk])).status_code == 404
    assert client.post(reverse("disclosures:delete", args=[disclosure.pk])).status_code == 404
    login(client, world.pmc_chair)
    # 公示承诺制度 第二条: a 收支明细 without its ledger is refused with a plain message.
    response = client.post(reverse("disclosures:publish", args=[disclosure.pk]))
    assert response.status_code == 400
    assert b"publish-errors" in response.content
    assert "明细" in response.content.decode()
    disclosure.refresh_from_db()
    assert disclosure.state == Disclosure.State.DRAFT
    with_ledger(disclosure, ledger_input(start=dt.date(2026, 7, 1)))
    response = client.post(reverse("disclosures:publish", args=[disclosure.pk]))
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.state == Disclosure.State.PUBLISHED
    # Published: permanent.
    response = client.post(reverse("disclosures:delete", args=[disclosure.pk]))
    assert response.status_code == 302
    assert Disclosure.objects.filter(pk=disclosure.pk).exists()
    # A publisher of another organization gets a 403 on a published one.
    login(client, world.company_staff)
    assert client.post(reverse("disclosures:archive", args=[disclosure.pk])).status_code == 403
    other = draft(world, title="删除我")
    login(client, world.pmc_chair)
    client.post(reverse("disclosures:delete", args=[other.pk]))
    assert not Disclosure.objects.filter(pk=other.pk).exists()


# --- attachments -----------------------------------------------------------------------


def attach(client, disclosure, upload):
    return client.post(
        reverse("disclosures:attachment_add", args=[disclosure.pk]), {"file": upload}
    )


def test_attachment_pdf_and_image(client, world):
    disclosure = draft(world)
    login(client, world.pmc_chair)
    response = attach(client, disclosure, SimpleUploadedFile("发票.pdf", PDF_BYTES))
    assert response.status_code == 302
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 200, 10)).save(buffer, format="PNG")
    response = attach(client, disclosure, SimpleUploadedFile("现场.png", buffer.getvalue()))
    assert response.status_code == 302
    attachments = list(disclosure.attachments.order_by("pk"))
    assert [a.kind for a in attachments] == ["pdf", "image"]
    # Public only once published; then served with the checked type.
    url = reverse("disclosures:attachment", args=[attachments[0].pk])
    assert Client().get(url).status_code == 404
    publish(world.pmc_chair, disclosure)
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00 this is a windows executable"),
        ("photo.png", b"<html><script>alert(1)</script></html>"),
        ("report.exe", PDF_BYTES),
        ("page.html", b"<script>alert(1)</script>"),
        ("empty.pdf", b""),
    ],
)
def test_attachment_not_what_its_extension_says_is_refused(client, world, name, content):
    disclosure = draft(world)
    login(client, world.pmc_chair)
    response = attach(client, disclosure, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert b"field-error" in response.content
    assert not disclosure.attachments.exists()
    # The draft's typed text is still on the page.
    assert disclosure.title.encode() in response.content


def test_attachment_too_large_or_missing(client, world):
    disclosure = draft(world)
    login(client, world.pmc_chair)
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024))
    response = attach(client, disclosure, big)
    assert response.status_code == 400
    assert b"10 MB" in response.content
    response = client.post(reverse("disclosures:attachment_add", args=[disclosure.pk]), {})
    assert response.status_code == 400
    assert not disclosure.attachments.exists()


# --- ledger import ---------------------------------------------------------------------


def ledger_url(disclosure) -> str:
    return reverse("disclosures:ledger_import", args=[disclosure.pk])


def test_ledger_import_xlsx(client, world):
    disclosure = draft(world)
    login(client, world.pmc_chair)
    assert client.get(ledger_url(disclosure)).status_code == 200
    response = client.post(ledger_url(disclosure), {"file": xlsx_file(GOOD_ROWS), **GOOD_TOTALS})
    assert response.status_code == 302, response.content.decode()[:2000]
    ledger = Ledger.objects.get(disclosure=disclosure)
    assert ledger.line_count == 3
    assert ledger.closing_balance == Decimal("11500.25")


def test_ledger_import_csv(client, world):
    disclosure = draft(world)
    login(client, world.pmc_chair)
    response = client.post(ledger_url(disclosure), {"file": csv_file(GOOD_ROWS), **GOOD_TOTALS})
    assert response.status_code == 302
    assert Ledger.objects.get(disclosure=disclosure).line_count == 3


def test_ledger_import_bad_rows_show_a_table_and_import_nothing(client, world):
    disclosure = draft(world)
    login(client, world.pmc_chair)
    rows = [
        *GOOD_ROWS,
        ["2026-07-21", "负数", "", "-50", "支出", ""],
        ["2026-07-22", "不是数字", "", "一百", "收入", ""],
        ["2026-08-02", "期外日期", "", "10", "收入", ""],
        ["2026-07-23", HOSTILE, "", "10", "转账", ""],
    ]
    response = client.post(ledger_url(disclosure), {"file": xlsx_file(rows), **GOOD_TOTALS})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-testid="row-errors"' in text
    for row in ("5", "6", "8"):
        assert f"<td>{row}</td>" in text
    assert "<script>alert" not in text
    assert not Ledger.objects.filter(disclosure=disclosure).exists()
    # What was typed is kept; the file must be chosen again, and the page says so.
    assert 'value="11500.25"' in text
    assert response.context["form"].errors["file"]


def test_ledger_import_totals_that_do_not_add_up(client, world):
    disclosure = draft(world)
    login(client, world.pmc_chair)
    totals = {**GOOD_TOTALS, "stated_income": "9999.99"}
    response = client.post(ledger_url(disclosure), {"file": xlsx_file(GOOD_ROWS), **totals})
    assert response.status_code == 400
    assert "2000.50" in response.content.decode()
    assert not Ledger.objects.filter(disclosure=disclosure).exists()


@pytest.mark.parametrize(
    ("upload", "totals"),
    [
        (None, GOOD_TOTALS),
        (SimpleUploadedFile("ledger.txt", b"date,item\n"), GOOD_TOTALS),
        (SimpleUploadedFile("ledger.xlsx", b"not a zip at all"), GOOD_TOTALS),
        (SimpleUploadedFile("ledger.xlsx", b"PK\x03\x04garbage"), GOOD_TOTALS),
        (SimpleUploadedFile("ledger.csv", b""), GOOD_TOTALS),
        ("rows", {**GOOD_TOTALS, "opening_balance": "abc"}),
        ("rows", {**GOOD_TOTALS, "stated_income": "-5"}),
        ("rows", {**GOOD_TOTALS, "stated_expense": "1.234"}),
        ("rows", {**GOOD_TOTALS, "stated_closing_balance": ""}),
        ("rows", {**GOOD_TOTALS, "stated_closing_balance": "1e400"}),
    ],
)
def test_ledger_import_wrong_or_missing_input(client, world, upload, totals):
    disclosure = draft(world)
    login(client, world.pmc_chair)
    data = dict(totals)
    if upload == "rows":
        data["file"] = xlsx_file(GOOD_ROWS)
    elif upload is not None:
        data["file"] = upload
    response = client.post(ledger_url(disclosure), data)
    assert response.status_code == 400
    assert b"field-error" in response.content or b"alert-error" in response.content
    assert not Ledger.objects.filter(disclosure=disclosure).exists()


def test_ledger_import_too_large(client, world):
    disclosure = draft(world)
    login(client, world.pmc_chair)
    big = SimpleUploadedFile("ledger.csv", b"a" * (5 * 1024 * 1024 + 1))
    response = client.post(ledger_url(disclosure), {"file": big, **GOOD_TOTALS})
    assert response.status_code == 400
    assert b"5 MB" in response.content


def test_ledger_import_permissions_and_published(client, world):
    disclosure = draft(world)
    login(client, world.company_staff)
    assert client.get(ledger_url(disclosure)).status_code == 404
    publish(world.pmc_chair, disclosure)
    login(client, world.pmc_chair)
    response = client.post(ledger_url(disclosure), {"file": xlsx_file(GOOD_ROWS), **GOOD_TOTALS})
    assert response.status_code == 302
    assert response["Location"] == reverse("disclosures:correct", args=[disclosure.pk])
    # The ledger published with it (公示承诺制度 第二条) stays; the import did not replace it.
    assert Ledger.objects.get(disclosure=disclosure).line_count == 2


# --- corrections -----------------------------------------------------------------------


def test_correction_is_a_new_version_with_a_public_reason(client, world):
    disclosure = published(world, title="七月收支")
    login(client, world.pmc_chair)
    url = reverse("disclosures:correct", args=[disclosure.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "七月收支" in page.content.decode()
    response = client.post(
        url,
        {
            "reason": "",
            "title": "七月收支（更正）",
            "body_markdown": "更正后的内容",
            "channels": ["board"],
        },
    )
    assert response.status_code == 400
    assert "七月收支（更正）" in response.content.decode()  # nothing typed is lost
    response = client.post(
        url,
        {
            "reason": "漏记一笔停车费收入",
            "title": "七月收支（更正）",
            "body_markdown": f"更正后的内容{HOSTILE}",
            "channels": ["board", "online"],
        },
    )
    assert response.status_code == 302
    new = Disclosure.objects.get(previous=disclosure)
    assert response["Location"] == reverse("disclosures:detail", args=[new.pk])
    disclosure.refresh_from_db()
    assert disclosure.state == Disclosure.State.SUPERSEDED
    text = client.get(reverse("disclosures:detail", args=[new.pk])).content.decode()
    assert "漏记一笔停车费收入" in text
    assert 'data-testid="versions"' in text
    assert "<script>alert" not in text
    old = client.get(reverse("disclosures:detail", args=[disclosure.pk])).content.decode()
    assert "v2" in old  # the superseded page points at the current version
    # The old version cannot be corrected again.
    response = client.get(url)
    assert response.status_code == 302


def test_correction_permission(client, world):
    disclosure = published(world)
    login(client, world.resident)
    assert client.get(reverse("disclosures:correct", args=[disclosure.pk])).status_code == 403
    login(client, world.company_staff)
    assert client.post(reverse("disclosures:correct", args=[disclosure.pk]), {}).status_code == 403


# --- compliance ------------------------------------------------------------------------


def test_compliance_table(client, world):
    DisclosureFactory(
        organization=world.pmc,
        category=category("maintenance_fund"),
        period_type=PeriodType.QUARTER,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        published_at=dt.datetime(2026, 4, 5, 10, tzinfo=TZ),
    )
    url = staff_url("compliance", world)
    login(client, world.resident)
    assert client.get(url).status_code == 403
    login(client, world.party_secretary)
    response = client.get(f"{url}&period=2026Q1")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="compliance"' in text
    assert "compliance-on_time" in text
    response = client.get(f"{url}&period=2026Q7")
    assert response.status_code == 400
    assert b"field-error" in response.content
    response = client.get(f"{url}&period=2026&organization=abc")
    assert response.status_code == 400


# --- reports ---------------------------------------------------------------------------


def test_report_request_progress_and_download(client, world, django_capture_on_commit_callbacks):
    published(world)
    url = staff_url("reports", world)
    login(client, world.resident)
    assert client.get(url).status_code == 403
    login(client, world.party_secretary)
    page = client.get(url)
    assert page.status_code == 200
    assert b"vendor/htmx/htmx.min.js" in page.content
    for bad in ("", "2026Q5", "26Q1", "<script>", "2026Q1Q2", "1999"):
        response = client.post(url, {"period": bad})
        assert response.status_code == 400, bad
        assert b"field-error" in response.content
    assert not Report.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"period": "2026q3"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.period == "2026Q3"
    status_url = reverse("disclosures:report_status", args=[report.pk])
    assert client.get(status_url).json()["status"] == "pending"
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment
    download = reverse("disclosures:report_download", args=[report.pk])
    assert client.get(download).status_code == 404
    services.report_generate(report_id=report.pk)
    data = client.get(status_url).json()
    assert data["status"] == "done"
    assert data["download"] == download
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # Staff of another compound see nothing of it.
    stranger = MembershipFactory(role="staff").person
    login(client, stranger)
    assert client.get(status_url).status_code == 404


# --- sunshine code ---------------------------------------------------------------------


def test_sunshine_code_page_png_svg_and_poster(client, world):
    url = staff_url("sunshine", world)
    response = client.get(url)
    assert response.status_code == 200
    target = reverse("disclosures:board", kwargs={"compound_slug": world.compound.slug})
    assert target in response.content.decode()
    png = client.get(staff_url("sunshine_png", world))
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    svg = client.get(f"{staff_url('sunshine_svg', world)}&download=1")
    assert svg["Content-Type"] == "image/svg+xml"
    assert "attachment" in svg["Content-Disposition"]
    ET.fromstring(svg.content)  # well-formed
    poster = staff_url("sunshine_poster", world)
    assert client.get(poster).status_code == 302  # login
    login(client, world.resident)
    assert client.get(poster).status_code == 403
    login(client, world.party_secretary)
    response = client.get(poster)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_disclosure_qr_codes(client, world):
    disclosure = published(world)
    png = client.get(reverse("disclosures:disclosure_qr_png", args=[disclosure.pk]))
    assert png.content.startswith(b"\x89PNG")
    svg = client.get(reverse("disclosures:disclosure_qr_svg", args=[disclosure.pk]))
    ET.fromstring(svg.content)
    hidden = draft(world)
    assert client.get(reverse("disclosures:disclosure_qr_png", args=[hidden.pk])).status_code == 404


# --- staff desk ------------------------------------------------------------------------


def test_staff_desk_lists_drafts_and_open_objections(client, world):
    mine = draft(world, title="我的草稿")
    disclosure = published(world, title="已发布")
    ObjectionFactory(disclosure=disclosure, objector=world.resident, body="请解释这笔支出")
    login(client, world.pmc_chair)
    text = client.get(staff_url("staff", world)).content.decode()
    assert mine.title in text
    assert "请解释这笔支出" in text
    text = client.get(f"{staff_url('staff', world)}&state=draft").content.decode()
    assert disclosure.title not in text.split("staff-disclosures", 1)[1]
    assert client.get(f"{staff_url('staff', world)}&state=<x>&page=zz").status_code == 200
