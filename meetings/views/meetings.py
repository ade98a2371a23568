"""Staff pages of one meeting: create, edit, the meeting page, cancel, held, attendance.

seed: 联席会议议事规则 第三条.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.core import pagecache
from huashan.directory.models import Membership, Person
from huashan.directory.selectors import compound_organizations

from .. import forms, selectors, services
from ..models import (
    AgendaTopic,
    ForumOpinion,
    Meeting,
    SummarySignature,
)
from ._common import (
    _NO_ITEM_FORM_STATUSES,
    _acting_org_ids,
    _acts_for,
    _compound,
    _get_meeting,
    _meeting_url,
    _require_staff,
    _run,
    _simple_action,
)


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


def _link_rows(page, meeting: Meeting, *, org_ids: set[int] | None, bound: dict) -> None:
    """The first step of :func:`_detail_context`: put on every row of the meeting page its
    links, whether this user's body may sign it, and a pending topic's decision form."""
    for receipt in page.receipts:
        receipt.can_sign = receipt.signed_at is None and _acts_for(org_ids, receipt.organization_id)
    sign_url = _row_url("meetings:summary_sign", meeting.pk)
    for sig in page.signatures:
        sig.can_sign = sig.signed_at is None and _acts_for(org_ids, sig.organization_id)
        sig.sign_url = sign_url(sig.pk)
    move_url = _row_url("meetings:topic_move", meeting.pk)
    issue_url = _row_url("issues:staff_detail", marker="XX-0000-987654321")
    for topic in page.agenda:
        topic.move_url = move_url(topic.pk)
        topic.issue_url = issue_url(topic.issue.tracking_number) if topic.issue else ""
    item_url = _row_url("meetings:action_item")
    for item in (*page.follow_up, *page.action_items):
        item.url = item_url(item.pk)
    decide_url = _row_url("meetings:topic_decide", meeting.pk)
    for topic in page.pending_topics:
        topic.decision_form = bound.get(f"decide-{topic.pk}") or forms.TopicDecisionForm(
            prefix=f"t{topic.pk}", topics=AgendaTopic.objects.none()
        )
        topic.decide_url = decide_url(topic.pk)
    dispose_url = _row_url("meetings:opinion_dispose", meeting.pk)
    for opinion in page.opinions:
        opinion.dispose_url = dispose_url(opinion.pk)


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
    _link_rows(page, meeting, org_ids=org_ids, bound=bound)
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
    mergeable = [t for t in page.agenda] + list(page.pending_topics)

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
    agreed items, forum opinions (staff; a fixed number of queries). Residents are sent to
    the public page of the meeting (``meetings:public``).

    After the permission check the page is served from a cache private to this person
    and browser session (``pagecache.person_page``), keyed by the newest meetings event.
    A request reads, in one statement compiled once per process
    (``selectors.meeting_page_head``), the meeting's compound, that version and the
    person's seats the permission is decided on; a miss then reads the full meeting:
    every change shows on the next request; a copy is kept at most 30 s and never past an
    agreed item's due time (issue 20)."""
    head = selectors.meeting_page_head(pk=pk, user=request.user)
    if head is None:
        raise Http404(gettext("No such meeting."))
    meeting = head.meeting
    if not request.user.has_perm("meetings.view_meeting", meeting):
        from .public import public_access

        if not public_access(request, meeting.compound):
            raise PermissionDenied(gettext("This page is for the staff of the compound's bodies."))
        return redirect(reverse("meetings:public", args=[pk]))
    return pagecache.person_page(
        request, "meetings:detail", [head.pk, head.version], lambda: _fresh_detail(request, pk)
    )


def _fresh_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting page rendered now, with how long it stays true on the clock alone:
    until the first agreed item shown falls due (its "overdue" badge)."""
    meeting = selectors.meeting_detail(pk=pk)
    if meeting is None:  # deleted since the permission check
        raise Http404(gettext("No such meeting."))
    context = _detail_context(request, meeting)
    response = render(request, "meetings/detail.html", context)
    now = context["now"]
    upcoming = [
        item.due_at
        for item in (*context["page"].follow_up, *context["page"].action_items)
        if item.due_at and item.due_at >= now
    ]
    if upcoming:
        response.cache_seconds = int((min(upcoming) - now).total_seconds())
    return response


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
