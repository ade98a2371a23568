"""Roster import (service + parser): good, bad, repeated, hostile and broken files."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from huashan.directory import roster
from huashan.directory.models import (
    Building,
    Household,
    Person,
    Residency,
    ResidencyEvent,
)
from huashan.directory.services import roster_import
from tests.directory.conftest import xlsx_upload
from tests.factories.directory import HouseholdFactory, PersonFactory, ResidencyFactory

GOOD_ROWS = [
    ("1栋", "1单元", "101", 98.5, "张伟", "13912345678", "业主"),
    ("1栋", "1单元", "101", 98.5, "李娜", "13912345679", "家庭成员"),
    (1, 2, 1502, "120.25", "王芳", 13912345680, "租户"),
    ("2栋", "1单元", "201", 88, None, None, None),
]


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Building, Household, Person, Residency, ResidencyEvent)
    }


def raw_upload(content: bytes, name: str = "roster.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_good_file_creates_households_people_residencies_and_events(staff, compound):
    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(GOOD_ROWS))

    assert result.ok, result.errors
    assert (result.buildings_created, result.households_created) == (2, 3)
    assert (result.people_created, result.residencies_created) == (3, 3)
    household = Household.objects.get(
        building__compound=compound, building__number="1栋", room="1502"
    )
    assert household.unit == "2单元"
    assert household.area == Decimal("120.25")
    assert Household.objects.get(building__number="2栋").residencies.count() == 0
    tenant = Person.objects.get(mobile="13912345680")
    assert tenant.name == "王芳"
    assert not tenant.has_usable_password()
    residency = tenant.residencies.get()
    assert residency.relation == Residency.Relation.TENANT
    assert residency.status == Residency.Status.VERIFIED
    assert residency.verified_at is not None
    events = ResidencyEvent.objects.filter(verb="roster_import")
    assert events.count() == 3
    assert {e.actor_id for e in events} == {staff.pk}
    assert {e.to_state for e in events} == {Residency.Status.VERIFIED}


def test_bad_rows_are_all_reported_with_excel_row_numbers_and_nothing_is_written(staff, compound):
    HouseholdFactory(building__compound=compound, building__number="9栋", unit="1单元", room="901")
    before = counts()
    rows = [
        ("1栋", "1单元", "101", 98.5, "张伟", "13912345678", "业主"),  # row 2: fine
        ("1栋", "1单元", "102", 98.5, "李娜", "12345", "业主"),  # 3: bad mobile
        ("1栋", "1单元", "103", -5, None, None, None),  # 4: negative area
        ("1栋", "1单元", "104", 90, "王芳", "13912345680", "朋友"),  # 5: bad relation
        ("1栋", "1单元", "101", 98.5, "张伟", "13912345678", "业主"),  # 6: duplicate of 2
        ("1栋", "1单元", "101", 77, None, None, None),  # 7: area differs from row 2
        (None, "1单元", "105", 90, None, None, None),  # 8: building missing
        ("1栋", "1单元", "106", "abc", None, None, None),  # 9: area not a number
        ("1栋", "1单元", "107", 90.123, None, None, None),  # 10: 3 decimals
        ("1栋", "1单元", "108", 90, "赵六", None, "业主"),  # 11: mobile missing
    ]

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(rows))

    assert not result.ok
    found = {(e.row, e.column.split(" / ")[1]) for e in result.errors}
    assert found == {
        (3, "mobile"),
        (4, "area"),
        (5, "relation"),
        (6, "mobile"),
        (7, "area"),
        (8, "building"),
        (9, "area"),
        (10, "area"),
        (11, "mobile"),
    }
    duplicate = next(e for e in result.errors if e.row == 6)
    assert "第2行" in duplicate.message
    assert "row 2" in duplicate.message
    assert result.households_created == 0
    assert counts() == before


def test_one_bad_row_among_good_ones_imports_nothing(staff, compound):
    before = counts()
    rows = [*GOOD_ROWS, ("3栋", "1单元", "301", 100, "坏号码", "1391234567", "业主")]

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(rows))

    assert [(e.row, e.value) for e in result.errors] == [(6, "1391234567")]
    assert counts() == before


def test_reimporting_the_same_file_changes_nothing(staff, compound):
    first = roster_import(actor=staff, compound=compound, file=xlsx_upload(GOOD_ROWS))
    after_first = counts()

    second = roster_import(actor=staff, compound=compound, file=xlsx_upload(GOOD_ROWS))

    assert first.changed
    assert second.ok
    assert not second.changed
    assert second.rows == 4
    assert counts() == after_first


def test_existing_people_and_households_are_matched_and_updated(staff, compound):
    household = HouseholdFactory(
        building__compound=compound,
        building__number="1栋",
        unit="1单元",
        room="101",
        area=Decimal("98.50"),
    )
    person = PersonFactory(mobile="13912345678", name="张伟")
    pending = ResidencyFactory(
        person=person,
        household=household,
        relation=Residency.Relation.FAMILY,
        status=Residency.Status.PENDING,
    )
    renamed = PersonFactory(mobile="13912345679", name="旧名字")

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(GOOD_ROWS))

    assert result.ok, result.errors
    assert result.households_created == 2  # 1栋2单元1502 and 2栋1单元201
    assert (result.people_created, result.people_updated) == (1, 1)
    assert (result.residencies_created, result.residencies_updated) == (2, 1)
    pending.refresh_from_db()
    assert pending.status == Residency.Status.VERIFIED
    assert pending.relation == Residency.Relation.OWNER
    event = pending.events.get()
    assert (event.verb, event.from_state, event.to_state) == (
        "roster_import",
        "pending",
        "verified",
    )
    renamed.refresh_from_db()
    assert renamed.name == "李娜"
    assert person.has_usable_password()  # an existing login is left alone


def test_area_conflicting_with_an_existing_household_is_an_error(staff, compound):
    HouseholdFactory(
        building__compound=compound,
        building__number="1栋",
        unit="1单元",
        room="101",
        area=Decimal("100.00"),
    )
    before = counts()

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(GOOD_ROWS))

    assert {(e.row, e.value) for e in result.errors} == {(2, "98.50"), (3, "98.50")}
    assert "100.00" in result.errors[0].message
    assert counts() == before


def test_new_household_without_area_is_an_error_but_known_one_is_fine(staff, compound):
    HouseholdFactory(building__compound=compound, building__number="1栋", unit="1单元", room="101")
    rows = [
        ("1栋", "1单元", "101", None, "张伟", "13912345678", "业主"),
        ("1栋", "1单元", "102", None, "李娜", "13912345679", "业主"),
    ]

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(rows))

    assert [(e.row, e.column) for e in result.errors] == [(3, "面积 / area")]


def test_english_headers_title_row_and_spaces_are_accepted(staff, compound):
    header = ["Building", "Unit", "Room", "Area (m²)", "Name", "Mobile", "Relation"]
    rows = [("3", "1", "301", "105.00", " 周杰 ", "139 1234 5678", "Owner")]

    result = roster_import(
        actor=staff,
        compound=compound,
        file=xlsx_upload(rows, header, title_rows=[("江南花山郡业主名册",)]),
    )

    assert result.ok, result.errors
    person = Person.objects.get(mobile="13912345678")
    assert person.name == "周杰"
    assert person.residencies.get().household.building.number == "3栋"


def test_error_row_numbers_count_the_title_row(staff, compound):
    rows = [("3", "1", "301", "105.00", "周杰", "bad", "业主")]

    result = roster_import(
        actor=staff, compound=compound, file=xlsx_upload(rows, title_rows=[("名册",), ()])
    )

    assert [e.row for e in result.errors] == [4]


def test_hostile_text_is_stored_as_plain_text(staff, compound):
    formula = '=HYPERLINK("http://evil.example/","点我")'
    rows = [
        ("1栋", "1单元", "101", 98.5, formula, "13912345678", "业主"),
        ("1栋", "1单元", "102", 98.5, "<script>alert(1)</script>", "13912345679", "业主"),
    ]

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(rows))

    assert result.ok, result.errors
    assert Person.objects.get(mobile="13912345678").name == formula
    assert Person.objects.get(mobile="13912345679").name == "<script>alert(1)</script>"


def test_same_mobile_with_two_names_is_an_error(staff, compound):
    rows = [
        ("1栋", "1单元", "101", 98.5, "张伟", "13912345678", "业主"),
        ("1栋", "1单元", "102", 98.5, "张卫", "13912345678", "业主"),
    ]

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(rows))

    assert [(e.row, e.column) for e in result.errors] == [(3, "姓名 / name")]


def test_overlong_name_is_an_error(staff, compound):
    rows = [("1栋", "1单元", "101", 98.5, "名" * 51, "13912345678", "业主")]

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(rows))

    assert [(e.row, e.column) for e in result.errors] == [(2, "姓名 / name")]


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "roster.xlsx", "empty"),
        (b"building,room\n1,101\n", "roster.csv", "not an Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "roster.xls", "not an Excel"),
        (b"PK\x03\x04" + b"garbage" * 50, "roster.xlsx", "could not be read"),
        (b"PK\x03\x04" + b"0" * (5 * 1024 * 1024), "big.xlsx", "larger than 5 MB"),
    ],
    ids=["empty", "csv", "xls", "corrupt", "oversized"],
)
def test_broken_files_give_one_clear_error(staff, compound, content, name, expected):
    before = counts()

    result = roster_import(actor=staff, compound=compound, file=raw_upload(content, name))

    assert len(result.errors) == 1
    assert expected in result.errors[0].message
    assert counts() == before


def test_a_zip_that_is_not_a_workbook_is_reported(staff, compound):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    result = roster_import(actor=staff, compound=compound, file=raw_upload(buffer.getvalue()))

    assert [e.message for e in result.errors] == [str(roster._CORRUPT)]


def test_a_zip_bomb_is_refused_before_parsing(staff, compound, monkeypatch):
    monkeypatch.setattr(roster, "MAX_UNCOMPRESSED_BYTES", 1000)

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(GOOD_ROWS))

    assert len(result.errors) == 1
    assert "200 MB" in result.errors[0].message


def test_header_only_and_blank_sheet_are_reported(staff, compound):
    header_only = roster_import(actor=staff, compound=compound, file=xlsx_upload([]))
    blank = roster_import(actor=staff, compound=compound, file=xlsx_upload([], header=None))

    assert ["no data rows" in e.message for e in header_only.errors] == [True]
    assert ["no header" in e.message for e in blank.errors] == [True]


def test_missing_columns_are_named(staff, compound):
    header = ["楼栋", "单元", "房号", "姓名", "手机"]
    rows = [("1栋", "1单元", "101", "张伟", "13912345678")]

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(rows, header))

    assert {(e.row, e.column) for e in result.errors} == {
        (1, "面积 / area"),
        (1, "关系 / relation"),
    }


def test_unknown_header_reports_missing_columns_on_the_first_row(staff, compound):
    result = roster_import(
        actor=staff, compound=compound, file=xlsx_upload([(1, 2, 3)], header=["a", "b", "c"])
    )

    assert {e.row for e in result.errors} == {1}
    assert {e.column for e in result.errors} == {"楼栋 / building", "房号 / room", "面积 / area"}


def test_duplicate_header_column_is_an_error(staff, compound):
    header = ["楼栋", "单元", "房号", "面积", "面积"]

    result = roster_import(
        actor=staff, compound=compound, file=xlsx_upload([("1栋", "", "1", 9, 9)], header)
    )

    assert [(e.row, e.column) for e in result.errors] == [(1, "面积 / area")]


def test_too_many_rows_is_refused(staff, compound, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 3)
    rows = [("1栋", "1单元", str(100 + n), 90, None, None, None) for n in range(4)]
    before = counts()

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(rows))

    assert len(result.errors) == 1
    assert "more than 3 rows" in result.errors[0].message
    assert counts() == before


@pytest.mark.parametrize("who", ["resident", "outsider"])
def test_only_roster_staff_may_import(request, compound, who):
    person = request.getfixturevalue(who)
    before = counts()

    with pytest.raises(PermissionDenied):
        roster_import(actor=person, compound=compound, file=xlsx_upload(GOOD_ROWS))

    assert counts() == before


def test_staff_of_another_compound_may_not_import(staff):
    from tests.factories.directory import CompoundFactory

    other = CompoundFactory()

    with pytest.raises(PermissionDenied):
        roster_import(actor=staff, compound=other, file=xlsx_upload(GOOD_ROWS))


def test_template_workbook_parses_back_with_its_example_row():
    parsed = roster.roster_parse(io.BytesIO(roster.roster_template_workbook()))

    assert parsed.errors == []
    assert [(r.building, r.unit, r.room, r.area, r.name, r.mobile) for r in parsed.rows] == [
        ("1栋", "1单元", "1502", Decimal("98.50"), "张三", "13812345678")
    ]


def test_file_errors_and_database_conflicts_are_reported_together_in_row_order(staff, compound):
    HouseholdFactory(
        building__compound=compound,
        building__number="1栋",
        unit="1单元",
        room="105",
        area=Decimal("100.00"),
    )
    rows = [
        ("1栋", "1单元", "101", 98.5, "张伟", "bad", "业主"),  # row 2: file error
        ("1栋", "1单元", "105", 90, None, None, None),  # row 3: differs from the portal
    ]

    result = roster_import(actor=staff, compound=compound, file=xlsx_upload(rows))

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "手机 / mobile"),
        (3, "面积 / area"),
    ]
