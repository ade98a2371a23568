"""``{% load work_summaries %}{% work_summary_flags compounds %}``: the half-year briefs and
annual summaries that are missing (overdue) or due soon, for the dashboards
(联席会议议事规则 第六条). ``compounds`` is one compound or a list; two queries in all."""

from __future__ import annotations

from django import template

from huashan.directory.models import Compound

from ..selectors import work_summaries_status

register = template.Library()


@register.inclusion_tag("meetings/_work_summary_flags.html")
def work_summary_flags(compounds):
    if isinstance(compounds, Compound):
        compounds = [compounds]
    compounds = list(compounds or [])
    status = work_summaries_status(compounds=compounds)
    rows = [
        {"compound": c, **row}
        for c in compounds
        for row in status.get(c.pk, [])
        if row["missing"] or row["due_soon"]
    ]
    return {"rows": rows, "many": len(compounds) > 1}
