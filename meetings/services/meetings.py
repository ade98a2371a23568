"""Meetings, one module per thing served (issue 15 item 2):

- ``scheduling``: scheduling, changing, cancelling and holding a meeting, recording one
  afterwards (补录), and the monthly reminder when no joint meeting is scheduled;
- ``chairing``: who chairs a joint meeting (the community party head or the compound party
  head entrusted by them, 第三条);
- ``members``: members and observers (列席), and attendance;
- ``street_referrals``: taking a complaint beyond the compound to the street joint meeting
  (协同联动 第四条).

The names are re-exported here so that ``from meetings.services.meetings import X`` and
``from meetings.services import meetings`` keep working.

seed: 联席会议议事规则 第一—四条; 小区党组织服务承诺 1; 协同联动解决小区事务流程 第四条、第六条.
"""

from ._common import _meeting_permission  # noqa: F401
from .chairing import (  # noqa: F401
    CHAIR_MESSAGE,
    CONVENER_MESSAGE,
    _chair_allowed,
    _default_chair,
    _joint_chair,
)
from .members import (  # noqa: F401
    STREET_MEMBER_KINDS,
    STREET_OBSERVER_KINDS,
    _street_meeting_rows,
    attendance_record,
    meeting_member_add,
    meeting_member_remove,
    meeting_members_derive,
)
from .scheduling import (  # noqa: F401
    _clean_new_meeting,
    _record_creation,
    _reminder_day,
    _validate_past_start,
    _validate_schedule,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule_scan,
    meeting_update,
)
from .street_referrals import (  # noqa: F401
    _HELD_STATES,
    PROPOSAL_MAX,
    STREET_TIERS,
    _referral_issue_event,
    _referral_link,
    street_joint_meeting_convene,
    street_referral_conclude,
    street_referral_propose,
    street_referral_request,
)
