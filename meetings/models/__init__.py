"""Joint meetings and the decisions that come out of them.

seed: 联席会议议事规则 第一—六条 (the monthly joint meeting, its office, notices,
minutes, summaries and follow-up of agreed items); 协同联动解决小区事务流程 第二条
(owners' assembly procedure), 第六条 (forums, hearings, reviews) and 第七条 (early
intervention); 决策报告制度 第一—三条 (decision reports); 物业管理委员会服务承诺 10
(3 consecutive unexcused absences).

Every state change goes through ``meetings/services/`` and writes one event row
(a subclass of :class:`huashan.core.models.Event`). Each model with a state has a
``TRANSITIONS`` mapping the services guard against.

One module per thing served (issue 15 item 2), every model re-exported here:
``meetings`` (meetings, their events and members), ``agenda``, ``notices``, ``minutes``
(attendance, minutes and their versions), ``summaries``, ``action_items`` (with their
alarms and the monthly schedule reminder), ``decision_reports``, ``motions``, ``forums``,
``documents``.
"""

from django.utils.translation import gettext_lazy as _

from ._common import (  # noqa: F401
    PERSON,
    HearingSubject,
)
from .action_items import (  # noqa: F401
    ActionItem,
    ActionItemAlarm,
    ActionItemEvent,
    ActionItemUpdate,
    ScheduleReminder,
    action_item_evidence_path,
)
from .agenda import (  # noqa: F401
    AgendaTopic,
    AgendaTopicEvent,
)
from .decision_reports import (  # noqa: F401
    DecisionReport,
    DecisionReportEvent,
    DecisionReportRecipient,
    EarlyIntervention,
)
from .documents import (  # noqa: F401
    MeetingDocument,
    meeting_document_path,
)
from .forums import (  # noqa: F401
    ForumOpinion,
)
from .meetings import (  # noqa: F401
    Meeting,
    MeetingEvent,
    MeetingMember,
)
from .minutes import (  # noqa: F401
    Attendance,
    Minutes,
    MinutesVersion,
)
from .motions import (  # noqa: F401
    MotionEvent,
    MotionVote,
    OwnersAssemblyMotion,
)
from .notices import (  # noqa: F401
    Notice,
    NoticeReceipt,
    NoticeSequence,
)
from .register import (  # noqa: F401
    DEFAULT_LARGE_FUND_AMOUNT,
    MeetingsPolicy,
    UnitOwnership,
)
from .summaries import (  # noqa: F401
    Summary,
    SummarySignature,
)

# Summary and attendance steps are recorded on the meeting; their vocabularies label
# its history too (the values do not collide; "draft" means the same in both).
MeetingEvent.STATE_LABELS = {
    **dict(Attendance.Status.choices),
    **dict(Summary.Status.choices),
    **dict(Meeting.Status.choices),
}
# A revoked 委托 (联席会议议事规则 第三条) changes the chair of the meetings scheduled under
# it (meetings/services/chairing.py::meetings_chair_after_revocation).
MeetingEvent.VERB_LABELS = {
    **MeetingEvent.VERB_LABELS,
    "chair_fallback": _("The community party head took back the chair (delegation revoked)"),
    "chair_needed": _("The delegation was revoked: the meeting needs a chair"),
}
