"""What the portal does for each article, and how far: read from ``docs/rules.md``.

``docs/rules.md`` is the one place where each article's implementation and status are
written (and tested by ``tests/test_rules_traceability.py``); the public rulebook shows
its Chinese summary and its status in words, so the page can never claim more than the
traceability table does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "done": _("Kept in full"),
    "partial": _("Kept in part"),
    "not yet": _("Not yet kept by the portal"),
}

ROW = re.compile(r"^\|\s*([A-Za-z]+-[0-9a-z]+)\s*\|(.*)\|\s*$")
PARTIAL_NOTE = re.compile(r"\((?:partial|not yet)[^)]*?:\s*(.*)\)\s*$", re.S)


@dataclass(frozen=True)
class RuleStatus:
    rule_id: str
    summary_zh: str
    summary_en: str
    status: str  # done / partial / not yet
    missing_en: str = ""

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)


def rules_md_path() -> Path:
    return Path(getattr(settings, "RULEBOOK_STATUS_FILE", settings.BASE_DIR / "docs" / "rules.md"))


def parse(markdown: str) -> dict[str, RuleStatus]:
    out: dict[str, RuleStatus] = {}
    for line in markdown.splitlines():
        match = ROW.match(line)
        if not match:
            continue
        cells = [c.strip() for c in match.group(2).split(" | ")]
        if len(cells) < 7:
            continue
        summary, status = cells[2], cells[-1].strip("* ").lower()
        zh, _sep, en = summary.partition(" / ")
        note = PARTIAL_NOTE.search(en)
        out[match.group(1)] = RuleStatus(
            rule_id=match.group(1),
            summary_zh=zh.strip(),
            summary_en=en.strip(),
            status=status,
            missing_en=note.group(1).strip() if note else "",
        )
    return out


@lru_cache(maxsize=1)
def statuses() -> dict[str, RuleStatus]:
    return parse(rules_md_path().read_text(encoding="utf-8"))
