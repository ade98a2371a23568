"""Shared pieces of the complaint services: constants, errors, locking, guarding, events, links,
and photo storage (issue 15 item 2: one place, imported by every service module).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.photos import SanitizedPhoto
from huashan.core.state import clean_text, guard, lock, record_event, sync
from huashan.directory.models import (
    Organization,
    Person,
)

from ..models import (
    ClockPolicy,
    Issue,
    IssueAlarm,
    IssueEvent,
    IssuePhoto,
)

logger = logging.getLogger("issues.services")

Status = Issue.Status
Tier = Issue.Tier
Kind = Organization.Kind
Clock = IssueAlarm.Clock
Stage = IssueAlarm.Stage

#: Hooks the meetings app registers to turn a big matter into a proposed agenda
#: topic (seed: 协同联动 第三条; 联席会议议事规则 第二条). Each is called after
#: commit as ``hook(issue=..., actor=..., reason=...)``.
AGENDA_HOOK: list[Callable[..., Any]] = []

RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 10 * 60
DESCRIPTION_MIN = 5
DESCRIPTION_MAX = Issue._meta.get_field("description").max_length
NOTE_MAX = 4000
#: A closing explanation must say more than this many characters of substance.
CLOSING_MIN_CHARS = 10
#: Brush-offs that are not an answer on their own (公示承诺制度 第一条; 协同联动
#: 第五条 "不得相互推诿").
DISMISSIVE_PHRASES = (
    "not our responsibility",
    "not our job",
    "not our business",
    "不归我们管",
    "不是我们的责任",
    "不属于我们的责任",
    "不属于我们",
    "不属于物业",
    "不归物业管",
    "与我们无关",
    "与物业无关",
    "非我方职责",
    "不在我们职责范围内",
    "无法处理",
)
TRACKING_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
IDEMPOTENCY_KEY_BYTES = 24  # 32 URL-safe characters
IDEMPOTENCY_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
TRACKING_CODE_LENGTH = 10
HOTLINE_RE = re.compile(r"^[A-Za-z0-9-]*$")
DEFAULT_WARN_HOURS = ClockPolicy._meta.get_field("warn_before_hours").default

# Who is told when a new issue comes in, and who supervises (seed: 协同联动 第二条;
# 联席会议议事规则 第四条: the joint-meeting office run by the compound party org).
INTAKE_KINDS = (Kind.JOINT_MEETING_OFFICE, Kind.COMPOUND_PARTY)
SUPERVISOR_KINDS = (Kind.COMPOUND_PARTY, Kind.RC_PROPERTY_COMMITTEE)
# Big matters (seed: 协同联动 第三条): the compound party organization and the RC's
# committee convene, and the PMC and the property company investigate with them
# (居民小组、利益相关方 and resident representatives join through the joint meeting).
INVESTIGATE_KINDS = (*SUPERVISOR_KINDS, Kind.PMC, Kind.PROPERTY_COMPANY)


class IssueStateError(ValidationError):
    """The issue is not in a state from which this step is allowed."""


class RateLimited(ValidationError):
    """Too many submissions from one client in the window."""


# --- small helpers ------------------------------------------------------------


def _text(value, *, field_name: str, max_length: int = NOTE_MAX, required: bool = True) -> str:
    return clean_text(value, field=field_name, max_length=max_length, required=required)


def closing_explanation_clean(value, *, field_name: str = "explanation") -> str:
    """A public explanation that actually explains (公示承诺制度 第一条, 协同联动 第五条).

    Refuses empty text and text that is, once brush-off phrases such as
    "not our responsibility" / "不归我们管" and punctuation are removed, shorter
    than :data:`CLOSING_MIN_CHARS`.
    """
    text = _text(value, field_name=field_name)
    substance = text.lower()
    for phrase in DISMISSIVE_PHRASES:
        substance = substance.replace(phrase, "")
    substance = re.sub(r"[\W_]+", "", substance)
    if len(substance) < CLOSING_MIN_CHARS:
        raise ValidationError(
            {
                field_name: [
                    ValidationError(
                        _(
                            "Explain to the resident what was done, or why not and who can "
                            "help (at least %(min)d characters). A bare “not our "
                            "responsibility” is not an answer."
                        ),
                        params={"min": CLOSING_MIN_CHARS},
                        code="explanation_too_short",
                    )
                ]
            }
        )
    return text


def _locked(issue: Issue) -> Issue:
    return lock(issue, related=("compound", "assigned_org", "category"))


def _sync(target: Issue, source: Issue) -> Issue:
    """Copy the saved state onto the caller's instance, so it is not stale; returns ``source``."""
    sync(target, source)
    return source


def _guard(issue: Issue, target: str, *, allowed_from: Iterable[str] | None = None) -> str:
    return guard(
        issue,
        target,
        state_attr="status",
        allowed_from=allowed_from,
        error=IssueStateError,
        message=_(
            "This issue is now “%(status)s”, so this step is not possible. "
            "Reload the page to see its current state."
        ),
        params={"status": issue.get_status_display()},
    )


def _require_open(issue: Issue) -> None:
    if issue.status not in Issue.OPEN_STATES:
        raise IssueStateError(
            _("This issue is “%(status)s” and no longer open."),
            params={"status": issue.get_status_display()},
            code="not_open",
        )


def _event(
    issue: Issue,
    *,
    actor: Person | None,
    verb: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    public: bool = False,
    organization: Organization | None = None,
    at: dt.datetime | None = None,
) -> IssueEvent:
    return record_event(
        IssueEvent,
        issue=issue,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
        public=public,
        organization=organization,
        at=at or timezone.now(),
    )


def _link(name: str, issue: Issue, fallback: str) -> str:
    try:
        return reverse(name, args=[issue.tracking_number])
    except NoReverseMatch:
        return fallback


def staff_link(issue: Issue) -> str:
    return _link("issues:staff_detail", issue, f"/issues/{issue.tracking_number}/manage/")


def public_link(issue: Issue) -> str:
    return _link("issues:detail", issue, f"/issues/{issue.tracking_number}/")


# --- photos --------------------------------------------------------------------


def _save_photos(issue: Issue, photos: list[SanitizedPhoto], *, stage: str) -> None:
    for photo in photos:
        row = IssuePhoto(
            issue=issue,
            stage=stage,
            token=secrets.token_hex(16),
            width=photo.width,
            height=photo.height,
        )
        row.image.save(photo.name, photo, save=False)
        row.save()
