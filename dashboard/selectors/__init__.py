"""Dashboard reads, built only from the other apps' selectors (DESIGN.md §3).

* :func:`compound_dashboard` — one compound, live: a constant number of queries
  whatever the number of complaints, items or disclosures (each app selector it calls
  is constant; tests assert it at two data sizes).
* :func:`group_comparison` — the same figures per compound side by side plus 12-month
  trends, for a community or a street. It reads the monthly roll-up
  (:class:`~dashboard.models.CompoundSnapshot`, written by the beat task
  ``dashboard.snapshots_refresh`` from :func:`snapshot_figures`), so it runs two
  queries whatever the number of compounds: no per-compound loop in a request.
* :func:`summary_figures` — what a work summary prints for a period (seed: 联席会议议事规则
  第六条).

Every figure carries the URL name and query of the list behind it (:class:`Figure`).

A package since issue 15 item 2 (one module per thing it serves): ``base`` (figure keys,
value types, periods, who sees which places), ``compound`` (the compound dashboard),
``comparison`` (monthly roll-up and comparisons), ``summaries`` (work summaries). Every
name is re-exported here, so ``from dashboard import selectors`` keeps working.
"""

from .base import (  # noqa: F401
    COMMUNITY_DASHBOARD_KINDS,
    COMPOUND_DASHBOARD_KINDS,
    FIGURE_COLUMNS,
    STREET_DASHBOARD_KINDS,
    TREND_KEYS,
    TREND_MONTHS,
    ActionItemRow,
    Column,
    Comparison,
    ComparisonRow,
    CompoundDashboard,
    EvaluationRow,
    EvaluationSummary,
    Figure,
    JointMeetingStatus,
    Kind,
    Period,
    RateRow,
    TierRow,
    TrendSeries,
    _day_start,
    _fig,
    _json_value,
    add_months,
    format_value,
    group_compounds,
    month_start,
    period_parse,
    trend_months,
    visible_communities,
    visible_compounds,
    visible_streets,
)
from .comparison import (  # noqa: F401
    LIVE_KEYS,
    _overlay_live,
    compound_trend,
    group_comparison,
    month_figures,
    snapshot_figures,
)
from .compound import (  # noqa: F401
    JOINT_STATUS_LABELS,
    _action_items,
    _cases,
    _complaint_figures,
    _disclosures,
    _evaluation,
    _joint_meeting,
    _pledges,
    _rates,
    compound_dashboard,
)
from .summaries import (  # noqa: F401
    _period_issue_counts,
    summary_figures,
    work_summary_detail,
    work_summary_events,
    work_summary_list,
)
