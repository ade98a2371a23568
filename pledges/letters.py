"""The two pledge letters of the seed, read from the obligation templates' source.

seed: 普安社区江南花山郡小区党组织服务承诺 (10 items) and
普安社区江南花山郡小区物业管理会服务承诺 (10 items, 服从管理承诺, 问责退出承诺).

The letters' text, items, rules and every number live once, in
``provisioning/seed.py`` (loaded as version 1 of the obligation templates;
:func:`provisioning.services.provision_compound` instantiates them per compound
and year). This module shows them as the seed wrote them (placeholders filled
with the seed's own names) and fills the date placeholders of an item's rule.
"""

from __future__ import annotations

import copy
import datetime as dt

from provisioning import seed


def _as_written(value):
    if isinstance(value, str):
        for key, text in seed.AS_WRITTEN.items():
            value = value.replace(key, text)
        return value
    if isinstance(value, list):
        return [_as_written(v) for v in value]
    if isinstance(value, dict):
        # Rule parameters keep their placeholders ({year}, {term_start}).
        return {
            k: (copy.deepcopy(v) if k == "params" else _as_written(v)) for k, v in value.items()
        }
    return value


PARTY_LETTER = _as_written(seed.PARTY_LETTER)
PMC_LETTER = _as_written(seed.PMC_LETTER)
LETTERS = (PARTY_LETTER, PMC_LETTER)


def letter_params(params: dict, *, year: int, term_start: dt.date | None = None) -> dict:
    """Fill ``{year}`` and ``{term_start}`` placeholders for a concrete year.

    ``{term_start}`` is the PMC's term start (物业管理委员会服务承诺 第7条 "上任3个月内");
    without one, 1 January of ``year`` stands in (provisioning reads the real start
    from the directory, see ``provisioning.services.pmc_term_start``).
    """
    start = term_start.isoformat() if term_start else f"{year}-01-01"

    def fill(value):
        if isinstance(value, str):
            return value.replace("{term_start}", start).replace("{year}", str(year))
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return fill(params)
