"""`make run` serves the demo on SQLite (DESIGN.md: nothing to install to try it).

The suite runs on PostgreSQL, so code that only PostgreSQL understands (arrays,
``xmin``, ``json_to_recordset``, ``concat``) would pass every other test and still
break `make run`. This migrates and seeds a SQLite file in a subprocess, opens the
main pages and runs the scheduled work once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHECK = r"""
import datetime as dt
import django
django.setup()
from django.conf import settings
from django.test import Client
settings.ALLOWED_HOSTS = ["*"]
from huashan.directory.models import Person
from issues.models import Issue

anonymous, staff = Client(), Client()
staff.force_login(Person.objects.get(mobile="13800000301"))
issue = Issue.objects.filter(is_public=True).first()
pages = [(anonymous, url) for url in (
    "/", "/issues/board/", "/issues/board/", f"/issues/{issue.tracking_number}/",
    "/disclosures/", "/disclosures/", "/pledges/", "/pledges/", "/meetings/",
    "/evaluations/", "/evaluations/redblack/", "/open311/v2/requests.json",
)] + [(staff, url) for url in ("/issues/queue/", "/dashboard/", "/pledges/staff/")]
for client, url in pages:
    status = client.get(url).status_code
    assert status == 200, (url, status)

from issues.services import issue_scan_deadlines
from evaluations.services import campaign_december_reminders
from evaluations.tasks import rate_previous_quarter, year_end_referrals
issue_scan_deadlines()
assert issue_scan_deadlines().breached == []
campaign_december_reminders(today=dt.date(2026, 12, 1))
rate_previous_quarter()
year_end_referrals(2026)
print("make-run-ok")
"""


@pytest.mark.slow
def test_demo_on_sqlite_migrates_seeds_serves_the_pages_and_runs_the_scans(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "huashan.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_DATA_DIR": str(tmp_path / "celery"),
        "DEBUG": "1",
        "SECURE_SSL_REDIRECT": "0",
    }
    # As `make run`: no Redis (local-memory cache, filesystem broker).
    for name in ("PYTEST_XDIST_WORKER", "REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    for args in (["migrate", "--noinput"], ["seed_demo"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    check = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "make-run-ok" in check.stdout, check.stderr[-3000:]
