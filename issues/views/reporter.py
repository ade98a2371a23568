"""Tracking a complaint and the reporter's pages: detail, confirm, reopen, reply, rate, mine
(公示承诺制度 第一条 and 第四条: progress is public and timely).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.core import pagecache
from huashan.core.services import cache_count, cache_count_hit
from huashan.core.web import requested_compound_slug

from .. import selectors, services
from ..forms import (
    ReopenForm,
    ReporterNoteForm,
    SatisfactionForm,
    TrackForm,
)
from ..models import (
    Issue,
    Satisfaction,
)
from ._common import (
    BOARD_PAGE_SIZE,
    PUBLIC_CACHE_SECONDS,
    TRACK_ATTEMPTS,
    TRACK_WINDOW_SECONDS,
    _apply_validation_error,
    _client_key,
    _clocks,
    _compound,
    _labelled,
    _rate_limited,
    _remember_code,
    _reporter_label,
    _require_reporter,
    reporter_access,
)

# --- tracking and the reporter's pages ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Tracking number + code → the reporter's view. A wrong pair gets one generic
    message (no enumeration); failures are limited per client."""
    form = TrackForm(request.POST or None)
    if request.method == "POST":
        key = f"issues:track:{_client_key(request)}"
        if cache_count(key) >= TRACK_ATTEMPTS:
            return _rate_limited(request)
        if form.is_valid():
            number = form.cleaned_data["tracking_number"]
            code = form.cleaned_data["code"]
            issue = selectors.issue_find_by_tracking(tracking_number=number, code=code)
            if issue is not None:
                _remember_code(request, issue.tracking_number, code)
                return redirect("issues:detail", issue.tracking_number)
            cache_count_hit(key, TRACK_WINDOW_SECONDS)
            form.add_error(
                None,
                gettext(
                    "The tracking number and code do not match any issue. Check both and try again."
                ),
            )
    return render(request, "issues/track.html", {"form": form})


def _detail_page_version(request: HttpRequest, tracking_number: str):
    """The anonymous whole-page cache's version: the compound and the issue's public stamp
    (the same query that decides 404), or None when there is no such public issue. One
    query: the compound is matched by its slug inside the stamp's query (issue 20: a hit
    cost two queries, the compound's row and then the stamp)."""
    stamp = selectors.issue_public_stamp(
        compound_slug=requested_compound_slug(request), tracking_number=tracking_number
    )
    if stamp is None:
        return None
    return (
        stamp["compound_id"],
        stamp["pk"],
        stamp["newest_event"],
        stamp["last_public_update_at"],
        stamp["status"],
    )


@require_GET
@pagecache.anonymous_page("issues-detail", _detail_page_version, timeout=PUBLIC_CACHE_SECONDS)
def detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The reporter's full view; anyone else gets the public, masked view (or 404).

    A visitor with no session at all (never the reporter: an anonymous reporter's code
    lives in the session) gets the whole page from the anonymous page cache; for them
    "me too" is a link to the filing form, where an anonymous "me too" starts anyway
    (it needs the mobile number typed there), so the page carries no CSRF token.
    """
    access = reporter_access(request, tracking_number)
    if access is not None:
        issue = access.issue
        return render(
            request,
            "issues/detail.html",
            {
                "issue": issue,
                "tracking_number": issue.tracking_number,
                "is_reporter": True,
                "timeline": _labelled(selectors.issue_public_timeline(issue=issue)),
                "photos": list(issue.photos.all()),
                "clocks": _clocks(issue),
                "reply_form": ReporterNoteForm(),
                "reopen_form": ReopenForm(),
                "can_rate": _can_rate(issue),
                "can_manage": False,
            },
        )
    user = request.user
    if (
        user.is_authenticated
        and selectors.issue_visible_to(person=user).filter(tracking_number=tracking_number).exists()
    ):
        return redirect("issues:staff_detail", tracking_number)
    compound = _compound(request)
    stamp = selectors.issue_public_stamp(compound=compound, tracking_number=tracking_number)
    if stamp is None:
        raise Http404(gettext("No such issue."))
    public_part = pagecache.cached(
        "issues-detail",
        [stamp["pk"], stamp["newest_event"], stamp["last_public_update_at"], stamp["status"]],
        lambda: _detail_public_part(compound, stamp["tracking_number"]),
        timeout=PUBLIC_CACHE_SECONDS,
    )
    return render(
        request,
        "issues/detail.html",
        {
            "tracking_number": stamp["tracking_number"],
            "is_reporter": False,
            "is_open": stamp["status"] in Issue.OPEN_STATES,
            "me_too_form": user.is_authenticated or settings.SESSION_COOKIE_NAME in request.COOKIES,
            "public_part": public_part,
        },
    )


def _detail_public_part(compound, tracking_number: str) -> str:
    """The masked public view of an issue (summary, clocks, resolution photos, public
    timeline): the same for every visitor, so it is cached; the "me too" form (with its
    CSRF token) is rendered around it. seed: 公示承诺制度 第一条 / 第四条."""
    issue = selectors.issue_public_detail(compound=compound, tracking_number=tracking_number)
    if issue is None:  # made private or merged between the two queries
        raise Http404(gettext("No such issue."))
    return render_to_string(
        "issues/_detail_public.html",
        {
            "issue": issue,
            "reporter_label": _reporter_label(issue),
            "timeline": _labelled(selectors.issue_public_timeline(issue=issue)),
            "photos": [p for p in issue.photos.all() if p.stage == "resolution"],
            "clocks": _clocks(issue),
        },
    )


def _can_rate(issue: Issue) -> bool:
    """Resolved or closed, and not yet rated since the (last) resolution."""
    if issue.status not in (Issue.Status.RESOLVED, Issue.Status.CLOSED):
        return False
    satisfaction = Satisfaction.objects.filter(issue=issue).first()
    return satisfaction is None or bool(
        issue.resolved_at and satisfaction.created_at < issue.resolved_at
    )


def _reporter_post(request, tracking_number, form_class, call, success) -> HttpResponse:
    access = _require_reporter(request, tracking_number)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(access, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, success)
            return redirect("issues:detail", tracking_number)
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    issue = access.issue
    return render(
        request,
        "issues/detail.html",
        {
            "issue": issue,
            "tracking_number": issue.tracking_number,
            "is_reporter": True,
            "timeline": _labelled(selectors.issue_public_timeline(issue=issue)),
            "photos": list(issue.photos.all()),
            "clocks": _clocks(issue),
            "reply_form": form if form_class is ReporterNoteForm else ReporterNoteForm(),
            "reopen_form": form if form_class is ReopenForm else ReopenForm(),
            "can_rate": _can_rate(issue),
        },
        status=400,
    )


class _NoFields(ReporterNoteForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.clear()


@require_POST
def reporter_confirm(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The reporter confirms the resolution: the issue closes."""
    return _reporter_post(
        request,
        tracking_number,
        _NoFields,
        lambda a, d: services.issue_confirm(
            actor=_actor(request), issue=a.issue, tracking_code=a.code
        ),
        gettext("Thank you: the issue is closed."),
    )


@require_POST
def reporter_reopen(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _reporter_post(
        request,
        tracking_number,
        ReopenForm,
        lambda a, d: services.issue_reopen(
            actor=_actor(request), issue=a.issue, reason=d["reason"], tracking_code=a.code
        ),
        gettext("The issue is open again; the responsible party has been told."),
    )


@require_POST
def reporter_reply(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _reporter_post(
        request,
        tracking_number,
        ReporterNoteForm,
        lambda a, d: services.issue_reporter_reply(
            actor=_actor(request), issue=a.issue, note=d["note"], tracking_code=a.code
        ),
        gettext("Your reply was sent."),
    )


def _actor(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The three questions (contacted? solved? satisfied?) and a comment.

    Unsatisfied or not solved: the page offers to reopen (once).
    seed: 评议监督考核制度 (satisfaction feeds the evaluation); pledge letters 第3条.
    """
    access = _require_reporter(request, tracking_number)
    issue = access.issue
    rateable = _can_rate(issue)
    satisfaction = None if rateable else Satisfaction.objects.filter(issue=issue).first()
    form = SatisfactionForm(request.POST or None)
    if request.method == "POST" and rateable and form.is_valid():
        try:
            satisfaction = services.satisfaction_record(
                actor=_actor(request),
                issue=issue,
                contacted=form.cleaned_data["contacted"],
                solved=form.cleaned_data["solved"],
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                tracking_code=access.code,
            )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("Thank you for your rating."))
            return redirect("issues:rate", tracking_number)
    offer_reopen = bool(
        satisfaction is not None
        and (not satisfaction.solved or satisfaction.rating == Satisfaction.Rating.UNSATISFIED)
        and services.reopen_refusal(issue) is None
    )
    return render(
        request,
        "issues/rate.html",
        {
            "issue": issue,
            "form": form,
            "satisfaction": satisfaction,
            "offer_reopen": offer_reopen,
            "reopen_form": ReopenForm(),
            "rateable": rateable,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    issues = selectors.issue_for_reporter(person=request.user)
    page = Paginator(issues, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "issues/mine.html", {"page": page})
