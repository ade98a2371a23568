"""The ``.xlsx`` exports: they open with openpyxl and hold the dashboard's own figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from dashboard import selectors, services
from dashboard.exports import XLSX_CONTENT_TYPE, Table, Value, workbook_bytes
from dashboard.services import snapshot_refresh
from meetings.models import ActionItem
from tests.factories.directory import CompoundFactory
from tests.factories.issues import IssueFactory
from tests.factories.meetings import ActionItemFactory, MeetingFactory

from .conftest import NOW

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


def _book(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content))


def _rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _data(world):
    for tier, status, deadline in (
        ("small", "submitted", NOW - MINUTE),
        ("small", "accepted", NOW + MINUTE),
        ("big", "in_progress", NOW - dt.timedelta(days=2)),
        ("hard", "transferred", None),
        ("small", "closed", None),
    ):
        IssueFactory(
            compound=world.compound,
            tier=tier,
            status=status,
            created_at=NOW - dt.timedelta(days=4),
            next_deadline=deadline,
        )
    meeting = MeetingFactory(compound=world.compound)
    ActionItemFactory(
        meeting=meeting,
        responsible_organization=world.orgs.pmc,
        due_at=NOW - MINUTE,
        due_date=(NOW - MINUTE).date(),
        status=ActionItem.Status.OPEN,
    )


def test_compound_export_holds_every_table_with_the_figures(client, world):
    _data(world)
    client.force_login(world.people.compound_party)
    url = reverse("dashboard:compound_export", args=[world.compound.slug, "all"])
    book = _book(client.get(url))
    board = selectors.compound_dashboard(compound=world.compound)
    assert len(book.sheetnames) == 8

    figures = _rows(book.worksheets[0])
    by_label = {row[0]: row[1] for row in figures[1:]}
    for fig in board.figures.values():
        expected = fig.value
        if isinstance(expected, bool):
            expected = str(_("Yes") if expected else _("No"))
        assert by_label[str(fig.label)] == expected, fig.key
    assert by_label[str(board.figures["complaints_open"].label)] == 4
    assert by_label[str(board.figures["complaints_overdue"].label)] == 2
    # Figures link to their lists (absolute URLs).
    link = book.worksheets[0].cell(row=2, column=2).hyperlink.target
    assert link.startswith("http://testserver/issues/queue/")

    complaints = _rows(book.worksheets[1])
    header = complaints[0]
    assert header[-1] == str(_("Total"))
    totals = {row[0]: row[-1] for row in complaints[1:]}
    assert sum(totals.values()) == 4
    for row in board.complaints_by_tier:
        assert totals[str(row.label)] == row.total.value

    overdue = _rows(book.worksheets[2])
    assert {r[0] for r in overdue[1:]} == {i.tracking_number for i in board.oldest_overdue}
    assert len(overdue) == 3
    items = _rows(book.worksheets[4])
    assert items[1] == [world.orgs.pmc.name, 0, 1]


def test_one_table_export_and_rate_cells_are_numbers(client, world):
    _data(world)
    client.force_login(world.people.joint_meeting_office)
    url = reverse("dashboard:compound_export", args=[world.compound.slug, "trends"])
    book = _book(client.get(url))
    assert len(book.sheetnames) == 1
    rows = _rows(book.active)
    assert len(rows) == 13  # header + 12 months
    assert rows[-1][0] == "2026-03"
    snapshot_refresh(compound=world.compound)
    book = _book(client.get(url))
    last = book.active.cell(row=13, column=2)
    assert last.value == 5  # complaints filed in March, open or not


def test_comparison_export_follows_the_sort(client, world, other_world):
    _data(world)
    IssueFactory(compound=other_world.compound, status="submitted", created_at=NOW)
    for compound in (world.compound, other_world.compound):
        snapshot_refresh(compound=compound)
    client.force_login(world.people.community_party)
    slug = world.compound.community.slug
    url = reverse("dashboard:community_export", args=[slug, "figures"])
    book = _book(client.get(url, {"sort": "complaints_open"}))
    rows = _rows(book.active)
    col = rows[0].index(str(selectors.FIGURE_COLUMNS["complaints_open"][0]))
    assert [r[0] for r in rows[1:]] == [other_world.compound.name, world.compound.name]
    assert [r[col] for r in rows[1:]] == [1, 4]
    book = _book(client.get(url, {"sort": "-complaints_open"}))
    assert [r[0] for r in _rows(book.active)[1:]] == [
        world.compound.name,
        other_world.compound.name,
    ]
    trends = _book(client.get(reverse("dashboard:community_export", args=[slug, "all"])))
    assert len(trends.sheetnames) == 1 + len(selectors.TREND_KEYS)


def test_street_export_has_the_community_column(client, world, other_world):
    client.force_login(world.people.street_office)
    street = world.compound.community.street.slug
    book = _book(client.get(reverse("dashboard:street_export", args=[street, "figures"])))
    rows = _rows(book.active)
    assert rows[0][1] == str(_("Community"))
    assert {r[1] for r in rows[1:]} == {world.compound.community.name}
    assert len(rows) == 3


def test_formula_injection_is_written_as_text(client, world):
    hostile = CompoundFactory(
        community=world.compound.community, name='=HYPERLINK("http://evil.example","x")'
    )
    snapshot_refresh(compound=hostile)
    client.force_login(world.people.community_party)
    url = reverse("dashboard:community_export", args=[world.compound.community.slug, "figures"])
    book = _book(client.get(url))
    cells = [row[0] for row in book.active.iter_rows(min_row=2)]
    assert not any(str(c.value).startswith("=") for c in cells)
    evil = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert evil.data_type == "s"
    assert evil.value == "'" + hostile.name  # issue 14 item 8: escaped with a leading '


def test_workbook_writer_types_and_sheet_names():
    data = workbook_bytes(
        [
            Table("a", "a/b:c*?[x]" * 5, ["名称", "比率"], [["@SUM(A1)", Value(0.25, "rate")]]),
            Table("b", "a/b:c*?[x]" * 5, ["x"], [[None]]),
        ]
    )
    book = load_workbook(io.BytesIO(data))
    assert len(book.sheetnames) == 2
    assert all(len(n) <= 31 and "/" not in n for n in book.sheetnames)
    sheet = book.worksheets[0]
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == "'@SUM(A1)"
    assert sheet["B2"].value == 0.25
    assert sheet["B2"].number_format == "0.0%"


def test_export_permissions_and_bad_input(client, world, other_world):
    slug = world.compound.slug
    url = reverse("dashboard:compound_export", args=[slug, "all"])
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(world.resident)
    assert client.get(url).status_code == 403
    client.force_login(other_world.people.compound_party)
    assert client.get(url).status_code == 403
    client.force_login(world.people.compound_party)
    assert client.get(f"/dashboard/c/{slug}/export/../../etc.xlsx").status_code == 404
    assert client.get("/dashboard/c/nowhere/export/all.xlsx").status_code == 404
    community = world.compound.community.slug
    bad = reverse("dashboard:community_export", args=[community, "all"])
    client.force_login(world.people.community_party)
    assert client.get(bad, {"sort": "1;DROP"}).status_code == 400


def test_summary_exports(client, world):
    _data(world)
    summary = services.work_summary_generate(actor=None, compound=world.compound, period="2026H1")
    client.force_login(world.people.compound_party)
    book = _book(client.get(reverse("dashboard:summary_export", args=[summary.pk])))
    overview = {r[0]: r[1] for r in _rows(book.worksheets[0])[1:]}
    assert overview[str(_("Complaints filed"))] == summary.figures["complaints"]["filed"] == 5
    assert str(_("Meetings held"))[:28] in book.sheetnames
    listing = _book(client.get(reverse("dashboard:summaries_export")))
    rows = _rows(listing.active)
    assert rows[1][:3] == [world.compound.name, summary.get_kind_display(), "2026H1"]
    client.force_login(world.resident)
    assert client.get(reverse("dashboard:summary_export", args=[summary.pk])).status_code == 403
    assert client.get(reverse("dashboard:summaries_export")).status_code == 403


def test_columns_fit_a_twelve_character_chinese_label_and_times_are_china_time():
    """issue 14 item 8: a 12-character Chinese label fits its column (wide characters count
    double); an aware datetime is a real date in Asia/Shanghai without microseconds."""
    label = "居民反映投诉问题受理情况"  # 12 characters, 24 columns wide
    assert len(label) == 12
    at = dt.datetime(2026, 12, 6, 16, 30, 15, 123456, tzinfo=dt.UTC)
    data = workbook_bytes([Table("t", "t", ["名称", "时间"], [[label, at], ["-1+1", None]])])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.column_dimensions["A"].width >= 24
    assert sheet.column_dimensions["A"].width <= 60
    cell = sheet["B2"]
    assert cell.is_date
    # 16:30 UTC = 00:30 next day; xlsx cells hold naive China wall time.
    assert cell.value == dt.datetime(2026, 12, 7, 0, 30, 15)  # noqa: DTZ001
    assert cell.value.microsecond == 0
    assert sheet["A3"].value == "'-1+1"
