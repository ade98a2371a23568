"""Disclosure services: drafts, publishing windows, versions, attachments, objections."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from disclosures.models import Disclosure, DisclosureEvent, Objection, PeriodType
from disclosures.services import (
    ATTACHMENT_MAX_BYTES,
    DisclosureStateError,
    disclosure_attachment_add,
    disclosure_correct,
    disclosure_create_draft,
    disclosure_ledger_set,
    disclosure_publish,
    disclosure_publish_external,
    disclosure_update_draft,
    disclosures_expire_due,
    objection_answer,
    objection_file,
    objections_scan_overdue,
)
from huashan.notify.models import Notification
from tests.factories.disclosures import DisclosureFactory, category, ledger_input

TZ = dt.timezone(dt.timedelta(hours=8))
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(out, format="PNG")
    return out.getvalue()


def draft(world, **kwargs):
    defaults = {
        "actor": world.company_staff,
        "compound": world.compound,
        "organization": world.company,
        "category": category("service_report_quarterly"),
        "title": "2026年第三季度物业服务季度报告",
        "body_markdown": "本季度**完成**电梯年检。",
    }
    defaults.update(kwargs)
    return disclosure_create_draft(**defaults)


@pytest.mark.django_db
def test_script_in_body_is_stripped(world):
    d = draft(world, body_markdown="正文<script>alert('x')</script><a href='javascript:x'>链接</a>")
    assert "<script" not in d.body_html
    assert "alert" not in d.body_html
    assert "javascript:" not in d.body_html
    assert "正文" in d.body_html


@pytest.mark.django_db
def test_publish_applies_category_minimum_and_refuses_shorter_window(world):
    with time_machine.travel(dt.datetime(2026, 10, 8, 9, tzinfo=TZ), tick=False):
        d = draft(world, posting_end=dt.date(2026, 10, 20))
        with pytest.raises(ValidationError) as exc:
            disclosure_publish(actor=world.company_staff, disclosure=d)
        assert "posting_end" in exc.value.message_dict
        d.refresh_from_db()
        assert d.state == Disclosure.State.DRAFT
        disclosure_update_draft(actor=world.company_staff, disclosure=d, posting_end=None)
        disclosure_publish(actor=world.company_staff, disclosure=d)
    assert d.state == Disclosure.State.PUBLISHED
    assert (d.posting_end - d.posting_start).days >= 30


@pytest.mark.django_db
def test_personnel_is_long_term(world):
    d = draft(
        world,
        actor=world.party_secretary,
        organization=world.party,
        category=category("personnel"),
        title="小区党组织成员及联系方式",
        posting_end=dt.date(2030, 1, 1),
    )
    disclosure_publish(actor=world.party_secretary, disclosure=d)
    assert d.long_term is True
    assert d.posting_end is None


@pytest.mark.django_db
def test_published_disclosure_cannot_be_edited_in_place(world):
    d = draft(world)
    disclosure_publish(actor=world.company_staff, disclosure=d)
    with pytest.raises(DisclosureStateError):
        disclosure_update_draft(actor=world.company_staff, disclosure=d, title="偷偷改掉")
    d.refresh_from_db()
    assert d.title == "2026年第三季度物业服务季度报告"


@pytest.mark.django_db
def test_correction_creates_new_version_linked_to_previous(world):
    d = draft(world)
    disclosure_publish(actor=world.company_staff, disclosure=d)
    new = disclosure_correct(
        actor=world.company_staff,
        disclosure=d,
        reason="更正维修项目数量",
        body_markdown="更正后的内容",
    )
    d.refresh_from_db()
    assert d.state == Disclosure.State.SUPERSEDED
    assert new.state == Disclosure.State.PUBLISHED
    assert new.version == 2
    assert new.previous_id == d.pk
    assert new.root_id == d.pk
    assert "更正后的内容" in new.body_html
    assert d.body_markdown == "本季度**完成**电梯年检。"
    verbs = set(DisclosureEvent.objects.values_list("verb", flat=True))
    assert {"superseded", "corrected"} <= verbs
    with pytest.raises(ValidationError):
        disclosure_correct(actor=world.company_staff, disclosure=new, reason="")
    with pytest.raises(DisclosureStateError):
        disclosure_correct(actor=world.company_staff, disclosure=d, reason="再改一次旧版本")


@pytest.mark.django_db
def test_correction_carries_ledger(world):
    d = draft(
        world,
        actor=world.pmc_chair,
        organization=world.pmc,
        category=category("public_revenue"),
        period_type=PeriodType.MONTH,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 7, 31),
    )
    disclosure_ledger_set(
        actor=world.pmc_chair, disclosure=d, ledger=ledger_input(start=dt.date(2026, 7, 1))
    )
    disclosure_publish(actor=world.pmc_chair, disclosure=d)
    new = disclosure_correct(actor=world.pmc_chair, disclosure=d, reason="补充说明")
    assert new.ledger.line_count == 3
    assert new.ledger.closing_balance == d.ledger.closing_balance


@pytest.mark.django_db
def test_attachment_magic_bytes_must_match_extension(world):
    d = draft(world)
    ok = disclosure_attachment_add(
        actor=world.company_staff,
        disclosure=d,
        uploaded_file=SimpleUploadedFile("报告.pdf", PDF_BYTES),
    )
    assert ok.kind == "pdf"
    image = disclosure_attachment_add(
        actor=world.company_staff,
        disclosure=d,
        uploaded_file=SimpleUploadedFile("照片.png", png_bytes()),
    )
    assert image.kind == "image"
    assert image.content_type == "image/jpeg"  # re-encoded without EXIF
    for name, data in (
        ("fake.pdf", b"<html><script>x</script></html>"),
        ("fake.png", PDF_BYTES),
        ("virus.exe", b"MZ\x90\x00"),
        ("empty.pdf", b""),
    ):
        with pytest.raises(ValidationError):
            disclosure_attachment_add(
                actor=world.company_staff,
                disclosure=d,
                uploaded_file=SimpleUploadedFile(name, data),
            )
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * ATTACHMENT_MAX_BYTES)
    with pytest.raises(ValidationError):
        disclosure_attachment_add(actor=world.company_staff, disclosure=d, uploaded_file=big)
    assert d.attachments.count() == 2


@pytest.mark.django_db
def test_attachments_refused_after_publishing(world):
    d = draft(world)
    disclosure_publish(actor=world.company_staff, disclosure=d)
    with pytest.raises(DisclosureStateError):
        disclosure_attachment_add(
            actor=world.company_staff,
            disclosure=d,
            uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )


@pytest.mark.django_db
def test_expire_scan_once(world):
    with time_machine.travel(dt.datetime(2026, 7, 1, 9, tzinfo=TZ), tick=False):
        d = draft(world)
        disclosure_publish(actor=world.company_staff, disclosure=d)
    assert disclosures_expire_due(today=d.posting_end) == 0
    assert disclosures_expire_due(today=d.posting_end + dt.timedelta(days=1)) == 1
    assert disclosures_expire_due(today=d.posting_end + dt.timedelta(days=2)) == 0
    d.refresh_from_db()
    assert d.state == Disclosure.State.EXPIRED


@pytest.mark.django_db
def test_publish_external(world):
    d = disclosure_publish_external(
        actor=world.pmc_chair,
        compound=world.compound,
        organization=world.pmc,
        category_code="meeting_summary",
        title="联席会议纪要",
        body="会议议定事项如下。",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 7, 31),
    )
    assert d.state == Disclosure.State.PUBLISHED
    assert d.period_type == PeriodType.MONTH
    with pytest.raises(ValidationError):
        disclosure_publish_external(
            actor=world.pmc_chair,
            compound=world.compound,
            organization=world.pmc,
            category_code="no_such_code",
            title="x",
            body="y",
        )
    with pytest.raises(PermissionDenied):
        disclosure_publish_external(
            actor=world.company_staff,
            compound=world.compound,
            organization=world.pmc,
            category_code="meeting_summary",
            title="冒名发布",
            body="y",
        )


@pytest.mark.django_db
def test_objection_deadline_is_seven_working_days_across_national_day(world):
    d = DisclosureFactory(organization=world.company)
    with time_machine.travel(dt.datetime(2026, 9, 29, 10, tzinfo=TZ), tick=False):
        o = objection_file(actor=world.resident, disclosure=d, body="公示的维保单位资质已过期。")
    # 9/30 (1), 10/1–10/7 holiday, 10/8 … : 7 working days end on 10/14 (10/10 is 调休 workday)
    local_due = o.answer_due.astimezone(TZ)
    assert local_due.date() in (dt.date(2026, 10, 15), dt.date(2026, 10, 14))
    assert local_due.date() > dt.date(2026, 10, 8)
    assert Notification.objects.filter(recipient=world.company_staff).exists()


@pytest.mark.django_db
def test_objection_rules(world):
    d = DisclosureFactory(organization=world.company)
    with pytest.raises(PermissionDenied):
        objection_file(actor=world.tenant, disclosure=d, body="租户不能提异议吗？")
    with pytest.raises(ValidationError):
        objection_file(actor=world.resident, disclosure=d, body="  ")
    with pytest.raises(ValidationError):
        objection_file(actor=world.resident, disclosure=d, body="x" * 5000)
    expired = DisclosureFactory(organization=world.company, state=Disclosure.State.EXPIRED)
    with pytest.raises(DisclosureStateError):
        objection_file(actor=world.resident, disclosure=expired, body="已过公示期的异议")
    draft_d = DisclosureFactory(organization=world.company, state=Disclosure.State.DRAFT)
    with pytest.raises(DisclosureStateError):
        objection_file(actor=world.resident, disclosure=draft_d, body="草稿不能异议")


@pytest.mark.django_db
def test_objection_answer_and_overdue_once(world):
    d = DisclosureFactory(organization=world.company)
    with time_machine.travel(dt.datetime(2026, 7, 6, 10, tzinfo=TZ), tick=False):
        late = objection_file(actor=world.resident, disclosure=d, body="第一条异议，请答复。")
        answered = objection_file(actor=world.neighbour, disclosure=d, body="第二条异议内容。")
    with pytest.raises(PermissionDenied):
        objection_answer(actor=world.resident, objection=answered, answer="业主自己答复")
    objection_answer(actor=world.company_staff, objection=answered, answer="已核实并更正。")
    assert answered.state == Objection.State.ANSWERED
    with pytest.raises(ValidationError):
        objection_answer(actor=world.company_staff, objection=answered, answer="再答一次试试")
    after = late.answer_due + dt.timedelta(minutes=1)
    before = Notification.objects.filter(recipient=world.party_secretary).count()
    assert objections_scan_overdue(now=after) == 1
    assert objections_scan_overdue(now=after) == 0
    assert Notification.objects.filter(recipient=world.party_secretary).count() == before + 1
