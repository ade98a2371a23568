"""The agenda on the meeting page: propose, decide, move and order topics.

seed: 联席会议议事规则 第二条.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from huashan.directory.selectors import compound_organizations

from .. import forms, selectors, services
from ..models import (
    AgendaTopic,
)
from ._common import _get_meeting, _meeting_url, _run, _simple_action
from .meetings import _render_detail


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
