"""Every state change of meetings, agenda, notices, minutes, summaries, agreed items,
decision reports, owners' assembly motions and forum opinions.

seed: 联席会议议事规则 第一—六条; 协同联动解决小区事务流程 第二条、第六条、第七条;
决策报告制度 第一—三条; 小区党组织服务承诺 1 (monthly joint meeting); 物业管理委员会服务承诺 10.

One module per thing served (issue 15 item 2), re-exported here so that
``from meetings import services; services.meeting_create(...)`` and
``from meetings.services import X`` keep working:

- ``_common``: limits, recipient kinds, errors, the private helpers every step uses
  (``_text``, ``_guard``, ``_lock``, the ``_*_event`` writers, notifying an organization);
- ``scheduling``: scheduling, changing, cancelling and holding a meeting, 补录, the monthly
  schedule reminder; ``chairing``: who chairs a joint meeting (委托); ``members``: members,
  observers and attendance; ``street_referrals``: to the street joint meeting (协同联动 第四条);
  ``meetings`` re-exports these four for the old import path;
- ``notices``: the numbered notice (会议通知), sending it and each body's receipt;
- ``agenda``: proposed topics and the office's decision on them;
- ``minutes``; ``summaries`` (会签, approval, 分送); ``action_items`` (议定事项 and their scan);
- ``decision_reports`` (决策报告, 提前介入); ``hearings``: the owners' hearing a greenery,
  parking or other public matter needs before it proceeds (小区党组织服务承诺 8);
- motions (业主大会议案): ``motion_drafting``, ``owner_register``, ``motion_voting``,
  ``motion_results``; ``motions`` re-exports these four for the old import path;
- ``forums`` (议事协商会、听证会); ``documents`` (printable PDFs).

Shape (STYLE.md): keyword-only arguments with the actor first; permission check
(``meetings.*`` rules, see ``meetings/rules.py``) → ``transaction.atomic`` →
``select_for_update`` guard against the model's ``TRANSITIONS`` → write → one
event row → notifications (``notification_create`` inside the transaction,
delivery after commit). Bad input raises ``ValidationError`` keyed by field name
so forms can show it next to the field; a forbidden step raises
``PermissionDenied``.
"""

from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401

from ._common import (  # noqa: F401
    COPY_RECIPIENT_KINDS,
    DEFAULT_REMIND_DAYS,
    MAIN_RECIPIENT_KINDS,
    MAX_MEETING_HOURS,
    MEMBER_KINDS,
    MEMBER_ROLES,
    OBSERVER_KINDS,
    OBSERVER_ROLES,
    OFFICE_KINDS,
    REASON_MAX,
    RECORD_PAST_MAX_DAYS,
    SUPERVISION_KINDS,
    TEXT_MAX,
    TITLE_MAX,
    EarlyInterventionRequired,
    Kind,
    MeetingStateError,
    MinutesLockedError,
    MKind,
    MStatus,
    Role,
    ScanReport,
    _guard,
    _item_event,
    _label,
    _link,
    _localdate,
    _lock,
    _meeting_event,
    _meeting_permission,
    _motion_event,
    _notify_person,
    _org_recipients,
    _orgs_of_kinds,
    _report_event,
    _require_any,
    _sync,
    _text,
    _topic_event,
    action_item_link,
    is_last_week_of_month,
    logger,
    meeting_link,
    notify_organization,
)
from .action_items import (  # noqa: F401
    _can_accept,
    _can_report_progress,
    _clean_evidence,
    _propose_overdue_item,
    _remind_days,
    action_item_accept,
    action_item_cancel,
    action_item_create,
    action_item_post_progress,
    action_item_reject_completion,
    action_item_submit_done,
    action_items_scan,
)
from .agenda import (  # noqa: F401
    _topic_decide,
    agenda_hook,
    next_joint_meeting,
    topic_accept,
    topic_defer,
    topic_merge,
    topic_propose,
    topic_propose_from_issue,
    topic_reject,
    topic_reorder,
)
from .chairing import _chair_allowed, _default_chair, meetings_chair_after_revocation  # noqa: F401
from .decision_reports import (  # noqa: F401
    decision_report_acknowledge,
    decision_report_create,
    decision_report_file,
    decision_report_invite_intervention,
    decision_report_missing_interventions,
    decision_report_proceed,
    decision_report_withdraw,
    early_intervention_respond,
)
from .documents import (  # noqa: F401
    meeting_document_render,
    meeting_document_request,
    meeting_documents_sweep,
)
from .forums import (  # noqa: F401
    forum_opinion_dispose,
    forum_opinion_record,
    meeting_publish_feedback,
)
from .hearings import (  # noqa: F401
    decision_report_link_hearing,
    hearing_gate_problems,
    motion_link_hearing,
)
from .members import (  # noqa: F401
    attendance_record,
    meeting_member_add,
    meeting_member_remove,
    meeting_members_derive,
)
from .minutes import (  # noqa: F401
    _minutes_texts,
    _summary_approved,
    minutes_revise,
    minutes_save_draft,
)
from .motion_drafting import (  # noqa: F401
    motion_party_review,
    motion_pmc_deliberate,
    motion_propose,
    motion_withdraw,
)
from .motion_results import motion_close_vote, motion_publish_result, motion_tally  # noqa: F401
from .motion_voting import motion_open_vote, motion_vote_cast  # noqa: F401
from .notices import (  # noqa: F401
    _notice_body,
    _notice_recipients,
    meeting_send_notice,
    notice_document_number,
    notice_number_allocate,
    notice_sign,
)
from .owner_register import compound_owner_totals  # noqa: F401
from .scheduling import (  # noqa: F401
    _reminder_day,
    _validate_past_start,
    _validate_schedule,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule_scan,
    meeting_update,
)
from .summaries import (  # noqa: F401
    SUMMARY_PUBLISHER_KINDS,
    _public_summary_title,
    _publish_public_summary,
    _summary_disclosure_body,
    _summary_publisher,
    _summary_text_from_minutes,
    summary_approve,
    summary_countersign,
    summary_distribute,
    summary_draft,
    summary_return_to_draft,
    summary_sign_receipt,
    summary_submit_for_countersign,
)
