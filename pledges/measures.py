"""The measures of a pledge item: its main rule, then the additional ones.

Used by the pledge services and by the compliance engine (``pledges/engine.py``); kept
out of both so that neither imports the other (issue 15 item 2).
"""

from __future__ import annotations

from .models import PledgeItem


def measures_of(item: PledgeItem) -> list[tuple[int, str, dict]]:
    """``[(measure index, rule kind, params)]``: the main rule, then ``params["also"]``."""
    params = dict(item.params or {})
    also = params.pop("also", []) or []
    out = [(0, item.rule_kind, params)]
    for index, sub in enumerate(also, start=1):
        out.append((index, sub.get("rule_kind"), sub.get("params") or {}))
    return out
