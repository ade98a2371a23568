"""HTML pages of the joint meeting, forums, agreed items, decision reports and motions.

Views are thin: they read through ``meetings.selectors``, change state only
through ``meetings.services`` and map the services' exceptions to pages:
``ValidationError`` → errors next to the fields (the bound form is shown again,
nothing typed is lost), ``PermissionDenied`` → 403. Anonymous visitors are sent
to the login page by ``login_required``; residents get 403 on staff pages.

Public pages (phone first): the meeting list, the month calendar and the
iCalendar feed. Everything else is a staff page (dense tables, keyboard
friendly: every action is a plain ``<form>`` with a real button).

seed: 联席会议议事规则 第二—五条; 决策报告制度 第二、三条; 协同联动 第二、六、七条.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.directory.models import Household, Membership, Organization, Person
from huashan.directory.rules import STAFF_ROLES
from huashan.directory.selectors import compound_by_slug, compound_organizations

from . import feeds, forms, selectors, services
from .models import (
    ActionItem,
    AgendaTopic,
    DecisionReport,
    DecisionReportRecipient,
    EarlyIntervention,
    ForumOpinion,
    Meeting,
    MeetingDocument,
    Minutes,
    NoticeReceipt,
    OwnersAssemblyMotion,
    SummarySignature,
)

ACTION_ITEMS_PAGE_SIZE = 50
LIST_PAGE_SIZE = 30
#: The meeting page shows the agreed-item form only once the meeting has taken place.
_NO_ITEM_FORM_STATUSES = frozenset(
    {Meeting.Status.DRAFT, Meeting.Status.NOTICE_SENT, Meeting.Status.CANCELLED}
)
GENERAL = "general"  # the minutes key of remarks not tied to an agenda item


# --- helpers -----------------------------------------------------------------------


def _compound(request: HttpRequest):
    slug = request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    compound = compound_by_slug(slug=str(slug)[:50])
    if compound is None:
        raise Http404(gettext("No such compound."))
    return compound


def _require_staff(request: HttpRequest, obj) -> None:
    if not request.user.has_perm("meetings.view_meeting", obj):
        raise PermissionDenied(gettext("This page is for the staff of the compound's bodies."))


def _get_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_detail(pk=pk)
    if meeting is None:
        raise Http404(gettext("No such meeting."))
    _require_staff(request, meeting)
    return meeting


def _apply_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (else on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def _run(target_form, service: Callable, /, **kwargs) -> Any:
    """Call a service; on ValidationError put it on the form and return None."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        _apply_validation_error(target_form, exc)
        return None


def _error_message(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _simple_action(request: HttpRequest, redirect_to: str, service: Callable, **kwargs):
    """A button without fields: run the service, say what happened, go back."""
    try:
        service(actor=request.user, **kwargs)
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, gettext("Done."))
    return redirect(redirect_to)


def _acting_org_ids(person) -> set[int] | None:
    """Organizations the person may sign for (one query); None means all (superuser)."""
    if not person.is_authenticated:
        return set()
    if person.is_superuser:
        return None
    return set(
        Membership.objects.current()
        .filter(person=person, role__in=STAFF_ROLES)
        .values_list("organization_id", flat=True)
    )


def _acts_for(org_ids: set[int] | None, organization_id: int) -> bool:
    return org_ids is None or organization_id in org_ids


def _meeting_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("meetings:detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def _compound_query(compound) -> str:
    return f"?compound={compound.slug}"


# --- public: list, calendar, iCal -------------------------------------------------


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


# --- create / edit -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    """Schedule a meeting (seed: 联席会议议事规则 第三条: last week of the month, or ad hoc
    with a reason; a place booked twice is refused)."""
    compound = _compound(request)
    _require_staff(request, compound)
    form = forms.MeetingForm(
        request.POST or None, initial={"kind": request.GET.get("kind") or "joint"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = _run(
            form,
            services.meeting_create,
            actor=request.user,
            compound=compound,
            kind=data["kind"],
            title=data["title"],
            start=data["start"],
            end=data["end"],
            place=data["place"],
            is_ad_hoc=data["is_ad_hoc"],
            ad_hoc_reason=data["ad_hoc_reason"],
            summary_public=data["summary_public"],
            recorded_afterwards=data["recorded_afterwards"],
            record_reason=data["record_reason"],
        )
        if meeting is not None:
            if meeting.recorded_afterwards:
                messages.success(
                    request,
                    gettext(
                        "The meeting is recorded as held (补录). Enter the attendance "
                        "and the minutes now."
                    ),
                )
            else:
                messages.success(request, gettext("The meeting is scheduled."))
            return redirect(_meeting_url(meeting))
    return render(
        request,
        "meetings/form.html",
        {"form": form, "compound": compound, "meeting": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    initial = {
        "kind": meeting.kind,
        "title": meeting.title,
        "place": meeting.place,
        "start": timezone.localtime(meeting.start),
        "end": timezone.localtime(meeting.end),
        "is_ad_hoc": meeting.is_ad_hoc,
        "ad_hoc_reason": meeting.ad_hoc_reason,
        "summary_public": meeting.summary_public,
    }
    form = forms.MeetingForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        updated = _run(
            form,
            services.meeting_update,
            actor=request.user,
            meeting=meeting,
            title=data["title"],
            start=data["start"],
            end=data["end"],
            place=data["place"],
            is_ad_hoc=data["is_ad_hoc"],
            ad_hoc_reason=data["ad_hoc_reason"],
            summary_public=data["summary_public"],
        )
        if updated is not None:
            messages.success(request, gettext("Saved."))
            return redirect(_meeting_url(meeting))
    return render(
        request,
        "meetings/form.html",
        {"form": form, "compound": meeting.compound, "meeting": meeting},
        status=400 if form.errors else 200,
    )


# --- the meeting page ----------------------------------------------------------------


#: A stand-in id for ``_row_url``: reversed once, then replaced by each row's id.
_ROW_MARKER = 987654321


def _row_url(name: str, *fixed, marker: object = _ROW_MARKER) -> Callable[[Any], str]:
    """``pk -> reverse(name, args=[*fixed, pk])`` with one ``reverse()`` for all rows
    (the meeting page has a link or a form per agenda item, agreed item and opinion).
    ``marker`` must match the URL's converter (a tracking number for complaints)."""
    pattern = reverse(name, args=[*fixed, marker])
    return lambda pk: pattern.replace(str(marker), str(pk))


def _choices_from(field, rows) -> None:
    """Render a model choice field from rows already loaded (no query at render time;
    a bound form still validates against the field's queryset)."""
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = empty + [(field.prepare_value(o), field.label_from_instance(o)) for o in rows]


def _responsible_person_groups(field, organizations) -> None:
    """People for an agreed item in one <optgroup> per organization (one query). The
    service still checks that the person sits in the chosen body (第五条)."""
    seats = (
        Membership.objects.current()
        .filter(organization__in=organizations)
        .select_related("person", "organization")
        .order_by("organization__kind", "organization__pk", "person__name", "person__pk")
    )
    groups: dict[str, dict[int, str]] = {}
    for seat in seats:
        groups.setdefault(seat.organization.name, {})[seat.person.pk] = seat.person.name
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = empty + [(org, list(people.items())) for org, people in groups.items()]


def _detail_context(request: HttpRequest, meeting: Meeting, **bound) -> dict[str, Any]:
    """The meeting page, in a fixed number of queries whatever the number of agenda
    items, members, minutes, agreed items or opinions (issue 9): the organizations are
    read once for every form, row links are built from one ``reverse()`` each, and
    permissions are decided once per page, not per row."""
    page = selectors.meeting_page(meeting=meeting, with_minutes=False)
    user = request.user
    org_ids = _acting_org_ids(user)
    org_qs = compound_organizations(compound=meeting.compound).order_by("kind", "pk")
    organizations = list(org_qs)
    for receipt in page.receipts:
        receipt.can_sign = receipt.signed_at is None and _acts_for(org_ids, receipt.organization_id)
    sign_url = _row_url("meetings:summary_sign", meeting.pk)
    for sig in page.signatures:
        sig.can_sign = sig.signed_at is None and _acts_for(org_ids, sig.organization_id)
        sig.sign_url = sign_url(sig.pk)
    countersigns = [s for s in page.signatures if s.kind == SummarySignature.Kind.COUNTERSIGN]
    receipts_summary = [s for s in page.signatures if s.kind == SummarySignature.Kind.RECEIPT]
    run_office = user.has_perm("meetings.run_office", meeting)
    manage = (
        run_office
        or user.has_perm("meetings.convene", meeting)
        or (
            meeting.kind == Meeting.Kind.PMC_WORKING
            and user.has_perm("meetings.run_pmc_meeting", meeting)
        )
        or (meeting.is_forum and user.has_perm("meetings.run_forum", meeting))
    )
    move_url = _row_url("meetings:topic_move", meeting.pk)
    issue_url = _row_url("issues:staff_detail", marker="XX-0000-987654321")
    for topic in page.agenda:
        topic.move_url = move_url(topic.pk)
        topic.issue_url = issue_url(topic.issue.tracking_number) if topic.issue else ""
    item_url = _row_url("meetings:action_item")
    for item in (*page.follow_up, *page.action_items):
        item.url = item_url(item.pk)
    pending = page.pending_topics
    decide_url = _row_url("meetings:topic_decide", meeting.pk)
    for topic in pending:
        topic.decision_form = bound.get(f"decide-{topic.pk}") or forms.TopicDecisionForm(
            prefix=f"t{topic.pk}", topics=AgendaTopic.objects.none()
        )
        topic.decide_url = decide_url(topic.pk)
    mergeable = [t for t in page.agenda] + list(pending)
    dispose_url = _row_url("meetings:opinion_dispose", meeting.pk)
    for opinion in page.opinions:
        opinion.dispose_url = dispose_url(opinion.pk)

    propose_form = bound.get("propose") or forms.TopicProposeForm(
        prefix="propose", organizations=org_qs
    )
    _choices_from(propose_form.fields["proposer_organization"], organizations)
    item_form = bound.get("item") or forms.ActionItemForm(
        prefix="item",
        organizations=org_qs,
        people=Person.objects.filter(
            pk__in=Membership.objects.current().filter(organization__in=org_qs).values("person_id")
        ).order_by("name"),
        topics=AgendaTopic.objects.filter(pk__in=[t.pk for t in page.agenda]),
    )
    for name in ("responsible_organization", "raised_by"):
        _choices_from(item_form.fields[name], organizations)
    _choices_from(item_form.fields["topic"], page.agenda)
    if run_office and meeting.status not in _NO_ITEM_FORM_STATUSES:
        # Only then is the form shown: read the people once, not on every render,
        # grouped under the body they sit in (the audit found one list of all 20 people).
        _responsible_person_groups(item_form.fields["responsible_person"], org_qs)
    disposition_form = forms.DispositionForm(prefix="dispose")
    if manage and any(o.disposition == ForumOpinion.Disposition.PENDING for o in page.opinions):
        # One form rendered per pending opinion: read the categories once.
        category = disposition_form.fields["category"]
        _choices_from(category, list(category.queryset))
    return {
        "meeting": meeting,
        "page": page,
        "organizations": organizations,
        "manage": manage,
        "run_office": run_office,
        "can_propose": user.has_perm("meetings.propose_topic", meeting),
        "is_chair": user.is_superuser
        or (meeting.chair_id and meeting.chair_id == user.pk)
        or (meeting.chair_id is None and user.has_perm("meetings.convene", meeting)),
        "is_forum": meeting.is_forum,
        "mergeable": mergeable,
        "countersigns": countersigns,
        "summary_receipts": receipts_summary,
        "propose_form": propose_form,
        "cancel_form": bound.get("cancel") or forms.CancelForm(prefix="cancel"),
        "summary_form": bound.get("summary")
        or forms.SummaryForm(
            prefix="summary", initial={"body": page.summary.body if page.summary else ""}
        ),
        "return_form": bound.get("return") or forms.ReasonForm(prefix="return"),
        "countersign_form": forms.CommentForm(prefix="countersign"),
        "item_form": item_form,
        "opinion_form": bound.get("opinion") or forms.OpinionForm(prefix="opinion"),
        "disposition_form": disposition_form,
        "feedback_form": bound.get("feedback")
        or forms.FeedbackForm(prefix="feedback", initial={"report": meeting.feedback_report}),
        "statuses": Meeting.Status,
        "now": timezone.now(),
    }


def _render_detail(request: HttpRequest, meeting: Meeting, status: int = 200, **bound):
    return render(
        request, "meetings/detail.html", _detail_context(request, meeting, **bound), status=status
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting page: agenda, notice and receipts, attendance, minutes, summary,
    agreed items, forum opinions (staff; a fixed number of queries)."""
    meeting = _get_meeting(request, pk)
    return _render_detail(request, meeting)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    form = forms.CancelForm(request.POST, prefix="cancel")
    if form.is_valid() and _run(
        form,
        services.meeting_cancel,
        actor=request.user,
        meeting=meeting,
        reason=form.cleaned_data["reason"],
    ):
        messages.success(request, gettext("The meeting is cancelled."))
        return redirect(_meeting_url(meeting))
    return _render_detail(request, meeting, status=400, cancel=form)


@login_required
@require_POST
def meeting_held(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    return _simple_action(
        request, _meeting_url(meeting), services.meeting_mark_held, meeting=meeting
    )


# --- agenda -------------------------------------------------------------------------


@login_required
@require_POST
def topic_propose(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    org_qs = compound_organizations(compound=meeting.compound)
    form = forms.TopicProposeForm(request.POST, prefix="propose", organizations=org_qs)
    if form.is_valid():
        data = form.cleaned_data
        topic = _run(
            form,
            services.topic_propose,
            actor=request.user,
            compound=meeting.compound,
            meeting=meeting,
            title=data["title"],
            description=data["description"],
            proposer_organization=data["proposer_organization"],
        )
        if topic is not None:
            messages.success(request, gettext("The topic is proposed."))
            return redirect(_meeting_url(meeting, "agenda"))
    return _render_detail(request, meeting, status=400, propose=form)


@login_required
@require_POST
def topic_decide(request: HttpRequest, pk: int, topic_pk: int) -> HttpResponse:
    """The office accepts, merges, defers or rejects a topic (第四条), with a reason."""
    meeting = _get_meeting(request, pk)
    topic = AgendaTopic.objects.filter(pk=topic_pk, compound_id=meeting.compound_id).first()
    if topic is None:
        raise Http404(gettext("No such topic."))
    candidates = AgendaTopic.objects.filter(compound_id=meeting.compound_id).exclude(pk=topic.pk)
    form = forms.TopicDecisionForm(request.POST, prefix=f"t{topic.pk}", topics=candidates)
    if form.is_valid():
        data = form.cleaned_data
        decision = data["decision"]
        common = {"actor": request.user, "topic": topic}
        if decision == "accept":
            done = _run(form, services.topic_accept, meeting=meeting, **common)
        elif decision == "merge":
            done = _run(
                form, services.topic_merge, into=data["into"], reason=data["reason"], **common
            )
        elif decision == "defer":
            done = _run(form, services.topic_defer, reason=data["reason"], **common)
        else:
            done = _run(form, services.topic_reject, reason=data["reason"], **common)
        if done is not None:
            messages.success(request, gettext("The topic is decided."))
            return redirect(_meeting_url(meeting, "agenda"))
    return _render_detail(request, meeting, status=400, **{f"decide-{topic.pk}": form})


@login_required
@require_POST
def topic_move(request: HttpRequest, pk: int, topic_pk: int) -> HttpResponse:
    """Move an accepted topic one place up or down (keyboard-friendly ordering)."""
    meeting = _get_meeting(request, pk)
    ids = list(selectors.meeting_agenda(meeting=meeting).values_list("pk", flat=True))
    if topic_pk not in ids:
        raise Http404(gettext("No such topic."))
    index = ids.index(topic_pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    other = index + step
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return _simple_action(
        request,
        _meeting_url(meeting, "agenda"),
        services.topic_reorder,
        meeting=meeting,
        topic_ids=ids,
    )


@login_required
@require_POST
def topic_order(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the whole order at once (``order=3,1,2``)."""
    meeting = _get_meeting(request, pk)
    form = forms.TopicOrderForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_meeting_url(meeting, "agenda"))
    return _simple_action(
        request,
        _meeting_url(meeting, "agenda"),
        services.topic_reorder,
        meeting=meeting,
        topic_ids=form.cleaned_data["order"],
    )


# --- notice -------------------------------------------------------------------------


@login_required
@require_GET
def notice_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview the notice (before sending) or read it with its receipts (after)."""
    meeting = _get_meeting(request, pk)
    page = selectors.meeting_page(meeting=meeting)
    org_ids = _acting_org_ids(request.user)
    for receipt in page.receipts:
        receipt.can_sign = receipt.signed_at is None and _acts_for(org_ids, receipt.organization_id)
    preview = ""
    if page.notice is None:
        from django.template.loader import render_to_string

        year = timezone.localdate().year  # numbered by the issuing year
        main = list(
            compound_organizations(compound=meeting.compound).filter(
                kind__in=services.MAIN_RECIPIENT_KINDS
            )
        )
        copies = list(
            compound_organizations(compound=meeting.compound).filter(
                kind__in=services.COPY_RECIPIENT_KINDS
            )
        )
        try:
            preview = render_to_string(
                "pdf/meetings/notice_body.txt",
                {
                    "meeting": meeting,
                    "doc_number": f"花山联〔{year}〕□号",
                    "agenda": page.agenda,
                    "follow_up": page.follow_up,
                    "members": page.members,
                    "main": main,
                    "copies": copies,
                },
            ).strip()
        except Exception:  # the template belongs to meetings-core; a preview is optional
            preview = ""
    return render(
        request,
        "meetings/notice.html",
        {
            "meeting": meeting,
            "page": page,
            "preview": preview,
            "can_send": request.user.has_perm("meetings.run_office", meeting)
            or request.user.has_perm("meetings.convene", meeting),
        },
    )


@login_required
@require_POST
def notice_send(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    return _simple_action(
        request,
        reverse("meetings:notice", args=[meeting.pk]),
        services.meeting_send_notice,
        meeting=meeting,
    )


@login_required
@require_POST
def notice_sign(request: HttpRequest, pk: int, receipt_pk: int) -> HttpResponse:
    """签收 by a recipient body, in the browser."""
    meeting = _get_meeting(request, pk)
    receipt = (
        NoticeReceipt.objects.select_related("organization", "notice__meeting")
        .filter(pk=receipt_pk, notice__meeting=meeting)
        .first()
    )
    if receipt is None:
        raise Http404(gettext("No such receipt."))
    return _simple_action(
        request,
        reverse("meetings:notice", args=[meeting.pk]),
        services.notice_sign,
        receipt=receipt,
    )


# --- attendance ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """One row per member / observer: present, excused, unexcused, delegate."""
    meeting = _get_meeting(request, pk)
    page = selectors.meeting_page(meeting=meeting)
    rows = []
    for row in page.attendance:
        initial = {}
        if row.attendance is not None:
            initial = {
                "status": row.attendance.status,
                "delegate_name": row.attendance.delegate_name,
                "note": row.attendance.note,
            }
        form = forms.AttendanceForm(
            request.POST or None, prefix=f"m{row.member.pk}", initial=initial
        )
        rows.append((row.member, form))
    # Said once for the page, not once per row (the audit saw it on all 11 rows).
    not_started = meeting.start > timezone.now()
    if request.method == "POST" and not_started:
        messages.error(request, gettext("The meeting has not started yet."))
    elif request.method == "POST":
        saved = 0
        failed = False
        for member, form in rows:
            if not form.is_valid():
                failed = True
                continue
            data = form.cleaned_data
            if not data["status"]:
                continue
            result = _run(
                form,
                services.attendance_record,
                actor=request.user,
                meeting=meeting,
                person=member.person,
                status=data["status"],
                delegate_name=data["delegate_name"],
                note=data["note"],
            )
            if result is None:
                failed = True
            else:
                saved += 1
        if not failed:
            messages.success(request, gettext("Attendance saved."))
            return redirect(_meeting_url(meeting, "attendance"))
    return render(
        request,
        "meetings/attendance.html",
        {"meeting": meeting, "rows": rows, "not_started": not_started},
        status=400 if request.method == "POST" else 200,
    )


# --- minutes -----------------------------------------------------------------------


def _minutes_slots(meeting: Meeting, page, data=None):
    """(key, topic, form) per agenda item plus one for general remarks."""
    slots = []
    for topic in [*page.agenda, None]:
        key = str(topic.pk) if topic else GENERAL
        existing: Minutes | None = page.minutes_by_topic.get(topic.pk if topic else None)
        initial = {f: getattr(existing, f) for f in Minutes.TEXT_FIELDS} if existing else {}
        form = forms.MinutesForm(data, prefix=f"min-{key}", initial=initial)
        slots.append({"key": key, "topic": topic, "form": form, "minutes": existing})
    return slots


@login_required
@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Live minutes per agenda item; htmx autosaves, the save button works without JS."""
    meeting = _get_meeting(request, pk)
    page = selectors.meeting_page(meeting=meeting)
    key = request.POST.get("slot", "") if request.method == "POST" else ""
    slots = _minutes_slots(meeting, page)
    if request.method == "POST":
        slot = next((s for s in slots if s["key"] == key), None)
        if slot is None:
            raise Http404(gettext("No such agenda item."))
        slot["form"] = forms.MinutesForm(request.POST, prefix=f"min-{key}")
        if slot["form"].is_valid():
            saved = _run(
                slot["form"],
                services.minutes_save_draft,
                actor=request.user,
                meeting=meeting,
                topic=slot["topic"],
                **slot["form"].cleaned_data,
            )
            if saved is not None:
                messages.success(request, gettext("Minutes saved."))
                return redirect(reverse("meetings:minutes", args=[meeting.pk]) + f"#slot-{key}")
    locked = page.summary is not None and page.summary.status in ("approved", "distributed")
    return render(
        request,
        "meetings/minutes.html",
        {"meeting": meeting, "slots": slots, "locked": locked},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def minutes_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx autosave: the cheap draft service; 204 when saved, 400 with the errors."""
    meeting = _get_meeting(request, pk)
    key = request.POST.get("slot", "")
    topic = None
    if key != GENERAL:
        if not key.isdigit() or len(key) > 12:
            return HttpResponse(gettext("No such agenda item."), status=400)
        topic = AgendaTopic.objects.filter(pk=int(key), meeting=meeting).first()
        if topic is None:
            return HttpResponse(gettext("No such agenda item."), status=400)
    form = forms.MinutesForm(request.POST, prefix=f"min-{key}")
    if not form.is_valid():
        return HttpResponse(
            " ".join(str(e) for errs in form.errors.values() for e in errs), status=400
        )
    try:
        services.minutes_save_draft(
            actor=request.user, meeting=meeting, topic=topic, **form.cleaned_data
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    return HttpResponse(status=204)


@login_required
@require_http_methods(["GET", "POST"])
def minutes_revise(request: HttpRequest, pk: int, minutes_pk: int) -> HttpResponse:
    """After approval: a new version of the minutes, with a reason."""
    meeting = _get_meeting(request, pk)
    record = Minutes.objects.filter(pk=minutes_pk, meeting=meeting).select_related("topic").first()
    if record is None:
        raise Http404(gettext("No such minutes."))
    initial = {f: getattr(record, f) for f in Minutes.TEXT_FIELDS}
    form = forms.MinutesReviseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        if _run(
            form, services.minutes_revise, actor=request.user, minutes=record, reason=reason, **data
        ):
            messages.success(request, gettext("A new version of the minutes is saved."))
            return redirect(reverse("meetings:minutes", args=[meeting.pk]))
    return render(
        request,
        "meetings/minutes_revise.html",
        {"meeting": meeting, "record": record, "form": form},
        status=400 if form.errors else 200,
    )


# --- summary -----------------------------------------------------------------------


def _summary(meeting: Meeting):
    summary = getattr(meeting, "summary", None) if hasattr(meeting, "summary") else None
    if summary is None:
        raise Http404(gettext("There is no summary yet."))
    return summary


@login_required
@require_POST
def summary_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft from the minutes (empty text) or save the edited text."""
    meeting = _get_meeting(request, pk)
    if request.POST.get("from_minutes"):
        return _simple_action(
            request, _meeting_url(meeting, "summary"), services.summary_draft, meeting=meeting
        )
    form = forms.SummaryForm(request.POST, prefix="summary")
    if form.is_valid() and _run(
        form,
        services.summary_draft,
        actor=request.user,
        meeting=meeting,
        body=form.cleaned_data["body"],
    ):
        messages.success(request, gettext("The summary draft is saved."))
        return redirect(_meeting_url(meeting, "summary"))
    return _render_detail(request, meeting, status=400, summary=form)


@login_required
@require_POST
def summary_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Submit for countersigning, approve (the chair) or distribute (the office)."""
    meeting = _get_meeting(request, pk)
    summary = _summary(meeting)
    service = {
        "submit": services.summary_submit_for_countersign,
        "approve": services.summary_approve,
        "distribute": services.summary_distribute,
    }.get(step)
    if service is None:
        raise Http404
    return _simple_action(request, _meeting_url(meeting, "summary"), service, summary=summary)


@login_required
@require_POST
def summary_return(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    summary = _summary(meeting)
    form = forms.ReasonForm(request.POST, prefix="return")
    if form.is_valid() and _run(
        form,
        services.summary_return_to_draft,
        actor=request.user,
        summary=summary,
        reason=form.cleaned_data["reason"],
    ):
        messages.success(request, gettext("The summary is back in draft."))
        return redirect(_meeting_url(meeting, "summary"))
    return _render_detail(request, meeting, status=400, **{"return": form})


@login_required
@require_POST
def summary_sign(request: HttpRequest, pk: int, signature_pk: int) -> HttpResponse:
    """会签 (countersign) or 签收 (receipt) by one body, in the browser."""
    meeting = _get_meeting(request, pk)
    summary = _summary(meeting)
    signature = (
        SummarySignature.objects.select_related("organization")
        .filter(pk=signature_pk, summary=summary)
        .first()
    )
    if signature is None:
        raise Http404(gettext("No such signature."))
    if signature.kind == SummarySignature.Kind.RECEIPT:
        return _simple_action(
            request,
            _meeting_url(meeting, "summary"),
            services.summary_sign_receipt,
            signature=signature,
        )
    form = forms.CommentForm(request.POST, prefix="countersign")
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_meeting_url(meeting, "summary"))
    return _simple_action(
        request,
        _meeting_url(meeting, "summary"),
        services.summary_countersign,
        summary=summary,
        organization=signature.organization,
        comment=comment,
    )


# --- agreed items ------------------------------------------------------------------


def _people_of(org_qs):
    return Person.objects.filter(
        pk__in=Membership.objects.current().filter(organization__in=org_qs).values("person_id")
    ).order_by("name")


@login_required
@require_POST
def action_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    org_qs = compound_organizations(compound=meeting.compound)
    form = forms.ActionItemForm(
        request.POST,
        prefix="item",
        organizations=org_qs,
        people=_people_of(org_qs),
        topics=selectors.meeting_agenda(meeting=meeting),
    )
    if form.is_valid():
        data = form.cleaned_data
        item = _run(
            form,
            services.action_item_create,
            actor=request.user,
            meeting=meeting,
            title=data["title"],
            description=data["description"],
            responsible_organization=data["responsible_organization"],
            responsible_person=data["responsible_person"],
            due_date=data["due_date"],
            topic=data["topic"],
            raised_by=data["raised_by"],
        )
        if item is not None:
            messages.success(request, gettext("The agreed item is recorded."))
            return redirect(_meeting_url(meeting, "items"))
    return _render_detail(request, meeting, status=400, item=form)


@login_required
@require_GET
def action_item_list(request: HttpRequest) -> HttpResponse:
    """Agreed items of the compound, filtered by body, status, overdue (constant queries)."""
    compound = _compound(request)
    _require_staff(request, compound)
    org_qs = compound_organizations(compound=compound).order_by("kind", "pk")
    form = forms.ActionItemFilterForm(request.GET or None, organizations=org_qs)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "organization": data["organization"],
            "status": data["status"] or None,
            "overdue": True if data["overdue"] else None,
        }
    items = selectors.action_item_list(compound=compound, **filters)
    page = Paginator(items, ACTION_ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query["compound"] = compound.slug
    return render(
        request,
        "meetings/action_items.html",
        {
            "compound": compound,
            "form": form,
            "page": page,
            "now": timezone.now(),
            "query": query.urlencode(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _get_item(request: HttpRequest, pk: int) -> ActionItem:
    item = selectors.action_item_detail(pk=pk)
    if item is None:
        raise Http404(gettext("No such agreed item."))
    _require_staff(request, item)
    return item


def _render_item(request: HttpRequest, item: ActionItem, status: int = 200, **bound):
    user = request.user
    org_ids = _acting_org_ids(user)
    responsible = (
        user.is_superuser
        or item.responsible_person_id == user.pk
        or _acts_for(org_ids, item.responsible_organization_id)
        or user.has_perm("meetings.run_office", item)
    )
    can_accept = user.is_superuser or (
        item.responsible_person_id != user.pk
        and (
            user.has_perm("meetings.run_office", item)
            or (
                item.raised_by_id is not None
                and item.raised_by_id != item.responsible_organization_id
                and _acts_for(org_ids, item.raised_by_id)
            )
        )
    )
    return render(
        request,
        "meetings/action_item.html",
        {
            "item": item,
            "responsible": responsible,
            "can_accept": can_accept,
            "run_office": user.has_perm("meetings.run_office", item),
            "progress_form": bound.get("progress") or forms.EvidenceForm(prefix="progress"),
            "done_form": bound.get("done") or forms.EvidenceForm(prefix="done"),
            "accept_form": bound.get("accept") or forms.AcceptForm(prefix="accept"),
            "reject_form": bound.get("reject") or forms.ReasonForm(prefix="reject"),
            "cancel_form": bound.get("cancel") or forms.ReasonForm(prefix="cancel"),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_GET
def action_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_item(request, _get_item(request, pk))


ITEM_STEPS = {
    "progress": (forms.EvidenceForm, services.action_item_post_progress),
    "done": (forms.EvidenceForm, services.action_item_submit_done),
    "accept": (forms.AcceptForm, services.action_item_accept),
    "reject": (forms.ReasonForm, services.action_item_reject_completion),
    "cancel": (forms.ReasonForm, services.action_item_cancel),
}


@login_required
@require_POST
def action_item_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Progress with evidence, completion report, acceptance (验收), send back, cancel."""
    item = _get_item(request, pk)
    if step not in ITEM_STEPS:
        raise Http404
    form_class, service = ITEM_STEPS[step]
    form = form_class(request.POST, request.FILES, prefix=step)
    if (
        form.is_valid()
        and _run(form, service, actor=request.user, item=item, **form.cleaned_data) is not None
    ):
        messages.success(request, gettext("Saved."))
        return redirect(reverse("meetings:action_item", args=[item.pk]))
    item = selectors.action_item_detail(pk=item.pk)
    return _render_item(request, item, status=400, **{step: form})


# --- decision reports ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def decision_report_list(request: HttpRequest) -> HttpResponse:
    return _list_and_create(
        request,
        perm="meetings.file_decision_report",
        refusal=gettext("Only PMC officers file reports."),
        form_class=forms.DecisionReportForm,
        create=services.decision_report_create,
        created_message=gettext("The report is drafted."),
        detail_url="meetings:decision_report",
        template="meetings/decision_reports.html",
        rows=("reports", selectors.decision_report_list),
        can_key="can_file",
    )


def _list_and_create(
    request: HttpRequest,
    *,
    perm: str,
    refusal: str,
    form_class,
    create,
    created_message: str,
    detail_url: str,
    template: str,
    rows: tuple[str, object],
    can_key: str,
) -> HttpResponse:
    """A compound's list page with a create form for those holding ``perm``:
    the shape shared by decision reports and owners' assembly motions."""
    compound = _compound(request)
    _require_staff(request, compound)
    can_create = request.user.has_perm(perm, compound)
    form = form_class(request.POST or None)
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied(refusal)
        if form.is_valid():
            created = _run(form, create, actor=request.user, compound=compound, **form.cleaned_data)
            if created is not None:
                messages.success(request, created_message)
                return redirect(reverse(detail_url, args=[created.pk]))
    rows_key, rows_selector = rows
    return render(
        request,
        template,
        {
            "compound": compound,
            rows_key: rows_selector(compound=compound)[:200],
            "form": form,
            can_key: can_create,
        },
        status=400 if form.errors else 200,
    )


def _get_report(request: HttpRequest, pk: int) -> DecisionReport:
    report = selectors.decision_report_detail(pk=pk)
    if report is None:
        raise Http404(gettext("No such report."))
    _require_staff(request, report)
    return report


def _render_report(request: HttpRequest, report: DecisionReport, status: int = 200, **bound):
    org_ids = _acting_org_ids(request.user)
    recipients = list(report.recipients.all())
    for r in recipients:
        r.can_answer = _acts_for(org_ids, r.organization_id)
        r.form = bound.get(f"answer-{r.pk}") or forms.AnswerForm(prefix=f"r{r.pk}")
    interventions = list(report.interventions.all())
    for i in interventions:
        i.can_answer = _acts_for(org_ids, i.organization_id)
        i.form = bound.get(f"respond-{i.pk}") or forms.InterventionResponseForm(prefix=f"i{i.pk}")
    user = request.user
    return render(
        request,
        "meetings/decision_report.html",
        {
            "report": report,
            "recipients": recipients,
            "interventions": interventions,
            "missing": [
                Organization.Kind(k).label
                for k in services.decision_report_missing_interventions(report=report)
            ],
            "can_file": user.has_perm("meetings.file_decision_report", report),
            "run_office": user.has_perm("meetings.run_office", report),
            "invite_form": bound.get("invite") or forms.InviteForm(prefix="invite"),
            "proceed_form": bound.get("proceed") or forms.NoteForm(prefix="proceed"),
            "withdraw_form": bound.get("withdraw") or forms.ReasonForm(prefix="withdraw"),
            "events": list(report.events.all()),
        },
        status=status,
    )


@login_required
@require_GET
def decision_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_report(request, _get_report(request, pk))


@login_required
@require_POST
def decision_report_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """file / invite / proceed / withdraw (协同联动 第七条 gate on proceed)."""
    report = _get_report(request, pk)
    url = reverse("meetings:decision_report", args=[report.pk])
    if step == "file":
        return _simple_action(request, url, services.decision_report_file, report=report)
    steps = {
        "invite": (forms.InviteForm, services.decision_report_invite_intervention),
        "proceed": (forms.NoteForm, services.decision_report_proceed),
        "withdraw": (forms.ReasonForm, services.decision_report_withdraw),
    }
    if step not in steps:
        raise Http404
    form_class, service = steps[step]
    form = form_class(request.POST, prefix=step)
    if (
        form.is_valid()
        and _run(form, service, actor=request.user, report=report, **form.cleaned_data) is not None
    ):
        messages.success(request, gettext("Done."))
        return redirect(url)
    return _render_report(request, report, status=400, **{step: form})


@login_required
@require_POST
def decision_report_answer(request: HttpRequest, pk: int, recipient_pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    recipient = DecisionReportRecipient.objects.filter(pk=recipient_pk, report=report).first()
    if recipient is None:
        raise Http404
    form = forms.AnswerForm(request.POST, prefix=f"r{recipient.pk}")
    if form.is_valid() and _run(
        form,
        services.decision_report_acknowledge,
        actor=request.user,
        recipient=recipient,
        answer=form.cleaned_data["answer"],
    ):
        messages.success(request, gettext("Acknowledged."))
        return redirect(reverse("meetings:decision_report", args=[report.pk]))
    return _render_report(request, report, status=400, **{f"answer-{recipient.pk}": form})


@login_required
@require_POST
def intervention_respond(request: HttpRequest, pk: int, intervention_pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    intervention = EarlyIntervention.objects.filter(pk=intervention_pk, report=report).first()
    if intervention is None:
        raise Http404
    form = forms.InterventionResponseForm(request.POST, prefix=f"i{intervention.pk}")
    if form.is_valid() and _run(
        form,
        services.early_intervention_respond,
        actor=request.user,
        intervention=intervention,
        response=form.cleaned_data["response"],
    ):
        messages.success(request, gettext("Saved."))
        return redirect(reverse("meetings:decision_report", args=[report.pk]))
    return _render_report(request, report, status=400, **{f"respond-{intervention.pk}": form})


# --- owners' assembly motions -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def motion_list(request: HttpRequest) -> HttpResponse:
    return _list_and_create(
        request,
        perm="meetings.manage_motion",
        refusal=gettext("Only PMC officers do this."),
        form_class=forms.MotionForm,
        create=services.motion_propose,
        created_message=gettext("The motion is proposed."),
        detail_url="meetings:motion",
        template="meetings/motions.html",
        rows=("motions", selectors.motion_list),
        can_key="can_manage",
    )


def _get_motion(request: HttpRequest, pk: int) -> OwnersAssemblyMotion:
    motion = selectors.motion_detail(pk=pk)
    if motion is None:
        raise Http404(gettext("No such motion."))
    _require_staff(request, motion)
    return motion


def _households(motion: OwnersAssemblyMotion):
    return (
        Household.objects.filter(building__compound_id=motion.compound_id)
        .select_related("building")
        .order_by("building__number", "unit", "room")
    )


def _render_motion(request: HttpRequest, motion: OwnersAssemblyMotion, status=200, **bound):
    user = request.user
    votes = list(selectors.motion_votes(motion=motion))
    voted = {v.household_id for v in votes}
    tally = None
    if motion.stage in (
        OwnersAssemblyMotion.Stage.VOTING,
        OwnersAssemblyMotion.Stage.DECIDED,
        OwnersAssemblyMotion.Stage.RESULT_PUBLISHED,
    ):
        try:
            tally = services.motion_tally(motion=motion)
        except Exception:  # a tally that does not add up is shown as missing, not a 500
            tally = None
    return render(
        request,
        "meetings/motion.html",
        {
            "motion": motion,
            "stages": [
                s for s in OwnersAssemblyMotion.Stage if s != OwnersAssemblyMotion.Stage.WITHDRAWN
            ],
            "votes": votes,
            "tally": tally,
            "can_manage": user.has_perm("meetings.manage_motion", motion),
            "can_enter_votes": user.has_perm("meetings.manage_motion", motion)
            or user.has_perm("meetings.run_office", motion),
            "can_review_compound": user.has_perm("meetings.review_motion_compound", motion),
            "can_review_community": user.has_perm("meetings.review_motion_community", motion),
            "resolution_form": bound.get("deliberate") or forms.ResolutionForm(prefix="deliberate"),
            "review_form": bound.get("review") or forms.PartyReviewForm(prefix="review"),
            "open_form": bound.get("open") or forms.OpenVoteForm(prefix="open"),
            "vote_form": bound.get("vote")
            or forms.VoteForm(prefix="vote", households=_households(motion).exclude(pk__in=voted)),
            "close_form": bound.get("close") or forms.DecisionTextForm(prefix="close"),
            "result_form": bound.get("result") or forms.ResultForm(prefix="result"),
            "withdraw_form": bound.get("withdraw") or forms.ReasonForm(prefix="withdraw"),
            "events": list(motion.events.all()),
        },
        status=status,
    )


@login_required
@require_GET
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_motion(request, _get_motion(request, pk))


@login_required
@require_POST
def motion_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """deliberate / review / open / vote / close / result / withdraw (协同联动 第二条)."""
    motion = _get_motion(request, pk)
    steps: dict[str, tuple] = {
        "deliberate": (forms.ResolutionForm, services.motion_pmc_deliberate, {}),
        "review": (forms.PartyReviewForm, services.motion_party_review, {}),
        "open": (forms.OpenVoteForm, services.motion_open_vote, {}),
        "vote": (
            forms.VoteForm,
            services.motion_vote_cast,
            {"households": _households(motion)},
        ),
        "close": (forms.DecisionTextForm, services.motion_close_vote, {}),
        "result": (forms.ResultForm, services.motion_publish_result, {}),
        "withdraw": (forms.ReasonForm, services.motion_withdraw, {}),
    }
    if step not in steps:
        raise Http404
    form_class, service, extra = steps[step]
    form = form_class(request.POST, prefix=step, **extra)
    if (
        form.is_valid()
        and _run(form, service, actor=request.user, motion=motion, **form.cleaned_data) is not None
    ):
        messages.success(request, gettext("Saved."))
        return redirect(reverse("meetings:motion", args=[motion.pk]))
    motion = selectors.motion_detail(pk=motion.pk)
    return _render_motion(request, motion, status=400, **{step: form})


# --- forum opinions ----------------------------------------------------------------


@login_required
@require_POST
def opinion_record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    form = forms.OpinionForm(request.POST, prefix="opinion")
    if form.is_valid() and _run(
        form,
        services.forum_opinion_record,
        actor=request.user,
        meeting=meeting,
        **form.cleaned_data,
    ):
        messages.success(request, gettext("The opinion is recorded."))
        return redirect(_meeting_url(meeting, "opinions"))
    return _render_detail(request, meeting, status=400, opinion=form)


@login_required
@require_POST
def opinion_dispose(request: HttpRequest, pk: int, opinion_pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    opinion = ForumOpinion.objects.filter(pk=opinion_pk, meeting=meeting).first()
    if opinion is None:
        raise Http404
    form = forms.DispositionForm(request.POST, prefix="dispose")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_meeting_url(meeting, "opinions"))
    try:
        services.forum_opinion_dispose(actor=request.user, opinion=opinion, **form.cleaned_data)
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, gettext("Saved."))
    return redirect(_meeting_url(meeting, "opinions"))


@login_required
@require_POST
def feedback_publish(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    form = forms.FeedbackForm(request.POST, prefix="feedback")
    if form.is_valid() and _run(
        form,
        services.meeting_publish_feedback,
        actor=request.user,
        meeting=meeting,
        report=form.cleaned_data["report"],
    ):
        messages.success(request, gettext("The feedback report is published."))
        return redirect(_meeting_url(meeting, "opinions"))
    return _render_detail(request, meeting, status=400, feedback=form)


# --- PDFs --------------------------------------------------------------------------


@login_required
@require_GET
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    """Notice, sign-in sheet, minutes and summary as PDFs, rendered by the worker
    (DESIGN.md §4 "PDF"); the page refreshes itself while one is being prepared."""
    meeting = _get_meeting(request, pk)
    rows = list(MeetingDocument.objects.filter(meeting=meeting).order_by("-created_at", "-pk")[:40])
    latest: dict[str, MeetingDocument] = {}
    for row in rows:
        latest.setdefault(row.kind, row)
    kinds = [
        {"value": value, "label": label, "document": latest.get(value)}
        for value, label in MeetingDocument.Kind.choices
    ]
    pending = any(r.status == MeetingDocument.Status.PENDING for r in latest.values())
    return render(
        request,
        "meetings/documents.html",
        {"meeting": meeting, "kinds": kinds, "pending": pending, "rows": rows},
    )


@login_required
@require_POST
def document_request(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    kind = str(request.POST.get("kind", ""))[:20]
    return _simple_action(
        request,
        reverse("meetings:documents", args=[meeting.pk]),
        services.meeting_document_request,
        meeting=meeting,
        kind=kind,
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    meeting = _get_meeting(request, pk)
    document = MeetingDocument.objects.filter(
        pk=document_pk, meeting=meeting, status=MeetingDocument.Status.READY
    ).first()
    if document is None or not document.file:
        raise Http404(gettext("The document is not ready."))
    day = timezone.localtime(meeting.start).strftime("%Y%m%d")
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"meeting-{meeting.pk}-{document.kind}-{day}.pdf",
        content_type="application/pdf",
    )
