"""``manage.py pledges_evaluate [--at 2026-12-31T23:00+08:00]``: cron fallback of the beat task.

Runs the same evaluation as ``pledges.tasks.evaluate`` and prints a table of
item, period, status and figures (seed: 公示承诺制度 第四条 承诺履诺监督管理).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pledges.services import pledges_evaluate


def parse_at(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--at must be an ISO date-time like 2026-12-31T23:00+08:00, not {value!r}"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Evaluate every pledge item for every started period and print the results."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="evaluate as of this moment (ISO 8601), default now")

    def handle(self, *args, **options):
        at = parse_at(options["at"]) if options.get("at") else None
        report = pledges_evaluate(at=at)
        header = f"{'compound':<12} {'item':<28} {'period':<23} {'status':<12} figures"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in report.rows:
            number = row.item.number or "·"
            name = f"{number}. {row.label or row.item.heading}"[:28]
            period = f"{row.period_start}–{row.period_end}"
            flag = "" if not row.final else " (final)"
            self.stdout.write(
                f"{row.compound.slug[:12]:<12} {name:<28} {period:<23} "
                f"{row.status + flag:<12} {_figures(row.figures)}"
            )
        self.stdout.write(
            f"{len(report.rows)} computed, {report.created} new, {report.updated} changed, "
            f"{report.frozen_skipped} final (kept), {report.alarms} alarms"
        )


def _figures(figures: dict) -> str:
    parts = []
    for key, value in figures.items():
        if isinstance(value, dict):
            value = "/".join(f"{k}={v}" for k, v in value.items())
        parts.append(f"{key}={value}")
    return " ".join(parts)[:120]
