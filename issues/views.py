"""HTML pages for residents' complaints: filing, tracking, the public board, staff work.

Views are thin: they read through ``issues.selectors``, change state only
through ``issues.services`` and map the services' exceptions to pages:
``ValidationError`` → errors next to the fields (nothing typed is lost),
``PermissionDenied`` → 403, ``RateLimited`` → a Chinese 429 page.

seed: 协同联动解决小区事务流程 第一—五条 (the process); 公示承诺制度 第一条 and 第四条
(progress of residents' issues is public and timely); the pledge letters 第3条
(48 h response, progress feedback within 7 working days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.core import pagecache
from huashan.core.clientip import client_key
from huashan.directory.models import Organization, Residency, mask_mobile, mask_name
from huashan.directory.selectors import (
    compound_by_slug,
    compound_organizations,
    person_is_staff,
    person_memberships_current,
    person_residencies,
    person_staff_compounds,
)
from huashan.workdays import end_of_day, format_deadline

from . import selectors, services
from .forms import (
    PHOTOS_AGAIN,
    BoardFilterForm,
    BulkForm,
    ConsultationForm,
    HazardForm,
    IssueFilingForm,
    IssuePhotosForm,
    MergeForm,
    NoteForm,
    PlanForm,
    ProgressForm,
    QuestionForm,
    QueueFilterForm,
    RateSummonsForm,
    RejectForm,
    ReopenForm,
    ReporterNoteForm,
    ReportInForm,
    ResolveForm,
    SatisfactionForm,
    SupervisionForm,
    TierForm,
    TrackForm,
    TransferForm,
    WhistleForm,
)
from .models import (
    ClockPolicy,
    Issue,
    ResponseTemplate,
    Satisfaction,
    Whistle,
    WhistleSummons,
)

# Session keys. The filing draft lives in the session between step 1 (text)
# and step 2 (similar issues + photos): nothing typed is lost, and photos are
# chosen once, on the final step, so a text error never discards them.
SESSION_DRAFT = "issues_filing_draft"
SESSION_FILED = "issues_just_filed"
# Tracking codes this browser proved (anonymous reporters): {tracking_number: code}.
# The session is server-side; the code is needed again by the confirm / reopen /
# reply / rate services, which check it against the stored hash.
SESSION_CODES = "issues_tracking_codes"

TRACK_ATTEMPTS = 10
TRACK_WINDOW_SECONDS = 10 * 60
BOARD_PAGE_SIZE = 20
BOARD_FILTERS = ("category", "status", "tier", "building")
# Cached public fragments also show relative times ("3 minutes ago", countdowns):
# a minute bounds how stale those get; content changes are keyed by version.
PUBLIC_CACHE_SECONDS = 60
QUEUE_PAGE_SIZE = 50
RATES_DAYS = 30


# --- helpers -----------------------------------------------------------------------


def _compound(request: HttpRequest):
    slug = request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    compound = compound_by_slug(slug=str(slug)[:50])
    if compound is None:
        raise Http404(gettext("No such compound."))
    return compound


def _filing_compound(request: HttpRequest):
    """Where a complaint is filed: the logged-in resident's verified household's compound
    (``?compound=`` picks among several), else ``?compound=``, else the default compound."""
    user = request.user
    if user.is_authenticated:
        verified = [
            residency.household.building.compound
            for residency in person_residencies(person=user)
            if residency.status == Residency.Status.VERIFIED
        ]
        if verified:
            wanted = str(request.GET.get("compound") or "")[:50]
            return next((c for c in verified if c.slug == wanted), verified[0])
    return _compound(request)


def _hazard_days(compound) -> int:
    days = ClockPolicy.objects.filter(compound=compound).values_list("hazard_days", flat=True)
    return days.first() or ClockPolicy._meta.get_field("hazard_days").default


def _client_key(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"person:{request.user.pk}"
    return f"ip:{client_key(request)}"


def _apply_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (else on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def _rate_limited(request: HttpRequest, exc: Exception | None = None) -> HttpResponse:
    message = (
        " ".join(exc.messages)
        if isinstance(exc, ValidationError)
        else gettext("Too many attempts. Please wait ten minutes and try again.")
    )
    return render(request, "issues/rate_limited.html", {"message": message}, status=429)


def _remembered_code(request: HttpRequest, tracking_number: str) -> str | None:
    return request.session.get(SESSION_CODES, {}).get(tracking_number)


def _remember_code(request: HttpRequest, tracking_number: str, code: str) -> None:
    codes = dict(request.session.get(SESSION_CODES, {}))
    codes[tracking_number] = code
    request.session[SESSION_CODES] = codes


@dataclass
class ReporterAccess:
    issue: Issue
    code: str | None  # the tracking code for anonymous reporters, None when logged in


def reporter_access(request: HttpRequest, tracking_number: str) -> ReporterAccess | None:
    """The issue if the visitor is its reporter (logged in, or holding the code)."""
    user = request.user
    if user.is_authenticated:
        issue = (
            selectors.issue_for_reporter(person=user)
            .filter(tracking_number=tracking_number)
            .first()
        )
        if issue is not None:
            return ReporterAccess(issue=issue, code=None)
    code = _remembered_code(request, tracking_number)
    if code:
        issue = selectors.issue_find_by_tracking(tracking_number=tracking_number, code=code)
        if issue is not None:
            return ReporterAccess(issue=issue, code=code)
    return None


def _require_reporter(request: HttpRequest, tracking_number: str) -> ReporterAccess:
    access = reporter_access(request, tracking_number)
    if access is None:
        raise Http404(gettext("No such issue."))
    return access


def _feedback_policy(issue: Issue):
    """How the next progress update is counted: the compound's policy (legacy: its own)."""
    policy = ClockPolicy.objects.filter(compound_id=issue.compound_id).first() or ClockPolicy(
        compound_id=issue.compound_id
    )
    clocks = services.clocks_for(policy)
    return clocks.legacy if issue.tier == Issue.Tier.LEGACY else clocks.feedback


def _clocks(issue: Issue) -> dict[str, Any]:
    """What the resident sees of the clocks: the next feedback due and how it is counted."""
    if not issue.is_open:
        return {}
    now = timezone.now()
    clocks: dict[str, Any] = {
        "paused": issue.paused_at is not None,
        "legacy": issue.tier == Issue.Tier.LEGACY,
    }

    def put(name: str, due) -> None:
        # The formatted deadline, the datetime (for the countdown) and whether it passed.
        clocks[f"{name}_due"] = format_deadline(due)
        clocks[f"{name}_due_at"] = due
        clocks[f"{name}_overdue"] = due <= now

    if issue.feedback_due:
        put("feedback", issue.feedback_due)
        clocks["feedback_rule"] = _feedback_policy(issue).describe()
    if issue.status == Issue.Status.SUBMITTED and issue.response_due:
        put("response", issue.response_due)
    if issue.hazard_due:
        put("hazard", issue.hazard_due)
    if issue.plan_due and not issue.plan_given_at:
        put("plan", issue.plan_due)
    return clocks


def _reporter_label(issue: Issue) -> str:
    # reporter_name is filled at submission (also from the account): no join needed.
    return mask_name(issue.reporter_name) or gettext("a resident")


# Events whose actor is a resident (the reporter or a "me too" neighbour).
RESIDENT_VERBS = frozenset({"submit", "me_too", "reporter_reply", "rate", "reopen", "confirm"})


def _labelled(events, *, actors: bool = False, show_residents: bool = False) -> list:
    """Events (templates show ``event.verb_label`` / ``event.phrase``, from
    ``IssueEvent.VERB_LABELS``: never the verb) and, for staff pages, who acted —
    residents' names only where the viewer may see the reporter."""
    events = list(events)
    for event in events:
        hide = not actors or (event.verb in RESIDENT_VERBS and not show_residents)
        event.actor_label = "" if hide or event.actor_id is None else event.actor.name
    return events


# --- filing (two steps) ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def issue_file(request: HttpRequest) -> HttpResponse:
    """Step 1: what, where, who. Valid input goes to the session, then step 2.

    seed: 协同联动 第一条; 公示承诺制度 第一条 (the resident chooses what is public).
    """
    compound = _filing_compound(request)
    anonymous = not request.user.is_authenticated
    draft = request.session.get(SESSION_DRAFT)
    hazard_days = _hazard_days(compound)
    # The form's idempotency key: a missing, malformed or oversized one is replaced.
    key = services.idempotency_key_new()
    if request.method == "POST":
        form = IssueFilingForm(
            request.POST, compound=compound, anonymous=anonymous, hazard_days=hazard_days
        )
        posted = services.idempotency_key_clean(request.POST.get("idempotency_key"))
        try:
            replay = services.issue_submit_replay(actor=request.user, idempotency_key=posted)
        except ValidationError as exc:
            form.is_valid()
            _apply_validation_error(form, exc)
        else:
            if replay is not None:
                return _show_filed(request, replay)  # this form was sent already
            key = posted or key
            if form.is_valid():
                request.session[SESSION_DRAFT] = {
                    "compound": compound.pk,
                    "anonymous": anonymous,
                    "data": form.draft(),
                    "idempotency_key": key,
                }
                return redirect(f"{reverse('issues:file_confirm')}?compound={compound.slug}")
    elif draft and draft.get("compound") == compound.pk and draft.get("anonymous") == anonymous:
        # "Change what I wrote" from step 2: the form comes back filled in.
        form = IssueFilingForm(
            initial=draft["data"], compound=compound, anonymous=anonymous, hazard_days=hazard_days
        )
        key = services.idempotency_key_clean(draft.get("idempotency_key")) or key
    else:
        form = IssueFilingForm(compound=compound, anonymous=anonymous, hazard_days=hazard_days)
    return render(
        request,
        "issues/file.html",
        {"form": form, "compound": compound, "step": 1, "idempotency_key": key},
    )


def _show_filed(request: HttpRequest, result) -> HttpResponse:
    """The "received" page for a complaint just filed, or filed before with this form's key."""
    issue = result.issue
    draft = request.session.get(SESSION_DRAFT)
    if draft is not None and (
        not result.replayed or draft.get("idempotency_key") == issue.idempotency_key
    ):
        del request.session[SESSION_DRAFT]
    if result.tracking_code:
        _remember_code(request, issue.tracking_number, result.tracking_code)
    request.session[SESSION_FILED] = {
        "tracking_number": issue.tracking_number,
        # A replay cannot show a code it never stored, only one this browser remembers.
        "code": result.tracking_code or _remembered_code(request, issue.tracking_number) or "",
        "replayed": result.replayed,
        # Anonymous without contact details: the code is the only way back.
        "no_contact": not issue.reporter_id and not issue.reporter_phone,
    }
    return redirect("issues:file_done")


def _draft_form(request: HttpRequest, compound) -> IssueFilingForm | None:
    draft = request.session.get(SESSION_DRAFT)
    anonymous = not request.user.is_authenticated
    if not draft or draft.get("compound") != compound.pk or draft.get("anonymous") != anonymous:
        return None
    return IssueFilingForm(
        draft["data"], compound=compound, anonymous=anonymous, hazard_days=_hazard_days(compound)
    )


@require_http_methods(["GET", "POST"])
def issue_file_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: open issues that look the same ("me too"), the photos, and submit.

    The text of step 1 is re-validated from the session (a category may have
    been deactivated meanwhile); an error there sends the resident back to
    step 1 with everything filled in.
    """
    compound = _filing_compound(request)
    form = _draft_form(request, compound)
    if form is None:
        if request.method == "POST":
            # The draft is gone because this form was sent: show what it filed.
            try:
                replay = services.issue_submit_replay(
                    actor=request.user, idempotency_key=request.POST.get("idempotency_key")
                )
            except ValidationError:
                replay = None
            if replay is not None:
                return _show_filed(request, replay)
        messages.warning(request, gettext("Please fill in the form first."))
        return redirect(f"{reverse('issues:file')}?compound={compound.slug}")
    draft_key = services.idempotency_key_clean(
        request.session[SESSION_DRAFT].get("idempotency_key")
    ) or services.idempotency_key_clean(request.POST.get("idempotency_key"))
    step1 = {"compound": compound, "step": 1, "idempotency_key": draft_key}
    if not form.is_valid():
        return render(request, "issues/file.html", {"form": form, **step1})
    data = form.cleaned_data
    similar = [
        issue
        for issue in selectors.issue_similar_open(
            compound=compound,
            category=data["category"],
            building=data.get("building"),
            description=data["description"],
        )
        if issue.is_public
    ]
    photos_form = IssuePhotosForm()
    if request.method == "POST":
        photos_form = IssuePhotosForm(request.POST, request.FILES)
        if photos_form.is_valid():
            try:
                result = services.issue_submit(
                    actor=request.user if request.user.is_authenticated else None,
                    compound=compound,
                    category=data["category"],
                    description=data["description"],
                    building=data.get("building"),
                    unit=data.get("unit", ""),
                    location_text=data.get("location_text", ""),
                    is_public=data.get("is_public", False),
                    # Ticked: a hazard; not ticked: as the category says (never unflags).
                    is_hazard=True if data.get("is_hazard") else None,
                    share_identity=data.get("share_identity", False),
                    reporter_name=data.get("reporter_name", ""),
                    reporter_phone=data.get("reporter_phone", ""),
                    hotline_number=data.get("hotline_number", ""),
                    photos=photos_form.cleaned_data["photos"],
                    client_key=_client_key(request),
                    idempotency_key=draft_key,
                    no_contact=form.no_contact,
                )
            except services.RateLimited as exc:
                return _rate_limited(request, exc)
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and set(exc.error_dict) - {"photos", "__all__"}:
                    _apply_validation_error(form, exc)
                    return render(request, "issues/file.html", {"form": form, **step1})
                _apply_validation_error(photos_form, exc)
            else:
                return _show_filed(request, result)
    return render(
        request,
        "issues/file_confirm.html",
        {
            "compound": compound,
            "draft": data,
            "draft_hazard": bool(data.get("is_hazard") or data["category"].safety_related),
            "hazard_days": _hazard_days(compound),
            "similar": similar,
            "photos_form": photos_form,
            "photos_again": PHOTOS_AGAIN if photos_form.errors else "",
            "step": 2,
            "idempotency_key": draft_key,
        },
    )


@require_GET
def issue_file_done(request: HttpRequest) -> HttpResponse:
    """The tracking number; for an anonymous reporter the one-time code (shown once)."""
    filed = request.session.pop(SESSION_FILED, None)
    if not filed:
        return redirect("issues:mine" if request.user.is_authenticated else "issues:track")
    return render(request, "issues/file_done.html", filed)


@require_POST
def issue_me_too(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """ "Me too" instead of a duplicate (step 2 of filing, or the public detail page)."""
    compound = _compound(request)
    issue = selectors.issue_public_detail(compound=compound, tracking_number=tracking_number)
    if issue is None or not issue.is_open:
        raise Http404(gettext("No such open issue."))
    draft = request.session.get(SESSION_DRAFT) or {}
    phone = ""
    if not request.user.is_authenticated:
        phone = (draft.get("data") or {}).get("reporter_phone", "")
        if not phone:
            no_contact = (draft.get("data") or {}).get("contact") == "none"
            messages.error(
                request,
                gettext(
                    "“Me too” needs a mobile number, so that one person counts once. Choose "
                    "to be called back and fill in your number, or submit your own complaint."
                )
                if no_contact
                else gettext(
                    "Please fill in your mobile number in the form first, then add “me too”."
                ),
            )
            return redirect(f"{reverse('issues:file')}?compound={compound.slug}")
    try:
        services.issue_me_too(
            actor=request.user if request.user.is_authenticated else None,
            issue=issue,
            phone=phone,
        )
    except services.RateLimited as exc:
        return _rate_limited(request, exc)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        request.session.pop(SESSION_DRAFT, None)
        messages.success(
            request,
            gettext("Thank you: your “me too” was added to %(number)s.")
            % {"number": issue.tracking_number},
        )
    return redirect(
        f"{reverse('issues:detail', args=[issue.tracking_number])}?compound={compound.slug}"
    )


# --- tracking and the reporter's pages ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Tracking number + code → the reporter's view. A wrong pair gets one generic
    message (no enumeration); failures are limited per client."""
    form = TrackForm(request.POST or None)
    if request.method == "POST":
        key = f"issues:track:{_client_key(request)}"
        if services.cache_count(key) >= TRACK_ATTEMPTS:
            return _rate_limited(request)
        if form.is_valid():
            number = form.cleaned_data["tracking_number"]
            code = form.cleaned_data["code"]
            issue = selectors.issue_find_by_tracking(tracking_number=number, code=code)
            if issue is not None:
                _remember_code(request, issue.tracking_number, code)
                return redirect("issues:detail", issue.tracking_number)
            services.cache_count_hit(key, TRACK_WINDOW_SECONDS)
            form.add_error(
                None,
                gettext(
                    "The tracking number and code do not match any issue. Check both and try again."
                ),
            )
    return render(request, "issues/track.html", {"form": form})


@require_GET
def _detail_page_version(request: HttpRequest, tracking_number: str):
    """The anonymous whole-page cache's version: the compound and the issue's public stamp
    (the same query that decides 404), or None when there is no such public issue."""
    slug = request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    compound = compound_by_slug(slug=str(slug)[:50])
    if compound is None:
        return None
    stamp = selectors.issue_public_stamp(compound=compound, tracking_number=tracking_number)
    if stamp is None:
        return None
    return (
        compound.pk,
        stamp["pk"],
        stamp["newest_event"],
        stamp["last_public_update_at"],
        stamp["status"],
    )


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


# --- staff ----------------------------------------------------------------------------------


def _staff_organizations(person):
    """Organizations acting for the compounds the person serves (transfer targets)."""
    compounds = list(person_staff_compounds(person=person)[:20])
    if not compounds:
        return Organization.objects.none()
    qs = compound_organizations(compound=compounds[0])
    for compound in compounds[1:]:
        qs = qs | compound_organizations(compound=compound)
    return qs.distinct().order_by("kind", "name")


def _own_organizations(person):
    memberships = person_memberships_current(person=person)
    return Organization.objects.filter(pk__in=memberships.values("organization_id")).order_by(
        "kind", "name"
    )


def _queue_compound(request: HttpRequest):
    """``?compound=`` (a slug, as the dashboards link, or an id) narrows the queue to one
    of the compounds the person serves; anything else is ignored with a message — the
    queue itself is already limited to what the person may see, so this never widens it."""
    raw = str(request.GET.get("compound", "")).strip()[:50]
    if not raw:
        return None
    served = person_staff_compounds(person=request.user)
    if raw.isascii() and raw.isdigit():
        compound = served.filter(pk=int(raw[:18])).first()
    else:
        compound = served.filter(slug=raw).first()
    if compound is None:
        messages.warning(
            request,
            gettext("No compound you serve matches “%(compound)s”: showing all your complaints.")
            % {"compound": raw},
        )
    return compound


@login_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    """Staff work queue: the person's organizations' issues, nearest deadline first,
    overdue highlighted; bulk accept / transfer (seed: 协同联动 第二条 转办, 督办)."""
    user = request.user
    if not person_is_staff(person=user):
        raise PermissionDenied
    own_orgs = _own_organizations(user)
    transfer_orgs = _staff_organizations(user)
    filter_form = QueueFilterForm(request.GET or None, organizations=own_orgs)
    filters = {}
    if filter_form.is_bound and filter_form.is_valid():
        filters = filter_form.cleaned_data
    compound = _queue_compound(request)
    narrowing = {
        "q": filters.get("q") or None,
        "status": filters.get("status") or None,
        "overdue": filters.get("overdue") or None,
        "compound": compound,
    }
    organization = filters.get("organization")
    if organization is not None:
        if not user.has_perm("issues.view_queue", organization):
            raise PermissionDenied
        issues = selectors.issue_queue_for_org(organization=organization, **narrowing)
    else:
        issues = selectors.issue_queue_for_person(person=user, **narrowing)
    bulk_form = BulkForm(organizations=transfer_orgs, issues=issues)
    if request.method == "POST":
        bulk_form = BulkForm(request.POST, organizations=transfer_orgs, issues=issues)
        if bulk_form.is_valid():
            done, failed = _bulk(request, bulk_form.cleaned_data)
            if done:
                accepted = bulk_form.cleaned_data["action"] == "accept"
                message = (
                    gettext("%(count)d complaint(s) accepted.")
                    if accepted
                    else gettext("%(count)d complaint(s) transferred.")
                )
                messages.success(request, message % {"count": done})
            for number, error in failed:
                messages.error(request, f"{number}: {error}")
            return redirect(request.get_full_path())
    page = Paginator(issues, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "issues/queue.html",
        {
            "filter_form": filter_form,
            "bulk_form": bulk_form,
            "compound": compound,
            "page": page,
            "query": query.urlencode(),
        },
        status=400 if bulk_form.errors else 200,
    )


def _bulk(request: HttpRequest, data: dict) -> tuple[int, list[tuple[str, str]]]:
    done = 0
    failed: list[tuple[str, str]] = []
    for issue in data["issues"]:
        try:
            if data["action"] == "accept":
                services.issue_accept(actor=request.user, issue=issue)
            else:
                services.issue_transfer(
                    actor=request.user, issue=issue, organization=data["organization"]
                )
        except PermissionDenied:
            failed.append((issue.tracking_number, gettext("You may not do this.")))
        except ValidationError as exc:
            failed.append((issue.tracking_number, " ".join(exc.messages)))
        else:
            done += 1
    return done, failed


@dataclass(frozen=True)
class StaffAction:
    label: Any
    perms: tuple[str, ...]
    form: Any
    target: str | None = None  # the status the action moves to, when it moves one
    open_only: bool = True
    done: Any = None  # the flash message; default "Done: <label>."


STAFF_ACTIONS: dict[str, StaffAction] = {
    # "Accept the complaint" (受理), never the bare "Accept": that msgid is 验收通过
    # (acceptance of finished work) for meetings' action items (issue 13 item 8).
    "accept": StaffAction(
        _("Accept the complaint"),
        ("issues.manage_issue",),
        NoteForm,
        Issue.Status.ACCEPTED,
        done=_("Accepted."),
    ),
    "transfer": StaffAction(
        _("Transfer (转办)"), ("issues.manage_issue",), TransferForm, Issue.Status.TRANSFERRED
    ),
    "start": StaffAction(
        _("Start work"),
        ("issues.manage_issue", "issues.work_issue"),
        NoteForm,
        Issue.Status.IN_PROGRESS,
    ),
    "progress": StaffAction(
        _("Post progress"), ("issues.manage_issue", "issues.work_issue"), ProgressForm
    ),
    "wait": StaffAction(
        _("Ask the reporter (clocks pause)"),
        ("issues.manage_issue", "issues.work_issue"),
        QuestionForm,
        Issue.Status.WAITING_REPORTER,
    ),
    "plan": StaffAction(
        _("Give the solution plan"), ("issues.manage_issue", "issues.work_issue"), PlanForm
    ),
    "resolve": StaffAction(
        _("Resolve"),
        ("issues.manage_issue", "issues.work_issue"),
        ResolveForm,
        Issue.Status.RESOLVED,
    ),
    "reject": StaffAction(_("Reject"), ("issues.manage_issue",), RejectForm, Issue.Status.REJECTED),
    "merge": StaffAction(
        _("Merge into another issue"), ("issues.manage_issue",), MergeForm, Issue.Status.MERGED
    ),
    "tier": StaffAction(_("Change tier"), ("issues.manage_issue",), TierForm),
    "hazard": StaffAction(_("Change the safety-hazard flag"), ("issues.manage_issue",), HazardForm),
    "consultation": StaffAction(
        _("Record the consultation result"),
        ("issues.manage_issue",),
        ConsultationForm,
        open_only=False,
    ),
    "whistle": StaffAction(
        _("Blow the whistle"),
        ("issues.blow_community_whistle", "issues.blow_street_whistle"),
        WhistleForm,
    ),
    "supervise": StaffAction(
        _("Issue a supervision order (督办)"), ("issues.supervise",), SupervisionForm
    ),
}


def _whistle_levels(user, issue) -> list[str]:
    levels = []
    if user.has_perm("issues.blow_community_whistle", issue):
        levels.append(Whistle.Level.COMMUNITY)
    if user.has_perm("issues.blow_street_whistle", issue):
        levels.append(Whistle.Level.STREET)
    return levels


def _make_form(name: str, issue: Issue, user, data=None, files=None):
    action = STAFF_ACTIONS[name]
    kwargs: dict[str, Any] = {}
    if name in ("transfer", "supervise", "whistle"):
        kwargs["organizations"] = compound_organizations(compound=issue.compound).order_by(
            "kind", "name"
        )
    if name == "supervise":
        kwargs["today"] = timezone.localdate()
    if name == "whistle":
        kwargs["levels"] = _whistle_levels(user, issue)
        kwargs["persons"] = selectors.whistle_candidate_persons(compound=issue.compound).exclude(
            pk=user.pk
        )
    if name == "progress":
        orgs = _own_organizations(user)
        kwargs["templates"] = ResponseTemplate.objects.filter(
            organization__isnull=True
        ) | ResponseTemplate.objects.filter(organization__in=orgs)
    if name in ("merge", "hazard"):
        kwargs["issue"] = issue
    return action.form(data, files, prefix=name, **kwargs)


def _allowed_actions(user, issue: Issue) -> list[str]:
    allowed = []
    for name, action in STAFF_ACTIONS.items():
        if action.open_only and not issue.is_open:
            continue
        if action.target and action.target not in Issue.TRANSITIONS.get(issue.status, ()):
            continue
        if any(user.has_perm(perm, issue) for perm in action.perms):
            allowed.append(name)
    return allowed


def _call_action(name: str, user, issue: Issue, data: dict):
    common = {"actor": user, "issue": issue}
    if name == "accept":
        return services.issue_accept(**common, note=data["note"])
    if name == "transfer":
        return services.issue_transfer(
            **common, organization=data["organization"], note=data["note"]
        )
    if name == "start":
        return services.issue_start(**common, note=data["note"])
    if name == "progress":
        return services.issue_post_progress(**common, note=data["note"], public=data["public"])
    if name == "wait":
        return services.issue_wait_for_reporter(**common, question=data["question"])
    if name == "plan":
        return services.issue_give_plan(**common, plan=data["plan"])
    if name == "resolve":
        return services.issue_resolve(
            **common, explanation=data["explanation"], photos=data["photos"]
        )
    if name == "reject":
        return services.issue_reject(**common, explanation=data["explanation"])
    if name == "merge":
        return services.issue_merge(**common, into=data["into"], note=data["note"])
    if name == "tier":
        return services.issue_change_tier(**common, tier=data["tier"], reason=data["reason"])
    if name == "consultation":
        return services.issue_record_consultation(**common, result=data["result"])
    if name == "hazard":
        return services.issue_set_hazard(
            **common, is_hazard=data["is_hazard"], reason=data["reason"]
        )
    if name == "whistle":
        report_due = data.get("report_due")
        return services.whistle_blow(
            **common,
            level=data["level"],
            organizations=list(data["organizations"]),
            persons=list(data.get("persons") or ()),
            reason=data["reason"],
            report_due=report_due,
        )
    if name == "supervise":
        return services.supervision_order_issue(
            **common,
            organization=data["organization"],
            due=end_of_day(data["due"]),
            instruction=data["instruction"],
        )
    raise Http404


def _staff_issue(request: HttpRequest, tracking_number: str) -> Issue:
    # Staff, or a party member summoned in person by a whistle (党员报到: they report in
    # on this page although they hold no office; seed: 协同联动 第三条).
    if not person_is_staff(person=request.user) and not (
        WhistleSummons.objects.filter(
            person=request.user, whistle__issue__tracking_number=tracking_number
        ).exists()
    ):
        raise PermissionDenied
    issue = (
        selectors.issue_visible_to(person=request.user)
        .filter(tracking_number=tracking_number)
        .first()
    )
    if issue is None:
        raise Http404(gettext("No such issue."))
    if not request.user.has_perm("issues.view_issue", issue):
        raise PermissionDenied
    return issue


def _staff_page(request, issue: Issue, bound: dict | None = None, status: int = 200):
    user = request.user
    allowed = _allowed_actions(user, issue)
    forms = {name: _make_form(name, issue, user) for name in allowed}
    forms.update(bound or {})
    summonses = []
    for whistle in issue.whistles.all():
        for summons in whistle.summonses.all():
            summonses.append(
                {
                    "summons": summons,
                    "whistle": whistle,
                    "report_form": ReportInForm(prefix=f"s{summons.pk}")
                    if not summons.reported_at and user.has_perm("issues.report_in", summons)
                    else None,
                    "rate_form": RateSummonsForm(prefix=f"r{summons.pk}")
                    if summons.reported_at
                    and summons.rating is None
                    and user.has_perm("issues.rate_summons", summons)
                    else None,
                }
            )
    for entry in summonses:
        pk = entry["summons"].pk
        if f"s{pk}" in (bound or {}):
            entry["report_form"] = bound[f"s{pk}"]
        if f"r{pk}" in (bound or {}):
            entry["rate_form"] = bound[f"r{pk}"]
    show_reporter = user.has_perm("issues.view_reporter", issue)
    # Computed here, not in the template: a complaint filed without an account has no
    # reporter row, and a template filter argument through it raised (issue 13 item 1).
    reporter_display = ""
    if show_reporter:
        reporter_display = issue.reporter_name or (issue.reporter.name if issue.reporter_id else "")
    now = timezone.now()
    referrals = list(issue.referrals.select_related("organization", "acknowledged_by"))
    for referral in referrals:
        referral.can_ack = selectors.referral_ack_allowed(person=user, referral=referral)
        referral.ack_overdue = bool(
            referral.acknowledged_at is None and referral.ack_due and referral.ack_due <= now
        )
    return render(
        request,
        "issues/staff_detail.html",
        {
            "issue": issue,
            "events": _labelled(
                issue.events.select_related("actor", "organization").order_by("at", "pk"),
                actors=True,
                show_residents=show_reporter,
            ),
            "photos": list(issue.photos.all()),
            "referrals": referrals,
            "orders": issue.supervision_orders.select_related("organization"),
            "summonses": summonses,
            "actions": [(name, STAFF_ACTIONS[name].label, forms[name]) for name in allowed],
            "show_reporter": show_reporter,
            "reporter_display": reporter_display,
            "has_queue": person_is_staff(person=user),
            "reporter_mobile": mask_mobile(issue.reporter_phone) if not show_reporter else "",
            "clocks": _clocks(issue),
        },
        status=status,
    )


@login_required
@require_GET
def staff_detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """The whole timeline and the actions the person may take (seed: 协同联动 第二—五条)."""
    issue = _staff_issue(request, tracking_number)
    return _staff_page(request, issue)


@login_required
@require_POST
def staff_action(request: HttpRequest, tracking_number: str, action: str) -> HttpResponse:
    issue = _staff_issue(request, tracking_number)
    if action not in STAFF_ACTIONS:
        raise Http404
    if action not in _allowed_actions(request.user, issue):
        raise PermissionDenied
    form = _make_form(action, issue, request.user, request.POST, request.FILES)
    if form.is_valid():
        try:
            _call_action(action, request.user, issue, form.cleaned_data)
        except services.RateLimited as exc:
            return _rate_limited(request, exc)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            step = STAFF_ACTIONS[action]
            messages.success(
                request,
                str(step.done)
                if step.done
                else gettext("Done: %(action)s.") % {"action": step.label},
            )
            return redirect("issues:staff_detail", tracking_number)
    if "photos" in form.fields and form.errors:
        form.add_error(None, PHOTOS_AGAIN)
    issue.refresh_from_db()
    return _staff_page(request, issue, bound={action: form}, status=400)


@login_required
@require_POST
def referral_acknowledge(request: HttpRequest, tracking_number: str, referral_id: int):
    """签收: the referred organization confirms it has the matter; its acknowledgement
    time is recorded against the referral's own deadline (seed: 协同联动 第二条, 第三条)."""
    issue = _staff_issue(request, tracking_number)
    referral = issue.referrals.select_related("organization").filter(pk=referral_id).first()
    if referral is None:
        raise Http404(gettext("No such referral."))
    try:
        services.referral_acknowledge(actor=request.user, referral=referral)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            gettext("Acknowledged for %(org)s.") % {"org": referral.organization.name},
        )
    return redirect("issues:staff_detail", tracking_number)


@login_required
@require_POST
def summons_action(
    request: HttpRequest, tracking_number: str, summons_id: int, action: str
) -> HttpResponse:
    """Report in (报到) for a summons, or rate a summoned party's response."""
    issue = _staff_issue(request, tracking_number)
    summons = (
        WhistleSummons.objects.filter(pk=summons_id, whistle__issue=issue)
        .select_related("whistle")
        .first()
    )
    if summons is None:
        raise Http404
    if action == "report":
        form = ReportInForm(request.POST, prefix=f"s{summons.pk}")
        prefix = f"s{summons.pk}"
    elif action == "rate":
        form = RateSummonsForm(request.POST, prefix=f"r{summons.pk}")
        prefix = f"r{summons.pk}"
    else:
        raise Http404
    if form.is_valid():
        try:
            if action == "report":
                services.whistle_report_in(
                    actor=request.user,
                    summons=summons,
                    contribution=form.cleaned_data["contribution"],
                )
            else:
                services.whistle_rate(
                    actor=request.user, summons=summons, rating=form.cleaned_data["rating"]
                )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("Saved."))
            return redirect("issues:staff_detail", tracking_number)
    return _staff_page(request, issue, bound={prefix: form}, status=400)
