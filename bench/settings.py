"""Production settings for the benchmark: what gunicorn runs in ``make bench``.

DEBUG off, persistent connections (DESIGN.md §6), the compressed-manifest
static storage (``bench/run.py`` runs collectstatic first), plain HTTP on
loopback (no SSL redirect, no secure-only cookies: wrk speaks plain HTTP), and
the URLconf that adds the bare baseline view. Two additions exist only here:

* ``bench.middleware.QueryCountMiddleware`` adds ``X-Queries`` (queries run by
  the request, counted with ``connection.execute_wrapper``; no DEBUG needed).
* ``bench.cache.SubmitRateLimitBypassCache``: the Redis cache, with the
  complaint-submission rate limit (5 per client per 10 minutes) read as zero.
  Every submission in the load comes from 127.0.0.1, so the real limit would
  turn the benchmark into a benchmark of the refusal page. The Redis round
  trips (get, add/incr) still happen, so the cost is measured.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/huashan_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("MEDIA_ROOT", "/tmp/huashan-bench/media")
os.environ.setdefault("CELERY_DATA_DIR", "/tmp/huashan-bench/celery")
os.environ["DEBUG"] = "0"

from huashan.settings import *  # noqa: F403
from huashan.settings import CACHES, DATABASES, MIDDLEWARE

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", "/tmp/huashan-bench/static")
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
CACHES["default"]["BACKEND"] = "bench.cache.SubmitRateLimitBypassCache"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
