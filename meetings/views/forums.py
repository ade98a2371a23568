"""Forums and hearings (议事协商会、听证会): opinions recorded and disposed, feedback published.

seed: 协同联动 第六条.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .. import forms, services
from ..models import (
    ForumOpinion,
)
from ._common import _error_message, _get_meeting, _meeting_url, _run
from .meetings import _render_detail


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
