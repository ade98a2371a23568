"""In-process mutation testing: mutmut's mutations, run inside ONE pytest session.

mutmut's own runner starts pytest (and Django) once per mutant, tens of seconds each on a
loaded machine. This pytest plugin makes each of mutmut's mutants of one module, swaps the
mutated functions' code into the live module (``__code__``, so every ``from … import``
binding sees it) and module-level values, reruns the selected tests with their fixtures
(the test database is set up once), and restores the original. A mutant whose run takes
longer than ``MUTATE_TIMEOUT`` seconds counts as killed (timeout).

    python -m pytest -p scripts.mutate_inprocess --mutate huashan/periods.py \\
        tests/core/test_periods_boundaries.py
    # while iterating: only some mutants, by number (written to <module>.partial.json)
    python -m pytest -p scripts.mutate_inprocess --mutate huashan/periods.py \\
        --mutate-only 1-40 tests/core/test_periods_boundaries.py

Methods and properties of the module's classes get the mutated code the same way; what a
removed decorator gave (``@dataclass``'s ``__init__``, ``@total_ordering``'s ``__le__``)
is taken from the live class for the mutant's run. The test session's wider fixtures (the
test database) stay set up from one mutant to the next.

Writes ``<out>/<module>.json`` (score, survivors with their diff). Used by
scripts/mutate.sh.
"""

# A command-line tool: printing is its interface.
# ruff: noqa: T201

from __future__ import annotations

import contextlib
import difflib
import enum
import importlib
import json
import os
import signal
import time
import types
from pathlib import Path

import pytest
from _pytest.runner import runtestprotocol
from mutmut import Context, list_mutations, mutate


class _Timeout(Exception):
    pass


def pytest_addoption(parser):
    parser.addoption("--mutate", action="store", default=None, help="module path to mutate")
    parser.addoption("--mutate-out", action="store", default="var/mutate")
    parser.addoption(
        "--mutate-only",
        action="store",
        default=None,
        help="run only these mutants, by number: '5', '1-40', '3,7,20-25' (while iterating)",
    )


def _selection(spec: str | None) -> set[int] | None:
    """The mutant numbers of ``--mutate-only`` ('3,7,20-25'), or None for all of them."""
    if not spec:
        return None
    numbers: set[int] = set()
    for part in spec.split(","):
        first, _dash, last = part.strip().partition("-")
        numbers.update(range(int(first), int(last or first) + 1))
    return numbers


def _module_name(path: str) -> str:
    return path[:-3].replace("/", ".")


def _swap(module: types.ModuleType, namespace: dict) -> list:
    """Put the mutated definitions into the live module; return what to restore."""
    undo = []
    for name, new in namespace.items():
        if name.startswith("__"):
            continue
        old = module.__dict__.get(name, None)
        if isinstance(new, types.FunctionType) and isinstance(old, types.FunctionType):
            if not _swap_code(old, new, undo):
                # A closure's cells cannot take new code: rebind the name instead.
                undo.append(("attr", module, name, old))
                setattr(module, name, new)
        elif isinstance(new, type) and isinstance(old, type):
            _swap_class(old, new, undo)
        elif not isinstance(new, types.ModuleType) and name in module.__dict__:
            new = _live(new, module)
            if not _same(new, old):
                undo.append(("attr", module, name, old))
                setattr(module, name, new)
    return undo


#: What a class statement itself puts in a class: never swapped or removed.
_CLASS_OWN = {"__dict__", "__weakref__", "__module__", "__qualname__", "__doc__", "__annotations__"}


def _swap_code(live, new, undo: list) -> bool:
    """Give the live function the mutant's code; False when its closure cells differ."""
    if live.__code__ is new.__code__:
        return True
    if live.__code__.co_freevars != new.__code__.co_freevars:
        return False
    undo.append(("code", live, live.__code__, live.__defaults__, live.__kwdefaults__))
    live.__code__ = new.__code__
    live.__defaults__ = new.__defaults__
    live.__kwdefaults__ = new.__kwdefaults__
    return True


def _swap_member(live: enum.Enum, mutant, undo: list) -> None:
    """An enum member cannot be reassigned: the live member takes the mutant's value."""
    value = mutant.value if isinstance(mutant, enum.Enum) else mutant
    if _same(value, live._value_):
        return
    undo.append(("member", live, live._value_))
    _set_member_value(live, value)


def _set_member_value(member: enum.Enum, value) -> None:
    cls = type(member)
    cls._value2member_map_.pop(member._value_, None)
    object.__setattr__(member, "_value_", value)
    with contextlib.suppress(TypeError):  # an unhashable value: lookups fall back to a scan
        cls._value2member_map_[value] = member


def _swap_class(old: type, new: type, undo: list) -> None:
    """The mutant's methods and properties into the live class (their code, so instances
    and references stay the live ones); what a removed decorator took away (``@property``,
    ``@dataclass``'s ``__init__``/``__eq__``, ``@total_ordering``'s ``__le__``) goes too."""
    for attr, value in vars(new).items():
        if attr in _CLASS_OWN:
            continue
        if isinstance(old, enum.EnumMeta) and (attr in old.__members__ or attr.startswith("_")):
            if attr in old.__members__:
                _swap_member(old.__members__[attr], value, undo)
            continue  # enum machinery (_member_map_, ...) stays the live class's
        current = vars(old).get(attr)
        if isinstance(value, types.FunctionType) and isinstance(current, types.FunctionType):
            if _swap_code(current, value, undo):
                continue
            # e.g. a method using super() (a __class__ cell): rebind on the class.
        elif isinstance(value, property) and isinstance(current, property):
            parts = [(current.fget, value.fget), (current.fset, value.fset)]
            if all((live is None) == (mutant is None) for live, mutant in parts) and all(
                _swap_code(live, mutant, undo) for live, mutant in parts if live
            ):
                continue
        elif not isinstance(value, types.FunctionType | property) and _same(value, current):
            continue  # an unchanged class-level value
        if attr in vars(old):
            undo.append(("attr", old, attr, current))
        else:
            undo.append(("new", old, attr))
        setattr(old, attr, value)
    if isinstance(old, enum.EnumMeta):
        return
    for attr in set(vars(old)) - set(vars(new)) - _CLASS_OWN:
        current = vars(old)[attr]
        if callable(current) or attr.startswith("__dataclass") or attr == "__match_args__":
            undo.append(("attr", old, attr, current))
            delattr(old, attr)


def _live(value, module: types.ModuleType):
    """A module-level table (``RULES = {kind: rule_…}``) with the mutant's own copies of the
    module's functions and classes replaced by the live ones, which carry the mutated code:
    an unchanged table then compares equal and stays."""
    if isinstance(value, types.FunctionType | type) and value.__module__ == module.__name__:
        return module.__dict__.get(value.__name__, value)
    if isinstance(value, dict):
        return {_live(k, module): _live(v, module) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset) and type(value) in (
        list,
        tuple,
        set,
        frozenset,
    ):
        return type(value)(_live(v, module) for v in value)
    return value


def _same(new, old) -> bool:
    try:
        same = new == old
    except Exception:
        return False
    return isinstance(same, bool) and same


def _restore(undo: list) -> None:
    for entry in reversed(undo):
        if entry[0] == "new":
            delattr(entry[1], entry[2])
        elif entry[0] == "member":
            _set_member_value(entry[1], entry[2])
        elif entry[0] == "code":
            _kind, function, code, defaults, kwdefaults = entry
            function.__code__ = code
            function.__defaults__ = defaults
            function.__kwdefaults__ = kwdefaults
        else:
            _kind, module, name, old = entry
            setattr(module, name, old)


def _run_items(session, items) -> bool:
    """True when every item passed (the mutant survived).

    The session's wider fixtures (the test database above all) stay set up between runs:
    the last item is torn down as if the first came next, and a run that stops early
    tears down to the same point. ``_teardown_all`` ends the session's fixtures.
    """
    try:
        for index, item in enumerate(items):
            nextitem = items[(index + 1) % len(items)]
            reports = runtestprotocol(item, nextitem=nextitem, log=False)
            if os.environ.get("MUTATE_DEBUG"):
                for report in reports:
                    if report.failed:
                        print("[mutate-debug]", item.nodeid, str(report.longrepr)[-1500:])
            if any(report.failed for report in reports):
                session._setupstate.teardown_exact(items[0])
                return False
    except BaseException:
        session._setupstate.teardown_exact(items[0])
        raise
    return True


def _teardown_all(session) -> None:
    session._setupstate.teardown_exact(None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    path = session.config.getoption("--mutate")
    if not path:
        return None
    out = Path(session.config.getoption("--mutate-out"))
    out.mkdir(parents=True, exist_ok=True)
    timeout = int(os.environ.get("MUTATE_TIMEOUT", "60"))
    items = list(session.items)
    module = importlib.import_module(_module_name(path))
    source = Path(path).read_text(encoding="utf-8")
    for _round in range(2):  # twice: a rerun in the same session must pass too
        if not _run_items(session, items):
            raise pytest.UsageError(f"the tests of {path} fail without any mutation")

    def _namespace() -> dict:
        # The package too, so that the module's relative imports work in the copy.
        return {
            "__name__": module.__name__,
            "__file__": module.__file__,
            "__package__": module.__package__,
            "__spec__": module.__spec__,
        }

    try:  # the unmutated source must execute the way each mutant will
        exec(compile(source, path, "exec"), _namespace())
    except Exception as error:
        raise pytest.UsageError(f"{path} does not execute outside its import: {error!r}") from None
    ids = list_mutations(Context(source=source, filename=path))
    only = _selection(session.config.getoption("--mutate-only"))
    results = {"module": path, "killed": 0, "timeout": 0, "survived": [], "error": 0}
    started = time.monotonic()

    def _alarm(_signum, _frame):
        raise _Timeout

    signal.signal(signal.SIGALRM, _alarm)
    for number, mutation_id in enumerate(ids, 1):
        if only is not None and number not in only:
            continue
        context = Context(source=source, mutation_id=mutation_id, filename=path)
        mutated, _count = mutate(context)
        namespace = _namespace()
        try:
            exec(compile(mutated, path, "exec"), namespace)
        except Exception:
            results["error"] += 1  # does not even import: killed by any test run
            results["killed"] += 1
            continue
        undo = _swap(module, namespace)
        signal.alarm(timeout)
        try:
            survived = _run_items(session, items)
        except _Timeout:
            survived = None
        finally:
            signal.alarm(0)
            _restore(undo)
        if survived is None:
            results["timeout"] += 1
        elif survived:
            diff = "".join(
                difflib.unified_diff(
                    source.splitlines(True), mutated.splitlines(True), n=0, lineterm="\n"
                )
            )
            results["survived"].append(
                {
                    "number": number,
                    "line": mutation_id.line_number + 1,
                    "line_text": mutation_id.line,
                    "diff": diff,
                }
            )
        else:
            results["killed"] += 1
        print(f"[mutate] {path} {number}/{len(ids)} survived={len(results['survived'])}")
    if not _run_items(session, items):  # every mutant was put back
        raise pytest.UsageError(f"the tests of {path} fail after the mutants were restored")
    total = len(ids) if only is None else len([n for n in only if n <= len(ids)])
    caught = results["killed"] + results["timeout"]
    results.update(
        total=total,
        score=round(100 * caught / total, 1) if total else None,
        seconds=round(time.monotonic() - started),
    )
    name = path.replace("/", "_") + ("" if only is None else ".partial")
    (out / f"{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(
        f"[mutate] {path}: {results['score']}% ({caught} of {total} killed, "
        f"{len(results['survived'])} survived)" + (" [partial run]" if only else "")
    )
    _teardown_all(session)
    return True
