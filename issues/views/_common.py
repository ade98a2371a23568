"""Shared pieces of the complaint pages: session keys, limits, the compound of a request, the
reporter's proven tracking codes, clocks and timeline labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from huashan.core.clientip import client_key
from huashan.core.web import compound_from_request as _compound
from huashan.core.web import form_add_service_error as _apply_validation_error  # noqa: F401 (views import it)
from huashan.directory.models import Residency, mask_name
from huashan.directory.selectors import (
    person_residencies,
)
from huashan.workdays import format_deadline

from .. import selectors, services
from ..models import (
    ClockPolicy,
    Issue,
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
    # The compound's own number, else the one source's (huashan.workdays.HAZARD_3_DAYS).
    return services.clocks_for(services.clock_policy_for(compound)).hazard.amount


def _client_key(request: HttpRequest) -> str:
    if request.user.is_authenticated:
        return f"person:{request.user.pk}"
    return f"ip:{client_key(request)}"


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
