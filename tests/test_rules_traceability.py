"""docs/rules.md stays true: every row names code and tests that really exist.

The table maps each article of the seed rules (seeds/000_…txt) to the module,
code (``path::name``) and tests (``tests/…py::test_name``) implementing it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES_DOC = ROOT / "docs" / "rules.md"

COLUMNS = ("id", "document", "article", "summary", "module", "code", "tests", "status")
STATUSES = frozenset({"done", "partial", "not yet"})
NOT_YET = "not yet"
MIN_ROWS = 45
ID_RE = re.compile(r"^[A-Z]+-[0-9A-Za-z]+$")

# Every article / pledge item of the seed, by stable id (see docs/rules.md).
EXPECTED_IDS = frozenset(
    [f"JM-{n}" for n in range(1, 7)]
    + [f"CL-{n}" for n in range(1, 8)]
    + [f"DP-{n}" for n in range(1, 5)]
    + ["DP-4b"]
    + [f"PP-{n}" for n in range(1, 11)]
    + [f"PMC-{n}" for n in range(1, 11)]
    + ["PMC-obey"]
    + [f"DR-{n}" for n in range(1, 5)]
    + [f"EV-{n}" for n in range(1, 6)]
)


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]

    @property
    def id(self) -> str:
        return self.cells["id"]

    def refs(self, column: str) -> list[str]:
        value = self.cells[column].strip()
        if value == NOT_YET:
            return []
        return [part.strip().strip("`").strip() for part in value.split(",") if part.strip()]


def parse_rules_table(text: str) -> list[Row]:
    """Rows of the first markdown table whose header starts with ``id``."""
    rows: list[Row] = []
    header: list[str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line.startswith("|"):
            if header is not None and rows:
                break  # the table ended
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if header is None:
            if cells and cells[0].lower() == "id":
                header = [cell.lower() for cell in cells]
            continue
        if set(line) <= set("|-: "):
            continue  # the separator line
        rows.append(Row(line=number, cells=dict(zip(header, cells, strict=False))))
    return rows


@cache
def _module_tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _names_in(body: list[ast.stmt]) -> dict[str, ast.AST]:
    """Names defined at this level: functions, classes and assigned names."""
    names: dict[str, ast.AST] = {}
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


def _defines(path: Path, dotted: list[str], *, functions_only: bool = False) -> bool:
    body = _module_tree(path).body
    node: ast.AST | None = None
    for index, part in enumerate(dotted):
        node = _names_in(body).get(part)
        if node is None:
            return False
        if index < len(dotted) - 1:
            if not isinstance(node, ast.ClassDef):
                return False
            body = node.body
    if functions_only:
        return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    return True


def check_reference(ref: str, *, root: Path, kind: str) -> str | None:
    """None when ``ref`` names something that exists, else the problem."""
    if "::" not in ref:
        return f"{ref!r}: expected path::name"
    path_text, _, name = ref.partition("::")
    path = root / path_text
    if not path_text.endswith(".py") or not path.is_file():
        return f"{ref!r}: no such file {path_text}"
    if kind == "tests":
        if not path_text.startswith("tests/"):
            return f"{ref!r}: tests must live under tests/"
        parts = [re.sub(r"\[.*\]$", "", part) for part in name.split("::")]
        if not parts[-1].startswith("test"):
            return f"{ref!r}: {parts[-1]} is not a test function"
        if not _defines(path, parts, functions_only=True):
            return f"{ref!r}: no test {name} in {path_text}"
        return None
    dotted = name.split(".")
    if not all(part.isidentifier() for part in dotted):
        return f"{ref!r}: {name!r} is not a dotted name"
    if not _defines(path, dotted):
        return f"{ref!r}: {name} is not defined at top level of {path_text}"
    return None


def check_rules_table(text: str, *, root: Path = ROOT, min_rows: int = MIN_ROWS) -> list[str]:
    """Every problem with the table; an empty list means it is true."""
    rows = parse_rules_table(text)
    problems: list[str] = []
    if len(rows) < min_rows:
        problems.append(f"only {len(rows)} rows; expected at least {min_rows}")
    seen: set[str] = set()
    for row in rows:
        where = f"line {row.line} ({row.cells.get('id', '?')})"
        missing = [column for column in COLUMNS if not row.cells.get(column)]
        if missing:
            problems.append(f"{where}: empty or missing columns {missing}")
            continue
        if not ID_RE.match(row.id):
            problems.append(f"{where}: bad id {row.id!r}")
        if row.id in seen:
            problems.append(f"{where}: duplicate id {row.id}")
        seen.add(row.id)
        status = row.cells["status"]
        if status not in STATUSES:
            problems.append(f"{where}: status {status!r} not in {sorted(STATUSES)}")
        if status == "done" and NOT_YET in (row.cells["code"], row.cells["tests"]):
            problems.append(f"{where}: status done but code or tests say 'not yet'")
        for column in ("code", "tests"):
            for ref in row.refs(column):
                problem = check_reference(ref, root=root, kind=column)
                if problem:
                    problems.append(f"{where}: {problem}")
    return problems


def test_rules_table_is_true():
    problems = check_rules_table(RULES_DOC.read_text(encoding="utf-8"))
    assert problems == []


def test_every_seed_article_has_a_row():
    ids = {row.id for row in parse_rules_table(RULES_DOC.read_text(encoding="utf-8"))}
    assert ids >= EXPECTED_IDS, sorted(EXPECTED_IDS - ids)


HEADER = (
    "| id | document | article | summary | module | code | tests | status |\n"
    "|---|---|---|---|---|---|---|---|\n"
)
GOOD_CODE = "`huashan/directory/rules.py::can_convene_joint_meeting`"
GOOD_TEST = "`tests/test_rules_traceability.py::test_rules_table_is_true`"


def _table(*rows: str) -> str:
    return "# doc\n\n" + HEADER + "\n".join(rows) + "\n\nafter the table\n"


def _row(row_id="JM-3", code=GOOD_CODE, tests=GOOD_TEST, status="partial"):
    cells = [
        row_id,
        "联席会议议事规则",
        "第三条",
        "召集 / convening",
        "meetings",
        code,
        tests,
        status,
    ]
    return "| " + " | ".join(cells) + " |"


def test_checker_accepts_a_good_row():
    assert check_rules_table(_table(_row()), min_rows=1) == []
    # Class attributes, methods and parametrized test ids resolve too.
    good = _row(
        code="`huashan/directory/models.py::Organization.THREE_PARTIES`, "
        "`huashan/directory/models.py::Building.save`",
        tests="`tests/test_rules_traceability.py::test_checker_catches_bogus_rows[missing-file]`",
        status="done",
    )
    assert check_rules_table(_table(good), min_rows=1) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(_row(code="`huashan/nowhere.py::thing`"), "no such file", id="missing-file"),
        pytest.param(
            _row(code="`huashan/directory/rules.py::can_fly`"), "not defined", id="missing-name"
        ),
        pytest.param(
            _row(code="`huashan/directory/models.py::Organization.no_such_attr`"),
            "not defined",
            id="missing-method",
        ),
        pytest.param(
            _row(code="`huashan/directory/rules.py::Kind.x`"), "not defined", id="not-a-class"
        ),
        pytest.param(_row(code="huashan/directory/rules.py"), "path::name", id="no-name"),
        pytest.param(
            _row(tests="`tests/test_rules_traceability.py::test_does_not_exist`"),
            "no test",
            id="missing-test",
        ),
        pytest.param(
            _row(tests="`tests/test_rules_traceability.py::check_rules_table`"),
            "not a test function",
            id="helper-not-test",
        ),
        pytest.param(
            _row(tests="`tests/test_rules_traceability.py::HEADER`"),
            "not a test function",
            id="constant-not-test",
        ),
        pytest.param(_row(code="not yet", status="done"), "status done", id="done-without-code"),
        pytest.param(_row(tests="not yet", status="done"), "status done", id="done-without-tests"),
        pytest.param(_row(status="finished"), "status 'finished'", id="bad-status"),
        pytest.param(_row(row_id="jm 3"), "bad id", id="bad-id"),
    ],
)
def test_checker_catches_bogus_rows(row, expected):
    problems = check_rules_table(_table(_row(row_id="JM-1"), row), min_rows=1)
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_checker_catches_duplicates_and_short_tables():
    problems = check_rules_table(_table(_row(), _row()), min_rows=45)
    assert any("duplicate id JM-3" in problem for problem in problems)
    assert any("only 2 rows" in problem for problem in problems)


def test_checker_catches_missing_column():
    short = "| JM-3 | 联席会议议事规则 | 第三条 | x | meetings | not yet | not yet |"
    problems = check_rules_table(_table(short), min_rows=1)
    assert problems
    assert "missing columns ['status']" in problems[0]
