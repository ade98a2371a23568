"""Scheduled obligations (which organization posts what, how often) and the scan for missed ones.

What is scheduled comes from the obligation templates (``provisioning``), not from code.

seed: 公示承诺制度 第二—四条; 小区党组织服务承诺 2; 物业管理委员会服务承诺 1、2."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from huashan.directory.models import Compound
from huashan.directory.selectors import organization_of_kind

from ..models import (
    CADENCE_PERIOD_TYPE,
    Category,
    Disclosure,
    Schedule,
    ScheduleAlarm,
    period_due,
    periods_overlapping,
)
from .common import MISSED_LOOKBACK_DAYS, _notify_org, _party_org

# --- schedules ------------------------------------------------------------------------


def schedules_seed_for_compound(*, compound: Compound, year: int | None = None) -> list[Schedule]:
    """Create the obligations the rules set for each party of the compound (idempotent).

    The schedules come from the obligation templates in force for ``year`` (default:
    this year) — ``provisioning/seed.py`` SCHEDULES is their one source: 公示承诺制度
    第二条 (PMC: quarterly work affairs, half-yearly public revenue, yearly performance,
    yearly public-revenue audit), 第三条 (quarterly / annual service reports; the
    property company's 四公开一监督 items), 第一、四条 (personnel, pledges); 物管会服务承诺
    1、2 (monthly public revenue, quarterly maintenance fund, half-yearly resolutions);
    小区党组织服务承诺 2 (company's monthly service progress).
    """
    from provisioning.templates import schedule_specs

    year = year or timezone.localdate().year
    specs = schedule_specs(year)
    categories = {c.code: c for c in Category.objects.filter(code__in={s[2] for s in specs})}
    schedules = []
    for _code, kind, code, cadence, article in specs:
        organization = organization_of_kind(compound=compound, kind=kind)
        if organization is None or code not in categories:
            continue
        schedule, _created = Schedule.objects.get_or_create(
            organization=organization,
            category=categories[code],
            cadence=cadence,
            defaults={"compound": compound, "seed_article": article},
        )
        schedules.append(schedule)
    return schedules


@dataclass
class ScheduleScanResult:
    reminders: int = 0
    missed: int = 0
    details: list[str] = field(default_factory=list)


def schedules_scan(*, today: dt.date | None = None) -> ScheduleScanResult:
    """Remind publishers before a due date and report missed ones, once each.

    seed: 公示承诺制度 第二、三条 and both pledge letters' disclosure items. A reminder
    goes to the publishing organization ``remind_days_before`` the due date when the
    period is not yet published; a missed period (due passed, nothing published)
    goes to the compound party organization. :class:`ScheduleAlarm`'s unique
    constraint makes a second run do nothing.
    """
    today = today or timezone.localdate()
    result = ScheduleScanResult()
    schedules = list(
        Schedule.objects.filter(active=True).select_related("organization", "category", "compound")
    )
    candidates: list[tuple[Schedule, dt.date, dt.date, str]] = []
    for schedule in schedules:
        lookback = max(schedule.starts_on, today - timedelta(days=MISSED_LOOKBACK_DAYS))
        for start, end in periods_overlapping(schedule.cadence, lookback, today):
            if start < schedule.starts_on:
                continue
            due = period_due(end, schedule.due_day)
            if due < today:
                candidates.append((schedule, start, due, ScheduleAlarm.Kind.OVERDUE))
            elif end < today and (due - today).days <= schedule.remind_days_before:
                candidates.append((schedule, start, due, ScheduleAlarm.Kind.DUE_SOON))
    if not candidates:
        return result
    existing = set(
        ScheduleAlarm.objects.filter(schedule__in=schedules).values_list(
            "schedule_id", "period_start", "kind"
        )
    )
    candidates = [c for c in candidates if (c[0].pk, c[1], c[3]) not in existing]
    if not candidates:
        return result
    published = set(
        Disclosure.objects.filter(
            state__in=Disclosure.PUBLIC_STATES,
            organization_id__in={c[0].organization_id for c in candidates},
            period_start__in={c[1] for c in candidates},
        ).values_list("organization_id", "category_id", "period_type", "period_start")
    )
    for schedule, start, due, kind in candidates:
        key = (
            schedule.organization_id,
            schedule.category_id,
            CADENCE_PERIOD_TYPE[schedule.cadence],
            start,
        )
        if key in published:
            continue
        try:
            with transaction.atomic():
                ScheduleAlarm.objects.create(
                    schedule=schedule, period_start=start, kind=kind, due=due
                )
                _alarm_notify(schedule, start=start, due=due, kind=kind)
        except IntegrityError:
            continue  # another scan got there first
        if kind == ScheduleAlarm.Kind.DUE_SOON:
            result.reminders += 1
        else:
            result.missed += 1
        result.details.append(f"{schedule.pk}:{start}:{kind}")
    return result


def _alarm_notify(schedule: Schedule, *, start: dt.date, due: dt.date, kind: str) -> None:
    from ..models import period_label

    label = period_label(CADENCE_PERIOD_TYPE[schedule.cadence], start)
    params = {"category": schedule.category.name, "period": label, "due": due.isoformat()}
    if kind == ScheduleAlarm.Kind.DUE_SOON:
        _notify_org(
            schedule.organization,
            subject=gettext("Disclosure due: %(category)s %(period)s") % params,
            body=gettext("Please publish “%(category)s” for %(period)s by %(due)s.") % params,
        )
    else:
        params["org"] = schedule.organization.name
        _notify_org(
            _party_org(schedule.compound),
            subject=gettext("Disclosure missed: %(category)s %(period)s") % params,
            body=gettext("%(org)s did not publish “%(category)s” for %(period)s, due %(due)s.")
            % params,
        )
