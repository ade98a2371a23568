"""``make bench``: load the portal and a bare baseline side by side; print ratios.

One command, under 20 minutes on a 2-core machine (see bench/README.md):

1. data: PostgreSQL database ``huashan_bench`` (20 compounds, 10,000 households,
   200,000 complaints with events, the demo compound's year of meetings,
   disclosures and pledges, a 1,000-line ledger) and ``huashan_bench_1m`` (a
   copy plus 1,000,000 open complaints with running clocks). Both are reused
   while their marker table says they were built by the current version.
2. gunicorn, 2 sync workers, ``bench.settings`` (production settings on loopback),
   on a free port.
3. wrk, fixed time, 16 and 64 connections, per page and for ``/bench/baseline/``
   (one indexed query through the same middleware); queries per request from
   the ``X-Queries`` header that only ``bench.settings`` adds.
4. complaint submission (two POSTs with CSRF and a photo) under wrk, then the
   load test: 64 concurrent submitters; stored complaints must equal successful
   responses, with no duplicate tracking numbers.
5. the deadline scan over 1,000,000 open clocks vs a bare indexed UPDATE.
6. the quarterly PDF (1,000-line ledger) vs bare WeasyPrint on the same HTML.
7. dashboards at 10 k vs 1 M complaints, when the dashboard URLs exist.

Writes ``bench/results/<YYYY-MM-DD>.md`` and prints the same tables.
Options: ``--duration`` (seconds per wrk run), ``--rebuild``, ``--only``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
WORK = Path(os.environ.get("BENCH_WORK_DIR", "/tmp/huashan-bench"))
PG = os.environ.get("BENCH_PG", "postgres://root@127.0.0.1:5432")
DB = "huashan_bench"
DB_1M = "huashan_bench_1m"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
CONNECTIONS = (16, 64)
OPEN_CLOCKS = 1_000_000
DUE_SHARE = 0.01
DEMO = "jiangnan-huashan"
STAFF_QUEUE_MOBILE = "13800000305"  # 项目经理, property company
MEETING_MOBILE = "13800000301"  # 小区党支部书记；联席会议办公室主任
STREET_MOBILE = "13800000101"  # 党工委书记 (street)
PASSWORD = "huashan2026"
LOADTEST_SUBMITTERS = 64
LOADTEST_SECONDS = 20
SUBMIT_TAG = "压测提交"

sys.path.insert(0, str(ROOT))
from bench.dataset import BUILD_VERSION  # noqa: E402


def say(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


def env_for(db: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{PG}/{db}",
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(WORK / "media"),
        "CELERY_DATA_DIR": str(WORK / "celery"),
        "BENCH_STATIC_ROOT": str(WORK / "static"),
        "PYTHONPATH": str(ROOT),
    }


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", f"{PG}/{db}", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def marker(db: str) -> str:
    if psql(f"SELECT count(*) FROM pg_database WHERE datname = '{db}'") != "1":
        return ""
    try:
        return psql("SELECT version FROM bench_marker", db)
    except subprocess.CalledProcessError:
        return ""


def recreate(db: str, template: str | None = None) -> None:
    psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    psql(f"CREATE DATABASE {db}" + (f" TEMPLATE {template}" if template else ""))


def ensure_data(rebuild: bool, with_clocks: bool = True) -> None:
    """Build (or reuse) the databases; ``with_clocks=False`` skips the 1 M clock copy,
    which only the scan and dashboard stages read."""
    t0 = time.monotonic()
    if rebuild or marker(DB) != BUILD_VERSION:
        say(f"building {DB} (about a minute)")
        recreate(DB)
        subprocess.run([PY, "-m", "bench.dataset", "base"], env=env_for(DB), cwd=ROOT, check=True)
    else:
        say(f"{DB} is current ({BUILD_VERSION}); reused")
    wanted = f"{BUILD_VERSION}+clocks-{OPEN_CLOCKS}-{DUE_SHARE}"
    if not with_clocks:
        say(f"{DB_1M} not needed by this run")
    elif rebuild or marker(DB_1M) != wanted:
        say(f"building {DB_1M}: a copy plus {OPEN_CLOCKS:,} open clocks (about 2 minutes)")
        recreate(DB_1M, template=DB)
        subprocess.run(
            [
                *(PY, "-m", "bench.dataset", "clocks"),
                *("--count", str(OPEN_CLOCKS), "--due-share", str(DUE_SHARE)),
            ],
            env=env_for(DB_1M),
            cwd=ROOT,
            check=True,
        )
    else:
        say(f"{DB_1M} is current; reused")
    say(f"data ready in {time.monotonic() - t0:.0f} s")


def collectstatic() -> None:
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env_for(DB),
        cwd=ROOT,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(db: str):
    port = free_port()
    log = open(WORK / "gunicorn.log", "a")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            *(str(Path(PY).parent / "gunicorn"), "huashan.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync"),
            *("--backlog", "2048", "--timeout", "60", "--log-level", "warning"),
        ],
        env=env_for(db),
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/bench/baseline/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {WORK / 'gunicorn.log'}")
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer in 20 s")
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# --- Django helpers run in a subprocess (the bench process itself stays Django-free) ---


def django_json(code: str, db: str = DB) -> dict:
    """Run ``code`` (which sets ``result``) with Django set up on ``db``; return ``result``."""
    script = (
        "import django, json, sys\n"
        "django.setup()\n" + code + "\nsys.stdout.write('BENCH_JSON ' + json.dumps(result))\n"
    )
    out = subprocess.run(
        [PY, "-c", script], env=env_for(db), cwd=ROOT, capture_output=True, text=True
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if out.returncode or line is None:
        raise SystemExit(f"helper failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(line.removeprefix("BENCH_JSON "))


TARGETS_CODE = r"""
from django.urls import NoReverseMatch, reverse
from huashan.directory.models import Building, Compound
from issues.models import Category, Issue
from meetings.models import Meeting
compound = Compound.objects.get(slug="jiangnan-huashan")
issue = (Issue.objects.filter(compound=compound, is_public=True, status="in_progress",
         tracking_number__regex=r"^HS-\d{4}-\d{7}$").order_by("-created_at").first())
# A joint meeting that was held: agenda, attendance, minutes, items all filled in.
meeting = (Meeting.objects.filter(compound=compound, kind="joint")
           .exclude(status__in=("draft", "notice_sent", "cancelled"))
           .order_by("-start").first())
def url(name, **kwargs):
    for kw in (kwargs, {}):
        try:
            return reverse(name, kwargs=kw)
        except NoReverseMatch:
            continue
    return None
street = compound.community.street
dashboards = {}
for label, names, kwargs in (
    ("compound", ("dashboard:compound",),
     {"compound_slug": compound.slug}),
    ("street", ("dashboard:street",), {"slug": street.slug}),
):
    for name in names:
        u = url(name, **kwargs)
        if u:
            dashboards[label] = u
            break
result = {
    "board": url("issues:board"),
    "detail": reverse("issues:detail", kwargs={"tracking_number": issue.tracking_number}),
    "queue": url("issues:queue"),
    "meeting": reverse("meetings:detail", kwargs={"pk": meeting.pk}) if meeting else None,
    "disclosures": url("disclosures:board", compound_slug=compound.slug),
    "pledges": url("pledges:board", compound_slug=compound.slug),
    "open311": "/open311/v2/requests.json",
    "file": reverse("issues:file"),
    "login": reverse("accounts:login"),
    "dashboards": dashboards,
    "building": Building.objects.filter(compound=compound).order_by("sort_key").first().pk,
    "category": Category.objects.filter(active=True, safety_related=False).order_by("pk")
        .first().pk,
    "max_issue": Issue.objects.order_by("-pk").values_list("pk", flat=True).first(),
}
"""


def login(base: str, mobile: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/")
    page.raise_for_status()
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "username": mobile,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"login as {mobile} failed: {response.status_code}")
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


# --- wrk ------------------------------------------------------------------------


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    extra: dict = field(default_factory=dict)


def wrk(
    url: str,
    *,
    connections: int,
    duration: int,
    headers=(),
    script="report.lua",
    args=(),
    threads: int | None = None,
) -> Load:
    cmd = ["wrk", "-t", str(threads or min(2, connections)), "-c", str(connections)]
    cmd += ["-d", f"{duration}s", "--timeout", "10s", "-s", str(BENCH / "wrk" / script)]
    for header in headers:
        cmd += ["-H", header]
    cmd += [url, *args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    errors = sum(v for k, v in data.items() if k.startswith("err_"))
    return Load(
        rps=data["requests"] / seconds,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        requests=data["requests"],
        extra=data,
    )


@dataclass
class PageRow:
    name: str
    path: str | None
    kind: str = "page"  # page | dashboard | baseline | submit
    loads: dict[int, Load] = field(default_factory=dict)
    queries: str = ""
    status: str = ""
    note: str = ""
    #: Issue 20's targets: a share of the bare baseline's req/s at the same connections
    #: and, for the logged-in pages, a p99 under P99_FACTOR times the baseline's p99.
    target: float | None = 0.5
    p99_rule: bool = False


#: Issue 20: a logged-in page's p99 stays under this many times the baseline's p99.
P99_FACTOR = 4


def probe(base: str, path: str, session: requests.Session | None) -> tuple[int, str, int]:
    """Two requests, as wrk will send them: the first may be a cache miss (it fills the
    page cache), the second is what the load measures. ``queries`` is the second's, with
    the first's in brackets when it differs (the probe once reported the anonymous
    complaint page's miss, 8 queries, for its hit, 1)."""
    client = session or requests
    first = client.get(base + path, allow_redirects=False)
    response = client.get(base + path, allow_redirects=False)
    cold = first.headers.get("X-Queries", "?")
    warm = response.headers.get("X-Queries", "?")
    queries = warm if warm == cold else f"{warm} (first {cold})"
    return response.status_code, queries, len(response.content)


def bench_pages(base: str, targets: dict, duration: int) -> list[PageRow]:
    staff = login(base, STAFF_QUEUE_MOBILE)
    office = login(base, MEETING_MOBILE)
    street = login(base, STREET_MOBILE)
    d = targets["dashboards"]
    rows = [
        PageRow("bare baseline (1 indexed query)", "/bench/baseline/", kind="baseline"),
        PageRow("public complaint board", targets["board"]),
        PageRow("complaint detail", targets["detail"]),
        PageRow("staff queue (logged in)", targets["queue"], target=0.2, p99_rule=True),
        PageRow("meeting page (logged in)", targets["meeting"], target=0.2, p99_rule=True),
        PageRow("disclosure board", targets["disclosures"]),
        PageRow("pledge board", targets["pledges"]),
        PageRow(
            "compound dashboard (logged in)",
            d.get("compound"),
            kind="dashboard",
            target=0.2,
            p99_rule=True,
        ),
        PageRow(
            "street dashboard (logged in)",
            d.get("street"),
            kind="dashboard",
            target=0.2,
            p99_rule=True,
        ),
        PageRow("Open311 requests.json", targets["open311"]),
    ]
    sessions = {
        "staff queue (logged in)": staff,
        "meeting page (logged in)": office,
        "compound dashboard (logged in)": office,
        "street dashboard (logged in)": street,
    }
    for row in rows:
        if row.path is None:
            row.status = "not built"
            continue
        session = sessions.get(row.name)
        code, queries, size = probe(base, row.path, session)
        row.queries, row.status = queries, str(code)
        if code != 200:
            row.note = f"HTTP {code}; not loaded"
            continue
        row.note = f"{size / 1024:.0f} KiB"
        headers = [f"Cookie: {cookie_header(session)}"] if session else []
        for c in CONNECTIONS:
            say(f"wrk {row.name} c={c}")
            row.loads[c] = wrk(base + row.path, connections=c, duration=duration, headers=headers)
    return rows


def make_photo() -> Path:
    from PIL import Image, ImageDraw

    path = WORK / "photo.jpg"
    if not path.exists():
        image = Image.new("RGB", (1280, 960), (180, 190, 200))
        draw = ImageDraw.Draw(image)
        for i in range(0, 1280, 40):
            draw.line([(i, 0), (1280 - i, 960)], fill=(i % 255, 90, 160), width=6)
        image.save(path, "JPEG", quality=85)
    return path


def submit_form(targets: dict) -> dict[str, str]:
    return {
        "category": str(targets["category"]),
        "building": str(targets["building"]),
        "unit": "1单元",
        "location_text": "",
        "is_public": "on",
        "reporter_name": "压测居民",
        "reporter_phone": "13912345678",
    }


def bench_submit(base: str, targets: dict, duration: int) -> PageRow:
    """Two POSTs per complaint (form, then photo); wrk with one connection per thread."""
    row = PageRow(
        "complaint submit (form + photo POSTs)", targets["file"], kind="submit", target=0.2
    )
    session = requests.Session()
    session.get(f"{base}{targets['file']}?compound={DEMO}").raise_for_status()
    csrf = session.cookies["csrftoken"]
    body1 = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, **submit_form(targets)})
    prefix = urllib.parse.quote(f"{SUBMIT_TAG}：楼道灯不亮，编号")
    photo = make_photo()
    # Queries: one complete submission with a session, counted step by step.
    s = requests.Session()
    s.cookies.set("csrftoken", csrf)
    r1 = s.post(
        f"{base}{targets['file']}?compound={DEMO}",
        data=body1 + "&description=" + prefix + "probe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
    )
    with open(photo, "rb") as fh:
        r2 = s.post(
            f"{base}/issues/new/check/?compound={DEMO}",
            data={"csrfmiddlewaretoken": csrf},
            files={"photos": ("photo.jpg", fh, "image/jpeg")},
            allow_redirects=False,
        )
    row.queries = f"{r1.headers.get('X-Queries')}+{r2.headers.get('X-Queries')}"
    row.status = f"{r1.status_code}/{r2.status_code}"
    if r1.status_code != 302 or r2.status_code != 302:
        row.note = "probe submission failed; not loaded"
        return row
    for c in CONNECTIONS:
        say(f"wrk submit c={c}")
        load = wrk(
            base + "/issues/new/",
            connections=c,
            threads=c,
            duration=duration,
            script="submit.lua",
            args=[csrf, DEMO, body1, prefix, str(photo)],
        )
        row.loads[c] = load
    row.note = "; ".join(
        f"c={c}: {ld.extra['submitted'] / (ld.extra['duration_us'] / 1e6):.1f} complaints/s, "
        f"{ld.extra['failed_step1'] + ld.extra['failed_step2']} failed"
        for c, ld in row.loads.items()
    )
    return row


# --- load test (issue 9 item 4) -----------------------------------------------------


def load_test(base: str, targets: dict) -> dict:
    """64 concurrent submitters for a bounded time; every success must be stored once."""
    run_id = f"L{int(time.time())}"
    form = submit_form(targets)
    photo = make_photo().read_bytes()
    stop_at = time.monotonic() + LOADTEST_SECONDS
    start_gate = threading.Barrier(LOADTEST_SUBMITTERS)

    def submitter(index: int) -> dict:
        s = requests.Session()
        result = {"ok": [], "failed": 0, "errors": []}
        s.get(f"{base}/issues/new/?compound={DEMO}", timeout=30)
        csrf = s.cookies["csrftoken"]
        start_gate.wait()
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            try:
                r1 = s.post(
                    f"{base}/issues/new/?compound={DEMO}",
                    data={
                        **form,
                        "csrfmiddlewaretoken": csrf,
                        "description": f"{SUBMIT_TAG} {run_id} {index}-{n}：楼道灯不亮",
                    },
                    allow_redirects=False,
                    timeout=60,
                )
                r2 = s.post(
                    f"{base}/issues/new/check/?compound={DEMO}",
                    data={"csrfmiddlewaretoken": csrf},
                    files={"photos": ("p.jpg", photo, "image/jpeg")},
                    allow_redirects=False,
                    timeout=60,
                )
                if r1.status_code == 302 and r2.status_code == 302:
                    done = s.get(f"{base}/issues/new/done/", timeout=60)
                    match = re.search(r"HS-\d{4}-\d{6,10}", done.text)
                    result["ok"].append(match.group(0) if match else None)
                else:
                    result["failed"] += 1
                    result["errors"].append(f"{r1.status_code}/{r2.status_code}")
            except requests.RequestException as exc:
                result["failed"] += 1
                result["errors"].append(type(exc).__name__)
        return result

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(LOADTEST_SUBMITTERS) as pool:
        results = list(pool.map(submitter, range(LOADTEST_SUBMITTERS)))
    elapsed = time.monotonic() - t0
    numbers = [n for r in results for n in r["ok"]]
    stored = django_json(
        "from issues.models import Issue\n"
        f"qs = Issue.objects.filter(description__contains={run_id!r})\n"
        "nums = list(qs.values_list('tracking_number', flat=True))\n"
        "from django.db.models import Count\n"
        "dups = list(Issue.objects.values('tracking_number').annotate(n=Count('id'))"
        ".filter(n__gt=1).values_list('tracking_number', flat=True)[:5])\n"
        "result = {'stored': len(nums), 'numbers': nums, 'duplicates_in_table': dups}"
    )
    failures = [e for r in results for e in r["errors"]]
    return {
        "submitters": LOADTEST_SUBMITTERS,
        "seconds": elapsed,
        "successes": len(numbers),
        "failed": len(failures),
        "failure_kinds": sorted(set(failures))[:5],
        "stored": stored["stored"],
        "numbers_unparsed": numbers.count(None),
        "duplicate_numbers_in_responses": len(numbers) - len(set(numbers)),
        "duplicates_in_table": stored["duplicates_in_table"],
        "responses_match_rows": set(numbers) == set(stored["numbers"]),
        "ok": (
            len(numbers) == stored["stored"]
            and len(numbers) == len(set(numbers))
            and set(numbers) == set(stored["numbers"])
            and not stored["duplicates_in_table"]
        ),
    }


def cleanup_submissions(max_issue: int) -> None:
    """Remove what the load added, so the cached database stays the same between runs."""
    django_json(
        "from issues.models import Issue\n"
        f"deleted, _ = Issue.objects.filter(pk__gt={max_issue}).delete()\n"
        "result = {'deleted': deleted}"
    )
    shutil.rmtree(WORK / "media", ignore_errors=True)


# --- deadline scan (item 1: 1 M open clocks) ------------------------------------------

SCAN_CODE = r"""
import datetime as dt, time
from django.db import connection, transaction
from issues.models import Issue, IssueAlarm, IssueEvent
from issues.services import issue_scan_deadlines
from huashan.notify.models import Notification
with connection.cursor() as c:
    c.execute("SELECT built_at FROM bench_marker")
    built_at = c.fetchone()[0]
# The clocks were laid out relative to the build time; scanning "as of" that
# time keeps the due set identical on every run of a cached database.
now = built_at
horizon = now + dt.timedelta(hours=12)
open_states = list(Issue.OPEN_STATES)
bare_sql = ("UPDATE issues_issue SET last_public_update_at = %s "
            "WHERE paused_at IS NULL AND next_deadline <= %s AND status = ANY(%s)")
bare, rows = [], 0
for _ in range(3):
    with transaction.atomic():
        t = time.perf_counter()
        with connection.cursor() as c:
            c.execute(bare_sql, [now, horizon, open_states])
            rows = c.rowcount
        bare.append(time.perf_counter() - t)
        transaction.set_rollback(True)
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM issues_issue WHERE status = ANY(%s) "
              "AND paused_at IS NULL AND next_deadline IS NOT NULL", [open_states])
    running = c.fetchone()[0]
alarm0 = IssueAlarm.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
event0 = IssueEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
note0 = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
count = 0
def counter(execute, sql, params, many, context):
    global count
    count += 1
    return execute(sql, params, many, context)
# A beat worker runs the scan every 5 minutes in a warm process: load the URLconf (every
# app's views, for the notification links) before timing, as the bare UPDATE's
# connection is warm too.
from django.urls import reverse
reverse("issues:board")
runs = []
try:
    for label in ("first", "again"):
        count = 0
        with connection.execute_wrapper(counter):
            t = time.perf_counter()
            report = issue_scan_deadlines(now=now)
            runs.append({"run": label, "seconds": time.perf_counter() - t, "queries": count,
                         "breached": len(report.breached), "warned": len(report.warned)})
    notifications = Notification.objects.filter(pk__gt=note0).count()
finally:
    # The scan's per-issue bookmark (only due rows get one): cleared so the next run of
    # this cached database starts from the same state.
    Issue.objects.filter(next_deadline__lte=horizon, alarm_recheck_at__isnull=False).update(
        alarm_recheck_at=None)
    IssueAlarm.objects.filter(pk__gt=alarm0).delete()
    IssueEvent.objects.filter(pk__gt=event0).delete()
    Notification.objects.filter(pk__gt=note0).delete()
result = {"bare": sorted(bare), "bare_rows": rows, "running": running, "runs": runs,
          "notifications": notifications}
"""


def bench_scan() -> dict:
    say("deadline scan over the open clocks (this takes a while)")
    # Each run leaves the rows its rolled-back writes touched as dead tuples; without a
    # vacuum the bookmark UPDATE of the next run drifts (0.8 s to 3.7 s after five runs).
    # Every run starts from the state a fresh build leaves (its last step is VACUUM ANALYZE).
    psql("VACUUM ANALYZE", DB_1M)
    result = django_json(SCAN_CODE, db=DB_1M)
    with contextlib.suppress(Exception):
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    return result


# --- PDF (item 1: quarterly report with a 1,000-line ledger) ---------------------------

PDF_PORTAL = r"""
import resource, time
import huashan.pdf as pdf
from huashan.directory.models import Compound
from disclosures.pdf import report_pdf
captured = {}
original = pdf.render_to_string
def capture(*args, **kwargs):
    captured["html"] = original(*args, **kwargs)
    return captured["html"]
pdf.render_to_string = capture
compound = Compound.objects.get(slug="jiangnan-huashan")
t = time.perf_counter()
data = report_pdf(compound=compound, period="2026Q3")
seconds = time.perf_counter() - t
open(HTML_PATH, "w", encoding="utf-8").write(captured["html"])
open(PDF_PATH, "wb").write(data)
result = {"seconds": seconds, "bytes": len(data),
          "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
          "html_kb": len(captured["html"].encode()) / 1024}
"""

PDF_BARE = r"""
import json, resource, sys, time
from weasyprint import HTML
html = open(sys.argv[1], encoding="utf-8").read()
t = time.perf_counter()
data = HTML(string=html, base_url=sys.argv[2]).write_pdf()
seconds = time.perf_counter() - t
print("BENCH_JSON " + json.dumps({"seconds": seconds, "bytes": len(data),
      "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def pdf_pages(path: Path) -> int | None:
    with contextlib.suppress(Exception):
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        return int(re.search(r"Pages:\s+(\d+)", out).group(1))
    return None


def bench_pdf(repeats: int = 1) -> dict:
    say("quarterly PDF vs bare WeasyPrint")
    html_path = WORK / "report.html"
    portal, bare = [], []
    for _ in range(repeats):
        portal.append(
            django_json(
                f"HTML_PATH = {str(html_path)!r}\nPDF_PATH = {str(WORK / 'report.pdf')!r}\n"
                + PDF_PORTAL
            )
        )
        out = subprocess.run(
            [PY, "-c", PDF_BARE, str(html_path), ROOT.as_uri() + "/"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        bare.append(json.loads(out.split("BENCH_JSON ", 1)[1]))
    return {
        "pages": pdf_pages(WORK / "report.pdf"),
        "repeats": repeats,
        "portal_s": min(r["seconds"] for r in portal),
        "bare_s": min(r["seconds"] for r in bare),
        "portal_rss": max(r["maxrss_mb"] for r in portal),
        "bare_rss": max(r["maxrss_mb"] for r in bare),
        "bytes": portal[0]["bytes"],
        "html_kb": portal[0]["html_kb"],
    }


# --- dashboards at 10 k vs 1 M -----------------------------------------------------

DASH_CODE = r"""
import time
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection
from huashan.directory.models import Person
from huashan.core import pagecache
# The page's own work at each size, not a hit of the per-person page cache.
pagecache.person_page_cacheable = lambda request: False
out = {}
for label, url in URLS.items():
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(Person.objects.get(mobile=MOBILES[label]))
    client.get(url)  # warm
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
    out[label] = {"status": response.status_code, "ms": sorted(times)[2] * 1000,
                  "queries": len(ctx)}
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM issues_issue")
    out["complaints"] = c.fetchone()[0]
from dashboard.services import snapshots_refresh_all
t = time.perf_counter()
snapshots_refresh_all()
out["refresh_s"] = time.perf_counter() - t
result = out
"""


def bench_dashboards(targets: dict) -> dict | None:
    urls = targets["dashboards"]
    if not urls:
        return None
    small = "huashan_bench_10k"
    if marker(small) != f"{BUILD_VERSION}+10k":
        say("building huashan_bench_10k (complaints trimmed to 10,000)")
        recreate(small, template=DB)
        django_json(
            "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            "    c.execute('SELECT id FROM issues_issue ORDER BY id OFFSET 10000 LIMIT 1')\n"
            "    cut = c.fetchone()[0]\n"
            "    for t in ('issues_issueevent', 'issues_satisfaction', 'issues_issuealarm',"
            " 'issues_referral', 'issues_issuephoto'):\n"
            "        c.execute(f'DELETE FROM {t} WHERE issue_id >= %s', [cut])\n"
            "    c.execute('DELETE FROM issues_issue WHERE id >= %s', [cut])\n"
            "    c.execute('DELETE FROM dashboard_compoundsnapshot')\n"
            "    c.execute('UPDATE bench_marker SET version = %s', "
            f"[{BUILD_VERSION + '+10k'!r}])\n"
            "from bench.dataset import refresh_snapshots\n"
            "refresh_snapshots(backfill_months=12)\n"
            "result = {}",
            db=small,
        )
        psql("VACUUM ANALYZE", small)
    mobiles = {"compound": MEETING_MOBILE, "street": STREET_MOBILE}
    code = f"MOBILES = {mobiles!r}\nURLS = {urls!r}\n" + DASH_CODE
    return {"10k": django_json(code, db=small), "1m": django_json(code, db=DB_1M)}


# --- report ---------------------------------------------------------------------------


def save_raw(name: str, data) -> None:
    """Keep each stage's raw numbers, so a failure later in the run loses nothing."""
    (WORK / f"raw-{name}.json").write_text(json.dumps(data, default=str, indent=1))


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def render(rows, scan, pdf, dash, loadtest, meta) -> str:
    base = next((r for r in rows if r.kind == "baseline"), PageRow("none", None))
    lines = [f"# Benchmark {meta['date']}", ""]
    lines += [
        f"Machine: {meta['cpus']} CPUs, {meta['python']}; gunicorn 2 sync workers, "
        f"`bench.settings`; wrk {meta['duration']} s per run, "
        f"2 threads (submit: one thread per connection). Data: {meta['data']}.",
        "",
        "## Pages",
        "",
        "| page | conns | req/s | p50 ms | p99 ms | vs baseline | target | met | "
        "queries/req | errors | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if not row.loads:
            lines.append(
                f"| {row.name} | — | — | — | — | — | — | — | {row.queries or '—'} | — | "
                f"{row.status} {row.note} |"
            )
            continue
        target = None if row.kind == "baseline" else row.target
        for c, load in row.loads.items():
            ratio = load.rps / base.loads[c].rps if c in base.loads else None
            met = "—" if target is None or ratio is None else ("yes" if ratio >= target else "NO")
            wanted = "—" if target is None else f"≥ {target:.0%}"
            if row.p99_rule and c in base.loads and target is not None:
                p99_ok = load.p99_ms < P99_FACTOR * base.loads[c].p99_ms
                wanted += f", p99 < {P99_FACTOR}×"
                met = "yes" if met == "yes" and p99_ok else "NO"
            lines.append(
                f"| {row.name} | {c} | {load.rps:,.0f} | {load.p50_ms:.0f} | {load.p99_ms:.0f} | "
                f"{fmt_ratio(ratio)} | {wanted} | {met} | "
                f"{row.queries} | {load.errors} | {row.note} |"
            )
    if loadtest:
        lt = loadtest
        lines += [
            "",
            "## Load test: concurrent submitters",
            "",
            f"{lt['submitters']} submitters for {lt['seconds']:.0f} s (each: form POST, photo "
            f"POST, done page): {lt['successes']} successful submissions, {lt['failed']} failed "
            f"{lt['failure_kinds']}; {lt['stored']} complaints stored; duplicate tracking "
            f"numbers in responses: {lt['duplicate_numbers_in_responses']}, in the table: "
            f"{len(lt['duplicates_in_table'])}; numbers returned = numbers stored: "
            f"{lt['responses_match_rows']}. **{'PASS' if lt['ok'] else 'FAIL'}**",
        ]
    if scan:
        bare = statistics.median(scan["bare"])
        lines += [
            "",
            "## Deadline scan",
            "",
            f"{scan['running']:,} open complaints with a running clock; {scan['bare_rows']:,} "
            "due (past, or inside the 12 h warning window). Bare: one "
            "`UPDATE issues_issue … WHERE paused_at IS NULL AND next_deadline <= now()+12h` "
            "through the partial index, median of 3, rolled back.",
            "",
            "| run | seconds | vs bare update | target | met | queries | alarms |",
            "|---|---|---|---|---|---|---|",
            f"| bare UPDATE | {bare:.2f} | 1.0× | — | — | 1 | — |",
        ]
        for run in scan["runs"]:
            ratio = run["seconds"] / bare
            lines.append(
                f"| `issue_scan_deadlines` ({run['run']}) | {run['seconds']:.2f} | "
                f"{ratio:.1f}× | ≤ 2× | {'yes' if ratio <= 2 else 'NO'} | {run['queries']:,} | "
                f"{run['breached'] + run['warned']:,} |"
            )
        lines.append(f"\nNotifications written by the first scan: {scan['notifications']:,}.")
    if pdf:
        ratio = pdf["portal_s"] / pdf["bare_s"]
        lines += [
            "",
            "## Quarterly PDF (1,000-line ledger)",
            "",
            "| renderer | seconds | peak RSS MB | target | met |",
            "|---|---|---|---|---|",
            f"| bare WeasyPrint, same HTML | {pdf['bare_s']:.1f} | {pdf['bare_rss']:.0f} | — | — |",
            f"| `disclosures.pdf.report_pdf` | {pdf['portal_s']:.1f} | {pdf['portal_rss']:.0f} | "
            f"≤ 1.5× and < 500 MB | "
            f"{'yes' if ratio <= 1.5 and pdf['portal_rss'] < 500 else 'NO'} ({ratio:.2f}×) |",
            "",
            f"{pdf['pages']} pages, {pdf['bytes'] / 1024:.0f} KiB PDF from {pdf['html_kb']:.0f} "
            f"KiB of HTML; best of {pdf['repeats']}, each in a fresh process.",
        ]
    lines += ["", "## Dashboards at 10 k vs 1 M complaints", ""]
    if dash:
        lines += [
            "| dashboard | 10 k ms | 1 M ms | ratio | target | met | queries |",
            "|---|---|---|---|---|---|---|",
        ]
        for label in dash["10k"]:
            if label in ("complaints", "refresh_s"):
                continue
            a, b = dash["10k"][label], dash["1m"][label]
            ratio = b["ms"] / a["ms"]
            lines.append(
                f"| {label} | {a['ms']:.0f} | {b['ms']:.0f} | {ratio:.2f}× | ≤ 1.5× | "
                f"{'yes' if ratio <= 1.5 else 'NO'} | {a['queries']} / {b['queries']} |"
            )
        a, b = dash["10k"]["refresh_s"], dash["1m"]["refresh_s"]
        lines.append(
            f"| roll-up refresh (`snapshots_refresh_all`, beat) | {a * 1000:.0f} | "
            f"{b * 1000:.0f} | {b / a:.2f}× | — | — | — |"
        )
        lines.append(
            f"\n({dash['10k']['complaints']:,} vs {dash['1m']['complaints']:,} complaints; "
            "pages: in-process Django test client, median of 5.)"
        )
    elif not meta.get("dashboards_run", True):
        lines.append("Not run (`dashboards` was not in `--only`).")
    else:
        lines.append("Not built: no `dashboard:` URL resolved when this ran.")
    return "\n".join(lines) + "\n"


def main() -> None:
    global CONNECTIONS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the databases")
    parser.add_argument(
        "--only",
        default="pages,submit,loadtest,scan,pdf,dashboards",
        help="comma-separated subset of pages,submit,loadtest,scan,pdf,dashboards",
    )
    parser.add_argument(
        "--connections",
        default=",".join(str(c) for c in CONNECTIONS),
        help="comma-separated wrk connection counts (a modest one on a shared machine)",
    )
    parser.add_argument("--out", default="", help="results file name (default: <date>.md)")
    args = parser.parse_args()
    CONNECTIONS = tuple(int(c) for c in args.connections.split(",") if c.strip())
    only = set(args.only.split(","))
    if not shutil.which("wrk"):
        raise SystemExit("wrk is required (apt-get install wrk)")
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    ensure_data(args.rebuild, with_clocks=bool(only & {"scan", "dashboards"}))
    collectstatic()
    targets = django_json(TARGETS_CODE)
    rows, loadtest, scan, pdf, dash = [], None, None, None, None
    with gunicorn(DB) as base:
        try:
            if "pages" in only:
                rows = bench_pages(base, targets, args.duration)
            if "submit" in only:
                if not rows:
                    rows = [
                        PageRow(
                            "bare baseline (1 indexed query)", "/bench/baseline/", kind="baseline"
                        )
                    ]
                    for c in CONNECTIONS:
                        rows[0].loads[c] = wrk(
                            base + "/bench/baseline/", connections=c, duration=args.duration
                        )
                rows.append(bench_submit(base, targets, args.duration))
            if "loadtest" in only:
                say(f"load test: {LOADTEST_SUBMITTERS} submitters for {LOADTEST_SECONDS} s")
                loadtest = load_test(base, targets)
        finally:
            cleanup_submissions(targets["max_issue"])
    if "scan" in only:
        scan = bench_scan()
        save_raw("scan", scan)
    if "pdf" in only:
        pdf = bench_pdf()
        save_raw("pdf", pdf)
    if "dashboards" in only:
        dash = bench_dashboards(targets)
        save_raw("dashboards", dash)
    meta = {
        "date": dt.date.today().isoformat(),  # noqa: DTZ011 (local date of the run)
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "duration": args.duration,
        "data": "20 compounds, 10,000 households, 200,000 complaints (+ 1,000,000 open "
        "clocks in the scan database)",
        "dashboards_run": "dashboards" in only,
    }
    text = render(rows, scan, pdf, dash, loadtest, meta)
    text += f"\nTotal run time: {time.monotonic() - started:.0f} s.\n"
    out = BENCH / "results" / (args.out or f"{meta['date']}.md")
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    say(f"written to {out.relative_to(ROOT)}")
    if loadtest and not loadtest["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
