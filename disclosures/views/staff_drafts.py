"""Publishers' pages: drafts, attachments, ledgers, publishing, corrections, archiving."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors, services
from ..forms import (
    FILE_AGAIN,
    AttachmentForm,
    CorrectionForm,
    DisclosureDraftForm,
    LedgerImportForm,
)
from ..ledger import LedgerImportError, ledger_flags, ledger_publish_check
from ..models import Disclosure, DisclosureAttachment, Ledger
from ..sanitize import markdown_to_safe_html
from .common import (
    STAFF_PAGE_SIZE,
    _apply_validation_error,
    _compound,
    _organizations_queryset,
    _publisher_organizations,
    _query_without_page,
    _require_staff,
    _row_errors,
    _staff_disclosure,
)

# --- staff: drafts, publishing, corrections -------------------------------------------------


@login_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    """The publisher's desk: drafts, what is posted, objections waiting for an answer."""
    compound = _compound(request)
    _require_staff(request, compound)
    organizations = _publisher_organizations(request, compound)
    state = request.GET.get("state") or None
    if state not in Disclosure.State.values:
        state = None
    disclosures = selectors.staff_disclosures(
        compound=compound, organizations=organizations or None, state=state
    )
    page = Paginator(disclosures, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    objections = list(selectors.open_objections(organizations=organizations)[:100])
    return render(
        request,
        "disclosures/staff.html",
        {
            "compound": compound,
            "organizations": organizations,
            "page": page,
            "state": state or "",
            "states": Disclosure.State.choices,
            "objections": objections,
            "query": _query_without_page(request),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """Start a draft in the name of one of the person's organizations."""
    compound = _compound(request)
    _require_staff(request, compound)
    organizations = _publisher_organizations(request, compound)
    if not organizations:
        raise PermissionDenied(gettext("You do not publish for any organization here."))
    form_kwargs = {
        "organizations": _organizations_queryset(organizations),
        "categories": selectors.categories(),
    }
    preview = None
    if request.method == "POST":
        form = DisclosureDraftForm(request.POST, **form_kwargs)
        if form.is_valid():
            if request.POST.get("action") == "preview":
                preview = markdown_to_safe_html(form.cleaned_data["body_markdown"])
            else:
                try:
                    disclosure = services.disclosure_create_draft(
                        actor=request.user,
                        compound=compound,
                        organization=form.cleaned_data["organization"],
                        **form.service_fields(),
                    )
                except ValidationError as exc:
                    _apply_validation_error(form, exc)
                else:
                    messages.success(
                        request,
                        gettext("Draft saved. Add attachments or a ledger, then publish it."),
                    )
                    return redirect("disclosures:edit", pk=disclosure.pk)
    else:
        initial = {}
        if len(organizations) == 1:
            initial["organization"] = organizations[0].pk
        category = request.GET.get("category")
        if category:
            initial["category"] = (
                selectors.categories()
                .filter(code=str(category)[:40])
                .values_list("pk", flat=True)
                .first()
            )
        form = DisclosureDraftForm(initial=initial, **form_kwargs)
    return render(
        request,
        "disclosures/draft_form.html",
        {"compound": compound, "form": form, "preview": preview, "disclosure": None},
        status=400 if form.errors else 200,
    )


def _edit_context(request, disclosure, **extra) -> dict:
    try:
        ledger = disclosure.ledger
    except Ledger.DoesNotExist:
        ledger = None
    context = {
        "compound": disclosure.compound,
        "disclosure": disclosure,
        "attachments": list(disclosure.attachments.all()),
        "attachment_form": AttachmentForm(),
        "ledger": ledger,
        "preview": None,
        "publish_errors": [],
        "row_errors": [],
    }
    context.update(extra)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft (published ones redirect to the correction page)."""
    disclosure = _staff_disclosure(request, pk)
    if disclosure.state != Disclosure.State.DRAFT:
        return redirect("disclosures:correct", pk=pk)
    organizations = [disclosure.organization]
    form_kwargs = {
        "organizations": _organizations_queryset(organizations),
        "categories": selectors.categories(),
        "lock_organization": True,
    }
    preview = None
    if request.method == "POST":
        form = DisclosureDraftForm(
            request.POST,
            initial={"organization": disclosure.organization_id},
            **form_kwargs,
        )
        if form.is_valid():
            if request.POST.get("action") == "preview":
                preview = markdown_to_safe_html(form.cleaned_data["body_markdown"])
            else:
                try:
                    services.disclosure_update_draft(
                        actor=request.user, disclosure=disclosure, **form.service_fields()
                    )
                except ValidationError as exc:
                    _apply_validation_error(form, exc)
                else:
                    messages.success(request, gettext("Draft saved."))
                    return redirect("disclosures:edit", pk=pk)
    else:
        form = DisclosureDraftForm(
            initial=DisclosureDraftForm.initial_from(disclosure), **form_kwargs
        )
    return render(
        request,
        "disclosures/edit.html",
        _edit_context(request, disclosure, form=form, preview=preview),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _staff_disclosure(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.disclosure_attachment_add(
                actor=request.user, disclosure=disclosure, uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("Attachment added."))
            return redirect("disclosures:edit", pk=pk)
    draft_form = DisclosureDraftForm(
        initial=DisclosureDraftForm.initial_from(disclosure),
        organizations=_organizations_queryset([disclosure.organization]),
        categories=selectors.categories(),
        lock_organization=True,
    )
    return render(
        request,
        "disclosures/edit.html",
        _edit_context(request, disclosure, form=draft_form, attachment_form=form),
        status=400,
    )


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(DisclosureAttachment.objects.select_related("disclosure"), pk=pk)
    disclosure = _staff_disclosure(request, attachment.disclosure_id)
    try:
        services.disclosure_attachment_remove(actor=request.user, attachment=attachment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Attachment removed."))
    return redirect("disclosures:edit", pk=disclosure.pk)


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the ledger of a draft from .xlsx / CSV: all lines or none, every row error shown.

    seed: 公示承诺制度 第二条; 物业管理委员会服务承诺 2 (收支明细, 维修资金台账).
    """
    disclosure = _staff_disclosure(request, pk)
    if disclosure.state != Disclosure.State.DRAFT:
        messages.error(
            request,
            gettext(
                "The ledger of a published disclosure cannot be changed; publish a "
                "correction instead."
            ),
        )
        return redirect("disclosures:correct", pk=pk)
    row_errors: list = []
    status = 200
    if request.method == "POST":
        form = LedgerImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                ledger = services.disclosure_ledger_import(
                    actor=request.user,
                    disclosure=disclosure,
                    uploaded_file=form.cleaned_data["file"],
                    **form.totals(),
                )
            except LedgerImportError as exc:
                row_errors = _row_errors(exc)
                form.add_error(
                    None,
                    gettext(
                        "Nothing was imported: fix the rows below in the file and upload it again."
                    ),
                )
                if getattr(exc, "total_errors", 0) > len(row_errors):
                    form.add_error(None, exc.messages[-1])
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    gettext("%(count)d ledger lines imported; the totals match.")
                    % {"count": ledger.line_count},
                )
                for flag in ledger_flags(disclosure):  # continuity, negative end (issue 19)
                    messages.warning(request, flag)
                return redirect("disclosures:edit", pk=pk)
        if form.errors and "file" not in form.errors:
            form.add_error("file", FILE_AGAIN)
        status = 400
    else:
        form = LedgerImportForm()
    try:
        ledger = disclosure.ledger
    except Ledger.DoesNotExist:
        ledger = None
    return render(
        request,
        "disclosures/ledger_import.html",
        {
            "compound": disclosure.compound,
            "disclosure": disclosure,
            "form": form,
            "row_errors": row_errors,
            "ledger": ledger,
        },
        status=status,
    )


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a draft on its channels (seed: 公示承诺制度 第四条)."""
    disclosure = _staff_disclosure(request, pk)
    try:
        with transaction.atomic():
            # A ledger that does not continue the last period or ends negative needs
            # the publisher's note (issue 19).
            ledger_publish_check(disclosure, note=request.POST.get("ledger_note", ""))
            services.disclosure_publish(actor=request.user, disclosure=disclosure)
    except ValidationError as exc:
        messages.error(request, gettext("Not published yet: please fix what is listed below."))
        publish_errors = (
            [str(e) for e in _row_errors(exc)] if _row_errors(exc) else list(exc.messages)
        )
        form = DisclosureDraftForm(
            initial=DisclosureDraftForm.initial_from(disclosure),
            organizations=_organizations_queryset([disclosure.organization]),
            categories=selectors.categories(),
            lock_organization=True,
        )
        return render(
            request,
            "disclosures/edit.html",
            _edit_context(request, disclosure, form=form, publish_errors=publish_errors),
            status=400,
        )
    messages.success(request, gettext("Published. It is on the public board now."))
    return redirect("disclosures:detail", pk=pk)


@login_required
@require_POST
def delete_draft(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _staff_disclosure(request, pk)
    compound = disclosure.compound
    try:
        services.disclosure_delete_draft(actor=request.user, disclosure=disclosure)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("disclosures:detail", pk=pk)
    messages.success(request, gettext("Draft deleted."))
    return redirect(f"{reverse('disclosures:staff')}?compound={compound.slug}")


@login_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a corrected version with a public reason; the old one stays visible."""
    disclosure = _staff_disclosure(request, pk)
    if disclosure.state == Disclosure.State.DRAFT:
        return redirect("disclosures:edit", pk=pk)
    if disclosure.state not in (Disclosure.State.PUBLISHED, Disclosure.State.EXPIRED):
        messages.error(request, gettext("Only the current published version can be corrected."))
        return redirect("disclosures:detail", pk=pk)
    row_errors: list = []
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                new = services.disclosure_correct(
                    actor=request.user,
                    disclosure=disclosure,
                    reason=data["reason"],
                    title=data["title"],
                    body_markdown=data["body_markdown"],
                    posting_end=data["posting_end"],
                    long_term=data["long_term"],
                    channels=data["channels"] or None,
                )
            except LedgerImportError as exc:
                row_errors = _row_errors(exc)
                form.add_error(None, gettext("The ledger of this disclosure does not check out."))
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    gettext("Version %(version)d is published; the old one stays visible.")
                    % {"version": new.version},
                )
                return redirect("disclosures:detail", pk=new.pk)
    else:
        form = CorrectionForm(initial=CorrectionForm.initial_from(disclosure))
    return render(
        request,
        "disclosures/correct.html",
        {
            "compound": disclosure.compound,
            "disclosure": disclosure,
            "form": form,
            "row_errors": row_errors,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = _staff_disclosure(request, pk)
    try:
        services.disclosure_archive(actor=request.user, disclosure=disclosure)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Moved to the archive; it stays public there."))
    return redirect("disclosures:detail", pk=pk)
