"""Settings for Huashan, read from the environment (12-factor).

Every value that differs between a laptop, CI and production comes from an
environment variable; the defaults are the ones `make run` needs on a fresh
machine (SQLite file, filesystem broker, console e-mail).
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the running portal writes (SQLite, uploads, the filesystem broker) lives here,
# one ignored folder, never scattered over the repository root.
VAR_DIR = Path(os.environ.get("HUASHAN_VAR_DIR", str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The key signs sessions, CSRF tokens and password-reset links. A public default in
# production would let anyone forge them: without DEBUG, a missing key or a published
# placeholder refuses to *serve* — the web application (huashan/wsgi.py), the Celery worker
# and beat (huashan/celery.py) do not start (issue 14 item 8). One-off commands (migrate,
# makemigrations, check) still run, with a throwaway key that signs nothing anyone keeps.
# `make run` sets DEBUG=1.
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-" + "x" * 20
PUBLISHED_SECRET_KEYS = {
    DEV_SECRET_KEY,
    "change-me-to-a-long-random-string-of-at-least-50-characters",  # .env.example
}
SECRET_KEY = env.str("SECRET_KEY", default="") or (DEV_SECRET_KEY if DEBUG else "")
SECRET_KEY_MISSING = not DEBUG and SECRET_KEY in PUBLISHED_SECRET_KEYS | {""}
if SECRET_KEY_MISSING:
    SECRET_KEY = secrets.token_urlsafe(50)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_htmx",
    "huashan.core",
    "huashan.directory",
    "huashan.accounts",
    "huashan.notify",
    "issues",
    "meetings",
    "disclosures",
    "pledges",
    "evaluations",
    "dashboard",
    "provisioning",
    "rulebook",
    "privacy",
    "briefings",
]

MIDDLEWARE = [
    # First: an oversized body is refused before anything reads it (CSRF reads POST).
    "huashan.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huashan.urls"
WSGI_APPLICATION = "huashan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huashan.core.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite file by default so `make run` needs nothing; DATABASE_URL for PostgreSQL.
# Persistent connections are mandatory on PostgreSQL (DESIGN.md §6: ~7x faster).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------
AUTH_USER_MODEL = "directory.Person"
AUTHENTICATION_BACKENDS = [
    # Refuses every login from an address that failed on many accounts (password spraying).
    "huashan.accounts.throttle.AddressThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
CSRF_FAILURE_VIEW = "huashan.core.views.csrf_failure"
# Staff-issued password reset links expire after a day.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Login throttling (django-axes): lock a mobile number + IP after N failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Proxy hops in front of the portal that we run (0: it faces the clients; 1: one nginx).
# Rate limits and axes key on huashan.core.clientip.client_ip: with N > 0 the client is
# the right-most address of X-Forwarded-For not written by our N proxies; with 0 the
# header is ignored (anyone can write it). docs/security.md, "Client address".
HUASHAN_TRUSTED_PROXIES = env.int("HUASHAN_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "huashan.core.clientip.client_ip"
# Across accounts (huashan/accounts/throttle.py, issue 14 item 7): failed logins from one
# address on any numbers within AXES_COOLOFF_TIME before the address is refused (429);
# registrations and invalid password-reset links per address and hour.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
REGISTER_ADDRESS_LIMIT = env.int("REGISTER_ADDRESS_LIMIT", default=10)
RESET_LINK_ADDRESS_LIMIT = env.int("RESET_LINK_ADDRESS_LIMIT", default=20)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# /media/<path> is a permission-checked Django view (huashan/core/media.py). Behind nginx,
# set this to an `internal` location aliasing MEDIA_ROOT (e.g. "/_protected/media/") and
# the view answers with X-Accel-Redirect instead of streaming (docs/operations.md).
HUASHAN_MEDIA_ACCEL_PREFIX = env.str("HUASHAN_MEDIA_ACCEL_PREFIX", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# The largest legitimate request is a complaint with its photos (huashan/core/photos.py:
# MAX_PHOTOS × MAX_PHOTO_BYTES = 6 × 10 MB) plus the form; anything declaring more is
# refused with a 413 before the view (huashan/core/middleware.py). nginx's
# client_max_body_size must match (docs/operations.md); tests/security/test_request_size.py
# pins this against the photo limits.
HUASHAN_MAX_REQUEST_BYTES = env.int("HUASHAN_MAX_REQUEST_MB", default=62) * 1024 * 1024
# Form fields (everything but files) may hold at most this; files above the next value
# are streamed to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)

# --- E-mail -----------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="huashan@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ------------------------------------------------------------------
# Rate limits and throttles must be shared by every gunicorn worker: Redis when
# configured (CACHE_URL, else REDIS_URL), process-local memory for `make run`.
# A Redis that accepts but never answers costs one short timeout, then the breaker keeps
# pages away from it for CACHE_BREAKER_COOLDOWN seconds (huashan/core/cachebreaker.py).
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL or env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "huashan.core.cachebreaker.BreakerRedisCache",
            "LOCATION": CACHE_URL or env.str("REDIS_URL"),
            "KEY_PREFIX": "huashan",
            "OPTIONS": {
                "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
                "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
                "breaker_cooldown": env.float("CACHE_BREAKER_COOLDOWN", default=30.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------
# With no REDIS_URL the broker is kombu's filesystem transport: no server needed.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_DATA_DIR = Path(env.str("CELERY_DATA_DIR", default=str(VAR_DIR / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # DESIGN.md §6: a Redis that accepts but never answers must not hang .delay().
        # The consumer reads BRPOP replies only once the socket is readable, so a short
        # timeout bounds synchronous commands (a publish) without touching consumption.
        "socket_timeout": env.float("BROKER_SOCKET_TIMEOUT", default=1.0),
        "socket_connect_timeout": env.float("BROKER_SOCKET_TIMEOUT", default=1.0),
        # A killed worker's prefetched messages come back after this; above the longest task.
        "visibility_timeout": 900,
        "max_retries": 1,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        # Broadcast/pidbox files; kombu's default is ./control in the working directory.
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
    # kombu's filesystem transport needs its folders before the first message.
    for _folder in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / _folder).mkdir(parents=True, exist_ok=True)
# After a failed publish, this process stops publishing for this many seconds
# (huashan/core/celerytask.py): callers leave rows pending for their beat sweeps.
CELERY_BROKER_BREAKER_COOLDOWN = env.float("CELERY_BROKER_BREAKER_COOLDOWN", default=30.0)
# One retry at most: each retry on a hung broker is another full socket timeout.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "celerybeat-schedule")
# The schedule is static; `expires` keeps missed runs from piling up.
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {
        "task": "huashan.core.tasks.beat_heartbeat",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "notify-outbox-sweep": {
        "task": "huashan.notify.tasks.notification_sweep",
        "schedule": timedelta(minutes=2),
        "options": {"expires": 100},
    },
    "issues-scan-deadlines": {
        "task": "issues.tasks.scan_deadlines",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "issues-auto-close": {
        "task": "issues.tasks.auto_close",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3000},
    },
    "disclosures-scan-schedules": {
        "task": "disclosures.tasks.scan_schedules",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3000},
    },
    "disclosures-expire-postings": {
        "task": "disclosures.tasks.expire_postings",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3000},
    },
    "disclosures-scan-objections": {
        "task": "disclosures.tasks.scan_objections",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 500},
    },
    # Every minute: a report whose worker died is found by its lease within about a
    # minute (huashan/core/documents.py, work_lease), not after the 15-minute visibility.
    "disclosures-resume-reports": {
        "task": "disclosures.tasks.resume_reports",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "pledges-evaluate": {
        "task": "pledges.tasks.evaluate",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3000},
    },
    "pledges-escalate-findings": {
        "task": "pledges.tasks.escalate_findings",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 800},
    },
    "pledges-scan-absences": {
        "task": "pledges.tasks.scan_absences",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3000},
    },
    "meetings-scan-action-items": {
        "task": "meetings.tasks.scan_action_items",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 600},
    },
    "meetings-remind-schedule": {
        "task": "meetings.tasks.remind_schedule",
        "schedule": crontab(hour=9, minute=0),
        "options": {"expires": 3600},
    },
    "meetings-sweep-documents": {
        "task": "meetings.tasks.sweep_documents",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "dashboard-snapshots-refresh": {
        "task": "dashboard.snapshots_refresh",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 800},
    },
    "calendar-coverage-check": {
        "task": "huashan.core.tasks.calendar_coverage_check",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 3600},
    },
    # 小区党组织服务承诺 第10条: the quarterly 红黑榜 and the year-end report.
    "evaluations-rate-previous-quarter": {
        "task": "evaluations.tasks.rate_previous_quarter",
        "schedule": crontab(hour=2, minute=30, day_of_month="1-7", month_of_year="1,4,7,10"),
        "options": {"expires": 3600},
    },
    "evaluations-year-end-referrals": {
        "task": "evaluations.tasks.year_end_referrals",
        "schedule": crontab(hour=3, minute=0, month_of_year="12,1"),
        "options": {"expires": 3600},
    },
    # 评议监督考核制度 第一条: every December; each officer is reminded once a year.
    "evaluations-december-reminders": {
        "task": "evaluations.tasks.december_reminders",
        "schedule": crontab(hour=9, minute=0, month_of_year="12"),
        "options": {"expires": 3600},
    },
    "evaluations-sweep-documents": {
        "task": "evaluations.tasks.sweep_documents",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
    # 决策报告制度 第四条: the quality supervisor's reports are acknowledged by a deadline.
    "pledges-scan-supervisor-reports": {
        "task": "pledges.tasks.scan_supervisor_reports",
        "schedule": crontab(minute=20),
        "options": {"expires": 3000},
    },
    # 决策报告制度 第三条: the party organizations' feedback, answered by its date.
    "briefings-scan-answers": {
        "task": "briefings.tasks.scan_answers",
        "schedule": crontab(hour=8, minute=40),
        "options": {"expires": 3600},
    },
    # 联席会议议事规则 第六条: half-year and annual work summaries, reminded and flagged.
    "meetings-remind-work-summaries": {
        "task": "meetings.tasks.remind_work_summaries",
        "schedule": crontab(hour=8, minute=30),
        "options": {"expires": 3600},
    },
    # Each compound's year of letters, schedules and evaluation draft from the templates.
    # Every day of January, not only the 1st: idempotent, so a missed night costs nothing.
    "provisioning-year-rollover": {
        "task": "provisioning.tasks.year_rollover",
        "schedule": crontab(hour=0, minute=5, month_of_year=1),
        "options": {"expires": 3600},
    },
    # Retention periods of personal information (docs/privacy.md).
    "privacy-retention": {
        "task": "privacy.tasks.retention_sweep",
        "schedule": crontab(hour=3, minute=40),
        "options": {"expires": 3600},
    },
}
# /healthz shows each check (latencies, last beat) to staff and to a monitor sending
# "Authorization: Bearer <HEALTHZ_TOKEN>"; everyone else sees only ok/degraded/down.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")
# How long a beat heartbeat may be silent before staff pages warn.
BEAT_STALE_AFTER = timedelta(minutes=env.int("BEAT_STALE_MINUTES", default=10))

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Services' ValidationError / PermissionDenied as 400 / 403 bodies (issue 15 item 4).
    "EXCEPTION_HANDLER": "huashan.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Huashan API",
    "DESCRIPTION": "江南花山郡 governance portal",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models name their choice field `kind`, `state` or `matter`: give
    # each enum a stable, meaningful name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "huashan.directory.models.Organization.Kind",
        "MeetingKindEnum": "meetings.models.Meeting.Kind",
        "DecisionReportMatterEnum": "meetings.models.DecisionReport.Matter",
        "MotionMatterEnum": "meetings.models.OwnersAssemblyMotion.Matter",
        "DisclosureStateEnum": "disclosures.models.Disclosure.State",
        "ObjectionStateEnum": "disclosures.models.Objection.State",
        "CampaignStateEnum": "evaluations.models.Campaign.State",
        "PaperEntryStateEnum": "evaluations.models.PaperEntry.State",
    },
}

# --- Security ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database and, with a shared cache (Redis), are read from it for at
# most a minute (huashan/core/sessions.py): a signed-in page does not read its session row.
# A process-local cache would keep a logged-out session alive in the other processes.
SESSION_ENGINE = (
    "huashan.core.sessions"
    if CACHES["default"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache"
    else "django.contrib.sessions.backends.db"
)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load-balancer and container probes speak plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Notifications ---------------------------------------------------------
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=8)
# Absolute links in e-mails and group-robot messages.
HUASHAN_SITE_URL = env.str("HUASHAN_SITE_URL", default="http://127.0.0.1:8000")
# The site's public address, printed on every document and QR code (issue 19): set
# SITE_URL (e.g. https://huashan.example.cn) in production; never the request's host.
SITE_URL = env.str("SITE_URL", default=HUASHAN_SITE_URL).rstrip("/")
HUASHAN_SITE_URL = SITE_URL  # one address for messages and paper alike

# --- Portal ---------------------------------------------------------------
# Management commands `seed_demo` runs after the directory, so each module
# seeds its own demo data without the directory knowing about it.
HUASHAN_DEMO_SEEDERS = [
    "seed_issues",
    "seed_meetings",
    "seed_disclosures",
    "seed_pledges",
    "seed_evaluations",
    "seed_dashboard",
]
# The day of the month by which the office is reminded if no joint meeting is scheduled.
MEETINGS_SCHEDULE_REMINDER_DAY = env.int("MEETINGS_SCHEDULE_REMINDER_DAY", default=20)
# The compound shown on the public home page when nobody is logged in.
HUASHAN_DEFAULT_COMPOUND = env.str("HUASHAN_DEFAULT_COMPOUND", default="jiangnan-huashan")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# --- SMS, sign-in codes, WeChat (issue 21) -------------------------------------------
# SMS gateway (huashan/notify/sms.py): "console" (default: nothing leaves the machine;
# SMS_FILE_PATH, if set, receives one JSON line per message), "aliyun" or "tencent".
# Providers send only approved templates: each message kind maps to a template id.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="花山议事")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=5)
SMS_TEMPLATES = {
    "login_code": env.str("SMS_TEMPLATE_LOGIN_CODE", default=""),
    "register_code": env.str("SMS_TEMPLATE_REGISTER_CODE", default=""),
    "notice": env.str("SMS_TEMPLATE_NOTICE", default=""),
    "tracking": env.str("SMS_TEMPLATE_TRACKING", default=""),
}
ALIYUN_SMS_ACCESS_KEY_ID = env.str("ALIYUN_SMS_ACCESS_KEY_ID", default="")
ALIYUN_SMS_ACCESS_KEY_SECRET = env.str("ALIYUN_SMS_ACCESS_KEY_SECRET", default="")
ALIYUN_SMS_REGION = env.str("ALIYUN_SMS_REGION", default="cn-hangzhou")
ALIYUN_SMS_ENDPOINT = env.str("ALIYUN_SMS_ENDPOINT", default="https://dysmsapi.aliyuncs.com/")
TENCENT_SMS_SECRET_ID = env.str("TENCENT_SMS_SECRET_ID", default="")
TENCENT_SMS_SECRET_KEY = env.str("TENCENT_SMS_SECRET_KEY", default="")
TENCENT_SMS_APP_ID = env.str("TENCENT_SMS_APP_ID", default="")
TENCENT_SMS_REGION = env.str("TENCENT_SMS_REGION", default="ap-guangzhou")
TENCENT_SMS_ENDPOINT = env.str("TENCENT_SMS_ENDPOINT", default="https://sms.tencentcloudapi.com/")
# Sign-in / registration codes (huashan/accounts/codes.py): one code per number per
# SMS_CODE_INTERVAL_SECONDS, SMS_CODE_DAILY_LIMIT per number per day, SMS_CODE_ADDRESS_LIMIT
# per client address per hour; a code lives SMS_CODE_TTL_MINUTES and dies after
# SMS_CODE_MAX_TRIES wrong tries.
SMS_CODE_INTERVAL_SECONDS = env.int("SMS_CODE_INTERVAL_SECONDS", default=60)
SMS_CODE_DAILY_LIMIT = env.int("SMS_CODE_DAILY_LIMIT", default=10)
SMS_CODE_ADDRESS_LIMIT = env.int("SMS_CODE_ADDRESS_LIMIT", default=20)
SMS_CODE_TTL_MINUTES = env.int("SMS_CODE_TTL_MINUTES", default=5)
SMS_CODE_MAX_TRIES = env.int("SMS_CODE_MAX_TRIES", default=5)
AUTHENTICATION_BACKENDS.insert(
    AUTHENTICATION_BACKENDS.index("django.contrib.auth.backends.ModelBackend"),
    "huashan.accounts.codes.SmsCodeBackend",
)
# WeChat web authorisation (网页授权); sign-in with WeChat is off while these are empty.
WECHAT_APP_ID = env.str("WECHAT_APP_ID", default="")
WECHAT_APP_SECRET = env.str("WECHAT_APP_SECRET", default="")
WECHAT_OAUTH_URL = env.str(
    "WECHAT_OAUTH_URL", default="https://open.weixin.qq.com/connect/oauth2/authorize"
)
WECHAT_API_BASE = env.str("WECHAT_API_BASE", default="https://api.weixin.qq.com")
# A PDF opened in WeChat's browser gets a page with a download hint (Android WeChat
# cannot save files).
MIDDLEWARE.append("huashan.accounts.wechat.WeChatPdfMiddleware")
