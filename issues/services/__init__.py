"""Every state change of a residents' complaint (居民反映问题).

seed: 协同联动解决小区事务流程 第一—七条 (三事分流, 转办与督办, 联合调查, 社区吹哨、党员报到,
街道吹哨、部门报到, 历史遗留问题的解释说明); 公示承诺制度 第一条 (progress is public);
小区党组织服务承诺 第3条 (48 小时响应, 7 个工作日反馈) and 第7条 (安全隐患 3 日内整改);
物业管理委员会服务承诺 第3条 (复杂问题 7 日内明确解决方案).

Shape (STYLE.md "State machines"): one service per transition, keyword-only
arguments with the actor first; each checks the ``rules`` permission, locks the
row with ``select_for_update``, guards the old state against
``Issue.TRANSITIONS``, writes the change and one :class:`IssueEvent`
(``public=True`` when the resident's timeline shows it) and queues
notifications (``notification_create`` inside the transaction; delivery after
commit). Deadlines come only from ``huashan.workdays``.

Decisions (also in docs/issues.md):

* A staff question to the reporter (waiting_reporter) counts as the response:
  it stops the 48-hour clock if nobody accepted the issue before.
* Waiting for the reporter pauses every running clock of the issue; on resume
  each running deadline moves by the paused duration.
* Whistles: an issue cannot be resolved while a summoned party has not
  reported in (报到). 第三条/第四条 make the report-in the point of the
  whistle; closing around a missing party would hide exactly the failure the
  whistle is there to expose. Staff can still post progress, and supervisors
  see the overdue report-in through the deadline scan.
* Every closing state (resolved, closed, rejected, merged) has a public
  explanation; a bare "not our responsibility" is refused.

Layout (issue 15 item 2): one module per thing served, all names re-exported here so
``from issues import services`` and ``from issues.services import X`` keep working.
``_common`` (constants, errors, ``_locked`` / ``_guard`` / ``_sync`` / ``_event`` / ``_text``),
``notifications``, ``clocks``, ``tracking``, ``rate_limit``, ``intake``, ``routing``,
``closing``, ``tiers``, ``whistles``, ``satisfaction``, ``scan``. To patch a name in a test,
patch it where it is looked up (``issues.services.scan._set_based``), not here.
"""

from huashan.core.services import cache_count

from ._common import (
    AGENDA_HOOK,
    CLOSING_MIN_CHARS,
    DEFAULT_WARN_HOURS,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    DISMISSIVE_PHRASES,
    HOTLINE_RE,
    IDEMPOTENCY_KEY_BYTES,
    IDEMPOTENCY_KEY_RE,
    INTAKE_KINDS,
    INVESTIGATE_KINDS,
    NOTE_MAX,
    RATE_LIMIT,
    RATE_WINDOW_SECONDS,
    SUPERVISOR_KINDS,
    TRACKING_CODE_ALPHABET,
    TRACKING_CODE_LENGTH,
    Clock,
    IssueStateError,
    Kind,
    RateLimited,
    Stage,
    Status,
    Tier,
    closing_explanation_clean,
    public_link,
    staff_link,
)
from .clocks import (
    Clocks,
    _refresh_next_deadline,
    clock_policy_for,
    clocks_for,
    running_clocks,
)
from .closing import (
    issue_close_auto,
    issue_confirm,
    issue_merge,
    issue_reject,
    issue_reopen,
    issue_resolve,
    reopen_refusal,
)
from .intake import (
    SubmitResult,
    idempotency_key_clean,
    idempotency_key_new,
    issue_me_too,
    issue_submit,
    issue_submit_replay,
)
from .notifications import (
    notify_organization,
)
from .rate_limit import (
    _rate_key,
    rate_limit_check,
)
from .routing import (
    issue_accept,
    issue_give_plan,
    issue_post_progress,
    issue_reporter_reply,
    issue_start,
    issue_transfer,
    issue_wait_for_reporter,
    referral_acknowledge,
)
from .satisfaction import (
    satisfaction_record,
)
from .scan import (
    LEGACY_CLOCK_LABEL,
    PUBLIC_CLOCKS,
    SCAN_BATCH_SIZE,
    SCAN_BOOKMARKS_PER_UPDATE,
    ScanReport,
    _raise_alarms,
    issue_alarm_bookmarks_reset,
    issue_auto_close_scan,
    issue_scan_deadlines,
)
from .tiers import (
    issue_change_tier,
    issue_record_consultation,
    issue_set_hazard,
)
from .tracking import (
    tracking_code_hash,
    tracking_code_matches,
    tracking_code_new,
    tracking_numbers_allocate,
)
from .whistles import (
    supervision_order_issue,
    whistle_blow,
    whistle_rate,
    whistle_report_in,
)

__all__ = [
    "AGENDA_HOOK",
    "CLOSING_MIN_CHARS",
    "DEFAULT_WARN_HOURS",
    "DESCRIPTION_MAX",
    "DESCRIPTION_MIN",
    "DISMISSIVE_PHRASES",
    "HOTLINE_RE",
    "IDEMPOTENCY_KEY_BYTES",
    "IDEMPOTENCY_KEY_RE",
    "INTAKE_KINDS",
    "INVESTIGATE_KINDS",
    "LEGACY_CLOCK_LABEL",
    "NOTE_MAX",
    "PUBLIC_CLOCKS",
    "RATE_LIMIT",
    "RATE_WINDOW_SECONDS",
    "SCAN_BATCH_SIZE",
    "SCAN_BOOKMARKS_PER_UPDATE",
    "SUPERVISOR_KINDS",
    "TRACKING_CODE_ALPHABET",
    "TRACKING_CODE_LENGTH",
    "Clock",
    "Clocks",
    "IssueStateError",
    "Kind",
    "RateLimited",
    "ScanReport",
    "Stage",
    "Status",
    "SubmitResult",
    "Tier",
    "_raise_alarms",
    "_rate_key",
    "_refresh_next_deadline",
    "cache_count",
    "clock_policy_for",
    "clocks_for",
    "closing_explanation_clean",
    "idempotency_key_clean",
    "idempotency_key_new",
    "issue_accept",
    "issue_alarm_bookmarks_reset",
    "issue_auto_close_scan",
    "issue_change_tier",
    "issue_close_auto",
    "issue_confirm",
    "issue_give_plan",
    "issue_me_too",
    "issue_merge",
    "issue_post_progress",
    "issue_record_consultation",
    "issue_reject",
    "issue_reopen",
    "issue_reporter_reply",
    "issue_resolve",
    "issue_scan_deadlines",
    "issue_set_hazard",
    "issue_start",
    "issue_submit",
    "issue_submit_replay",
    "issue_transfer",
    "issue_wait_for_reporter",
    "notify_organization",
    "public_link",
    "rate_limit_check",
    "referral_acknowledge",
    "reopen_refusal",
    "running_clocks",
    "satisfaction_record",
    "staff_link",
    "supervision_order_issue",
    "tracking_code_hash",
    "tracking_code_matches",
    "tracking_code_new",
    "tracking_numbers_allocate",
    "whistle_blow",
    "whistle_rate",
    "whistle_report_in",
]
