"""The public board of complaints (问题办理进展) and its cached fragment."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from huashan.core import pagecache

from .. import selectors
from ..forms import (
    BoardFilterForm,
)
from ._common import (
    BOARD_FILTERS,
    BOARD_PAGE_SIZE,
    PUBLIC_CACHE_SECONDS,
    RATES_DAYS,
    _compound,
    _reporter_label,
)

# --- public board and feed -----------------------------------------------------------------


def _board_filters(request: HttpRequest) -> dict[str, str]:
    """The board's filters as sent, trimmed; unknown parameters are dropped (they
    would only multiply cache entries)."""
    filters = {}
    for name in BOARD_FILTERS:
        value = str(request.GET.get(name, "")).strip()[:40]
        if value:
            filters[name] = value
    return filters


def _page_number(raw) -> int:
    """``?page=`` as the paginator will read it (garbage → 1; out of range → last page)."""
    try:
        return max(min(int(str(raw or "1").strip()[:12]), 10**9), -1)
    except ValueError:
        return 1


def _board_fragment(compound, filters: dict[str, str], page_number: int) -> str:
    """The board below its heading: the three rates, the filter form and one page of
    issues — the same for every visitor (no CSRF token, no user), so it is cached."""
    data = QueryDict(mutable=True)
    data.update(filters)
    form = BoardFilterForm(data if filters else None, compound=compound)
    issues = selectors.issue_public_board(compound=compound, **(form.filters() if filters else {}))
    page = Paginator(issues, BOARD_PAGE_SIZE).get_page(page_number)
    for issue in page.object_list:
        issue.reporter_label = _reporter_label(issue)
    now = timezone.now()
    rates = selectors.issue_rates(
        compound=compound, start=now - dt.timedelta(days=RATES_DAYS), end=now
    )
    query = QueryDict(mutable=True)
    query.update({"compound": compound.slug, **filters})
    return render_to_string(
        "issues/_board_list.html",
        {
            "compound": compound,
            "form": form,
            "page": page,
            "rates": [
                (label, None if value is None else value * 100, selectors.FORMULAS[key])
                for key, label, value in (
                    ("response_rate", _("Response rate"), rates.response_rate),
                    ("resolution_rate", _("Resolution rate"), rates.resolution_rate),
                    ("satisfaction_rate", _("Satisfaction rate"), rates.satisfaction_rate),
                )
            ],
            "rates_note": selectors.RATES_NOTE,
            "rates_days": RATES_DAYS,
            "query": query.urlencode(),
        },
    )


@require_GET
@pagecache.anonymous_page("issues-board", lambda request: selectors.issue_public_version())
def board(request: HttpRequest) -> HttpResponse:
    """Public board: residents' public issues, reporter masked, with the three rates.

    seed: 公示承诺制度 第一条 / 第四条 (progress and the three parties' consultation
    result are public, timely). The list, the rates and the filter form are cached
    per (compound, filters, page, newest complaint event): a hit runs two small
    queries (the compound, the version) and any change shows on the next request.
    """
    compound = _compound(request)
    filters = _board_filters(request)
    page_number = _page_number(request.GET.get("page"))
    fragment = pagecache.cached(
        "issues-board",
        [compound.pk, selectors.issue_public_version(), sorted(filters.items()), page_number],
        lambda: _board_fragment(compound, filters, page_number),
        timeout=PUBLIC_CACHE_SECONDS,
    )
    return render(request, "issues/board.html", {"compound": compound, "fragment": fragment})
