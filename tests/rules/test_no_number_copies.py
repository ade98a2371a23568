"""No user-facing copy of a complaint-clock number (issue 18, "one source").

The numbers live in ``huashan.workdays`` (``RESPONSE_48H``, ``FEEDBACK_7_WORKING_DAYS``,
``PLAN_7_DAYS``, ``HAZARD_3_DAYS``, ``LEGACY_EXPLANATION_30_DAYS``, ``REOPEN_DAYS``,
``AUTO_CLOSE_DAYS``, ``WARN_BEFORE_HOURS``); every label, help text, page and PDF renders them
from there (``workdays.number_text``, ``{% complaint_response_promise %}``). This test reads
every template and every translatable Python string for a literal copy.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: What a copy of a complaint-clock number looks like in Chinese or English text.
PATTERNS = [
    re.compile(r"48\s*(?:小时|个小时|hours?\b|h\b|-hour)", re.IGNORECASE),
    re.compile(r"(?<!\d)7\s*(?:个工作日|working[- ]days?)", re.IGNORECASE),
    re.compile(r"(?<!\d)7\s*日内明确"),
    re.compile(r"(?:复杂问题|plan[^.\n]{0,40}?)\s*(?<!\d)7\s*(?:日|天|days?\b)", re.IGNORECASE),
    re.compile(r"(?<!\d)3\s*日内整改|hazards?[^.\n]{0,30}?(?<!\d)3\s*days?\b", re.IGNORECASE),
    re.compile(r"(?:reopen|重新打开)[^.\n]{0,30}?(?<!\d)14\s*(?:日|天|days?\b)", re.IGNORECASE),
]

#: Files allowed to hold the numbers, each with its reason.
ALLOWED = {
    "huashan/workdays.py": "the one source itself (its constants, labels and docs)",
    "pledges/letters.py": "the seed's text, quoted verbatim in the pledge letters",
    "provisioning/seed.py": "the seed's text, quoted verbatim for provisioning",
    "rulebook/text.py": "the seed's text, quoted verbatim on the rulebook page",
}

TRANSLATE_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}
SKIP_DIRS = {".venv", "node_modules", "migrations", "tests", "var", "static", ".git", "docs"}


def _python_files():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS & set(rel.parts) or str(rel) in ALLOWED:
            continue
        yield rel, path


def _user_facing_strings(tree: ast.AST):
    """String literals handed to a translation call or given as a help text or label."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in TRANSLATE_CALLS:
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        yield arg.lineno, arg.value
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg in {"help_text", "label", "verbose_name"}
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    yield value.lineno, value.value


def _copies(text: str) -> list[str]:
    return [m.group(0) for pattern in PATTERNS for m in pattern.finditer(text)]


def test_no_python_string_copies_a_complaint_clock_number():
    found = []
    for rel, path in _python_files():
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for line, text in _user_facing_strings(tree):
            found += [f"{rel}:{line}: {copy!r}" for copy in _copies(text)]
    assert not found, "copies of complaint-clock numbers (render them from huashan.workdays):\n" + (
        "\n".join(found)
    )


def test_no_template_copies_a_complaint_clock_number():
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        rel = path.relative_to(ROOT)
        text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", path.read_text(), flags=re.S)
        for number, line in enumerate(text.splitlines(), 1):
            found += [f"{rel}:{number}: {copy!r}" for copy in _copies(line)]
    assert not found, "copies of complaint-clock numbers (use {% complaint_number %}):\n" + (
        "\n".join(found)
    )


def test_the_checker_sees_a_copy():
    """The patterns catch the copies this test exists for (so the two tests above can fail)."""
    for text in (
        "We respond within 48 hours.",
        "48小时内响应",
        "Progress feedback within 7 working days",
        "复杂问题7日内明确方案",
        "隐患3日内整改",
        "Hazard fixed within 3 days",
    ):
        assert _copies(text), text
    assert not _copies("We respond within %(n)d hours.")
    assert not _copies("第7条")
