"""Profile one page in-process against the bench database (bench only).

    .venv/bin/python bench/profile_page.py /issues/board/ [--login 13800000305] [--db huashan_bench]

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
    parser.add_argument("path")
    parser.add_argument("--login", default="")
    parser.add_argument("--db", default="huashan_bench")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sql-width", type=int, default=400, help="0: the whole statement")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://root@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("BENCH_STATIC_ROOT", "/tmp/huashan-bench/static")
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
    client.get(args.path)
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get(args.path)
        elapsed = time.perf_counter() - started
    out = sys.stdout
    out.write(f"{args.path}: HTTP {response.status_code}, {elapsed * 1000:.0f} ms, ")
    out.write(f"{len(ctx)} queries, {len(response.content) / 1024:.0f} KiB\n")
    for query in ctx.captured_queries:
        out.write(
            f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][: args.sql_width or None]}\n"
        )
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(args.path)
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats(
        os.environ.get("BENCH_SORT", "cumulative")
    ).print_stats(args.top)
    out.write(buffer.getvalue())


if __name__ == "__main__":
    main()
