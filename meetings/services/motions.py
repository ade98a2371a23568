"""Owners' assembly motions (业主大会议案), one module per thing served (issue 15 item 2):

- ``motion_drafting``: proposal by the working group, the PMC's deliberation, the party
  organizations' review, the linked decision report, withdrawal;
- ``owner_register``: the register of exclusive units and owners the vote counts by;
- ``motion_voting``: opening the vote, online and paper ballots, extending the vote;
- ``motion_results``: the tally at the close and the published decision and result.

The names are re-exported here so that ``from meetings.services import motions`` and
``from meetings.services.motions import X`` keep working.

seed: 协同联动解决小区事务流程 第二条 ("业主大会决议的程序进行，同时对决策事项和实施结果予以公开");
物业管理委员会服务承诺 第6条 ("重大事项……必须经业主大会表决，杜绝擅自决策"); 民法典 第二百七十八条;
最高人民法院《关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第八条、第九条.
"""

from .motion_drafting import (  # noqa: F401
    _amount,
    _check_report,
    motion_link_report,
    motion_party_review,
    motion_pmc_deliberate,
    motion_propose,
    motion_withdraw,
)
from .motion_results import (  # noqa: F401
    _absolute_link,
    _decision_markdown,
    _pmc,
    counted_votes,
    motion_close_vote,
    motion_publish_result,
    motion_tally,
)
from .motion_voting import (  # noqa: F401
    RECEIPT_ALPHABET,
    _create_vote,
    _new_receipt,
    _register_totals_checked,
    _tell_owners_vote_open,
    _vote_checks,
    motion_extend_vote,
    motion_open_vote,
    motion_paper_confirm,
    motion_paper_enter,
    motion_vote_cast,
)
from .owner_register import (  # noqa: F401
    compound_owner_totals,
    compound_register_totals,
    owned_units,
    owner_register,
    owners_to_tell,
    register_set_unit,
)
