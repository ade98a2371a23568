"""HTML pages for residents' complaints: filing, tracking, the public board, staff work.

Views are thin: they read through ``issues.selectors``, change state only
through ``issues.services`` and map the services' exceptions to pages:
``ValidationError`` → errors next to the fields (nothing typed is lost),
``PermissionDenied`` → 403, ``RateLimited`` → a Chinese 429 page.

seed: 协同联动解决小区事务流程 第一—五条 (the process); 公示承诺制度 第一条 and 第四条
(progress of residents' issues is public and timely); the pledge letters 第3条
(48 h response, progress feedback within 7 working days).

Layout (issue 15 item 2): ``filing``, ``reporter`` (tracking and the reporter's pages),
``board``, ``staff``, with shared helpers in ``_common``; every view and the names other
modules and tests import are re-exported here, so ``issues/urls.py`` keeps ``views.<name>``.
"""

from ._common import (
    BOARD_FILTERS,
    BOARD_PAGE_SIZE,
    PUBLIC_CACHE_SECONDS,
    QUEUE_PAGE_SIZE,
    RATES_DAYS,
    RESIDENT_VERBS,
    SESSION_CODES,
    SESSION_DRAFT,
    SESSION_FILED,
    TRACK_ATTEMPTS,
    TRACK_WINDOW_SECONDS,
    ReporterAccess,
    _client_key,
    _remember_code,
    reporter_access,
)
from .board import (
    board,
)
from .filing import (
    issue_file,
    issue_file_confirm,
    issue_file_done,
    issue_me_too,
)
from .reporter import (
    detail,
    mine,
    rate,
    reporter_confirm,
    reporter_reopen,
    reporter_reply,
    track,
)
from .staff import (
    STAFF_ACTIONS,
    StaffAction,
    queue,
    referral_acknowledge,
    staff_action,
    staff_detail,
    summons_action,
)

__all__ = [
    "BOARD_FILTERS",
    "BOARD_PAGE_SIZE",
    "PUBLIC_CACHE_SECONDS",
    "QUEUE_PAGE_SIZE",
    "RATES_DAYS",
    "RESIDENT_VERBS",
    "SESSION_CODES",
    "SESSION_DRAFT",
    "SESSION_FILED",
    "STAFF_ACTIONS",
    "TRACK_ATTEMPTS",
    "TRACK_WINDOW_SECONDS",
    "ReporterAccess",
    "StaffAction",
    "_client_key",
    "_remember_code",
    "board",
    "detail",
    "issue_file",
    "issue_file_confirm",
    "issue_file_done",
    "issue_me_too",
    "mine",
    "queue",
    "rate",
    "referral_acknowledge",
    "reporter_access",
    "reporter_confirm",
    "reporter_reopen",
    "reporter_reply",
    "staff_action",
    "staff_detail",
    "summons_action",
    "track",
]
