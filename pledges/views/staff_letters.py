"""Staff pages for pledge letters and their items (drafting, publishing, attesting)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.directory.models import Organization

from .. import selectors, services
from ..engine import periods_for
from ..forms import (
    AttestationForm,
    ItemForm,
    LetterEditForm,
    LetterForm,
)
from ..models import (
    AccountabilityCase,
    PledgeItem,
    PledgeLetter,
)
from .common import (
    _apply_validation_error,
    _compound,
    _letter_organizations,
    _require_staff,
    _with_compound,
)

# --- staff: letters and items ------------------------------------------------------


@login_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    compound = _compound(request)
    _require_staff(request, compound)
    letters = selectors.letters_for_compound(compound=compound, published_only=False)
    return render(
        request,
        "pledges/staff_home.html",
        {
            "compound": compound,
            "letters": list(letters.select_related("organization")),
            "open_findings": selectors.findings_open(compound=compound).count(),
            "open_cases": selectors.cases_for(
                compound=compound, status=AccountabilityCase.Status.OPEN
            ).count()
            if request.user.has_perm("pledges.view_cases", compound)
            else None,
            "can_write": bool(_letter_organizations(request.user, compound)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_new(request: HttpRequest) -> HttpResponse:
    """Write a new letter; its items are added on the next page."""
    compound = _compound(request)
    _require_staff(request, compound)
    allowed = _letter_organizations(request.user, compound)
    if not allowed:
        raise PermissionDenied(gettext("You may not write pledges for any organization here."))
    organizations = Organization.objects.filter(pk__in=allowed).order_by("kind", "pk")
    form = LetterForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            letter = services.letter_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("Letter saved. Now add its items."))
            return redirect(_with_compound("pledges:letter_manage", compound, letter.pk))
    return render(request, "pledges/letter_new.html", {"compound": compound, "form": form})


def _staff_letter(request: HttpRequest, pk: int) -> PledgeLetter:
    letter = get_object_or_404(
        PledgeLetter.objects.select_related("organization", "compound"), pk=pk
    )
    _require_staff(request, letter.compound)
    return letter


@login_required
@require_http_methods(["GET", "POST"])
def letter_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """A letter's staff page: edit the text, add items (rule kind + parameters), publish."""
    letter = _staff_letter(request, pk)
    compound = letter.compound
    can_edit = request.user.has_perm("pledges.manage_letter", letter.organization)
    organizations = Organization.objects.filter(compound=compound).order_by("kind", "pk")
    item_form = ItemForm(prefix="item", organizations=organizations)
    letter_form = LetterEditForm(
        prefix="letter",
        initial={
            "title": letter.title,
            "letterhead": letter.letterhead,
            "preamble": letter.preamble,
            "closing": letter.closing,
        },
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(gettext("You may not edit this letter."))
        action = request.POST.get("action")
        if action == "item":
            item_form = ItemForm(request.POST, prefix="item", organizations=organizations)
            if item_form.is_valid():
                try:
                    services.item_create(
                        actor=request.user, letter=letter, **item_form.service_kwargs()
                    )
                except ValidationError as exc:
                    _apply_validation_error(item_form, exc)
                else:
                    messages.success(request, gettext("Item added."))
                    return redirect(_with_compound("pledges:letter_manage", compound, letter.pk))
        elif action == "letter":
            letter_form = LetterEditForm(request.POST, prefix="letter")
            if letter_form.is_valid():
                try:
                    services.letter_update(
                        actor=request.user, letter=letter, **letter_form.cleaned_data
                    )
                except ValidationError as exc:
                    _apply_validation_error(letter_form, exc)
                else:
                    messages.success(request, gettext("Letter saved."))
                    return redirect(_with_compound("pledges:letter_manage", compound, letter.pk))
        else:
            messages.error(request, gettext("Unknown action."))
    items = list(
        letter.items.select_related("responsible_org").order_by("position", "number", "pk")
    )
    return render(
        request,
        "pledges/letter_manage.html",
        {
            "compound": compound,
            "letter": letter,
            "items": items,
            "item_form": item_form,
            "letter_form": letter_form,
            "can_edit": can_edit,
            "can_attest": request.user.has_perm("pledges.attest", compound),
        },
    )


@login_required
@require_POST
def letter_publish(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _staff_letter(request, pk)
    try:
        services.letter_publish(actor=request.user, letter=letter)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("The letter is published on the pledge board."))
    return redirect(_with_compound("pledges:letter_manage", letter.compound, letter.pk))


def _staff_item(request: HttpRequest, pk: int) -> PledgeItem:
    item = get_object_or_404(
        PledgeItem.objects.select_related("letter__organization", "letter__compound"), pk=pk
    )
    _require_staff(request, item.letter.compound)
    return item


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an item; results of closed periods stay as computed."""
    item = _staff_item(request, pk)
    letter = item.letter
    if not request.user.has_perm("pledges.manage_letter", letter.organization):
        raise PermissionDenied(gettext("You may not edit this letter."))
    organizations = Organization.objects.filter(compound=letter.compound).order_by("kind", "pk")
    if request.method == "POST":
        form = ItemForm(request.POST, organizations=organizations)
        if form.is_valid():
            try:
                services.item_update(
                    actor=request.user,
                    item=item,
                    active="active" in request.POST,
                    **form.service_kwargs(),
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(request, gettext("Item saved."))
                return redirect(_with_compound("pledges:letter_manage", letter.compound, letter.pk))
    else:
        form = ItemForm(initial=ItemForm.initial_for(item), organizations=organizations)
    return render(
        request,
        "pledges/item_edit.html",
        {"compound": letter.compound, "letter": letter, "item": item, "form": form},
    )


def _item_periods(item: PledgeItem) -> list[tuple[dt.date, dt.date]]:
    """Periods of the letter's year that have started (a judgement needs evidence)."""
    params = item.params or {}
    months = params.get("period_months") or 12
    today = timezone.localdate()
    try:
        periods = periods_for(period_months=int(months), year=item.letter.year)
    except (TypeError, ValueError, ZeroDivisionError):
        periods = periods_for(period_months=12, year=item.letter.year)
    return [(start, end) for start, end in periods if start <= today]


@login_required
@require_http_methods(["GET", "POST"])
def item_attest(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer records evidence and a judgement for a period (评议认定)."""
    item = _staff_item(request, pk)
    compound = item.letter.compound
    if not request.user.has_perm("pledges.attest", compound):
        raise PermissionDenied(gettext("You may not judge pledges here."))
    form = AttestationForm(request.POST or None, periods=_item_periods(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.attestation_record(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("Judgement recorded."))
            return redirect(_with_compound("pledges:letter_manage", compound, item.letter_id))
    return render(
        request,
        "pledges/item_attest.html",
        {"compound": compound, "item": item, "form": form},
    )
