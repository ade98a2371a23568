"""The in-app inbox: list, mark read, mark all read, open (mark read + follow link)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .models import SmsPreference

PAGE_SIZE = 20


def _own_notification(request: HttpRequest, pk: int):
    notification = selectors.inbox_get(user=request.user, pk=pk)
    if notification is None:
        # Someone else's message, a deleted one or a made-up id: all look the same.
        raise Http404
    return notification


@require_GET
@login_required
@permission_required("notify.view_inbox", raise_exception=True)
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notify/inbox.html",
        {
            "page_obj": page,
            "notifications": page.object_list,
            "unread_total": selectors.unread_count(user=request.user),
        },
    )


@require_POST
@login_required
@permission_required("notify.view_inbox", raise_exception=True)
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_mark_read(actor=request.user, notification=_own_notification(request, pk))
    return redirect("notify:inbox")


@require_POST
@login_required
@permission_required("notify.view_inbox", raise_exception=True)
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notify:inbox")


@require_POST
@login_required
@permission_required("notify.view_inbox", raise_exception=True)
def open_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read, then go where the message points — but only within this site."""
    notification = _own_notification(request, pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return redirect(notification.link)
    return redirect("notify:inbox")


class SmsPreferenceForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Also send me these notices by SMS"),
        choices=SmsPreference.Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@login_required
def sms_preference(request: HttpRequest) -> HttpResponse:
    """A resident chooses which notices also reach them by SMS (issue 21 item 2)."""
    if request.method == "POST":
        form = SmsPreferenceForm(request.POST)
        if form.is_valid():
            services.sms_preference_set(
                actor=request.user, person=request.user, categories=form.cleaned_data["categories"]
            )
            messages.success(request, _("Your SMS choices are saved."))
            return redirect("notify:sms_preference")
        status = 400
    else:
        form = SmsPreferenceForm(
            initial={"categories": sorted(services.sms_categories(request.user))}
        )
        status = 200
    return render(
        request,
        "notify/sms_preference.html",
        {"form": form, "masked_mobile": request.user.masked_mobile},
        status=status,
    )
