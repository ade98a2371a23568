"""Writing ``.xlsx`` sheets safely: the one helper every export uses (issue 14 item 8).

* **Formula injection.** A text cell that starts with ``=``, ``+``, ``-``, ``@``,
  a tab or a carriage return is written with a leading ``'``, so a compound,
  evaluator or complaint title ``=HYPERLINK("http://…","点此")`` stays text in
  Excel, WPS and LibreOffice — also after someone edits the cell or saves the
  sheet as CSV (OWASP "CSV injection"). Numbers are written as numbers.
* **Column widths** fit the content: a Chinese (East Asian wide) character
  counts two, others one, capped at :data:`WIDTH_MAX`, so a 12-character
  Chinese label is fully visible without a column wider than the screen.
* **Times** are written as real dates in China time (``settings.TIME_ZONE``,
  Asia/Shanghai), naive as spreadsheets expect, without microseconds.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: What makes a spreadsheet read a text cell as a formula (or a DDE call).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
WIDTH_MIN = 8
WIDTH_MAX = 60
#: Breathing room added to the widest cell of a column.
WIDTH_PADDING = 2
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"


def safe_text(value: Any) -> str:
    """``value`` as text that no spreadsheet evaluates: a risky first character gets a ``'``."""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def display_width(text: str) -> int:
    """How many columns ``text`` takes: East Asian wide / full-width characters count two."""
    widest = 0
    for line in str(text).splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        widest = max(widest, width)
    return widest


def local_datetime(value: dt.datetime) -> dt.datetime:
    """An aware datetime in China time, naive, whole seconds (spreadsheets have no zones)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, microsecond=0)


def put(cell: Cell, raw: Any, *, number_format: str = "") -> None:
    """Write one value into ``cell``: numbers as numbers, times as dates, the rest as safe text."""
    if isinstance(raw, Decimal):
        raw = float(raw)
    if raw is None:
        cell.value = None
    elif isinstance(raw, bool):
        cell.value = raw
    elif isinstance(raw, int | float):
        cell.value = raw
        if number_format:
            cell.number_format = number_format
    elif isinstance(raw, dt.datetime):
        cell.value = local_datetime(raw)
        cell.number_format = number_format or DATETIME_FORMAT
    elif isinstance(raw, dt.date):
        cell.value = raw
        cell.number_format = number_format or DATE_FORMAT
    else:
        cell.value = safe_text(raw)
        cell.data_type = "s"  # text, whatever openpyxl guessed from the first character


def _shown(cell: Cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return "0000-00-00 00:00"
    if isinstance(value, dt.date):
        return "0000-00-00"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def fit_columns(sheet: Worksheet, *, cap: int = WIDTH_MAX) -> None:
    """Size every column to its widest cell (wide characters count two), within the cap."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            widths[cell.column] = max(widths.get(cell.column, 0), display_width(_shown(cell)))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(
            WIDTH_MIN, min(cap, width + WIDTH_PADDING)
        )


def write_sheet(
    sheet: Worksheet,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    number_formats: dict[int, str] | None = None,
) -> Worksheet:
    """Write a header row (bold, frozen) and the data rows safely, then fit the columns.

    ``number_formats`` maps a 0-based column index to an Excel number format.
    """
    number_formats = number_formats or {}
    bold = Font(bold=True)
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=col)
        put(cell, str(header))
        cell.font = bold
    for r, row in enumerate(rows, start=2):
        for col, raw in enumerate(row, start=1):
            put(sheet.cell(row=r, column=col), raw, number_format=number_formats.get(col - 1, ""))
    sheet.freeze_panes = "A2"
    fit_columns(sheet)
    return sheet


def new_workbook() -> Workbook:
    """An empty workbook (no default sheet): add sheets with ``book.create_sheet``."""
    book = Workbook()
    book.remove(book.active)
    return book


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
