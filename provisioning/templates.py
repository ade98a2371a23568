"""Loading the seed's obligations as templates, and reading the versions in force.

The rows are built from :mod:`provisioning.seed` (the one place of the seed's numbers).
:func:`template_rows` is pure data; :func:`templates_load` writes version 1 of each
template that does not exist yet (used by the data migration and by tests that
start from an empty table). :func:`in_force` answers "which version applies to
year Y" for every code at once (one query).
"""

from __future__ import annotations

import copy
from typing import Any

from . import seed

#: Version 1 applies from this year on (before any real use of the product).
FIRST_YEAR = 2000

LETTER_ARTICLES = {
    "compound_party": "小区党组织服务承诺",
    "pmc": "物业管理委员会服务承诺",
}


def template_rows() -> list[dict[str, Any]]:
    """Version 1 of every template, as field dicts (no database access)."""
    rows: list[dict[str, Any]] = []
    for letter in seed.LETTERS:
        kind = letter["organization_kind"]
        rows.append(
            {
                "kind": "pledge_letter",
                "code": seed.LETTER_CODES[kind],
                "article": LETTER_ARTICLES[kind],
                "title": LETTER_ARTICLES[kind],
                "quote": letter["preamble"],
                "body": copy.deepcopy(letter),
                "editor": "community",
            }
        )
    for code, org_kind, category, cadence, article, quote in seed.SCHEDULES:
        rows.append(
            {
                "kind": "disclosure_schedule",
                "code": code,
                "article": article,
                "title": quote[:200],
                "quote": quote,
                "body": {"organization_kind": org_kind, "category": category, "cadence": cadence},
                "editor": "community",
            }
        )
    meeting = seed.JOINT_MEETING
    rows.append(
        {
            "kind": "joint_meeting",
            "code": meeting["code"],
            "article": meeting["article"],
            "title": meeting["title"],
            "quote": meeting["quote"],
            "body": {k: v for k, v in meeting.items() if k not in ("code", "article", "title")},
            "editor": "community",
        }
    )
    evaluation = seed.EVALUATION
    rows.append(
        {
            "kind": "evaluation",
            "code": evaluation["code"],
            "article": evaluation["article"],
            "title": evaluation["title"],
            "quote": evaluation["quote"],
            "body": {"month": evaluation["month"], "groups": copy.deepcopy(evaluation["groups"])},
            # 评议监督考核制度 第三条 "民主测评标准由街道统一制定".
            "editor": "street",
        }
    )
    for code, policy, article, quote in seed.DEADLINE_POLICIES:
        rows.append(
            {
                "kind": "deadline_policy",
                "code": code,
                "article": article,
                "title": quote,
                "quote": quote,
                "body": {"policy": policy, "source": "huashan.workdays"},
                "editor": "street",
            }
        )
    return rows


def templates_load(model=None) -> int:
    """Write version 1 of every template missing from the table; returns how many."""
    if model is None:
        from .models import ObligationTemplate as model
    existing = set(model.objects.values_list("code", flat=True))
    created = 0
    for row in template_rows():
        if row["code"] in existing:
            continue
        model.objects.create(version=1, valid_from=FIRST_YEAR, **row)
        created += 1
    return created


def in_force(year: int, *, kind: str | None = None) -> dict[str, Any]:
    """code → the template version that applies to ``year`` (one query)."""
    from .models import ObligationTemplate

    def load() -> dict[str, Any]:
        rows = ObligationTemplate.objects.filter(valid_from__lte=year)
        if kind is not None:
            rows = rows.filter(kind=kind)
        chosen: dict[str, Any] = {}
        for row in rows.order_by("code", "version"):
            chosen[row.code] = row  # the last (highest) version wins
        return chosen

    chosen = load()
    if not chosen and not ObligationTemplate.objects.exists():
        # The product owns its templates: a table emptied (a flushed test database, a
        # restore without this table) gets version 1 back rather than provisioning nothing.
        templates_load()
        chosen = load()
    return chosen


def letter_spec(organization_kind: str, year: int) -> dict | None:
    """The body of the pledge letter template in force for ``year`` (or None)."""
    row = in_force(year, kind="pledge_letter").get(seed.LETTER_CODES[organization_kind])
    return copy.deepcopy(row.body) if row is not None else None


def schedule_specs(year: int) -> list[tuple[str, str, str, str, str]]:
    """(code, organization kind, category, cadence, article) of each schedule in force."""
    rows = in_force(year, kind="disclosure_schedule")
    return [
        (
            code,
            row.body["organization_kind"],
            row.body["category"],
            row.body["cadence"],
            row.article,
        )
        for code, row in sorted(rows.items())
        if not row.body.get("retired")
    ]
