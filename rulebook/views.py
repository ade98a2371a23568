"""小区制度: the compound's rules article by article, each with what the portal does for it
and its live figure (issue 18). Public, like the other boards; cached for a few minutes,
with the age of the figures on the page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from huashan.core import pagecache
from huashan.core.web import compound_from_request
from huashan.directory.models import Compound

from . import figures, status, text

#: Figures may be this old (seconds); the page says when they were computed.
FIGURES_MAX_AGE = 300


def _bucket() -> int:
    return int(timezone.now().timestamp()) // FIGURES_MAX_AGE


def _figures(compound: Compound) -> tuple[dict, object]:
    def build():
        return {"at": timezone.now(), "figures": figures.compound_figures(compound)}

    value = pagecache.cached("rulebook-figures", [compound.pk, _bucket()], build, FIGURES_MAX_AGE)
    return value["figures"], value["at"]


def _sections(compound: Compound) -> list[dict]:
    live, _at = _figures(compound)
    known = status.statuses()
    out = []
    for document in text.rulebook():
        out.append(
            {
                "document": document,
                "articles": [
                    {
                        "article": article,
                        "status": known.get(article.rule_id),
                        "figures": live.get(article.rule_id, []),
                    }
                    for article in document.articles
                ],
            }
        )
    return out


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """``/rules/``: the compound named by ``?compound=`` (else the portal's own)."""
    compound = compound_from_request(request)
    return redirect("rulebook:compound", compound_slug=compound.slug)


@require_GET
@pagecache.anonymous_page("rulebook", version=lambda request, **kw: _bucket(), timeout=60)
def compound_rules(request: HttpRequest, compound_slug: str) -> HttpResponse:
    compound = compound_from_request(request, compound_slug)
    sections = _sections(compound)
    _live, computed_at = _figures(compound)
    return render(
        request,
        "rulebook/compound.html",
        {"compound": compound, "sections": sections, "computed_at": computed_at},
    )
