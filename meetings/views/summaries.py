"""The meeting summary (会议纪要): draft, 会签 steps, return, and signing for receipt.

seed: 联席会议议事规则 第四条.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .. import forms, services
from ..models import (
    Meeting,
    SummarySignature,
)
from ._common import _get_meeting, _meeting_url, _run, _simple_action
from .meetings import _render_detail


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
