"""HTML pages of pledges: the public pledge board and the staff pages.

Views are thin: they read through ``pledges.selectors``, change state only
through ``pledges.services`` and map the services' exceptions to pages:
``ValidationError`` → errors next to the fields (nothing typed is lost),
``PermissionDenied`` → 403.

seed: 公示承诺制度 第四条 (年度服务承诺 长期公示; 候选人"三诺"线上线下公示; 建立承诺履诺监督
管理); 小区党组织服务承诺; 物业管理委员会服务承诺 (第10条 问责退出); 决策报告制度 第四条.

A package split along what each part serves (issue 15 item 2): ``common`` (the
helpers and the sentences made of the engine's figures), ``public`` (the board, letters,
evidence and candidates), ``staff_letters``, ``staff_evidence``, ``staff_elections`` (三诺)
and ``staff_accountability`` (问责退出). Every view is re-exported here, so
``pledges/urls.py`` and ``from pledges import views`` keep working.
"""

from .common import (
    CLOCK_LABELS,
    PDF_MAX_AGE,
    PDF_QUEUE_SECONDS,
    STAFF_LIST_SIZE,
    STATUS_CLASSES,
    figures_summary,
    logger,
)
from .public import (
    activity_detail,
    board,
    candidates,
    evidence,
    inspection_detail,
    letter_detail,
    letter_pdf,
)
from .staff_accountability import case_detail, case_list
from .staff_elections import election_detail, election_list
from .staff_evidence import (
    activity_list,
    activity_new,
    care_service_new,
    inspection_list,
    inspection_manage,
    inspection_new,
)
from .staff_letters import (
    item_attest,
    item_edit,
    letter_manage,
    letter_new,
    letter_publish,
    staff_home,
)

__all__ = [
    "CLOCK_LABELS",
    "PDF_MAX_AGE",
    "PDF_QUEUE_SECONDS",
    "STAFF_LIST_SIZE",
    "STATUS_CLASSES",
    "activity_detail",
    "activity_list",
    "activity_new",
    "board",
    "candidates",
    "care_service_new",
    "case_detail",
    "case_list",
    "election_detail",
    "election_list",
    "evidence",
    "figures_summary",
    "inspection_detail",
    "inspection_list",
    "inspection_manage",
    "inspection_new",
    "item_attest",
    "item_edit",
    "letter_detail",
    "letter_manage",
    "letter_new",
    "letter_pdf",
    "letter_publish",
    "logger",
    "staff_home",
]
