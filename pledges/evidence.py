"""Evidence adapters: read what happened through the owning modules' selectors.

The pledge engine never reads another app's models. Meetings, disclosures and
evaluations are separate modules; each adapter here calls the owner's selector
(the wave-2 shared contract) and returns ``None`` when that module is not
installed yet, so the engine reports "no evidence source" instead of guessing.

Complaint figures come from ``issues/pledge_evidence.py`` (read-only selectors
owned by this module's author, kept in the issues package).
"""

from __future__ import annotations

import datetime as dt
import importlib
from types import ModuleType
from typing import Any

from django.apps import apps as django_apps

from huashan.directory.models import Compound, Organization


def _module(name: str) -> ModuleType | None:
    """The owner's module, only when its app is installed (a half-built app is absent)."""
    if not django_apps.is_installed(name.split(".")[0]):
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _function(module_name: str, name: str):
    module = _module(module_name)
    return getattr(module, name, None) if module is not None else None


def meetings_available() -> bool:
    return _function("meetings.selectors", "meeting_count") is not None


def meeting_count(
    *, compound: Compound, kinds: list[str], start: dt.datetime, end: dt.datetime
) -> int | None:
    """Meetings of ``kinds`` actually held in ``[start, end)``; None without the meetings app.

    seed: 小区党组织服务承诺 第1条 (每月至少召开1次联席会议), 物业管理委员会服务承诺 第8条
    (每季度组织1次业主恳谈会).
    """
    fn = _function("meetings.selectors", "meeting_count")
    if fn is None:
        return None
    return fn(compound=compound, kinds=list(kinds), start=start, end=end)


def absence_streaks(*, compound: Compound, organization_kind: str = "pmc") -> list[Any] | None:
    """Current unexcused-absence streaks (物业管理委员会服务承诺 第10条); None without meetings."""
    fn = _function("meetings.selectors", "absence_streaks")
    if fn is None:
        return None
    return list(fn(compound=compound, organization_kind=organization_kind))


def schedule_compliance(
    *, compound: Compound, start: dt.date, end: dt.date, organization: Organization | None = None
) -> list[Any] | None:
    """Disclosure schedule rows (on_time / late / missing / not_due); None without disclosures.

    seed: 公示承诺制度 第二条; 小区党组织服务承诺 第2条; 物业管理委员会服务承诺 第2条.
    """
    fn = _function("disclosures.selectors", "schedule_compliance")
    if fn is None:
        return None
    return list(fn(compound=compound, start=start, end=end, organization=organization))


def publish_external(
    *,
    actor,
    compound: Compound,
    organization: Organization,
    category_code: str,
    title: str,
    body: str,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    source_url: str = "",
):
    """Post a text to the disclosure board; None when the disclosures app is not built yet."""
    fn = _function("disclosures.services", "disclosure_publish_external")
    if fn is None:
        return None
    return fn(
        actor=actor,
        compound=compound,
        organization=organization,
        category_code=category_code,
        title=title,
        body=body,
        period_start=period_start,
        period_end=period_end,
        source_url=source_url,
    )


def evaluation_satisfaction(
    *, compound: Compound, organization: Organization, year: int
) -> float | None:
    """Annual satisfaction (%) of an organization from the evaluations app, if it exists.

    seed: 物业管理委员会服务承诺 第4条 (满意度低于60%的委员主动辞职); 评议监督考核制度.
    The evaluations module (a later issue) is expected to provide
    ``evaluations.selectors.organization_satisfaction(*, compound, organization, year)``.
    """
    fn = _function("evaluations.selectors", "organization_satisfaction")
    if fn is None:
        return None
    value = fn(compound=compound, organization=organization, year=year)
    return None if value is None else float(value)
