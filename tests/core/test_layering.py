"""Arrows point down: ``huashan/`` is the foundation and imports no domain app.

Issue 15 item 7 and STYLE.md ("What the first design review taught": an app that needs
to plug into core registers itself in its ``AppConfig.ready``; no ``importlib`` between
apps). The walk reads every module under ``huashan/`` with ``ast``, so a function-level
import counts as much as a module-level one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

from huashan.core import media

ROOT = Path(settings.BASE_DIR)
FOUNDATION = ROOT / "huashan"


def domain_apps() -> set[str]:
    """Top-level packages of the installed apps that live beside ``huashan/`` in the repo."""
    names = set()
    for config in apps.get_app_configs():
        top = config.name.split(".")[0]
        if top != "huashan" and (ROOT / top / "__init__.py").exists():
            names.add(top)
    return names


DYNAMIC = {"import_module", "__import__", "import_string"}


def dynamic_imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every ``import_module("x")`` / ``import_string("x")`` call."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in DYNAMIC
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def dotted_paths_of(path: Path, apps_: set[str]) -> list[tuple[int, str]]:
    """(line, text) for string constants naming ``<app>.<module>.<name>``: what a
    ``resolve("issues.selectors.issue_rates")`` helper feeds to ``importlib``."""
    alternation = "|".join(sorted(apps_))
    pattern = re.compile(rf"^({alternation})\.[a-z_]+\.[A-Za-z_]\w*$")
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and pattern.match(node.value)
    ]


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every absolute import in ``path``, plus ``import_module("x")`` calls."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return sorted(found + dynamic_imports_of(path))


def test_the_domain_apps_are_found():
    # Guards the walk below against passing because it looks for nothing.
    assert {"issues", "meetings", "pledges", "disclosures", "evaluations", "dashboard"} <= (
        domain_apps()
    )
    assert not (FOUNDATION / "dashboard").exists(), "the dashboard app left huashan/"


def test_huashan_imports_no_domain_app():
    domain = domain_apps()
    arrows = []
    modules = [p for p in FOUNDATION.rglob("*.py") if "migrations" not in p.parts]
    assert len(modules) > 30
    for path in modules:
        for line, module in imports_of(path):
            if module.split(".")[0] in domain:
                arrows.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert arrows == [], "huashan/ must not import a domain app:\n" + "\n".join(arrows)


def test_the_walk_sees_function_level_and_importlib_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import importlib\n"
        "def f():\n"
        "    from issues.views import reporter_access\n"
        "    return importlib.import_module('meetings.selectors')\n"
    )
    assert [m for _line, m in imports_of(sample)] == [
        "importlib",
        "issues.views",
        "meetings.selectors",
    ]


def test_no_app_probes_another_with_importlib():
    """Apps reach each other by plain imports of selectors and services, never by
    ``importlib`` strings (issue 15 item 7; evaluations/evidence.py used to)."""
    domain = domain_apps()
    probes = []
    for app in sorted(domain):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found = dynamic_imports_of(path) + dotted_paths_of(path, domain)
            for line, module in found:
                top = module.split(".")[0]
                if top in domain and top != app:
                    probes.append(f"{path.relative_to(ROOT)}:{line} probes {module}")
    assert probes == [], "\n".join(probes)


def test_the_probe_check_sees_a_resolve_string(tmp_path):
    sample = tmp_path / "evidence.py"
    sample.write_text(
        "def f():\n"
        "    fn = resolve('issues.selectors.issue_rates')\n"
        "    return fn, 'meetings.view_meeting', 'meetings.Meeting'\n"
    )
    assert dotted_paths_of(sample, {"issues", "meetings"}) == [(2, "issues.selectors.issue_rates")]


def test_each_app_registers_the_media_checks_for_its_own_files():
    """The media view's table is filled by the apps (``register_media_access`` in ready)."""
    owners = {}
    for pattern, check in media.KINDS:
        folder = re.match(r"[a-z]+", pattern.pattern).group(0)
        owners[folder] = check.__module__.split(".")[0]
    assert owners == {
        "issues": "issues",
        "pledges": "pledges",
        "meetings": "meetings",
        "evaluations": "evaluations",
    }
    assert len(media.KINDS) == 5


def test_registering_a_pattern_again_replaces_its_check():
    before = list(media.KINDS)
    try:
        pattern, check = media.KINDS[0]
        media.register_media_access(pattern.pattern, lambda request, name, match: False)
        assert len(media.KINDS) == len(before)
        assert media.KINDS[0][1] is not check
    finally:
        media.KINDS[:] = before
