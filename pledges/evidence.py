"""Evidence adapters: read what happened through the owning modules' selectors.

The pledge engine never reads another app's models. Meetings, disclosures and
evaluations are separate modules; each adapter here calls the owner's selector (or,
to post on the disclosure board, the owner's service) by a plain import (issue 15
item 2: "no ``importlib`` between apps"; none of these modules imports pledges, so
there is no cycle at startup).

Complaint figures come from ``issues/pledge_evidence.py`` (read-only selectors
owned by this module's author, kept in the issues package).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from disclosures import selectors as disclosure_selectors
from disclosures import services as disclosure_services
from evaluations import selectors as evaluation_selectors
from huashan.directory.models import Compound, Organization
from meetings import selectors as meeting_selectors


def meeting_count(
    *, compound: Compound, kinds: list[str], start: dt.datetime, end: dt.datetime
) -> int | None:
    """Meetings of ``kinds`` actually held in ``[start, end)``.

    seed: 小区党组织服务承诺 第1条 (每月至少召开1次联席会议), 物业管理委员会服务承诺 第8条
    (每季度组织1次业主恳谈会).
    """
    return meeting_selectors.meeting_count(
        compound=compound, kinds=list(kinds), start=start, end=end
    )


def absence_streaks(*, compound: Compound, organization_kind: str = "pmc") -> list[Any] | None:
    """Current unexcused-absence streaks (物业管理委员会服务承诺 第10条)."""
    return list(
        meeting_selectors.absence_streaks(compound=compound, organization_kind=organization_kind)
    )


def schedule_compliance(
    *, compound: Compound, start: dt.date, end: dt.date, organization: Organization | None = None
) -> list[Any] | None:
    """Disclosure schedule rows (on_time / late / missing / not_due).

    seed: 公示承诺制度 第二条; 小区党组织服务承诺 第2条; 物业管理委员会服务承诺 第2条.
    """
    return list(
        disclosure_selectors.schedule_compliance(
            compound=compound, start=start, end=end, organization=organization
        )
    )


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
    """Post a text to the disclosure board."""
    return disclosure_services.disclosure_publish_external(
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
    """Annual satisfaction (%) of an organization, from the evaluations app; None without results.

    seed: 物业管理委员会服务承诺 第4条 (满意度低于60%的委员主动辞职); 评议监督考核制度.
    """
    value = evaluation_selectors.organization_satisfaction(
        compound=compound, organization=organization, year=year
    )
    return None if value is None else float(value)
