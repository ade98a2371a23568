"""Profile one page in-process against the bench database (bench only).

    .venv/bin/python bench/profile_page.py /issues/board/ [--login 13800000305] [--db huashan_bench]
    .venv/bin/python bench/profile_page.py --submit   # filing: form POST, then the photo POST

Prints the time of a warm request, every SQL statement with its duration, and
the top functions by cumulative time (cProfile). Used to explain the misses in
``bench/results/*.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
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

    client = Client(HTTP_HOST="127.0.0.1")
    if args.login:
        client.force_login(Person.objects.get(mobile=args.login))
    request = _submitter(client, args.path) if args.submit else (lambda: client.get(args.path))
    request()
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = request()
        elapsed = time.perf_counter() - started
    out = sys.stdout
    label = f"{args.path} (photo step of a filing)" if args.submit else args.path
    out.write(f"{label}: HTTP {response.status_code}, {elapsed * 1000:.0f} ms, ")
    out.write(f"{len(ctx)} queries, {len(response.content) / 1024:.0f} KiB\n")
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
