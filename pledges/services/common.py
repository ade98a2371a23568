"""Limits of the pledge services and the helpers every part uses (text checks, events)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huashan.core.state import clean_text, record_event
from huashan.directory.models import Compound, Person

from ..models import PledgeEvent

TEXT_MAX = 4000
TITLE_MAX = 200
PERIOD_MONTHS = (1, 3, 6, 12)
MEETING_KINDS = (
    "joint",
    "residents_forum",
    "work_hearing",
    "service_review",
    "owners_forum",
    "pmc_working",
)
CLOCKS = ("response", "feedback", "hazard", "plan")
RATE_MEASURES = ("findings_rectified", "findings_fixed_on_time")
ONE_OFF_SOURCES = ("concentrated_demands",)
#: 物业管理委员会服务承诺 第4条 ("满意度低于60%的委员主动辞职").
SATISFACTION_THRESHOLD = 60.0
#: 物业管理委员会服务承诺 第10条 ("连续3次无故缺席工作会议").
ABSENCE_LIMIT = 3


# --- helpers -----------------------------------------------------------------


def _text(value, *, field: str, max_length: int = TEXT_MAX, required: bool = True) -> str:
    return clean_text(value, field=field, max_length=max_length, required=required)


def _not_future(day: dt.date, *, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _same_compound(obj, compound: Compound, *, field: str) -> None:
    if getattr(obj, "compound_id", None) != compound.pk:
        raise ValidationError({field: _("This belongs to another compound.")})


def _event(
    *,
    compound: Compound,
    actor: Person | None,
    verb: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    public: bool = False,
    **subject,
) -> PledgeEvent:
    return record_event(
        PledgeEvent,
        compound=compound,
        actor=actor,
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        note=note,
        public=public,
        **subject,
    )
