"""``{% setup_open_items place %}``: the dashboard card with the open setup items."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("provisioning/_dashboard_setup.html")
def setup_open_items(place):
    """The open count of every compound of ``place`` (a fixed number of queries)."""
    from dashboard.selectors.setup import setup_open_items as summary_of

    summary = summary_of(place=place)
    return {"total": summary.open, "rows": summary.rows}
