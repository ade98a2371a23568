"""Profile one page in-process against the bench database (bench only).

    .venv/bin/python bench/profile_page.py /issues/board/ [--login 13800000305] [--db huashan_bench]
    .venv/bin/python bench/profile_page.py --submit   # filing: form POST, then the photo POST
    .venv/bin/python bench/profile_page.py /meetings/11/ --login 13800000301 --repeat 7 --brief
    .venv/bin/python bench/profile_page.py /issues/queue/ --login 13800000305 --uncached

Prints, for warm requests (median of ``--repeat``): the time, the queries and the time
SQL took, the template render time and the number of Django template node renders
(``Node.render_annotated`` calls; a Jinja2 template counts none), then every SQL
statement of the last request with its duration, and the top functions by cumulative
time (cProfile) of one more request. ``--uncached`` turns off the per-person page cache
(``huashan.core.pagecache.person_page``) so the page's real cost is measured, not a hit;
``--brief`` prints only the summary line. Used to explain the misses in
``bench/results/*.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="/issues/new/")
    parser.add_argument(
        "--submit",
        action="store_true",
        help="profile filing a complaint: the form POST, then the 1280x960 photo POST",
    )
    parser.add_argument("--login", default="")
    parser.add_argument("--db", default="huashan_bench")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sql-width", type=int, default=400, help="0: the whole statement")
    parser.add_argument("--repeat", type=int, default=5, help="warm requests measured (median)")
    parser.add_argument("--uncached", action="store_true", help="bypass the per-person cache")
    parser.add_argument("--brief", action="store_true", help="only the summary line")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://root@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("BENCH_STATIC_ROOT", "/tmp/huashan-bench/static")
    os.environ.setdefault("REDIS_URL", os.environ.get("BENCH_REDIS_URL", ""))
    if not os.environ["REDIS_URL"]:
        del os.environ["REDIS_URL"]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from huashan.directory.models import Person

    if args.uncached:
        from huashan.core import pagecache

        pagecache.person_page_cacheable = lambda request: False
    client = Client(HTTP_HOST="127.0.0.1")
    if args.login:
        client.force_login(Person.objects.get(mobile=args.login))
    request = _submitter(client, args.path) if args.submit else (lambda: client.get(args.path))
    request()
    meter = _Meter()
    samples = []
    with meter:
        for _ in range(max(1, args.repeat)):
            meter.reset()
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = request()
                elapsed = time.perf_counter() - started
            sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
            samples.append((elapsed * 1000, len(ctx), sql_ms, meter.render_ms, meter.nodes))
    out = sys.stdout
    label = f"{args.path} (photo step of a filing)" if args.submit else args.path
    ms, queries, sql_ms, render_ms, nodes = (
        statistics.median(col) for col in zip(*samples, strict=True)
    )
    out.write(
        f"{label}: HTTP {response.status_code}, median of {len(samples)}: {ms:.1f} ms, "
        f"{queries:.0f} queries ({sql_ms:.1f} ms SQL), render {render_ms:.1f} ms, "
        f"{nodes:.0f} node renders, {len(response.content) / 1024:.0f} KiB "
        f"(min {min(s[0] for s in samples):.1f} ms)\n"
    )
    if args.brief:
        return
    for query in ctx.captured_queries:
        out.write(
            f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][: args.sql_width or None]}\n"
        )
    profiler = cProfile.Profile()
    profiler.enable()
    request()
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats(
        os.environ.get("BENCH_SORT", "cumulative")
    ).print_stats(args.top)
    out.write(buffer.getvalue())


class _Meter:
    """Counts Django template node renders and times the outermost template render
    (either engine) while active."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.nodes = 0
        self.render_ms = 0.0
        self._depth = 0

    def __enter__(self):
        from django.template import base
        from django.template.backends import django as django_backend

        self._patched = [(base.Node, "render_annotated"), (django_backend.Template, "render")]
        try:
            from django.template.backends import jinja2 as jinja2_backend

            self._patched.append((jinja2_backend.Template, "render"))
        except ImportError:  # Jinja2 not installed
            pass
        self._saved = [(owner, name, getattr(owner, name)) for owner, name in self._patched]
        meter = self
        original_node = base.Node.render_annotated

        def render_annotated(node, context):
            meter.nodes += 1
            return original_node(node, context)

        base.Node.render_annotated = render_annotated
        for owner, name, original in self._saved[1:]:
            setattr(owner, name, self._timed(original))
        return self

    def _timed(self, original):
        meter = self

        def render(template, *args, **kwargs):
            meter._depth += 1
            started = time.perf_counter()
            try:
                return original(template, *args, **kwargs)
            finally:
                meter._depth -= 1
                if meter._depth == 0:
                    meter.render_ms += (time.perf_counter() - started) * 1000

        return render

    def __exit__(self, *exc):
        for owner, name, original in self._saved:
            setattr(owner, name, original)


def _submitter(client, path: str):
    """A callable filing one complaint whose photo POST is what gets measured: the form
    step runs first (unmeasured), as ``bench/wrk/submit.lua`` does under load."""
    from bench.run import DEMO, make_photo, submit_form
    from huashan.directory.models import Building
    from issues.models import Category

    targets = {
        "building": Building.objects.filter(compound__slug=DEMO).order_by("sort_key").first().pk,
        "category": Category.objects.filter(active=True, safety_related=False)
        .order_by("pk")
        .first()
        .pk,
    }
    (Path("/tmp/huashan-bench")).mkdir(parents=True, exist_ok=True)
    photo = make_photo().read_bytes()

    def filing():
        from django.core.files.uploadedfile import SimpleUploadedFile

        form = {**submit_form(targets), "description": "压测提交：楼道灯不亮（剖析）"}
        first = client.post(f"{path}?compound={DEMO}", form)
        assert first.status_code == 302, first.status_code
        upload = SimpleUploadedFile("photo.jpg", photo, content_type="image/jpeg")
        return client.post(f"/issues/new/check/?compound={DEMO}", {"photos": upload})

    return filing


if __name__ == "__main__":
    main()
