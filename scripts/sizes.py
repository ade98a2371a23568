"""List functions and modules over the size limits (STYLE.md: ~80 lines a function, ~800 a module).

    .venv/bin/python scripts/sizes.py [paths ...]

A function's length runs from its ``def`` line to its last line (decorators not
counted); nested functions are counted on their own and inside their parent.
Migrations and the seed and bench management commands are left out. Prints one
line per finding and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

DEFAULT_PATHS = (
    "huashan",
    "issues",
    "pledges",
    "provisioning",
    "privacy",
    "disclosures",
    "rulebook",
    "dashboard",
    "meetings",
    "evaluations",
)
FUNCTION_LIMIT = 80
MODULE_LIMIT = 800


def excluded(path: Path) -> bool:
    parts = path.parts
    if "migrations" in parts:
        return True
    if "commands" in parts and (path.name.startswith("seed") or "bench" in path.name):
        return True
    return False


def python_files(paths: list[str]):
    for name in paths:
        root = Path(name)
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            if not excluded(path):
                yield path


def findings(path: Path, function_limit: int, module_limit: int):
    source = path.read_text(encoding="utf-8")
    lines = source.count("\n") + (0 if source.endswith("\n") else 1)
    if lines > module_limit:
        yield f"{path}: module {lines} lines"
    tree = ast.parse(source, filename=str(path))
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    length = child.end_lineno - child.lineno + 1
                    if length > function_limit:
                        yield f"{path}:{child.lineno}: {name} {length} lines"
                stack.append((child, f"{name}."))
            else:
                stack.append((child, prefix))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=list(DEFAULT_PATHS))
    parser.add_argument("--function-limit", type=int, default=FUNCTION_LIMIT)
    parser.add_argument("--module-limit", type=int, default=MODULE_LIMIT)
    args = parser.parse_args(argv)
    found = [
        line
        for path in python_files(args.paths)
        for line in findings(path, args.function_limit, args.module_limit)
    ]
    print("\n".join(found) if found else "nothing over the limits")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
