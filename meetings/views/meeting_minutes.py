"""Minutes (会议记录): the live page, autosave, and a new version with a reason.

seed: 联席会议议事规则 第四条.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from .. import forms, selectors, services
from ..models import (
    AgendaTopic,
    Meeting,
    Minutes,
)
from ._common import GENERAL, _get_meeting, _run


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
