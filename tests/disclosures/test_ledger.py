"""Ledger import: good file, bad rows (nothing imported), totals mismatch, hostile files."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from disclosures.ledger import LedgerImportError, parse_amount
from disclosures.models import Ledger, LedgerLine, PeriodType
from disclosures.services import disclosure_create_draft, disclosure_ledger_import
from tests.factories.disclosures import category

HEADER = ["日期", "项目", "对方", "金额", "收支", "类别"]


def xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("台账.xlsx", out.getvalue())


def csv_file(text: str, name: str = "台账.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


@pytest.fixture
def revenue(world):
    return disclosure_create_draft(
        actor=world.pmc_chair,
        compound=world.compound,
        organization=world.pmc,
        category=category("maintenance_fund"),
        title="2026年第三季度维修资金使用台账",
        period_type=PeriodType.QUARTER,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
    )


def do_import(world, disclosure, upload, **totals):
    values = {
        "opening_balance": "10000.00",
        "stated_income": "500.25",
        "stated_expense": "3200.00",
        "stated_closing_balance": "7300.25",
    }
    values.update(totals)
    return disclosure_ledger_import(
        actor=world.pmc_chair, disclosure=disclosure, uploaded_file=upload, **values
    )


GOOD_ROWS = [
    # a spreadsheet cell holds a naive datetime
    [dt.datetime(2026, 7, 3), "维修资金利息", "维修资金中心", 500.25, "收入", "利息"],  # noqa: DTZ001
    [dt.date(2026, 8, 9), "3栋电梯主板更换", "某电梯公司", "2,000.00", "支出", "电梯"],
    ["2026/09/15", "屋面防水", "某建筑公司", 1200, "支出", "屋面"],
]


@pytest.mark.django_db
def test_good_xlsx_imports_with_decimal_totals(world, revenue):
    ledger = do_import(world, revenue, xlsx(GOOD_ROWS))
    assert ledger.line_count == 3
    assert ledger.income_total == Decimal("500.25")
    assert ledger.expense_total == Decimal("3200.00")
    assert ledger.closing_balance == Decimal("7300.25")
    assert list(ledger.lines.values_list("amount", flat=True)) == [
        Decimal("500.25"),
        Decimal("2000.00"),
        Decimal("1200.00"),
    ]


@pytest.mark.django_db
def test_good_csv_imports(world, revenue):
    text = (
        "日期,项目,对方,金额,收支,类别\n"
        "2026-07-03,维修资金利息,中心,500.25,收入,利息\n"
        "2026年8月9日,电梯主板,某电梯公司,2000,支出,电梯\n"
        "2026.09.15,屋面防水,某建筑公司,1200.00,expense,屋面\n"
    )
    assert do_import(world, revenue, csv_file(text)).line_count == 3


@pytest.mark.django_db
def test_bad_rows_are_all_reported_with_row_numbers_and_nothing_is_imported(world, revenue):
    rows = [
        *GOOD_ROWS,
        [dt.date(2026, 7, 5), "负数", "", -50, "支出", ""],
        [dt.date(2026, 7, 6), "非数字", "", "五十元", "支出", ""],
        ["2026-13-40", "坏日期", "", 10, "收入", ""],
        [dt.date(2026, 7, 8), "", "", 10, "收入", ""],
        [dt.date(2026, 7, 9), "三位小数", "", "10.123", "收入", ""],
        [dt.date(2026, 7, 10), "方向不明", "", 10, "转账", ""],
    ]
    with pytest.raises(LedgerImportError) as exc:
        do_import(world, revenue, xlsx(rows))
    rows_reported = {e.row for e in exc.value.row_errors}
    assert rows_reported == {5, 6, 7, 8, 9, 10}
    assert any("第" in m or "Row 5" in m or "5" in m for m in exc.value.messages)
    assert not Ledger.objects.exists()
    assert not LedgerLine.objects.exists()


@pytest.mark.django_db
def test_date_outside_period_is_refused(world, revenue):
    rows = [*GOOD_ROWS[:1], [dt.date(2026, 10, 1), "下季度的支出", "", 3200, "支出", ""]]
    with pytest.raises(LedgerImportError) as exc:
        do_import(world, revenue, xlsx(rows))
    assert [e.row for e in exc.value.row_errors] == [3]
    assert not Ledger.objects.exists()


@pytest.mark.django_db
def test_totals_mismatch_is_refused(world, revenue):
    with pytest.raises(LedgerImportError) as exc:
        do_import(world, revenue, xlsx(GOOD_ROWS), stated_income="600.00")
    fields = {e.field for e in exc.value.row_errors}
    assert fields == {"totals"}
    assert len(exc.value.row_errors) == 1  # income only: closing is computed from lines
    with pytest.raises(LedgerImportError):
        do_import(world, revenue, xlsx(GOOD_ROWS), stated_closing_balance="7300.26")
    with pytest.raises(LedgerImportError):
        do_import(world, revenue, xlsx(GOOD_ROWS), opening_balance="abc")
    assert not Ledger.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("台账.xlsx", b"not a zip at all"),
        ("台账.xlsx", b"PK\x03\x04broken zip"),
        ("台账.txt", b"a,b,c"),
        ("台账.csv", b""),
        ("台账.csv", "日期,金额\n2026-07-01,10\n".encode()),
        ("台账.csv", b"\x00\x01\x02binary"),
    ],
)
def test_hostile_files_are_refused_cleanly(world, revenue, name, data):
    with pytest.raises(LedgerImportError):
        do_import(world, revenue, SimpleUploadedFile(name, data))
    assert not Ledger.objects.exists()


def test_parse_amount():
    assert parse_amount("¥1,234.5") == Decimal("1234.50")
    assert parse_amount(0.1) == Decimal("0.10")
    for bad in ("-1", "0", "1e400", "NaN", "", None, True, "12.345"):
        with pytest.raises(ValueError, match=r".+"):
            parse_amount(bad)
