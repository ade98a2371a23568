"""Every state change of pledges, evidence, 三诺 and accountability.

seed: 小区党组织服务承诺; 物业管理委员会服务承诺 (第10条 问责退出, 第4条 满意度低于60%);
公示承诺制度 第四条 (年度服务承诺长期公示; 候选人"三诺"线上线下公示); 决策报告制度 第四条
(义务质量总监 定期开展监督检查, 提出整改意见).

Shape (STYLE.md): keyword-only arguments with ``actor`` first; permission check
(``rules``), validation raising ``ValidationError`` with a field → message dict,
``transaction.atomic``, one :class:`PledgeEvent` per change, notifications via
``notification_create`` inside the transaction (delivered after commit).

A package split along what each part serves (issue 15 item 2): ``common`` (limits and
the shared helpers), ``params`` (rule parameters), ``letters`` (letters and items),
``evidence_records`` (activities, inspections, findings), ``elections`` (三诺),
``accountability`` (问责退出) and ``evaluation`` (running the compliance engine).
Every public name is re-exported here, so ``from pledges import services`` and
``from pledges.services import X`` keep working.
"""

from ..measures import measures_of
from ..notices import notify_organization, organization_recipients
from .accountability import (
    accountability_open_for_low_satisfaction,
    accountability_scan_absences,
    case_decide,
    case_open,
)
from .care import CARE_ORGANIZER_KINDS, HOUSEHOLDS_MAX, care_service_record
from .common import (
    ABSENCE_LIMIT,
    CLOCKS,
    MEETING_KINDS,
    ONE_OFF_SOURCES,
    PERIOD_MONTHS,
    RATE_MEASURES,
    SATISFACTION_THRESHOLD,
    TEXT_MAX,
    TITLE_MAX,
)
from .elections import candidate_pledge_record, candidate_pledges_publish, election_create
from .evaluation import pledges_evaluate, pledges_evaluate_compound
from .evidence_records import (
    _finding_due,
    activity_record,
    finding_add,
    finding_escalate_overdue,
    finding_mark_fixed,
    inspection_record,
)
from .letters import (
    attestation_record,
    item_create,
    item_update,
    letter_create,
    letter_publish,
    letter_text,
    letter_update,
)
from .params import add_months, params_clean
from .patrol_opinions import (
    OPINION_MAX,
    OWNER_NAME_MAX,
    UNIT_MAX,
    patrol_opinion_dispose,
    patrol_opinion_record,
)
from .safety import (
    AREA_WORDS,
    areas_clean,
    finding_report_major,
    safety_areas_uncovered,
    safety_quarters,
)
from .supervisor import (
    SUPERVISOR_PATROL_MONTHS,
    SUPERVISOR_REPORT_ACK,
    quality_supervisors,
    supervisor_patrols_due,
    supervisor_patrols_missing,
    supervisor_report_acknowledge,
    supervisor_report_file,
    supervisor_reports_scan_overdue,
)

__all__ = [
    "ABSENCE_LIMIT",
    "AREA_WORDS",
    "CARE_ORGANIZER_KINDS",
    "CLOCKS",
    "HOUSEHOLDS_MAX",
    "MEETING_KINDS",
    "ONE_OFF_SOURCES",
    "OPINION_MAX",
    "OWNER_NAME_MAX",
    "PERIOD_MONTHS",
    "RATE_MEASURES",
    "SATISFACTION_THRESHOLD",
    "SUPERVISOR_PATROL_MONTHS",
    "SUPERVISOR_REPORT_ACK",
    "TEXT_MAX",
    "TITLE_MAX",
    "UNIT_MAX",
    "_finding_due",
    "accountability_open_for_low_satisfaction",
    "accountability_scan_absences",
    "activity_record",
    "add_months",
    "areas_clean",
    "attestation_record",
    "candidate_pledge_record",
    "candidate_pledges_publish",
    "care_service_record",
    "case_decide",
    "case_open",
    "election_create",
    "finding_add",
    "finding_escalate_overdue",
    "finding_mark_fixed",
    "finding_report_major",
    "inspection_record",
    "item_create",
    "item_update",
    "letter_create",
    "letter_publish",
    "letter_text",
    "letter_update",
    "measures_of",
    "notify_organization",
    "organization_recipients",
    "params_clean",
    "patrol_opinion_dispose",
    "patrol_opinion_record",
    "pledges_evaluate",
    "pledges_evaluate_compound",
    "quality_supervisors",
    "safety_areas_uncovered",
    "safety_quarters",
    "supervisor_patrols_due",
    "supervisor_patrols_missing",
    "supervisor_report_acknowledge",
    "supervisor_report_file",
    "supervisor_reports_scan_overdue",
]
