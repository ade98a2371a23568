"""Financial ledgers (收支明细 / 维修资金台账): validation, totals, .xlsx/CSV import.

seed: 公示承诺制度 第二条 (公共收益收支明细, 维修资金使用); 物业管理委员会服务承诺 2
("每月公示小区公共收益收支明细，每季度公开维修资金使用台账"). DESIGN.md §4 "Money":
``Decimal`` only, two places, totals checked on save.

Import is all-or-nothing: :func:`ledger_parse_file` reads every row and
collects *all* row errors (with the spreadsheet row number, header = row 1);
:func:`ledger_check` adds the period and totals checks. Only an input with no
error at all is written (:func:`ledger_write`, inside the caller's transaction).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Disclosure, Ledger, LedgerLine

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
#: Errors shown at most; the rest are counted.
MAX_REPORTED_ERRORS = 200

Direction = LedgerLine.Direction

#: Accepted column headers (lower-cased) → field.
HEADERS = {
    "date": "date",
    "日期": "date",
    "item": "item",
    "项目": "item",
    "摘要": "item",
    "事项": "item",
    "counterparty": "counterparty",
    "对方": "counterparty",
    "往来单位": "counterparty",
    "收付款单位": "counterparty",
    "amount": "amount",
    "金额": "amount",
    "金额（元）": "amount",
    "金额(元)": "amount",
    "direction": "direction",
    "收支": "direction",
    "收/支": "direction",
    "类型": "direction",
    "category": "category",
    "类别": "category",
    "科目": "category",
}
REQUIRED_COLUMNS = ("date", "item", "amount", "direction")
DIRECTIONS = {
    "income": Direction.INCOME,
    "收入": Direction.INCOME,
    "收": Direction.INCOME,
    "expense": Direction.EXPENSE,
    "支出": Direction.EXPENSE,
    "支": Direction.EXPENSE,
}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class LedgerLineInput:
    date: dt.date
    item: str
    amount: Decimal
    direction: str
    counterparty: str = ""
    category: str = ""
    row: int | None = None  # spreadsheet row, for messages


@dataclass
class LedgerInput:
    opening_balance: Decimal
    stated_income: Decimal
    stated_expense: Decimal
    stated_closing_balance: Decimal
    lines: list[LedgerLineInput] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    """One problem: ``row`` is the spreadsheet row (None for the whole ledger)."""

    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return gettext("Row %(row)d, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


class LedgerImportError(ValidationError):
    """The ledger was refused; ``errors`` lists every row problem. Nothing was saved."""

    def __init__(self, errors: list[RowError], *, total: int | None = None):
        self.row_errors = errors[:MAX_REPORTED_ERRORS]
        self.total_errors = total if total is not None else len(errors)
        messages = [str(e) for e in self.row_errors]
        if self.total_errors > len(self.row_errors):
            messages.append(
                gettext("… and %(count)d more problems.")
                % {"count": self.total_errors - len(self.row_errors)}
            )
        super().__init__(messages, code="ledger_invalid")


# --- cell parsing ------------------------------------------------------------


def parse_amount(value: Any) -> Decimal:
    """A positive amount with at most two decimals; raises ValueError with a message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(gettext("the amount is missing"))
    if isinstance(value, bool):
        raise ValueError(gettext("“%(value)s” is not a number") % {"value": value})
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    text = text.lstrip("¥￥").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(gettext("“%(value)s” is not a number") % {"value": value}) from None
    if not amount.is_finite():
        raise ValueError(gettext("“%(value)s” is not a number") % {"value": value})
    if amount <= 0:
        raise ValueError(
            gettext(
                "the amount must be greater than zero (put expenses in the expense "
                "direction, not as negative numbers)"
            )
        )
    if amount > MAX_AMOUNT:
        raise ValueError(gettext("the amount is too large"))
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(gettext("at most two decimal places (fen), please"))
    return amount.quantize(CENT)


def parse_money(value: Any, *, allow_negative: bool = True) -> Decimal:
    """A balance or total: Decimal with two places; may be negative or zero."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value if value is not None else "").strip().replace(",", "")
        try:
            amount = Decimal(text.lstrip("¥￥"))
        except InvalidOperation:
            raise ValueError(gettext("“%(value)s” is not a number") % {"value": value}) from None
    if not amount.is_finite():
        raise ValueError(gettext("“%(value)s” is not a number") % {"value": value})
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(gettext("the amount is too large"))
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValueError(gettext("at most two decimal places (fen), please"))
    if not allow_negative and amount < 0:
        raise ValueError(gettext("must not be negative"))
    return amount.quantize(CENT)


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        raise ValueError(gettext("the date is missing"))
    match = _DATE_RE.match(text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError(gettext("“%(value)s” is not a date (use 2026-07-15)") % {"value": text[:40]})


def parse_direction(value: Any) -> str:
    text = str(value or "").strip().lower()
    if text in DIRECTIONS:
        return DIRECTIONS[text]
    raise ValueError(
        gettext("“%(value)s” is neither income (收入) nor expense (支出)") % {"value": text[:40]}
    )


# --- files -------------------------------------------------------------------


def _rows_from_xlsx(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise LedgerImportError(
            [RowError(None, "file", gettext("The file is not a readable .xlsx workbook."))]
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if index > IMPORT_MAX_ROWS + 1:
                raise LedgerImportError(
                    [
                        RowError(
                            None,
                            "file",
                            gettext("At most %(max)d lines per ledger.") % {"max": IMPORT_MAX_ROWS},
                        )
                    ]
                )
            rows.append((index, list(values)))
        return rows
    finally:
        workbook.close()


def _rows_from_csv(data: bytes) -> list[tuple[int, list[Any]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise LedgerImportError([RowError(None, "file", gettext("The CSV file is not text."))])
    reader = csv.reader(io.StringIO(text))
    rows = []
    for index, values in enumerate(reader, start=1):
        if index > IMPORT_MAX_ROWS + 1:
            raise LedgerImportError(
                [
                    RowError(
                        None,
                        "file",
                        gettext("At most %(max)d lines per ledger.") % {"max": IMPORT_MAX_ROWS},
                    )
                ]
            )
        rows.append((index, values))
    return rows


def _too_large() -> LedgerImportError:
    return LedgerImportError(
        [
            RowError(
                None,
                "file",
                gettext("The file is larger than %(mb)d MB.")
                % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)},
            )
        ]
    )


def _read_rows(uploaded_file) -> list[tuple[int, list[Any]]]:
    """The non-blank rows of an ``.xlsx`` or ``.csv`` file (size and type checked)."""
    name = (getattr(uploaded_file, "name", "") or "").lower()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > IMPORT_MAX_BYTES:
        raise _too_large()
    data = uploaded_file.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise _too_large()
    if name.endswith(".xlsx") and data[:4] == b"PK\x03\x04":
        rows = _rows_from_xlsx(data)
    elif name.endswith(".csv") and b"\x00" not in data[:4096]:
        rows = _rows_from_csv(data)
    else:
        raise LedgerImportError(
            [RowError(None, "file", gettext("Upload the ledger as an .xlsx or .csv file."))]
        )
    rows = [(n, values) for n, values in rows if any(str(v or "").strip() for v in values)]
    if not rows:
        raise LedgerImportError([RowError(None, "file", gettext("The file is empty."))])
    return rows


def _columns(header_row: int, header: list[Any]) -> dict[str, int]:
    """Column key -> position, from the header row (any order, first occurrence wins)."""
    columns: dict[str, int] = {}
    for position, title in enumerate(header):
        key = HEADERS.get(str(title or "").strip().lower())
        if key and key not in columns:
            columns[key] = position
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise LedgerImportError(
            [
                RowError(
                    header_row,
                    "header",
                    gettext(
                        "missing column(s) %(columns)s; the header row needs 日期, 项目, "
                        "金额 and 收支 (对方 and 类别 are optional)"
                    )
                    % {"columns": ", ".join(missing)},
                )
            ]
        )
    return columns


def _parse_line(
    row: int, values: list[Any], columns: dict[str, int], errors: list[RowError]
) -> LedgerLineInput | None:
    """One ledger line, or None with its problems appended to ``errors``."""

    def cell(key: str) -> Any:
        position = columns.get(key)
        if position is None or position >= len(values):
            return None
        return values[position]

    parsed: dict[str, Any] = {}
    row_ok = True
    for key, parser in (
        ("date", parse_date),
        ("amount", parse_amount),
        ("direction", parse_direction),
    ):
        try:
            parsed[key] = parser(cell(key))
        except ValueError as exc:
            errors.append(RowError(row, str(FIELD_LABELS[key]), str(exc)))
            row_ok = False
    item = str(cell("item") or "").strip()
    if not item:
        errors.append(RowError(row, str(FIELD_LABELS["item"]), gettext("the item is missing")))
        row_ok = False
    elif len(item) > 200:
        errors.append(RowError(row, str(FIELD_LABELS["item"]), gettext("at most 200 characters")))
        row_ok = False
    if not row_ok:
        return None
    return LedgerLineInput(
        date=parsed["date"],
        item=item,
        amount=parsed["amount"],
        direction=parsed["direction"],
        counterparty=str(cell("counterparty") or "").strip()[:200],
        category=str(cell("category") or "").strip()[:100],
        row=row,
    )


def ledger_parse_file(uploaded_file) -> tuple[list[LedgerLineInput], list[RowError]]:
    """Read every line of an ``.xlsx`` or ``.csv`` ledger; return lines and row errors.

    Columns (header row, any order): 日期/date, 项目/item, 对方/counterparty,
    金额/amount, 收支/direction (收入/支出), 类别/category. Blank rows are skipped.
    """
    rows = _read_rows(uploaded_file)
    header_row, header = rows[0]
    columns = _columns(header_row, header)
    lines: list[LedgerLineInput] = []
    errors: list[RowError] = []
    for row, values in rows[1:]:
        line = _parse_line(row, values, columns, errors)
        if line is not None:
            lines.append(line)
    if not lines and not errors:
        errors.append(RowError(None, "file", gettext("The file has a header but no lines.")))
    return lines, errors


FIELD_LABELS = {
    "date": _("date"),
    "item": _("item"),
    "amount": _("amount"),
    "direction": _("income/expense"),
}


# --- checks and totals ---------------------------------------------------------


def ledger_totals(lines: list[LedgerLineInput]) -> tuple[Decimal, Decimal]:
    income = sum((ln.amount for ln in lines if ln.direction == Direction.INCOME), Decimal("0.00"))
    expense = sum((ln.amount for ln in lines if ln.direction == Direction.EXPENSE), Decimal("0.00"))
    return income.quantize(CENT), expense.quantize(CENT)


def ledger_check(
    ledger: LedgerInput, *, period_start: dt.date | None, period_end: dt.date | None
) -> list[RowError]:
    """Period and totals checks: dates inside the period; computed totals equal stated ones."""
    errors: list[RowError] = []
    for index, line in enumerate(ledger.lines, start=1):
        row = line.row if line.row is not None else index
        if line.amount <= 0:
            errors.append(
                RowError(row, str(FIELD_LABELS["amount"]), gettext("must be greater than zero"))
            )
        if (period_start and line.date < period_start) or (period_end and line.date > period_end):
            errors.append(
                RowError(
                    row,
                    str(FIELD_LABELS["date"]),
                    gettext("%(date)s is outside the period %(start)s – %(end)s")
                    % {"date": line.date, "start": period_start or "", "end": period_end or ""},
                )
            )
    income, expense = ledger_totals(ledger.lines)
    closing = (ledger.opening_balance + income - expense).quantize(CENT)
    checks = (
        (income, ledger.stated_income, _("Income lines add up to %(computed)s, not %(stated)s.")),
        (
            expense,
            ledger.stated_expense,
            _("Expense lines add up to %(computed)s, not %(stated)s."),
        ),
        (
            closing,
            ledger.stated_closing_balance,
            _(
                "Opening balance + income − expense = %(computed)s, but the closing balance "
                "says %(stated)s."
            ),
        ),
    )
    for computed, stated, message in checks:
        if computed != stated:
            errors.append(
                RowError(None, "totals", str(message) % {"computed": computed, "stated": stated})
            )
    return errors


def ledger_from_model(ledger: Ledger) -> LedgerInput:
    """A :class:`LedgerInput` copy of a saved ledger (to carry into a corrected version)."""
    return LedgerInput(
        opening_balance=ledger.opening_balance,
        stated_income=ledger.stated_income,
        stated_expense=ledger.stated_expense,
        stated_closing_balance=ledger.stated_closing_balance,
        lines=[
            LedgerLineInput(
                date=ln.date,
                item=ln.item,
                amount=ln.amount,
                direction=ln.direction,
                counterparty=ln.counterparty,
                category=ln.category,
                row=ln.line_no,
            )
            for ln in ledger.lines.all()
        ],
    )


def ledger_write(disclosure: Disclosure, ledger: LedgerInput) -> Ledger:
    """Replace the disclosure's ledger with ``ledger`` (already checked). Call in a transaction."""
    income, expense = ledger_totals(ledger.lines)
    Ledger.objects.filter(disclosure=disclosure).delete()
    saved = Ledger.objects.create(
        disclosure=disclosure,
        opening_balance=ledger.opening_balance,
        stated_income=ledger.stated_income,
        stated_expense=ledger.stated_expense,
        stated_closing_balance=ledger.stated_closing_balance,
        income_total=income,
        expense_total=expense,
        closing_balance=(ledger.opening_balance + income - expense).quantize(CENT),
        line_count=len(ledger.lines),
    )
    LedgerLine.objects.bulk_create(
        [
            LedgerLine(
                ledger=saved,
                line_no=index,
                date=line.date,
                item=line.item,
                counterparty=line.counterparty,
                amount=line.amount,
                direction=line.direction,
                category=line.category,
            )
            for index, line in enumerate(ledger.lines, start=1)
        ],
        batch_size=1000,
    )
    return saved


# --- continuity and negative balance (issue 19 item 5) --------------------------------
#
# seed: 公示承诺制度 第二条 (公共收益收支明细) and 物业管理委员会服务承诺 2 (每季度公开维修资金
# 使用台账): a published ledger is read month after month. One whose opening balance is not
# the previous period's closing balance, or that ends below zero, is not refused (the
# money may really be so), but flagged at import and at publishing; the publisher must
# say why in a note (``Ledger.check_note``), which the printed report shows with it.

NOTE_MAX = 1000


def previous_ledger(disclosure: Disclosure) -> Ledger | None:
    """The ledger of the same organization and category for the nearest earlier period
    (its newest public version), or None (the first period, or no period given)."""
    if disclosure.period_start is None:
        return None
    return (
        Ledger.objects.filter(
            disclosure__compound_id=disclosure.compound_id,
            disclosure__organization_id=disclosure.organization_id,
            disclosure__category_id=disclosure.category_id,
            disclosure__state__in=Disclosure.PUBLIC_STATES,
            disclosure__period_end__lt=disclosure.period_start,
        )
        .exclude(disclosure__state=Disclosure.State.SUPERSEDED)
        .select_related("disclosure")
        .order_by("-disclosure__period_end", "-disclosure__version", "-pk")
        .first()
    )


def ledger_flags(
    disclosure: Disclosure,
    *,
    opening_balance: Decimal | None = None,
    closing_balance: Decimal | None = None,
) -> list[str]:
    """What a reader of this ledger should be told: the opening balance does not continue
    the previous period's closing balance; the closing balance is negative.

    The balances default to the disclosure's saved ledger; pass them to check a ledger
    before it is saved. Returns plain Chinese sentences (empty when all is well).
    """
    if opening_balance is None or closing_balance is None:
        ledger = Ledger.objects.filter(disclosure=disclosure).first()
        if ledger is None:
            return []
        opening_balance, closing_balance = ledger.opening_balance, ledger.closing_balance
    flags = []
    previous = previous_ledger(disclosure)
    if previous is not None and previous.closing_balance != opening_balance:
        period = previous.disclosure.period_end
        flags.append(
            gettext(
                "The opening balance %(opening)s is not the closing balance %(closing)s "
                "of the previous period (ending %(end)s)."
            )
            % {"opening": opening_balance, "closing": previous.closing_balance, "end": period}
        )
    if closing_balance < 0:
        flags.append(
            gettext("The ledger ends with a negative balance (%(closing)s).")
            % {"closing": closing_balance}
        )
    return flags


def ledger_publish_check(disclosure: Disclosure, *, note: str) -> list[str]:
    """Before publishing: a flagged ledger needs the publisher's note, which is kept on
    the ledger (and printed with it). Raises ``ValidationError({"ledger_note": …})``
    when a flag has no note; returns the flags (empty: nothing to explain).

    Call inside the publishing transaction, before ``disclosure_publish``.
    """
    from huashan.core.state import clean_text

    flags = ledger_flags(disclosure)
    if not flags:
        return []
    note = clean_text(note, field="ledger_note", max_length=NOTE_MAX, required=False)
    if not note:
        raise ValidationError(
            {
                "ledger_note": [
                    *flags,
                    gettext(
                        "Check the ledger. If it is right, say why in the note under "
                        "“Publish” and publish again; the note is printed with the ledger."
                    ),
                ]
            },
            code="ledger_note_required",
        )
    Ledger.objects.filter(disclosure=disclosure).update(check_note=note)
    return flags
