"""Every state change of the evaluation (评议监督考核制度) and the red/black list (红黑榜).

seed: 评议监督考核制度 第一条 (the street party working committee organizes, the
community party organization runs it, every December), 第二条 (the three
parties are evaluated), 第三条 (述职, democratic scoring at the review meeting,
criteria set by the street), 第四条 (the four areas), 第五条 (publicity, no
objection, street approval, circulation); 小区党组织服务承诺 第10条 (红黑榜).

Shape (STYLE.md): keyword-only arguments with the actor first; permission
check; ``select_for_update`` on the campaign; one :class:`CampaignEvent`;
notifications inside the transaction. Ballots are cast with a token, not a
login: the "actor" of a ballot is never recorded (anonymity, see models).
"""

# Split by what each part serves (issue 15 item 2); every name stays importable here.
from huashan.core.services import require_perm  # noqa: F401

from .. import evidence  # noqa: F401
from .ballots import (  # noqa: F401
    _hold,
    _shuffle,
    ballot_submit,
    ballots_flush,
    ballots_sweep,
    paper_entry_confirm,
    paper_entry_create,
    paper_entry_reject,
    scores_clean,
    turnout,
)
from .base import (  # noqa: F401
    BALLOT_POOL,
    DEFAULT_TEMPLATE,
    PMC_MEMBER_SATISFACTION_MIN,
    REPORT_PDF_MAX,
    REPORT_TEXT_MAX,
    RESULTS_PUBLIC_STATES,
    RESULTS_STATES,
    TEXT_MAX,
    TOKEN_BYTES,
    TRANSITION_PERMISSION,
    BallotRefused,
    CampaignStateError,
    Kind,
    State,
    _denied,
    _event,
    _lock,
    _notify_org,
    _officers,
    _require_rule,
    _scope,
    is_target_member,
    logger,
    may_approve,
    may_enter_paper,
    may_object,
    may_organize,
    may_prepare_referral,
    may_rate_quarter,
    may_submit_report,
    may_view_referral,
    may_view_results,
    may_view_staff,
    token_hash,
)
from .campaigns import (  # noqa: F401
    _require_editable,
    campaign_advance,
    campaign_create,
    campaign_settings_update,
    criterion_add,
    criterion_remove,
    target_add_member,
    target_report_submit,
)
from .documents import (  # noqa: F401
    _document_dispatch,
    document_current,
    document_render,
    document_version,
    documents_sweep,
)
from .objections import (  # noqa: F401
    objection_answer,
    objection_file,
)
from .redlist import (  # noqa: F401
    PASS_FROM,
    RATING_WEIGHTS,
    RED_FROM,
    _black_list_alarm,
    _survey_score,
    evidence_pct,
    previous_quarter,
    quarter_bounds,
    quarter_rate,
    quarter_rating_get,
    survey_submit,
)
from .referrals import (  # noqa: F401
    _quarter_snapshot,
    _referral_build,
    _referral_event,
    _referral_texts,
    quarters_rate_previous,
    referral_authorities,
    referral_failing_quarters,
    year_end_referral_create,
    year_end_referral_propose_motion,
    year_end_referral_submit,
    year_end_referral_year,
    year_end_referrals_scan,
)
from .reminders import (  # noqa: F401
    _december_remind,
    campaign_december_reminders,
)
from .results import (  # noqa: F401
    _low_satisfaction_members,
    _results_summary,
)
from .roster import (  # noqa: F401
    IssuedToken,
    evaluator_add,
    evaluator_for_token,
    evaluator_open_targets,
    tokens_issue,
)
from .slips import slips_current, slips_discard, slips_render, slips_request  # noqa: F401
from .supervisor import supervisor_opinion_submit  # noqa: F401
