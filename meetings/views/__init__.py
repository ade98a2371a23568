"""HTML pages of the joint meeting, forums, agreed items, decision reports and motions.

Views are thin: they read through ``meetings.selectors``, change state only
through ``meetings.services`` and map the services' exceptions to pages:
``ValidationError`` → errors next to the fields (the bound form is shown again,
nothing typed is lost), ``PermissionDenied`` → 403. Anonymous visitors are sent
to the login page by ``login_required``; residents get 403 on staff pages.

Public pages (phone first): the meeting list, the month calendar and the
iCalendar feed. Everything else is a staff page (dense tables, keyboard
friendly: every action is a plain ``<form>`` with a real button).

One module per thing served (issue 15 item 2), re-exported here for ``meetings/urls.py``:
``public`` (list, calendar, iCal), ``meetings`` (create, edit, the meeting page, cancel,
held, attendance), ``notices``, ``agenda``, ``meeting_minutes``, ``summaries``,
``action_items``, ``decision_reports``, ``motions``, ``forums``, ``pdfs``; shared helpers
in ``_common``.

seed: 联席会议议事规则 第二—五条; 决策报告制度 第二、三条; 协同联动 第二、六、七条.
"""

from ._common import (  # noqa: F401
    _NO_ITEM_FORM_STATUSES,
    ACTION_ITEMS_PAGE_SIZE,
    GENERAL,
    LIST_PAGE_SIZE,
    _acting_org_ids,
    _acts_for,
    _apply_validation_error,
    _compound,
    _compound_query,
    _error_message,
    _get_meeting,
    _meeting_url,
    _require_staff,
    _run,
    _simple_action,
)
from .action_items import (  # noqa: F401
    ITEM_STEPS,
    _get_item,
    _people_of,
    _render_item,
    action_item_create,
    action_item_detail,
    action_item_list,
    action_item_step,
)
from .agenda import (  # noqa: F401
    topic_decide,
    topic_move,
    topic_order,
    topic_propose,
)
from .decision_reports import (  # noqa: F401
    _get_report,
    _list_and_create,
    _render_report,
    decision_report_answer,
    decision_report_detail,
    decision_report_list,
    decision_report_step,
    intervention_resolve,
    intervention_respond,
    meetings_policy,
)
from .forums import (  # noqa: F401
    feedback_publish,
    opinion_dispose,
    opinion_record,
)
from .meeting_minutes import (  # noqa: F401
    _minutes_slots,
    minutes,
    minutes_autosave,
    minutes_revise,
)
from .meetings import (  # noqa: F401
    _ROW_MARKER,
    _choices_from,
    _detail_context,
    _render_detail,
    _responsible_person_groups,
    _row_url,
    attendance,
    meeting_cancel,
    meeting_create,
    meeting_detail,
    meeting_edit,
    meeting_held,
)
from .motions import (  # noqa: F401
    _get_motion,
    _households,
    _render_motion,
    motion_detail,
    motion_list,
    motion_step,
    unit_register,
)
from .notices import (  # noqa: F401
    notice_page,
    notice_send,
    notice_sign,
)
from .pdfs import (  # noqa: F401
    document_download,
    document_request,
    documents,
)
from .public import (  # noqa: F401
    action_items_public,
    meeting_calendar,
    meeting_ical,
    meeting_list,
    meeting_public,
)
from .summaries import (  # noqa: F401
    _summary,
    summary_draft,
    summary_return,
    summary_sign,
    summary_step,
)
