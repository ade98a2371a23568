"""Every state change of disclosures, objections, schedules and reports.

seed: 公示承诺制度 第一—四条; 小区党组织服务承诺 2; 物业管理委员会服务承诺 1、2.

Shape (STYLE.md "State machines"): keyword-only arguments, ``actor`` first;
each service checks the ``rules`` permission, locks the row, guards the old
state against ``Disclosure.TRANSITIONS``, writes the change and one event row,
and creates notifications in the same transaction (delivered after commit).

Decisions (also in docs/disclosures.md):

* A published disclosure is never edited: :func:`disclosure_correct` publishes
  a new version (``version + 1``, ``previous`` → old) and marks the old one
  ``superseded``. Attachments and the ledger carry over unless replaced. The
  correction gets its own full posting window (at least the category minimum
  counted from the day it is posted).
* Posting windows: long-term categories (personnel, pledges, 第四条) are
  always long-term; otherwise the end date defaults to start + the category
  minimum (or :data:`DEFAULT_POSTING_DAYS`), and a shorter window than the
  minimum (≥ 30 days for the service reports, 第三条) is refused.
* Objections are accepted only while a disclosure is *posted* (published).
  After the posting window (expired / archived) an owner uses the complaint
  channel (issues); for a superseded version they object to the current one.
  Reason: the publisher's duty to answer (第三条) attaches to what is posted;
  an expired notice may be years old and its publisher gone.

A package split along what each part serves (issue 15 item 2): ``common`` (limits,
schedule rules and the shared helpers), ``lifecycle`` (drafts, publishing, corrections,
archiving, expiry), ``attachments``, ``ledgers``, ``external`` (texts posted by meetings
and pledges), ``objections``, ``schedules``, ``reports`` and ``resolutions`` (the PMC's
half-yearly report on owners' assembly resolutions, 物管会服务承诺 1). Every public name is
re-exported here, so ``from disclosures import services`` and
``from disclosures.services import X`` keep working.
"""

from .attachments import attachment_check, disclosure_attachment_add, disclosure_attachment_remove
from .common import (
    ANSWER_MAX_CHARS,
    ANSWER_MIN_CHARS,
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_TYPES,
    ATTACHMENTS_MAX,
    DEFAULT_POSTING_DAYS,
    MISSED_LOOKBACK_DAYS,
    OBJECTION_MAX_CHARS,
    OBJECTION_MIN_CHARS,
    OBJECTIONS_PER_OWNER,
    REASON_MIN_CHARS,
    SCHEDULE_RULES,
    TITLE_MAX,
    DisclosureStateError,
    Kind,
    State,
    disclosure_link,
    logger,
    organization_covers,
)
from .external import disclosure_publish_external
from .ledgers import disclosure_ledger_import, disclosure_ledger_set
from .lifecycle import (
    DRAFT_FIELDS,
    disclosure_archive,
    disclosure_correct,
    disclosure_create_draft,
    disclosure_delete_draft,
    disclosure_publish,
    disclosure_update_draft,
    disclosures_expire_due,
)
from .objections import objection_answer, objection_file, objection_policy, objections_scan_overdue
from .reports import REPORT_LEASE, report_generate, report_request, reports_resume_pending
from .resolutions import (
    FOLLOWUP_PLAN_MAX_CHARS,
    FOLLOWUP_REASON_MAX_CHARS,
    resolution_current_period,
    resolution_first_period,
    resolution_followup_record,
    resolution_report_period,
)
from .schedules import ScheduleScanResult, schedules_scan, schedules_seed_for_compound

__all__ = [
    "ANSWER_MAX_CHARS",
    "ANSWER_MIN_CHARS",
    "ATTACHMENTS_MAX",
    "ATTACHMENT_MAX_BYTES",
    "ATTACHMENT_TYPES",
    "DEFAULT_POSTING_DAYS",
    "DRAFT_FIELDS",
    "FOLLOWUP_PLAN_MAX_CHARS",
    "FOLLOWUP_REASON_MAX_CHARS",
    "MISSED_LOOKBACK_DAYS",
    "OBJECTIONS_PER_OWNER",
    "OBJECTION_MAX_CHARS",
    "OBJECTION_MIN_CHARS",
    "REASON_MIN_CHARS",
    "REPORT_LEASE",
    "SCHEDULE_RULES",
    "TITLE_MAX",
    "DisclosureStateError",
    "Kind",
    "ScheduleScanResult",
    "State",
    "attachment_check",
    "disclosure_archive",
    "disclosure_attachment_add",
    "disclosure_attachment_remove",
    "disclosure_correct",
    "disclosure_create_draft",
    "disclosure_delete_draft",
    "disclosure_ledger_import",
    "disclosure_ledger_set",
    "disclosure_link",
    "disclosure_publish",
    "disclosure_publish_external",
    "disclosure_update_draft",
    "disclosures_expire_due",
    "logger",
    "objection_answer",
    "objection_file",
    "objection_policy",
    "objections_scan_overdue",
    "organization_covers",
    "report_generate",
    "report_request",
    "reports_resume_pending",
    "resolution_current_period",
    "resolution_first_period",
    "resolution_followup_record",
    "resolution_report_period",
    "schedules_scan",
    "schedules_seed_for_compound",
]
