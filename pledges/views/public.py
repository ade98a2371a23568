"""Public pledge pages: the board, a letter (and its PDF), the evidence, the candidates.

seed: 公示承诺制度 第四条 (年度服务承诺 长期公示; 候选人"三诺"线上线下公示)."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from huashan.core import pagecache
from huashan.core.documents import dispatch_once
from huashan.core.web import requested_compound_slug

from .. import selectors
from ..models import Inspection, PatrolOpinion, PledgeLetter
from .common import (
    PDF_MAX_AGE,
    PDF_QUEUE_SECONDS,
    STAFF_LIST_SIZE,
    _compound,
    _item_rows,
    _year,
)

# --- public pages -----------------------------------------------------------------


def _board_body(compound, year: int, compound_given: bool) -> str:
    """The whole board below the site header, rendered (the same for every visitor)."""
    statuses = [
        s
        for s in selectors.pledge_item_statuses(compound=compound, year=year)
        if s.letter.published
    ]
    letters: dict[int, dict] = {}
    for status in _item_rows(statuses):
        entry = letters.setdefault(
            status.letter.pk,
            {"letter": status.letter, "organization": status.organization, "items": []},
        )
        entry["items"].append(status)
    today = timezone.localdate()
    return render_to_string(
        "pledges/_board_body.html",
        {
            "compound": compound,
            "compound_given": compound_given,
            "year": year,
            "letters": list(letters.values()),
            "years": range(today.year, today.year - 3, -1),
        },
    )


def _board_page_version(request: HttpRequest):
    """The whole-page cache's version for anonymous visitors: the board's own version and
    the red/black list's, both read with the compound (one query)."""
    compound = selectors.board_compound(slug=requested_compound_slug(request), year=_year(request))
    if compound is None:
        return None
    return (*compound.board_version, *compound.redlist_version)


@require_GET
@pagecache.anonymous_page("pledge-board", _board_page_version)
def board(request: HttpRequest) -> HttpResponse:
    """The public pledge board: each organization's letter with each item's current status.

    seed: 公示承诺制度 第四条 (年度服务承诺 公示期限一般为长期); both pledge letters
    ("接受全体业主监督").

    Nothing on it depends on the visitor, so the rendered body is cached per compound,
    year and the board version read with the compound (``selectors.board_compound``): a
    hit runs one query, and a recomputed result or a changed item is visible on the next
    request.
    """
    year = _year(request)
    compound = selectors.board_compound(slug=requested_compound_slug(request), year=year)
    if compound is None:
        raise Http404(gettext("No such compound."))
    compound_given = bool(request.GET.get("compound"))
    body = pagecache.cached(
        "pledge-board",
        (compound.pk, year, compound_given, *compound.board_version),
        lambda: _board_body(compound, year, compound_given),
    )
    return render(
        request,
        "pledges/board.html",
        # mark_safe: the body is our own autoescaped template's output.
        {
            "compound": compound,
            "year": year,
            "board_body": mark_safe(body),
            "redlist": _redlist(compound),
        },
    )


#: Quarters of the red/black list shown under the pledges (a year of them).
REDLIST_QUARTERS = 4


def _redlist(compound) -> list:
    """小区党组织服务承诺 第10条 "建立物业服务'红黑榜'季度考评机制": the latest quarters'
    verdicts stand on the pledge board next to the pledge they keep (one query; read live,
    outside the cached body, so a new rating shows at once)."""
    from evaluations.models import QuarterRating

    return list(
        QuarterRating.objects.filter(compound=compound)
        .exclude(verdict=QuarterRating.Verdict.PENDING)
        .select_related("company")
        .order_by("-year", "-quarter")[:REDLIST_QUARTERS]
    )


def _public_letter(pk: int) -> PledgeLetter:
    letter = (
        PledgeLetter.objects.select_related("organization", "compound")
        .filter(pk=pk, published=True)
        .first()
    )
    if letter is None:
        raise Http404(gettext("No such letter."))
    return letter


@require_GET
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One letter, verbatim, with each item's status and its history by period."""
    letter = _public_letter(pk)
    rows = _item_rows(selectors.letter_board(letter=letter))
    return render(
        request,
        "pledges/letter.html",
        {"letter": letter, "compound": letter.compound, "rows": rows},
    )


@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable letter with statuses (``pledges/pdf.py``).

    PDFs are rendered by the Celery task ``letter_pdf_generate``, never in a web
    request (DESIGN.md §4): a stored PDF younger than ``PDF_MAX_AGE`` is served;
    otherwise the render is queued (once per ``PDF_QUEUE_SECONDS``) and a page
    that refreshes itself says it is being prepared.
    """
    letter = _public_letter(pk)
    fresh = (
        letter.pdf
        and letter.pdf_generated_at
        and (timezone.now() - letter.pdf_generated_at < PDF_MAX_AGE)
    )
    if fresh:
        try:
            handle = letter.pdf.open("rb")
        except OSError:
            handle = None
        if handle is not None:
            return FileResponse(
                handle,
                content_type="application/pdf",
                filename=f"pledge-{letter.year}-{letter.pk}.pdf",
            )
    from ..tasks import letter_pdf_generate

    # Once per PDF_QUEUE_SECONDS; a broker outage only means the page keeps waiting.
    dispatch_once(
        f"pledges:pdf-queued:{letter.pk}", PDF_QUEUE_SECONDS, letter_pdf_generate, letter.pk
    )
    return render(
        request,
        "pledges/pdf_wait.html",
        {"letter": letter, "compound": letter.compound, "refresh": 5},
        status=202,
    )


@require_GET
def evidence(request: HttpRequest) -> HttpResponse:
    """Public summaries of the evidence kept here: activities and inspections (no names)."""
    compound = _compound(request)
    year = _year(request)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    activities = selectors.activities_for(compound=compound, start=start, end=end)
    inspections = selectors.inspections_for(compound=compound, start=start, end=end)
    return render(
        request,
        "pledges/evidence.html",
        {
            "compound": compound,
            "year": year,
            "activities": list(activities[:STAFF_LIST_SIZE]),
            "inspections": list(inspections[:STAFF_LIST_SIZE]),
            # 小区党组织服务承诺 第9条 "联动物业提供独居老人关爱、儿童托管等便民服务"
            "care": selectors.care_services_of_year(compound=compound, year=year),
            # 决策报告制度 第四条: the owners' opinions heard on patrols and what became of them
            "opinions": _patrol_opinions(compound, start, end),
        },
    )


def _patrol_opinions(compound, start: dt.date, end: dt.date) -> list:
    """The year's owners' opinions from quality supervisor patrols, for the public page.

    Only the opinion, the building, the company's answer and the complaint it became are
    shown: the model keeps the owner's consent to give their name to the supervisor, not to
    see it published, so no name (and no unit) appears here. One query.
    """
    return list(
        PatrolOpinion.objects.filter(
            inspection__compound=compound,
            inspection__kind=Inspection.Kind.SUPERVISOR_PATROL,
            inspection__inspected_on__range=(start, end),
        )
        .select_related("inspection", "building", "issue")
        .order_by("-inspection__inspected_on", "created_at", "pk")[:STAFF_LIST_SIZE]
    )


@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    compound = _compound(request)
    activity = get_object_or_404(
        selectors.activities_for(compound=compound).select_related("organization"), pk=pk
    )
    return render(
        request,
        "pledges/activity.html",
        {"compound": compound, "activity": activity, "photos": list(activity.photos.all())},
    )


@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    compound = _compound(request)
    inspection = get_object_or_404(
        selectors.inspections_for(compound=compound).select_related("organization"), pk=pk
    )
    return render(
        request,
        "pledges/inspection.html",
        {
            "compound": compound,
            "inspection": inspection,
            "findings": list(inspection.findings.all()),
        },
    )


@require_GET
def candidates(request: HttpRequest) -> HttpResponse:
    """The candidates' 三诺, published (seed: 公示承诺制度 第四条)."""
    compound = _compound(request)
    pledges = selectors.candidate_pledges_for(compound=compound, published_only=True)
    elections: dict[int, dict] = {}
    for pledge in pledges.select_related("election", "candidate"):
        entry = elections.setdefault(
            pledge.election_id, {"election": pledge.election, "people": {}}
        )
        entry["people"].setdefault(
            pledge.candidate_id, {"name": pledge.candidate.name, "pledges": []}
        )
        entry["people"][pledge.candidate_id]["pledges"].append(pledge)
    groups = [
        {"election": e["election"], "people": list(e["people"].values())}
        for e in elections.values()
    ]
    return render(request, "pledges/candidates.html", {"compound": compound, "groups": groups})
