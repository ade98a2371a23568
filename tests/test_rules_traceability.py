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

SEED_DIR = ROOT / "docs" / "rules"
#: docs/rules/<prefix>.txt: the seed's documents, verbatim (docs/rules/README.md).
SEED_FILES = ("JM", "CL", "DP", "PP", "PMC", "DR", "EV")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ARTICLE_RE = re.compile(r"^\s*第([一二三四五六七八九十]+)条")
ITEM_RE = re.compile(r"^\s*(\d+)[.．]")


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1:]]
    if "十" in text:
        tens, _, ones = text.partition("十")
        return 10 * _CN_DIGITS[tens] + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[text]


def derive_ids(seed_dir: Path = SEED_DIR) -> frozenset[str]:
    """The rule ids, derived from the seed's text: 第n条 articles, n. pledge items, and the
    two unnumbered commitments (公示承诺制度 "建立承诺履诺监督管理", 物业管理会 "服从管理承诺")."""
    ids: set[str] = set()
    for prefix in SEED_FILES:
        for line in (seed_dir / f"{prefix}.txt").read_text(encoding="utf-8").splitlines():
            article = ARTICLE_RE.match(line)
            item = ITEM_RE.match(line)
            if article:
                ids.add(f"{prefix}-{_cn_number(article.group(1))}")
            elif item and prefix in ("PP", "PMC"):
                ids.add(f"{prefix}-{int(item.group(1))}")
            elif line.strip().startswith("建立承诺履诺监督管理"):
                ids.add(f"{prefix}-4b")
            elif "服从管理承诺" in line:
                ids.add(f"{prefix}-obey")
    return frozenset(ids)


# Every article / pledge item of the seed, by stable id, derived from the seed's text.
EXPECTED_IDS = derive_ids()


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


# --- the cited code is reached, the cited tests exercise it ------------------------------

PRODUCTION_SKIP = {".venv", "tests", "migrations", "node_modules", "docs", "var", "bench", ".git"}
PERM_CALLS = {"add_perm", "add_rule", "set_perm", "set_rule"}
#: Decorators that do not make a function reachable by themselves.
INERT_DECORATORS = {"predicate", "cache", "lru_cache", "cached_property", "property", "dataclass"}


@dataclass
class _Index:
    """Where each name is used in production code (not tests, not migrations)."""

    direct: set[str]
    direct_in: set[tuple[str, str]]  # (file, name) used directly in that file
    perms: dict[tuple[str, str], set[str]]  # (file, name) -> permissions it is registered as
    aliases: dict[str, set[tuple[str, str]]]  # name -> (file, module-level name) built from it
    strings: set[str]  # string constants outside permission registrations
    templates: str
    reachable_by_decorator: set[str]


def _production_files(root: Path):
    for path in root.rglob("*.py"):
        if PRODUCTION_SKIP & set(path.relative_to(root).parts):
            continue
        yield path


def _call_name(node: ast.AST) -> str:
    func = getattr(node, "func", None)
    return getattr(func, "attr", getattr(func, "id", ""))


@cache
def _index(root: Path = ROOT) -> _Index:
    index = _Index(set(), set(), {}, {}, set(), "", set())
    for path in _production_files(root):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        here = str(path.relative_to(root))
        parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names = {
                    getattr(d, "attr", getattr(d, "id", _call_name(d))) for d in node.decorator_list
                }
                if names - INERT_DECORATORS:
                    index.reachable_by_decorator.add(node.name)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                parent = parents.get(node)
                registered = _call_name(parent) in PERM_CALLS and parent.args[:1] == [node]
                docstring = isinstance(parent, ast.Expr)
                table_key = isinstance(parent, ast.Dict) and any(k is node for k in parent.keys)
                if not (registered or docstring or table_key):
                    index.strings.add(node.value)
                continue
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            if name is None or not isinstance(node, ast.Name | ast.Attribute):
                continue
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                continue
            holder = parents.get(node)
            if isinstance(holder, ast.Attribute) and isinstance(holder.ctx, ast.Store):
                continue  # ``name.__doc__ = …`` documents it, does not use it
            child, parent, context = node, holder, None
            while parent is not None and context is None:
                in_table = here.endswith("rules.py") and isinstance(parent, ast.Dict)
                if in_table and any(v is child for v in parent.values):
                    key = parent.keys[[id(v) for v in parent.values].index(id(child))]
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        # A permission table: {"meetings.supervise": supervise}.
                        index.perms.setdefault((here, name), set()).add(key.value)
                        context = "perm"
                        break
                if isinstance(parent, ast.Call) and _call_name(parent) in PERM_CALLS:
                    first = parent.args[0] if parent.args else None
                    if isinstance(first, ast.Constant) and first is not node:
                        index.perms.setdefault((here, name), set()).add(first.value)
                        context = "perm"
                elif isinstance(parent, ast.Assign) and parents.get(parent) is tree:
                    targets = {t.id for t in parent.targets if isinstance(t, ast.Name)}
                    index.aliases.setdefault(name, set()).update((here, t) for t in targets)
                    context = "alias"
                elif isinstance(parent, ast.stmt):
                    context = "direct"
                child, parent = parent, parents.get(parent)
            if context in ("direct", None):
                index.direct.add(name)
                index.direct_in.add((here, name))
    index.templates = "\n".join(
        p.read_text(encoding="utf-8") for p in (root / "templates").rglob("*.html")
    )
    return index


def is_reachable(name: str, *, root: Path = ROOT) -> bool:
    """Production code (a view, service, API, task, template or URL) reaches ``name``:
    used directly, or registered as a permission that something checks, or built into a
    module-level name (``supervise = is_active_person & can_supervise_compound``) that is
    reachable the same way."""
    index = _index(root)
    if name in index.direct or name in index.reachable_by_decorator:
        return True
    if re.search(rf"\b{re.escape(name)}\b", index.templates):
        return True
    if any(text == name or text.endswith(f".{name}") for text in index.strings):
        return True
    seen: set[tuple[str, str]] = set()
    todo = list(index.aliases.get(name, ()))
    while todo:
        where = todo.pop()
        if where in seen:
            continue
        seen.add(where)
        if where in index.direct_in or where[1] == "urlpatterns":
            return True
        # Elsewhere by name (a rules module's short names, e.g. ``supervise``, are too
        # common to match by name: there only the permission counts).
        if where[1] in index.direct and not where[0].endswith("rules.py"):
            return True
        for perm in index.perms.get(where, ()):
            if perm in index.strings or perm in index.templates:
                return True
        todo += index.aliases.get(where[1], ())
    return False


def _function_names(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            names.add(child.id)
        elif isinstance(child, ast.Attribute):
            names.add(child.attr)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", child.value))
    return names


@cache
def _call_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Function name (production code and the tests' helper modules: factories, fixtures)
    -> the names its bodies use (all definitions of the name together). Names defined in
    many places (``save``, ``clean``, …) are left out: they would connect everything."""
    graph: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    helpers = [p for p in (root / "tests").rglob("*.py") if not p.name.startswith("test_")]
    for path in [*_production_files(root), *helpers]:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                counts[node.name] = counts.get(node.name, 0) + 1
                graph.setdefault(node.name, set()).update(_function_names(node))
        # Module-level tables (``RULES = {"count_per_period": rule_count_per_period}``).
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name) and node.value is not None:
                        counts[target.id] = counts.get(target.id, 0) + 1
                        graph.setdefault(target.id, set()).update(_function_names(node.value))
    return {name: used for name, used in graph.items() if counts[name] <= 3}


def names_used_by_test(ref: str, *, root: Path = ROOT, depth: int = 3) -> set[str]:
    """Names a cited test reaches: its body and decorators, the module's helpers and fixtures
    it uses (one level), then production functions they call, ``depth`` calls deep."""
    path_text, _, name = ref.partition("::")
    tree = _module_tree(root / path_text)
    top = _names_in(tree.body)
    parts = [re.sub(r"\[.*\]$", "", part) for part in name.split("::")]
    body = tree.body
    node = None
    for part in parts:
        node = _names_in(body).get(part)
        body = getattr(node, "body", [])
    if node is None:
        return set()
    used = _function_names(node)
    helpers = {n for n in used if n in top} | {a.arg for a in node.args.args if a.arg in top}
    for helper in helpers:
        used |= _function_names(top[helper])
    graph = _call_graph(root)
    frontier = set(used)
    for _level in range(depth):
        frontier = set().union(*(graph.get(n, set()) for n in frontier)) - used
        used |= frontier
    return used


def check_row_links(row: Row, *, root: Path = ROOT) -> list[str]:
    """The row's code is reached by production code and each cited test uses some of it."""
    problems = []
    where = f"line {row.line} ({row.id})"
    names = set()
    for ref in row.refs("code"):
        dotted = ref.partition("::")[2].split(".")
        names.update(dotted)
        if not is_reachable(dotted[-1], root=root):
            problems.append(f"{where}: {ref} is called by no view, service, API or template")
    for ref in row.refs("tests"):
        if names and not (names_used_by_test(ref, root=root) & names):
            problems.append(f"{where}: {ref} neither imports nor calls the row's code")
    return problems


def test_rules_table_cites_live_code_and_tests_that_use_it():
    rows = parse_rules_table(RULES_DOC.read_text(encoding="utf-8"))
    problems = [
        p for row in rows if not check_reference_problems(row) for p in check_row_links(row)
    ]
    assert problems == [], "\n".join(problems)


def check_reference_problems(row: Row) -> bool:
    return any(
        check_reference(ref, root=ROOT, kind=column)
        for column in ("code", "tests")
        for ref in row.refs(column)
    )


def test_the_link_checker_sees_dead_code_and_unrelated_tests():
    """The audit's probe (test_probe_traceability_checker_accepts_irrelevant_and_dead_references):
    a "done" row citing code nothing reaches and two unrelated tests is refused (it was
    accepted before)."""
    probe = _row(
        row_id="PMC-7",
        code="`tests/test_rules_traceability.py::derive_ids`",
        tests="`tests/core/test_workdays.py::test_predefined_policies_and_their_codes`, "
        "`tests/test_rules_traceability.py::test_checker_accepts_a_good_row`",
        status="done",
    )
    (row,) = parse_rules_table(_table(probe))
    problems = check_row_links(row)
    assert len(problems) == 3, problems
    assert "called by no view" in problems[0]
    assert all("neither imports nor calls" in p for p in problems[1:])
    # A test that reaches the code through the services it calls is accepted.
    live = _row(
        code="`issues/services/clocks.py::clocks_for`",
        tests="`tests/test_seed_numbers.py::test_48_hour_response`",
    )
    (row,) = parse_rules_table(_table(live))
    assert check_row_links(row) == []


def test_ids_are_derived_from_the_seed_text():
    assert len(EXPECTED_IDS) == 48
    assert {"PP-7", "PMC-3", "PMC-obey", "DP-4b", "EV-5", "CL-7"} <= EXPECTED_IDS


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
