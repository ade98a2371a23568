"""Run the complaint deadline scan once (cron fallback for Celery beat), and say what it did."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from issues.services import issue_auto_close_scan, issue_scan_deadlines


class Command(BaseCommand):
    help = (
        "Warn before complaint deadlines, notify supervisors on breach and record breaches "
        "(the same scan as the beat task). Safe to run any number of times."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--auto-close",
            action="store_true",
            help="also close resolved issues nobody objected to in time",
        )

    def handle(self, *args, auto_close: bool = False, **options):
        report = issue_scan_deadlines()
        for line in report.warned:
            self.stdout.write(f"warned   {line}")
        for line in report.breached:
            self.stdout.write(f"breached {line}")
        summary = f"{len(report.warned)} warned, {len(report.breached)} breached"
        if auto_close:
            closed = issue_auto_close_scan()
            for number in closed:
                self.stdout.write(f"closed   {number}")
            summary += f", {len(closed)} closed"
        self.stdout.write(self.style.SUCCESS(summary))
