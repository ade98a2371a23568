"""Public pages, phone first: the meeting list, the month calendar and the iCalendar feed."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .. import feeds, selectors
from ..models import (
    Meeting,
)
from ._common import LIST_PAGE_SIZE, _compound, _compound_query


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The compound's meetings, upcoming first then past (public, phone first)."""
    compound = _compound(request)
    kind = request.GET.get("kind", "")
    kinds = [kind] if kind in Meeting.Kind.values else None
    meetings = selectors.meeting_list(compound=compound, kinds=kinds)
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
            "is_staff": user.has_perm("meetings.view_meeting", compound),
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
    for meeting in selectors.meeting_list(compound=compound).filter(
        start__gte=start, start__lt=end
    ):
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
