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
