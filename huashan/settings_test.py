"""Settings for the test suite: the real services (PostgreSQL, Redis), fast hashing.

DATABASE_URL defaults to the local PostgreSQL server (DESIGN.md §5); set it to
point elsewhere. REDIS_URL defaults to the local Redis, database 15.
"""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/huashan")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")

from .settings import *  # noqa: F403
from .settings import CACHES, TEMPLATES

# Each xdist worker gets its own Redis database for the cache, so one worker's
# cache.clear() cannot wipe another's rate-limit counters. Computed here, not
# through the environment, because workers inherit the controller's environment.
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_redis = urlsplit(os.environ.get("CACHE_URL") or os.environ["REDIS_URL"])
CACHES["default"]["LOCATION"] = urlunsplit(
    (_redis.scheme, _redis.netloc, f"/{9 - min(_worker, 8)}", "", "")
)

DEBUG = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
# A missing template variable is a bug: fail the test that renders it.
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = "INVALID_TEMPLATE_VARIABLE[%s]"
# No collectstatic in tests: let WhiteNoise find files through the finders.
WHITENOISE_AUTOREFRESH = True
