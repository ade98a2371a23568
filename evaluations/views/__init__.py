"""HTML pages of the evaluation (``evaluations:``), included at ``/evaluations/``.

Views are thin: reads through ``evaluations.selectors`` / ``results``, writes
through ``evaluations.services``. ``ValidationError`` → messages next to the
fields with what was typed kept; ``PermissionDenied`` → 403.

seed: 评议监督考核制度 第三条 (review meeting, 述职, democratic scoring), 第五条
(publicity, objections, approval, circulation); 小区党组织服务承诺 第10条 (红黑榜).

Split by what each part serves (issue 15 item 2); every view stays importable here.
"""

from .ballots import BALLOT_MISS_WINDOW_SECONDS, BALLOT_MISSES, ballot
from .campaigns import (
    ACTION_FORMS,
    MANAGE_ACTIONS,
    campaign_action,
    campaign_create,
    campaign_list,
    campaign_manage,
)
from .documents import slips_pdf, target_evidence, target_evidence_pdf, target_report
from .paper import paper_check, paper_enter
from .redblack import (
    redblack,
    referral_action,
    referral_create,
    referral_detail,
    referral_pdf,
)
from .results import results, results_pdf, results_xlsx

__all__ = [
    "ACTION_FORMS",
    "BALLOT_MISSES",
    "BALLOT_MISS_WINDOW_SECONDS",
    "MANAGE_ACTIONS",
    "ballot",
    "campaign_action",
    "campaign_create",
    "campaign_list",
    "campaign_manage",
    "paper_check",
    "paper_enter",
    "redblack",
    "referral_action",
    "referral_create",
    "referral_detail",
    "referral_pdf",
    "results",
    "results_pdf",
    "results_xlsx",
    "slips_pdf",
    "target_evidence",
    "target_evidence_pdf",
    "target_report",
]
