"""The briefings pages: the staff page of a compound (send, read, answer) and the public
page of what residents are told (决策报告制度 第一条、第三条)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_POST

from huashan.core.web import compound_from_request, form_add_service_error
from huashan.directory.selectors import compound_organizations

from . import selectors, services
from .forms import BriefingForm, ResponseForm
from .models import BriefingRecipient


def _list_url(compound) -> str:
    return f"{reverse('briefings:list')}?compound={compound.slug}"


def _require_staff(request: HttpRequest, compound) -> None:
    if not request.user.has_perm("briefings.view_briefings", compound):
        raise PermissionDenied(gettext("This page is for the staff of the compound's bodies."))


def _form(request, compound, senders, data=None) -> BriefingForm:
    bodies = compound_organizations(compound=compound).order_by("kind", "pk")
    return BriefingForm(data, prefix="briefing", senders=senders, bodies=bodies)


def _list_page(request, compound, senders, form=None, status=200) -> HttpResponse:
    today = timezone.localdate()
    briefings = selectors.compound_briefings(compound=compound)
    for briefing in briefings:
        rows = list(briefing.recipients.all())
        briefing.waiting = [
            r for r in rows if briefing.needs_acknowledgement and not r.acknowledged_at
        ]
        briefing.unanswered = [r for r in rows if briefing.needs_response and not r.responded_at]
        briefing.overdue = [r for r in rows if r.overdue_on(today)]
    return render(
        request,
        "briefings/list.html",
        {
            "compound": compound,
            "briefings": briefings,
            "form": form or (_form(request, compound, senders) if senders else None),
        },
        status=status,
    )


@login_required
def briefing_list(request: HttpRequest) -> HttpResponse:
    """GET: the compound's briefings; POST: send one for a body the person serves in."""
    compound = compound_from_request(request)
    _require_staff(request, compound)
    senders = services.acting_organizations(actor=request.user, compound=compound)
    if request.method != "POST":
        return _list_page(request, compound, senders)
    if not request.user.has_perm("briefings.send_briefing", compound) or not senders:
        raise PermissionDenied(gettext("You may only send briefings for a body you serve in."))
    form = _form(request, compound, senders, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            briefing = services.briefing_send(
                actor=request.user,
                compound=compound,
                sender=data["sender"],
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                recipients=list(data["recipients"]),
                public=data["public"],
                respond_by=data["respond_by"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, gettext("The briefing is sent."))
            return redirect("briefings:detail", pk=briefing.pk)
    return _list_page(request, compound, senders, form=form, status=400)


def _briefing(request, pk):
    briefing = selectors.briefing_detail(pk=pk)
    if briefing is None:
        raise Http404(gettext("No such briefing."))
    _require_staff(request, briefing.compound)
    return briefing


def _detail_page(request, briefing, response_forms=None, status=200) -> HttpResponse:
    mine = {
        o.pk for o in services.acting_organizations(actor=request.user, compound=briefing.compound)
    }
    today = timezone.localdate()
    response_forms = response_forms or {}
    recipients = list(briefing.recipients.all())
    for row in recipients:
        row.mine = row.organization_id in mine
        row.overdue = row.overdue_on(today)
        row.form = response_forms.get(row.pk) or ResponseForm(prefix=f"r{row.pk}")
    return render(
        request,
        "briefings/detail.html",
        {
            "compound": briefing.compound,
            "briefing": briefing,
            "recipients": recipients,
            "events": list(briefing.events.all()),
        },
        status=status,
    )


@login_required
def briefing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _briefing(request, pk))


def _recipient(request, pk) -> BriefingRecipient:
    row = BriefingRecipient.objects.select_related("briefing__compound").filter(pk=pk).first()
    if row is None:
        raise Http404(gettext("No such briefing."))
    _require_staff(request, row.briefing.compound)
    return row


@login_required
@require_POST
def recipient_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    row = _recipient(request, pk)
    services.briefing_acknowledge(actor=request.user, recipient=row)
    messages.success(request, pgettext("briefing", "Acknowledged."))
    return redirect("briefings:detail", pk=row.briefing_id)


@login_required
@require_POST
def recipient_respond(request: HttpRequest, pk: int) -> HttpResponse:
    row = _recipient(request, pk)
    form = ResponseForm(request.POST, prefix=f"r{row.pk}")
    if form.is_valid():
        try:
            services.briefing_respond(
                actor=request.user, recipient=row, response=form.cleaned_data["response"]
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, gettext("Your answer is recorded."))
            return redirect("briefings:detail", pk=row.briefing_id)
    briefing = _briefing(request, row.briefing_id)
    return _detail_page(request, briefing, response_forms={row.pk: form}, status=400)


def briefing_public(request: HttpRequest) -> HttpResponse:
    """What the compound's residents are told (第三条 "…通报给小区党组织、三方及居民")."""
    compound = compound_from_request(request)
    return render(
        request,
        "briefings/public.html",
        {"compound": compound, "briefings": selectors.public_briefings(compound=compound)},
    )
