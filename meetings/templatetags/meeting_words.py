"""Lists of names in official meeting documents, joined the Chinese way.

A notice lists its participants as "李红梅、马俊、罗强" — 顿号 between names, none after
the last one (GB/T 15834 标点符号用法) — and says "无" when the list is empty.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

register = template.Library()

SEPARATOR = "、"
NONE = "无"


def _join(names: Iterable[str]) -> str:
    return SEPARATOR.join(n for n in names if n) or NONE


@register.filter
def participant_names(members: Iterable, role: str) -> str:
    """Names of the meeting members with ``role`` ("member" / "observer")."""
    return _join(m.person.name for m in members if m.role == role)


@register.filter
def participant_names_with_org(members: Iterable, role: str) -> str:
    """Like :func:`participant_names`, each followed by its body in full-width brackets."""
    return _join(
        f"{m.person.name}（{m.organization.name}）" if m.organization_id else m.person.name
        for m in members
        if m.role == role
    )


@register.filter
def receipt_names(receipts: Iterable, line: str) -> str:
    """Bodies a notice goes to on ``line`` ("main" = 主送, "copy" = 抄送)."""
    return _join(r.organization.name for r in receipts if r.line == line)


@register.filter
def organization_names(organizations: Iterable) -> str:
    return _join(o.name for o in organizations)
