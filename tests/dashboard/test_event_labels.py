"""Every verb a service writes has a phrase (issue 13 item 8; DESIGN.md §4 "Words":
events are shown as Chinese phrases, never as codes).

The verbs are read from the source of the code that writes the event rows (every call
with a ``verb=`` keyword, and the verb tables those calls read), so a new verb without
a label fails here before a timeline shows ``finding_escalate`` to a resident.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from dashboard.models import WorkSummaryEvent
from disclosures.models import DisclosureEvent, ObjectionEvent
from huashan.directory.models import ResidencyEvent
from huashan.notify.models import NotificationEvent
from pledges.models import PledgeEvent

ROOT = Path(__file__).resolve().parents[2]

# model -> (files that write its rows, a predicate on the callee's source text)
WRITERS = {
    DisclosureEvent: (
        ["disclosures/services.py", "disclosures/management/commands/seed_disclosures.py"],
        lambda callee: "ObjectionEvent" not in callee and "_objection_event" not in callee,
    ),
    ObjectionEvent: (
        ["disclosures/services.py", "disclosures/management/commands/seed_disclosures.py"],
        lambda callee: "ObjectionEvent" in callee or "_objection_event" in callee,
    ),
    PledgeEvent: (["pledges/services.py", "pledges/engine.py"], lambda callee: True),
    NotificationEvent: (["huashan/notify/services.py"], lambda callee: True),
    ResidencyEvent: (
        [
            "huashan/directory/services.py",
            "huashan/accounts/services.py",
            "huashan/directory/management/commands/seed_demo.py",
        ],
        lambda callee: "AccountEvent" not in callee and "account" not in callee.lower(),
    ),
    WorkSummaryEvent: (["dashboard/services.py"], lambda callee: True),
}


def _constants(tree: ast.Module) -> dict[str, str]:
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    out[target.id] = node.value.value
    return out


def _verbs_in(path: Path, wanted) -> set[str]:
    """String verbs passed as ``verb=`` (constants, module constants, or a dict of verbs
    assigned to ``verb`` just before) in calls whose callee ``wanted`` accepts."""
    if not path.exists():
        return set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _constants(tree)
    tables: set[str] = set()
    for node in ast.walk(tree):
        # verb = {Status.X: "delivered", ...}[status]
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "verb" for t in node.targets)
            and isinstance(node.value, ast.Subscript)
            and isinstance(node.value.value, ast.Dict)
        ):
            tables |= {
                v.value
                for v in node.value.value.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            }
    verbs: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = ast.unparse(node.func)
        if "Event" not in callee and "_event" not in callee and "_transition" not in callee:
            continue
        if not wanted(callee):
            continue
        for keyword in node.keywords:
            if keyword.arg != "verb":
                continue
            value = keyword.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                verbs.add(value.value)
            elif isinstance(value, ast.Name) and value.id in constants:
                verbs.add(constants[value.id])
            elif isinstance(value, ast.Name) and value.id == "verb":
                verbs |= tables
    return verbs


def _helper_verbs(path: Path) -> set[str]:
    """Verbs handed to a private transition helper (``_residency_transition(verb="x")``)."""
    return _verbs_in(path, lambda callee: callee.startswith("_"))


def _sources(name: str) -> list[Path]:
    """``x/services.py``, or every module of the package ``x/services/`` once it is split
    (issue 15 item 2). A writer that is neither fails: a moved file must not silently
    drop out of the scan."""
    path = ROOT / name
    if path.exists():
        return [path]
    package = path.with_suffix("")
    assert (package / "__init__.py").exists(), f"{name}: neither a module nor a package"
    return sorted(p for p in package.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("model", list(WRITERS), ids=lambda m: m.__name__)
def test_every_verb_written_has_a_label(model):
    files, wanted = WRITERS[model]
    verbs: set[str] = set()
    for name in files:
        for path in _sources(name):
            verbs |= _verbs_in(path, wanted)
    assert verbs, f"no verb found for {model.__name__}: the source scan is broken"
    missing = sorted(verbs - set(model.VERB_LABELS))
    assert missing == [], f"{model.__name__} has no phrase for {missing}"


@pytest.mark.parametrize("model", list(WRITERS), ids=lambda m: m.__name__)
def test_labels_are_chinese_phrases_not_codes(model):
    with translation.override("zh-hans"):
        for verb, label in model.VERB_LABELS.items():
            text = str(label)
            assert "_" not in text, (verb, text)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text), (verb, text)
        for state, label in model.STATE_LABELS.items():
            assert "_" not in str(label), (state, str(label))


def test_a_pledge_event_reads_as_a_phrase():
    """Histories show "践诺情况变化（正常推进 → 存在风险）", not "period_status · on_track"."""
    event = PledgeEvent(verb="period_status", from_state="on_track", to_state="at_risk")
    with translation.override("zh-hans"):
        phrase = event.phrase
    assert "period_status" not in phrase
    assert "on_track" not in phrase
    assert phrase.startswith("践诺情况变化（")
