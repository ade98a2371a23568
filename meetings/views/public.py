"""Public pages, phone first: the meeting list, the month calendar, the iCalendar feed, one
meeting as residents see it and the agreed items (visibility table: docs/meetings.md)."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from huashan.directory.models import mask_name

from .. import feeds, selectors
from ..models import (
    ActionItem,
    ForumOpinion,
    Meeting,
    MeetingsPolicy,
    Summary,
)
from ._common import LIST_PAGE_SIZE, _compound, _compound_query


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The compound's meetings, upcoming first then past (public, phone first)."""
    compound = _compound(request)
    kind = request.GET.get("kind", "")
    kinds = [kind] if kind in Meeting.Kind.values else None
    meetings = selectors.meeting_list(compound=compound, kinds=kinds)
    is_staff = request.user.has_perm("meetings.view_meeting", compound)
    if not is_staff:
        meetings = meetings.exclude(status__in=HIDDEN_STATUSES)
    now = timezone.now()
    upcoming = list(
        meetings.filter(end__gte=now).exclude(status=Meeting.Status.CANCELLED).order_by("start")
    )
    page = Paginator(meetings.filter(end__lt=now), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    return render(
        request,
        "meetings/list.html",
        {
            "compound": compound,
            "kinds": Meeting.Kind.choices,
            "kind": kind if kinds else "",
            "upcoming": upcoming,
            "page": page,
            "is_staff": is_staff,
            "public_links": public_access(request, compound),
            "is_owner": user.has_perm("meetings.view_motion", compound),
            "can_schedule": user.has_perm("meetings.run_office", compound)
            or user.has_perm("meetings.run_forum", compound)
            or user.has_perm("meetings.run_pmc_meeting", compound),
            "feed_url": reverse("meetings:ical") + _compound_query(compound),
            "calendar_url": reverse("meetings:calendar") + _compound_query(compound),
        },
    )


@require_GET
def meeting_calendar(request: HttpRequest) -> HttpResponse:
    """A month grid of the compound's meetings (``?month=YYYY-MM``)."""
    compound = _compound(request)
    today = timezone.localdate()
    year, month = today.year, today.month
    raw = str(request.GET.get("month", ""))[:7]
    try:
        y, m = (int(part) for part in raw.split("-"))
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            year, month = y, m
    except ValueError:
        pass
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    by_day: dict[dt.date, list[Meeting]] = {}
    month_meetings = selectors.meeting_list(compound=compound).filter(
        start__gte=start, start__lt=end
    )
    if not request.user.has_perm("meetings.view_meeting", compound):
        month_meetings = month_meetings.exclude(status__in=HIDDEN_STATUSES)
    for meeting in month_meetings:
        by_day.setdefault(timezone.localtime(meeting.start).date(), []).append(meeting)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                {
                    "date": day,
                    "in_month": day.month == month,
                    "today": day == today,
                    "meetings": sorted(by_day.get(day, []), key=lambda m: m.start),
                }
                for day in week
            ]
        )
    prev_month = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    next_month = (last + dt.timedelta(days=1)).strftime("%Y-%m")
    calendar_url = reverse("meetings:calendar")
    return render(
        request,
        "meetings/calendar.html",
        {
            "compound": compound,
            "first": first,
            "weeks": weeks,
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
            "prev_url": f"{calendar_url}?compound={compound.slug}&month={prev_month}",
            "next_url": f"{calendar_url}?compound={compound.slug}&month={next_month}",
            "list_url": reverse("meetings:list") + _compound_query(compound),
            "feed_url": reverse("meetings:ical") + _compound_query(compound),
            "is_staff": request.user.has_perm("meetings.view_meeting", compound),
        },
    )


@require_GET
def meeting_ical(request: HttpRequest) -> HttpResponse:
    """iCalendar feed of the compound's meetings (RFC 5545, ``text/calendar``)."""
    compound = _compound(request)
    since = timezone.now() - dt.timedelta(days=feeds.FEED_PAST_DAYS)
    meetings = selectors.meeting_list(compound=compound).filter(start__gte=since)
    site = settings.HUASHAN_SITE_URL.rstrip("/")
    host = site.split("://", 1)[-1].split("/", 1)[0] or "huashan"
    events = [
        {
            "uid": f"meeting-{m.pk}@{host}",
            "start": m.start,
            "end": m.end,
            "summary": f"{m.get_kind_display()}：{m.title}",
            "location": m.place,
            "description": m.get_status_display()
            + (f"\n{m.notice.document_number}" if getattr(m, "notice", None) else ""),
            "url": site + reverse("meetings:calendar") + _compound_query(compound),
            "status": "CANCELLED" if m.status == Meeting.Status.CANCELLED else "CONFIRMED",
        }
        for m in meetings.order_by("start", "pk")
    ]
    body = feeds.render_calendar(
        name=gettext("Meetings · %(compound)s") % {"compound": compound.name}, events=events
    )
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="meetings-{compound.slug}.ics"'
    return response


# --- meetings in the open (协同联动 第六条; 联席会议议事规则 第五条) ---

#: Meetings residents never see. None: a scheduled meeting (even before its notice) is listed
#: with its time and place, as it always was; what is hidden is its records before approval.
HIDDEN_STATUSES: tuple[str, ...] = ()
#: The summary (纪要) is public once approved (before that it is a staff draft).
PUBLIC_SUMMARY_STATUSES = (Summary.Status.APPROVED, Summary.Status.DISTRIBUTED)
FORUM_KINDS = (
    Meeting.Kind.RESIDENTS_FORUM,
    Meeting.Kind.WORK_HEARING,
    Meeting.Kind.SERVICE_REVIEW,
    Meeting.Kind.OWNERS_FORUM,
)


def public_access(request: HttpRequest, compound) -> bool:
    """Residents of the compound and its staff read the public meeting pages; visitors who
    are not logged in only where the compound chose so (``MeetingsPolicy``)."""
    if request.user.has_perm("meetings.view_public", compound):
        return True
    return MeetingsPolicy.for_compound(compound).public_to_visitors


def _require_public(request: HttpRequest, compound) -> None:
    if public_access(request, compound):
        return
    if not request.user.is_authenticated:
        raise _LoginNeeded
    raise PermissionDenied(
        gettext("The meeting records of this compound are open to its residents.")
    )


class _LoginNeeded(Exception):
    pass


def _login_redirect(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.get_full_path())


@require_GET
def meeting_public(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting as residents see it: the notice, the approved summary (纪要), the agreed
    items with who answers for them, the due date and the status, and — for forums and
    hearings — the feedback report, opinion by opinion, the person masked.

    Drafts, minutes, attendance and anything before approval stay staff-only."""
    meeting = selectors.meeting_detail(pk=pk)
    if meeting is None or meeting.status in HIDDEN_STATUSES:
        raise Http404(gettext("No such meeting."))
    try:
        _require_public(request, meeting.compound)
    except _LoginNeeded:
        return _login_redirect(request)
    summary = getattr(meeting, "summary", None)
    if summary is not None and summary.status not in PUBLIC_SUMMARY_STATUSES:
        summary = None
    items = list(
        ActionItem.objects.filter(meeting=meeting)
        .exclude(status=ActionItem.Status.CANCELLED)
        .select_related("responsible_organization")
        .order_by("due_at", "pk")
    )
    opinions = []
    if meeting.kind in FORUM_KINDS and meeting.feedback_published_at:
        opinions = [
            {
                "by": mask_name(o.raised_by_name),
                "content": o.content,
                "disposition": o.get_disposition_display(),
                "note": o.disposition_note,
            }
            for o in ForumOpinion.objects.filter(meeting=meeting).order_by("created_at", "pk")
        ]
    return render(
        request,
        "meetings/public.html",
        {
            "meeting": meeting,
            "compound": meeting.compound,
            "notice": getattr(meeting, "notice", None)
            if meeting.status != Meeting.Status.CANCELLED
            else None,
            "summary": summary,
            "items": items,
            "is_forum": meeting.kind in FORUM_KINDS,
            "opinions": opinions,
            "is_staff": request.user.has_perm("meetings.view_meeting", meeting),
            "list_url": reverse("meetings:list") + _compound_query(meeting.compound),
        },
    )


@require_GET
def action_items_public(request: HttpRequest) -> HttpResponse:
    """The compound's agreed items (议定事项) as residents see them: the item, who answers for
    it, the due date and the status (联席会议议事规则 第五条)."""
    compound = _compound(request)
    try:
        _require_public(request, compound)
    except _LoginNeeded:
        return _login_redirect(request)
    items = (
        ActionItem.objects.filter(compound=compound)
        .exclude(status=ActionItem.Status.CANCELLED)
        .exclude(meeting__status__in=HIDDEN_STATUSES)
        .select_related("responsible_organization", "meeting")
        .order_by("-due_at", "-pk")
    )
    page = Paginator(items, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/public_items.html",
        {
            "compound": compound,
            "page": page,
            "today": timezone.localdate(),
            "is_staff": request.user.has_perm("meetings.view_meeting", compound),
        },
    )
