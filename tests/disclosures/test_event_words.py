"""Every verb the ``disclosures/services/`` package writes has a Chinese phrase (DESIGN.md
§4 "Words"; issue 13 item 8), read from each module of the package now that ``services.py``
is split (issue 15 item 2): ``tests/dashboard/test_event_labels.py`` still names the old
single file, which no longer exists, so the scan of the services is kept here.
"""

from __future__ import annotations

from pathlib import Path

from disclosures.models import DisclosureEvent, ObjectionEvent
from tests.dashboard.test_event_labels import _verbs_in

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted((ROOT / "disclosures" / "services").glob("*.py"))


def _verbs(wanted) -> set[str]:
    return set().union(*(_verbs_in(path, wanted) for path in MODULES))


def _objection(callee: str) -> bool:
    """``ObjectionEvent…`` or the objections' own event writer ``_objection_event``."""
    return "objection" in callee.lower()


def test_the_services_are_a_package_of_several_modules():
    assert len(MODULES) > 5


def test_every_disclosure_verb_the_services_write_has_a_phrase():
    verbs = _verbs(lambda callee: not _objection(callee))
    assert {"published", "corrected", "archived", "ledger_set"} <= verbs
    missing = sorted(verbs - set(DisclosureEvent.VERB_LABELS))
    assert missing == [], f"DisclosureEvent has no phrase for {missing}"


def test_every_objection_verb_the_services_write_has_a_phrase():
    verbs = _verbs(_objection)
    assert verbs, "no objection verb found: the source scan is broken"
    missing = sorted(verbs - set(ObjectionEvent.VERB_LABELS))
    assert missing == [], f"ObjectionEvent has no phrase for {missing}"


def _resolution_verbs() -> set[str]:
    """Verbs of ``record_event(ResolutionFollowUpEvent, …, verb=…)`` in the resolutions
    service, a conditional (``"updated" if … else "recorded"``) read on both branches."""
    import ast

    tree = ast.parse((ROOT / "disclosures" / "services" / "resolutions.py").read_text("utf-8"))
    verbs: set[str] = set()
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and node.args
            and ast.unparse(node.args[0]) == "ResolutionFollowUpEvent"
        ):
            continue
        for keyword in node.keywords:
            if keyword.arg != "verb":
                continue
            values = [keyword.value]
            while values:
                value = values.pop()
                if isinstance(value, ast.IfExp):
                    values += [value.body, value.orelse]
                elif isinstance(value, ast.Constant) and isinstance(value.value, str):
                    verbs.add(value.value)
                else:
                    raise AssertionError(f"a verb the scan cannot read: {ast.unparse(value)}")
    return verbs


def test_every_resolution_report_verb_has_a_phrase_and_reads_in_chinese():
    from django.utils import translation

    from disclosures.models import ResolutionFollowUp, ResolutionFollowUpEvent

    verbs = _resolution_verbs()
    assert verbs == {"recorded", "updated"}, verbs
    missing = sorted(verbs - set(ResolutionFollowUpEvent.VERB_LABELS))
    assert missing == [], f"ResolutionFollowUpEvent has no phrase for {missing}"
    assert set(ResolutionFollowUp.Status.values) <= set(ResolutionFollowUpEvent.STATE_LABELS)
    with translation.override("zh-hans"):
        for verb in verbs:
            phrase = str(ResolutionFollowUpEvent(verb=verb).phrase)
            assert verb not in phrase
            assert any("\u4e00" <= ch <= "\u9fff" for ch in phrase), phrase
