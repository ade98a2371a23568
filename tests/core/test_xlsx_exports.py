"""xlsx exports: columns sized to their content, dates as dates in China time (issue 19
item 5; the helper every export uses, huashan/core/xlsx.py)."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from huashan.core import xlsx


def _round_trip(headers, rows):
    book = xlsx.new_workbook()
    xlsx.write_sheet(book.create_sheet("表"), headers, rows)
    return load_workbook(io.BytesIO(xlsx.workbook_bytes(book)))["表"]


def test_a_chinese_label_gets_a_column_wide_enough_to_show_it_whole():
    label = "本月到期议定事项完成率"  # 11 wide characters = 22 columns
    sheet = _round_trip([label, "n"], [[1, 2]])
    assert sheet.column_dimensions["A"].width == 22 + xlsx.WIDTH_PADDING
    assert sheet.column_dimensions["B"].width == xlsx.WIDTH_MIN  # never narrower than this


def test_a_very_long_cell_is_capped():
    sheet = _round_trip(["说明"], [["长" * 200]])
    assert sheet.column_dimensions["A"].width == xlsx.WIDTH_MAX


def test_datetimes_are_dates_in_china_time_without_microseconds():
    utc = dt.datetime(2026, 12, 7, 16, 30, 5, 123456, tzinfo=dt.UTC)  # 00:30:05 next day
    sheet = _round_trip(["时间", "日期"], [[utc, dt.date(2026, 12, 7)]])
    cell = sheet["A2"]
    assert cell.value == dt.datetime(2026, 12, 8, 0, 30, 5, tzinfo=dt.UTC).replace(tzinfo=None)
    assert cell.value.microsecond == 0
    assert cell.number_format == xlsx.DATETIME_FORMAT
    assert sheet["B2"].is_date
