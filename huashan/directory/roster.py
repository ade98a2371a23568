"""Reading an owners' roster (业主名册) from an ``.xlsx`` file.

This module only reads and validates; it writes nothing. The service
:func:`huashan.directory.services.roster_import` adds the checks that need the
database and does the writing, all or nothing.

The roster is the basis of the owners' roll: owners' assembly decisions and the
December democratic scoring count verified owners and weigh votes by floor
area (seed: 协同联动解决小区事务流程 第二条; 评议监督考核制度 第三条).

Hostile files are expected: a file that is not a workbook, a zip bomb, a
sheet with a million rows, formulas (kept as their literal text, never
evaluated) and markup in names (stored as text, escaped when shown).
"""

from __future__ import annotations

import re
import zipfile
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from django.utils.translation import gettext_lazy as _

from .models import Residency

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# A 5 MB xlsx can inflate to gigabytes; refuse before parsing.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COLUMNS = 40
HEADER_SEARCH_ROWS = 3
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MAX_AREA = Decimal("999999.99")

# Column key -> (header shown in the template, accepted header spellings).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "building": ("楼栋", ("楼栋", "楼栋号", "楼号", "栋", "楼", "building", "bldg")),
    "unit": ("单元", ("单元", "单元号", "unit")),
    "room": ("房号", ("房号", "房间号", "门牌号", "室", "room", "roomno")),
    "area": ("面积", ("面积", "建筑面积", "房屋面积", "area", "floorarea")),
    "name": ("姓名", ("姓名", "名字", "name", "fullname")),
    "mobile": ("手机", ("手机", "手机号", "手机号码", "电话", "联系电话", "mobile", "phone")),
    "relation": ("关系", ("关系", "身份", "与房屋关系", "relation", "relationship")),
}
COLUMN_LABELS = {
    "building": "楼栋 / building",
    "unit": "单元 / unit",
    "room": "房号 / room",
    "area": "面积 / area",
    "name": "姓名 / name",
    "mobile": "手机 / mobile",
    "relation": "关系 / relation",
}
REQUIRED_COLUMNS = ("building", "room", "area")
PERSON_COLUMNS = ("name", "mobile", "relation")
MAX_LENGTHS = {"building": 20, "unit": 20, "room": 20, "name": 50}

RELATIONS = {
    "业主": Residency.Relation.OWNER,
    "产权人": Residency.Relation.OWNER,
    "owner": Residency.Relation.OWNER,
    "家庭成员": Residency.Relation.FAMILY,
    "家属": Residency.Relation.FAMILY,
    "family": Residency.Relation.FAMILY,
    "租户": Residency.Relation.TENANT,
    "租客": Residency.Relation.TENANT,
    "tenant": Residency.Relation.TENANT,
}

_CORRUPT = _(
    "The file could not be read as an Excel workbook; it may be damaged. / "
    "无法读取该Excel文件，文件可能已损坏。"
)
TEMPLATE_EXAMPLE = ("1栋", "1单元", "1502", "98.50", "张三", "13812345678", "业主")


@dataclass(frozen=True)
class RosterError:
    """One problem, located as a clerk sees it in Excel (row 1 is the header)."""

    row: int | None
    column: str
    message: str
    value: str = ""


@dataclass
class RosterRow:
    row: int
    building: str
    unit: str
    room: str
    area: Decimal | None
    name: str = ""
    mobile: str = ""
    relation: str = ""

    @property
    def household_key(self) -> tuple[str, str, str]:
        return (self.building, self.unit, self.room)

    @property
    def has_person(self) -> bool:
        return bool(self.mobile)


@dataclass
class RosterParse:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RosterError] = field(default_factory=list)

    def error(self, row: int | None, column: str, message, value: object = "") -> None:
        label = COLUMN_LABELS.get(column, column)
        self.errors.append(RosterError(row, label, str(message), _shown(value)))


def _shown(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def normalize_header(value: object) -> str:
    """'面积(㎡)' -> '面积', ' Mobile No ' -> 'mobileno'."""
    text = "" if value is None else str(value)
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", text)
    text = text.replace("㎡", "").replace("m²", "").replace("*", "")
    return re.sub(r"[\s_\-.:：]", "", text).lower()


_HEADER_LOOKUP = {
    normalize_header(alias): key for key, (_label, aliases) in COLUMNS.items() for alias in aliases
}


def _text(value: object) -> str:
    """A cell as text: 3 -> '3', 1502.0 -> '1502'; formulas stay literal text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalize_building(text: str) -> str:
    """'3' -> '3栋' so a roster matches the buildings the portal already knows."""
    return f"{text}栋" if text.isdigit() else text


def normalize_unit(text: str) -> str:
    return f"{text}单元" if text.isdigit() else text


def _parse_area(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        value = repr(value)
    try:
        area = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError from exc
    if not area.is_finite():
        raise ValueError
    return area


def _check_container(data: IO[bytes], size: int, result: RosterParse) -> bool:
    if size == 0:
        result.error(None, "", _("The file is empty. / 文件是空的。"))
        return False
    if size > MAX_BYTES:
        result.error(
            None,
            "",
            _(
                "The file is larger than 5 MB; split the roster into several files. / "
                "文件超过5MB，请把名册拆分成几个文件。"
            ),
        )
        return False
    data.seek(0)
    if data.read(4) != b"PK\x03\x04":
        result.error(
            None,
            "",
            _(
                "This is not an Excel .xlsx file (old .xls and CSV are not accepted; "
                "save as .xlsx). / 不是Excel .xlsx文件（不支持.xls或CSV，请另存为.xlsx）。"
            ),
        )
        return False
    data.seek(0)
    try:
        with zipfile.ZipFile(data) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        result.error(None, "", _CORRUPT)
        return False
    if inflated > MAX_UNCOMPRESSED_BYTES:
        result.error(
            None,
            "",
            _(
                "The workbook unpacks to more than 200 MB; it is not a plain roster. / "
                "工作簿解压后超过200MB，不像是普通名册。"
            ),
        )
        return False
    data.seek(0)
    return True


def _read_rows(data: IO[bytes], result: RosterParse):
    """Yield (excel_row_number, values) or record why the workbook cannot be read."""
    # Imported here: openpyxl is heavy and only this path needs it.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(data, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a hostile file
        result.error(None, "", _CORRUPT)
        return
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            result.error(None, "", _CORRUPT)
            return
        try:
            yield from enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1)
        except Exception:
            result.error(None, "", _CORRUPT)
    finally:
        workbook.close()


def roster_parse(file: IO[bytes], *, size: int | None = None) -> RosterParse:
    """Read and validate every row of the roster; collect all errors, never stop at the first."""
    result = RosterParse()
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if not _check_container(file, size, result):
        return result

    with closing(_read_rows(file, result)) as sheet_rows:
        parsed = _parse_sheet(sheet_rows, result)
    if parsed is None:
        return result
    columns, data_rows = parsed
    if columns is None:
        if not result.errors:
            result.error(
                None, "", _("The file has no header row and no data. / 文件没有表头和数据。")
            )
        return result
    if data_rows == 0:
        result.error(
            None, "", _("The file has a header but no data rows. / 文件只有表头，没有数据行。")
        )
    _check_duplicates(result)
    return result


def _parse_sheet(sheet_rows, result: RosterParse):
    """Header then data rows; None when reading must stop (bad header, too many rows)."""
    columns: dict[str, int] | None = None
    leading: list[tuple[int, tuple]] = []
    data_rows = 0
    for number, values in sheet_rows:
        if values is None or all(_text(v) == "" for v in values):
            continue
        if columns is None:
            # Rosters often carry a title line (e.g. "江南花山郡业主名册") above the header.
            leading.append((number, values))
            if any(_HEADER_LOOKUP.get(normalize_header(v)) for v in values):
                columns = _map_header(number, values, result)
            elif len(leading) > HEADER_SEARCH_ROWS:
                columns = _map_header(*leading[0], result)
            if columns is None and result.errors:
                return None
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            result.rows.clear()
            result.errors.clear()
            result.error(
                None,
                "",
                _(
                    "The roster has more than %(limit)s rows; split it into several files. / "
                    "名册超过%(limit)s行，请拆分成几个文件。"
                )
                % {"limit": MAX_ROWS},
            )
            return None
        row = _parse_row(number, values, columns, result)
        if row is not None:
            result.rows.append(row)
    if columns is None and leading:
        _map_header(*leading[0], result)
        return None
    return columns, data_rows


def _map_header(number: int, values, result: RosterParse) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, value in enumerate(values):
        key = _HEADER_LOOKUP.get(normalize_header(value))
        if key is None:
            continue
        if key in columns:
            result.error(
                number,
                key,
                _("This column appears twice in the header. / 表头中该列重复出现。"),
                value,
            )
            continue
        columns[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    present_person = [key for key in PERSON_COLUMNS if key in columns]
    if present_person:
        missing += [key for key in PERSON_COLUMNS if key not in columns]
    for key in missing:
        result.error(
            number,
            key,
            _(
                "Required column is missing from the header row (expected header “%(header)s”). / "
                "表头缺少必需的列（应为“%(header)s”）。"
            )
            % {"header": COLUMNS[key][0]},
        )
    if result.errors:
        return None
    return columns


def _parse_row_area(number: int, raw_area, result: RosterParse) -> Decimal | None:
    """The household's area in square metres (optional; two decimals at most)."""
    area = None
    if raw_area is not None and _text(raw_area) != "":
        try:
            area = _parse_area(raw_area)
        except ValueError:
            result.error(
                number,
                "area",
                _(
                    "The area must be a number of square metres, e.g. 98.50. / "
                    "面积须为平方米数，如98.50。"
                ),
                raw_area,
            )
        else:
            if area <= 0 or area > MAX_AREA:
                result.error(
                    number,
                    "area",
                    _(
                        "The area must be greater than 0 and below 1,000,000 m². / "
                        "面积须大于0且小于1000000平方米。"
                    ),
                    raw_area,
                )
                area = None
            elif area != area.quantize(Decimal("0.01")):
                result.error(
                    number,
                    "area",
                    _("The area may have at most 2 decimal places. / 面积最多保留两位小数。"),
                    raw_area,
                )
                area = None
            else:
                area = area.quantize(Decimal("0.01"))

    return area


def _parse_row_resident(number: int, texts: dict, cell, result: RosterParse):
    """Name, mobile and relation: all three, or none for a household without residents."""
    name, mobile = texts["name"], texts["mobile"].replace(" ", "").replace("-", "")
    raw_relation = _text(cell("relation"))
    relation = ""
    if name or mobile or raw_relation:
        if not name:
            result.error(
                number, "name", _("Name is missing for this resident. / 缺少该住户的姓名。")
            )
        if not mobile:
            result.error(
                number,
                "mobile",
                _("Mobile number is missing for this resident. / 缺少该住户的手机号。"),
            )
        elif not MOBILE_RE.match(mobile):
            result.error(
                number,
                "mobile",
                _(
                    "Enter an 11-digit mainland mobile number, e.g. 13812345678. / "
                    "请输入11位手机号码。"
                ),
                cell("mobile"),
            )
        relation = RELATIONS.get(raw_relation.lower(), "")
        if not relation:
            result.error(
                number,
                "relation",
                _(
                    "Relation must be 业主 (owner), 家庭成员 (family) or 租户 (tenant). / "
                    "关系须为“业主”“家庭成员”或“租户”。"
                ),
                raw_relation,
            )
    return name, mobile, relation


def _parse_row(number: int, values, columns: dict[str, int], result: RosterParse):
    def cell(key: str):
        index = columns.get(key)
        if index is None or index >= len(values):
            return None
        return values[index]

    before = len(result.errors)
    texts = {key: _text(cell(key)) for key in ("building", "unit", "room", "name", "mobile")}
    for key, limit in MAX_LENGTHS.items():
        if len(texts[key]) > limit:
            result.error(
                number,
                key,
                _("Too long: at most %(limit)d characters. / 内容过长，最多%(limit)d个字符。")
                % {"limit": limit},
                texts[key],
            )
    for key in ("building", "room"):
        if not texts[key]:
            result.error(number, key, _("This cell must not be empty. / 此单元格不能为空。"))

    area = _parse_row_area(number, cell("area"), result)
    name, mobile, relation = _parse_row_resident(number, texts, cell, result)
    if len(result.errors) != before:
        return None
    return RosterRow(
        row=number,
        building=normalize_building(texts["building"]),
        unit=normalize_unit(texts["unit"]),
        room=texts["room"],
        area=area,
        name=name,
        mobile=mobile,
        relation=relation,
    )


def _check_duplicates(result: RosterParse) -> None:
    """Within the file: one area per household, one name per mobile, no repeated row."""
    areas: dict[tuple[str, str, str], tuple[Decimal, int]] = {}
    names: dict[str, tuple[str, int]] = {}
    seen: dict[tuple, int] = {}
    for row in result.rows:
        key = (row.household_key, row.mobile)
        if key in seen:
            result.error(
                row.row,
                "mobile" if row.mobile else "room",
                _("Duplicate of row %(row)d. / 与第%(row)d行重复。") % {"row": seen[key]},
                row.mobile or row.room,
            )
            continue
        seen[key] = row.row
        if row.area is not None:
            earlier = areas.get(row.household_key)
            if earlier is None:
                areas[row.household_key] = (row.area, row.row)
            elif earlier[0] != row.area:
                result.error(
                    row.row,
                    "area",
                    _(
                        "Area differs from row %(row)d for the same household (%(area)s m²). / "
                        "与第%(row)d行同一户的面积（%(area)s平方米）不一致。"
                    )
                    % {"row": earlier[1], "area": earlier[0]},
                    row.area,
                )
        if row.mobile:
            earlier_name = names.get(row.mobile)
            if earlier_name is None:
                names[row.mobile] = (row.name, row.row)
            elif earlier_name[0] != row.name:
                result.error(
                    row.row,
                    "name",
                    _(
                        "The same mobile number has a different name in row %(row)d. / "
                        "同一手机号在第%(row)d行登记的姓名不同。"
                    )
                    % {"row": earlier_name[1]},
                    row.name,
                )


def roster_file_areas(rows: list[RosterRow]) -> dict[tuple[str, str, str], Decimal]:
    """The area each household gets from the file (first row that gives one)."""
    areas: dict[tuple[str, str, str], Decimal] = {}
    for row in rows:
        if row.area is not None:
            areas.setdefault(row.household_key, row.area)
    return areas


def roster_template_workbook() -> bytes:
    """An empty roster with the expected header and one example row, as .xlsx bytes."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "业主名册"
    sheet.append([label for label, _aliases in COLUMNS.values()])
    sheet.append(list(TEMPLATE_EXAMPLE))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in ("A", "B", "C", "D", "E", "F", "G"):
        sheet.column_dimensions[column].width = 14
    # Keep room numbers and phones as text so Excel does not drop leading zeros.
    for column in ("C", "F"):
        for cell in sheet[column]:
            cell.number_format = "@"
    organizations = workbook.create_sheet(ORG_SHEET)
    organizations.append([label for label, _aliases in ORG_COLUMNS.values()])
    organizations.append(list(ORG_TEMPLATE_EXAMPLE))
    notes = workbook.create_sheet("说明")
    for line in (
        "每行一户一人；只有房屋信息（楼栋、单元、房号、面积）的行只登记房屋。",
        "面积单位为平方米，最多两位小数；手机为11位号码；关系填：业主、家庭成员或租户。",
        "同一文件须全部正确才会导入；出错时会列出行号、列和原因。上限20000行、5MB。",
        "“组织成员”表（可选）：组织填小区党组织、物业管理委员会、物业服务企业或联席会议办公室；"
        "职务填书记、主任、委员、工作人员或义务质量总监；任职日期如2026-05-10。",
        "One row per person; rows with only building/unit/room/area register the household.",
    ):
        notes.append([line])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the organizations sheet (组织成员) ---------------------------------------------------
#
# A roster may carry a second sheet named "组织成员": the compound's organizations and
# their key people, so that adopting a compound (``setup_compound``) needs no typing.
# seed: 联席会议议事规则 第一、四条 (小区党组织, 联席会议办公室); 物业管理委员会服务承诺
# 第7条 (the PMC's term start: 任职日期); 公示承诺制度 第三条 1 (物业服务投诉电话:
# 组织电话 of the property company); 决策报告制度 第四条 (义务质量总监).

ORG_SHEET = "组织成员"
ORG_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "kind": ("组织", ("组织", "组织类型", "单位", "organization", "kind")),
    "org_name": ("组织名称", ("组织名称", "单位名称", "名称", "organizationname")),
    "phone": ("组织电话", ("组织电话", "电话", "投诉电话", "phone")),
    "name": ("姓名", ("姓名", "名字", "name")),
    "mobile": ("手机", ("手机", "手机号", "手机号码", "mobile")),
    "role": ("职务", ("职务", "角色", "role")),
    "start": ("任职日期", ("任职日期", "上任日期", "任期开始", "start", "termstart")),
}
ORG_KINDS = {
    "小区党组织": "compound_party",
    "小区党支部": "compound_party",
    "物业管理委员会": "pmc",
    "物管会": "pmc",
    "物业服务企业": "property_company",
    "物业公司": "property_company",
    "联席会议办公室": "joint_meeting_office",
}
ORG_ROLES = {
    "书记": "secretary",
    "主任": "chair",
    "委员": "member",
    "工作人员": "staff",
    "义务质量总监": "quality_supervisor",
}
ORG_MAX_ROWS = 500
ORG_TEMPLATE_EXAMPLE = (
    "物业服务企业",
    "某物业公司项目部",
    "027-12345678",
    "李四",
    "13912345678",
    "义务质量总监",
    "2026-05-10",
)


@dataclass
class OrgRow:
    row: int
    kind: str
    org_name: str = ""
    phone: str = ""
    name: str = ""
    mobile: str = ""
    role: str = ""
    start: object = None  # datetime.date when given

    @property
    def has_person(self) -> bool:
        return bool(self.mobile)


@dataclass
class OrgParse:
    rows: list[OrgRow] = field(default_factory=list)
    errors: list[RosterError] = field(default_factory=list)

    def error(self, row: int | None, column: str, message, value: object = "") -> None:
        label = ORG_COLUMNS[column][0] if column in ORG_COLUMNS else column
        self.errors.append(RosterError(row, label, str(message), _shown(value)))


def _org_date(value: object):
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return False


def organizations_parse(file: IO[bytes]) -> OrgParse:
    """Read the optional "组织成员" sheet; no sheet means no rows and no error.

    Call after :func:`roster_parse` accepted the container (size, zip checks).
    """
    from openpyxl import load_workbook

    result = OrgParse()
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=False)
    except Exception:
        result.error(None, "", _CORRUPT)
        return result
    try:
        if ORG_SHEET not in workbook.sheetnames:
            return result
        sheet = workbook[ORG_SHEET]
        lookup = {
            normalize_header(alias): key
            for key, (_label, aliases) in ORG_COLUMNS.items()
            for alias in aliases
        }
        columns: dict[str, int] | None = None
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
            if values is None or all(_text(v) == "" for v in values):
                continue
            if columns is None:
                columns = {}
                for index, value in enumerate(values):
                    key = lookup.get(normalize_header(value))
                    if key and key not in columns:
                        columns[key] = index
                if "kind" not in columns:
                    result.error(number, "kind", _("The sheet needs a column 组织."))
                    return result
                continue
            if len(result.rows) >= ORG_MAX_ROWS:
                result.error(number, "", _("More than 500 rows of organizations."))
                return result
            _org_row(number, values, columns, result)
    except Exception:
        result.error(None, "", _CORRUPT)
    finally:
        workbook.close()
    seen: dict[tuple[str, str, str], int] = {}
    for row in result.rows:
        if not row.has_person:
            continue
        key = (row.kind, row.mobile, row.role)
        if key in seen:
            result.error(
                row.row, "mobile", _("Duplicate of row %(row)d.") % {"row": seen[key]}, row.mobile
            )
        seen.setdefault(key, row.row)
    return result


def _org_row(number: int, values, columns: dict[str, int], result: OrgParse) -> None:
    def cell(key):
        index = columns.get(key)
        return values[index] if index is not None and index < len(values) else None

    kind_text = _text(cell("kind"))
    kind = ORG_KINDS.get(kind_text)
    if kind is None:
        result.error(
            number,
            "kind",
            _("Write one of: 小区党组织, 物业管理委员会, 物业服务企业, 联席会议办公室."),
            kind_text,
        )
        return
    row = OrgRow(row=number, kind=kind)
    row.org_name = _text(cell("org_name"))[:100]
    if len(_text(cell("org_name"))) > 100:
        result.error(number, "org_name", _("At most 100 characters."), cell("org_name"))
    row.phone = _text(cell("phone")).replace(" ", "")
    if row.phone and not re.match(r"^[0-9][0-9\-]{4,19}$", row.phone):
        result.error(number, "phone", _("Digits and dashes only, e.g. 027-81818577."), row.phone)
    row.name = _text(cell("name"))
    row.mobile = _text(cell("mobile")).replace(" ", "")
    role_text = _text(cell("role"))
    if row.mobile or row.name or role_text:
        if not row.name or len(row.name) > MAX_LENGTHS["name"]:
            result.error(
                number, "name", _("Enter the person's name (at most 50 characters)."), row.name
            )
        if not MOBILE_RE.match(row.mobile):
            result.error(
                number, "mobile", _("Enter an 11-digit mainland mobile number."), row.mobile
            )
        row.role = ORG_ROLES.get(role_text, "")
        if not row.role:
            result.error(
                number,
                "role",
                _("Write one of: 书记, 主任, 委员, 工作人员, 义务质量总监."),
                role_text,
            )
        start = _org_date(cell("start"))
        if start is False:
            result.error(number, "start", _("Enter a date like 2026-05-10."), cell("start"))
        row.start = start or None
    result.rows.append(row)
