"""Pages of the privacy app: the privacy notice and a resident's own data (PIPL arts. 44–47)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from privacy import services
from privacy.models import Consent


def notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice in plain Chinese: what, why, how long, who sees it."""
    from privacy.retention import retention_periods

    periods = retention_periods()
    return render(
        request,
        "privacy/notice.html",
        {
            "photo_years": periods["closed_complaint_photos"] // 365,
            "notification_days": periods["notifications"],
            "access_years": periods["contact_access_log"] // 365,
            "code_days": periods["sign_in_codes"],
            "version": services.NOTICE_VERSION,
        },
    )


class CorrectionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Real name"), max_length=services.NAME_MAX)
    email = forms.EmailField(
        label=gettext_lazy("E-mail (optional)"), required=False, max_length=254
    )


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand: my account is closed and cannot be restored."),
        required=True,
    )


def _page(request, *, correction=None, delete_form=None, blockers=None, status=200):
    person = request.user
    return render(
        request,
        "privacy/me.html",
        {
            "data": services.person_data(person=person),
            "consents": services.consents_current(person=person),
            "correction": correction
            or CorrectionForm(initial={"name": person.name, "email": person.email}),
            "delete_form": delete_form or DeleteForm(),
            "blockers": blockers,
            "withdrawable": {Consent.Purpose.SMS_NOTICES, Consent.Purpose.SHARE_IDENTITY},
        },
        status=status,
    )


@never_cache
@login_required
def me(request: HttpRequest) -> HttpResponse:
    """What the portal holds about me; download, correct, withdraw, delete."""
    return _page(request)


@never_cache
@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    try:
        archive = services.person_export(actor=request.user, person=request.user)
    except services.ExportTooSoon as too_soon:
        messages.error(
            request,
            _(
                "Your data was just downloaded. For your safety a new download is possible "
                "after %(minutes)s minutes."
            )
            % {"minutes": too_soon.minutes},
        )
        return _page(request, status=429)
    response = HttpResponse(archive, content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="huashan-my-data-{stamp}.zip"'
    return response


@login_required
@require_POST
def correct(request: HttpRequest) -> HttpResponse:
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.person_correct(
                actor=request.user,
                person=request.user,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your data is corrected."))
            return redirect("privacy:me")
    return _page(request, correction=form, status=400)


@login_required
@require_POST
def withdraw(request: HttpRequest, purpose: str) -> HttpResponse:
    try:
        services.consent_withdraw(actor=request.user, person=request.user, purpose=purpose)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _page(request, status=400)
    messages.success(request, _("Your consent is withdrawn."))
    return redirect("privacy:me")


@login_required
@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteForm(request.POST)
    if not form.is_valid():
        return _page(request, delete_form=form, status=400)
    try:
        services.person_delete(actor=request.user, person=request.user)
    except ValidationError as error:
        return _page(request, delete_form=form, blockers=error.messages, status=409)
    logout(request)
    messages.success(
        request,
        _(
            "Your account is deleted. Your complaints stay on the board as public records "
            "without your name or number."
        ),
    )
    return redirect("core:home")
