"""Every verb the ``pledges/services/`` package writes has a Chinese phrase (DESIGN.md §4
"Words"; issue 13 item 8), read from each module of the package now that ``services.py``
is split (issue 15 item 2): ``tests/dashboard/test_event_labels.py`` still names the old
single file, which no longer exists, so the scan of the services is kept here.
"""

from __future__ import annotations

from pathlib import Path

from pledges.models import PledgeEvent
from tests.dashboard.test_event_labels import _verbs_in

ROOT = Path(__file__).resolve().parents[2]
MODULES = [*sorted((ROOT / "pledges" / "services").glob("*.py")), ROOT / "pledges" / "engine.py"]


def test_the_services_are_a_package_of_several_modules():
    assert len(MODULES) > 5


def test_every_verb_the_pledge_services_write_has_a_phrase():
    verbs = set().union(*(_verbs_in(path, lambda callee: True) for path in MODULES))
    # letters, items, attestations, evidence, findings, 三诺 and 问责退出 all write events
    assert {"letter_publish", "finding_escalate", "case_open"} <= verbs
    missing = sorted(verbs - set(PledgeEvent.VERB_LABELS))
    assert missing == [], f"PledgeEvent has no phrase for {missing}"
