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

# Each xdist worker (up to 4) gets its own Redis database for the cache, so one worker's
# cache.clear() cannot wipe another's rate-limit counters. Computed here, not
# through the environment, because workers inherit the controller's environment.
# Likewise the Celery broker: tests that run a real worker flush their own
# broker database, and a message must never reach another xdist worker's
# Celery worker (which looks in another test database).
_worker = min(int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0), 3)
_redis = urlsplit(os.environ["REDIS_URL"])
_broker_db = int(_redis.path.strip("/") or 15)
CACHES["default"]["LOCATION"] = urlunsplit(
    (_redis.scheme, _redis.netloc, f"/{(_broker_db - 6 - _worker) % 16}", "", "")
)
CELERY_BROKER_URL = urlunsplit(
    (_redis.scheme, _redis.netloc, f"/{(_broker_db - _worker) % 16}", "", "")
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
# Templates used only by tests (e.g. the PDF smoke document).
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]  # noqa: F405
# The suite writes no file into the working tree: uploads and rendered PDFs go to a
# temporary folder (shared by xdist workers and the Celery workers some tests start).
MEDIA_ROOT = Path(os.environ.get("HUASHAN_TEST_MEDIA_ROOT", "/tmp/huashan-test-media"))  # noqa: F405
