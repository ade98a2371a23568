"""The quarterly / annual report PDF and the sunshine-code poster."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from disclosures.models import Disclosure, PeriodType, Report
from disclosures.pdf import poster_pdf, report_pdf
from disclosures.services import objection_answer, objection_file, report_generate
from tests.factories.disclosures import (
    DisclosureFactory,
    category,
    ledger_input,
    with_ledger,
)

TZ = dt.timezone(dt.timedelta(hours=8))


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def quarter_data(world):
    with time_machine.travel(dt.datetime(2026, 8, 5, 10, tzinfo=TZ), tick=False):
        revenue = DisclosureFactory(
            organization=world.pmc,
            category=category("public_revenue"),
            title="2026年7月公共收益收支明细",
            period_type=PeriodType.MONTH,
            period_start=dt.date(2026, 7, 1),
            period_end=dt.date(2026, 7, 31),
        )
        with_ledger(
            revenue,
            ledger_input(start=dt.date(2026, 7, 1), lines=5, amount=Decimal("1234.56")),
        )
        report = DisclosureFactory(
            organization=world.company,
            category=category("service_report_quarterly"),
            title="物业服务季度报告（第三季度）",
            body_markdown="本季度完成电梯年检。",
            body_html="<p>本季度完成电梯年检。</p>",
        )
        objection = objection_file(
            actor=world.resident, disclosure=revenue, body="停车费收入偏低，请说明。"
        )
        objection_answer(actor=world.pmc_chair, objection=objection, answer="已核对车位出租合同。")
    return revenue, report


@pytest.mark.django_db
def test_quarterly_report_has_titles_totals_and_embedded_cjk_font(world, tmp_path):
    quarter_data(world)
    with time_machine.travel(dt.datetime(2026, 10, 20, 10, tzinfo=TZ), tick=False):
        data = report_pdf(compound=world.compound, period="2026Q3")
    text = pdf_text(data, tmp_path)
    assert "2026年7月公共收益收支明细" in text
    assert "物业服务季度报告（第三季度）" in text
    assert "本季度完成电梯年检" in text
    # 3 income lines, 2 expense lines of 1234.56; opening 1000.00
    assert "3703.68" in text
    assert "2469.12" in text
    assert "2234.56" in text
    assert "停车费收入偏低" in text
    assert "已核对车位出租合同" in text
    assert world.compound.name in text
    fonts = pdf_fonts(data, tmp_path)
    assert "WenQuanYi" in fonts
    font_lines = [ln for ln in fonts.splitlines() if "WenQuanYi" in ln]
    assert all(" yes " in ln for ln in font_lines), fonts  # embedded


@pytest.mark.django_db
def test_thousand_line_ledger_renders(world, tmp_path):
    with time_machine.travel(dt.datetime(2026, 8, 5, 10, tzinfo=TZ), tick=False):
        big = DisclosureFactory(
            organization=world.pmc,
            category=category("maintenance_fund"),
            title="维修资金使用台账（大）",
            period_type=PeriodType.MONTH,
            period_start=dt.date(2026, 7, 1),
            period_end=dt.date(2026, 7, 31),
        )
        with_ledger(big, ledger_input(start=dt.date(2026, 7, 1), lines=1000))
    # Its speed is measured in bench/ (item 7, a ratio against bare WeasyPrint), not here.
    data = report_pdf(compound=world.compound, period="2026Q3")
    text = pdf_text(data, tmp_path)
    assert "维修资金使用台账（大）" in text
    assert "电梯维修支出1000" in text
    assert "50250.00" in text  # 500 income lines of 100.50


@pytest.mark.django_db
def test_report_task_stores_file_and_progress(world, tmp_path):
    quarter_data(world)
    report = Report.objects.create(compound=world.compound, period="2026Q3")
    done = report_generate(report_id=report.pk)
    assert done.status == Report.Status.DONE
    assert done.progress == 100
    assert done.file.read().startswith(b"%PDF-")
    # idempotent: a second run leaves it alone
    again = report_generate(report_id=report.pk)
    assert again.file.name == done.file.name


@pytest.mark.django_db
def test_annual_report_and_command(world, tmp_path):
    quarter_data(world)
    out = tmp_path / "annual.pdf"
    call_command(
        "disclosure_report",
        "--compound",
        world.compound.slug,
        "--period",
        "2026",
        "--output",
        str(out),
    )
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "2026年公示报告" in text
    assert "2026年7月公共收益收支明细" in text


@pytest.mark.django_db
def test_report_excludes_drafts(world, tmp_path):
    with time_machine.travel(dt.datetime(2026, 8, 5, 10, tzinfo=TZ), tick=False):
        DisclosureFactory(
            organization=world.pmc, title="未发布的草稿标题", state=Disclosure.State.DRAFT
        )
    text = pdf_text(report_pdf(compound=world.compound, period="2026Q3"), tmp_path)
    assert "未发布的草稿标题" not in text


@pytest.mark.django_db
def test_poster_has_compound_name_and_qr(world, tmp_path):
    data = poster_pdf(compound=world.compound)
    text = pdf_text(data, tmp_path)
    assert world.compound.name in text
    assert world.compound.slug in text
    assert b"/Image" in data or b"/XObject" in data
