"""HTML pages of the disclosure board (公示栏) and the publishers' work.

Views are thin: they read through ``disclosures.selectors``, change state only
through ``disclosures.services`` and map the services' exceptions to pages:
``ValidationError`` → errors next to the fields (everything typed comes back),
``PermissionDenied`` → 403, an unknown or non-public disclosure → 404.

seed: 公示承诺制度 第一—四条 (what is public, by whom, on which channels, for how
long; owners' objections must be answered); 物业管理委员会服务承诺 2 (ledgers);
the "阳光码" of 第二条.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huashan.core import pagecache
from huashan.directory.selectors import compound_by_slug, compound_organizations

from . import qr, selectors, services
from .forms import (
    FILE_AGAIN,
    AnswerForm,
    AttachmentForm,
    BoardFilterForm,
    ComplianceFilterForm,
    CorrectionForm,
    DisclosureDraftForm,
    LedgerImportForm,
    ObjectionForm,
    ReportRequestForm,
)
from .ledger import LedgerImportError
from .models import Disclosure, DisclosureAttachment, Ledger, Objection, Report
from .sanitize import markdown_to_safe_html

BOARD_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50
#: Ledger lines shown on a page before "show all" (a 1,000-line ledger is printed whole in
#: the report PDF; the page stays light on a phone).
LEDGER_PAGE_SIZE = 200

# --- helpers ---------------------------------------------------------------------------


def _compound(request: HttpRequest, compound_slug: str | None = None):
    slug = compound_slug or request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    compound = compound_by_slug(slug=str(slug)[:50])
    if compound is None:
        raise Http404(gettext("No such compound."))
    return compound


def _apply_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (else on top)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


def _row_errors(exc: ValidationError) -> list:
    """Row-level problems of a refused ledger (for the errors table)."""
    return list(getattr(exc, "row_errors", []))


def _require_staff(request: HttpRequest, compound) -> None:
    if not request.user.has_perm("disclosures.view_staff", compound):
        raise PermissionDenied(gettext("This page is for the compound's staff."))


def _staff_disclosure(request: HttpRequest, pk: int) -> Disclosure:
    """A disclosure the visitor may change (its organization's publisher), else 403/404."""
    disclosure = get_object_or_404(
        Disclosure.objects.select_related("compound", "organization", "category"), pk=pk
    )
    if not request.user.has_perm("disclosures.change_disclosure", disclosure):
        if disclosure.state == Disclosure.State.DRAFT:
            raise Http404(gettext("No such disclosure."))
        raise PermissionDenied(gettext("You may not change this disclosure."))
    return disclosure


def _publisher_organizations(request: HttpRequest, compound):
    return selectors.publisher_organizations(person=request.user, compound=compound)


def _organizations_queryset(organizations):
    from huashan.directory.models import Organization

    return Organization.objects.filter(pk__in=[o.pk for o in organizations]).order_by(
        "kind", "name"
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- public board ------------------------------------------------------------------------


#: Board pages beyond this are built on every request (see ``_board_page_number``).
BOARD_CACHED_PAGES = 50
BOARD_FILTER_FIELDS = ("category", "organization", "period")


def _board_form(request: HttpRequest, compound) -> tuple[BoardFilterForm, dict]:
    """The filter form and the ``board_disclosures`` filters it gives (valid parts only)."""
    form = BoardFilterForm(
        request.GET or None,
        categories=selectors.categories(),
        organizations=compound_organizations(compound=compound),
    )
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        # Keep the valid filters: a bad period must not hide the rest of the search.
        filters = {
            "category": form.cleaned_data.get("category"),
            "organization": form.cleaned_data.get("organization"),
            "q": form.cleaned_data.get("q", ""),
            "archive": bool(form.cleaned_data.get("archive")),
        }
    return form, filters


def _board_page_number(request: HttpRequest) -> int | None:
    """The page of a cacheable request, else None (a crawler walking page=1..99999 must
    not fill the cache with one entry per number)."""
    page = request.GET.get("page", "1") or "1"
    if page.isdigit() and 1 <= int(page) <= BOARD_CACHED_PAGES:
        return int(page)
    return None


def _board_body(request: HttpRequest, compound, form, filters: dict) -> str:
    """The user-independent part of the board: tabs, filters, list, pages (rendered)."""
    archive = bool(filters.get("archive"))
    items = selectors.board_disclosures(compound=compound, **filters).annotate(
        objection_count=Count("objections"),
        answered_count=Count("objections", filter=Q(objections__state=Objection.State.ANSWERED)),
    )
    page = Paginator(items, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"compound": compound.slug}
    query.update({n: request.GET[n] for n in ("q", *BOARD_FILTER_FIELDS) if request.GET.get(n)})
    if archive:
        query["archive"] = "on"
    return render_to_string(
        "disclosures/_board_body.html",
        {
            "compound": compound,
            "form": form,
            "page": page,
            "archive": archive,
            "query": urlencode(query),
        },
    )


def _board_page_version(request: HttpRequest, compound_slug: str | None = None):
    """The whole-page cache's version for anonymous visitors (the board's own version)."""
    slug = compound_slug or request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    compound = selectors.board_compound(slug=str(slug)[:50])
    return compound.board_version if compound is not None else None


@require_GET
@pagecache.anonymous_page(
    "disclosure-board", _board_page_version, cacheable=lambda request: not request.GET.get("q")
)
def board(request: HttpRequest, compound_slug: str | None = None) -> HttpResponse:
    """The public board, no login: what is posted now (or the archive), filterable.

    The sunshine code (阳光码) of the compound points here. seed: 公示承诺制度
    第二条 ("通过信息公开栏、'阳光码'等形式"), 第四条 (channels and periods).

    The body is the same for every visitor, so it is cached per compound, filters, page
    and the compound's board version (``selectors.board_compound``, read in the same
    query as the compound): a hit runs no list or count query, and any change is a new
    version, visible on the next request. Without filters (the sunshine code's landing
    page) a hit does not even build the form. Only valid filter sets are cached (an
    invalid one echoes the visitor's input with errors), and no free-text search: every
    visitor types something else, so it would only fill the cache. The staff link is
    decided per request.
    """
    slug = compound_slug or request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    compound = selectors.board_compound(slug=str(slug)[:50])
    if compound is None:
        raise Http404(gettext("No such compound."))
    page_number = _board_page_number(request)
    values = tuple(str(request.GET.get(name, "")) for name in BOARD_FILTER_FIELDS)
    form = filters = body = None
    if page_number is not None and not request.GET.get("q"):
        cacheable = True
        if any(values):
            form, filters = _board_form(request, compound)
            cacheable = not form.errors
        if cacheable:
            archive = bool(
                BoardFilterForm.base_fields["archive"].to_python(request.GET.get("archive"))
            )

            def build() -> str:
                nonlocal form, filters
                if form is None:
                    form, filters = _board_form(request, compound)
                return _board_body(request, compound, form, filters)

            body = pagecache.cached(
                "disclosure-board",
                (compound.pk, *compound.board_version, *values, archive, page_number),
                build,
            )
    if body is None:
        if form is None:
            form, filters = _board_form(request, compound)
        body = _board_body(request, compound, form, filters)
    return render(
        request,
        "disclosures/board.html",
        {
            "compound": compound,
            "board_body": mark_safe(body),  # rendered by our own autoescaping template
            "can_staff": request.user.has_perm("disclosures.view_staff", compound),
        },
    )


def _detail_context(request: HttpRequest, disclosure: Disclosure, **extra) -> dict:
    ledger = None
    ledger_lines: list = []
    ledger_truncated = False
    try:
        ledger = disclosure.ledger
    except Ledger.DoesNotExist:
        ledger = None
    if ledger is not None:
        show_all = request.GET.get("lines") == "all"
        lines = selectors.ledger_lines(ledger=ledger)
        ledger_lines = list(lines if show_all else lines[: LEDGER_PAGE_SIZE + 1])
        if not show_all and len(ledger_lines) > LEDGER_PAGE_SIZE:
            ledger_lines = ledger_lines[:LEDGER_PAGE_SIZE]
            ledger_truncated = True
    user = request.user
    can_object = user.is_authenticated and user.has_perm("disclosures.file_objection", disclosure)
    can_answer = user.is_authenticated and user.has_perm(
        "disclosures.change_disclosure", disclosure
    )
    context = {
        "disclosure": disclosure,
        "compound": disclosure.compound,
        "attachments": list(disclosure.attachments.all()),
        "ledger": ledger,
        "ledger_lines": ledger_lines,
        "ledger_truncated": ledger_truncated,
        "versions": selectors.disclosure_versions(disclosure=disclosure),
        "objections": selectors.disclosure_objections_public(disclosure=disclosure),
        "objections_open": disclosure.state == Disclosure.State.PUBLISHED,
        "can_object": can_object,
        "can_answer": can_answer,
        "can_correct": can_answer
        and disclosure.state in (Disclosure.State.PUBLISHED, Disclosure.State.EXPIRED),
        "objection_form": ObjectionForm(),
        "answer_errors": {},
        "answer_form": None,
        "answer_for": None,
    }
    context.update(extra)
    return context


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One disclosure: sanitized text, attachments, ledger with totals, versions, objections.

    seed: 公示承诺制度 第三条 (objections are answered, publicly); DESIGN.md §4
    (a correction is a new version; the history is public).
    """
    disclosure = selectors.disclosure_public_get(pk=pk)
    if disclosure is None:
        draft = Disclosure.objects.filter(pk=pk, state=Disclosure.State.DRAFT).first()
        if draft is not None and request.user.has_perm("disclosures.change_disclosure", draft):
            return redirect("disclosures:edit", pk=pk)
        raise Http404(gettext("No such disclosure."))
    return render(request, "disclosures/detail.html", _detail_context(request, disclosure))


@login_required
@require_POST
def objection_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A verified owner files an objection (seed: 公示承诺制度 第三条)."""
    disclosure = selectors.disclosure_public_get(pk=pk)
    if disclosure is None:
        raise Http404(gettext("No such disclosure."))
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_file(
                actor=request.user, disclosure=disclosure, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                gettext(
                    "Your objection is filed and public (your name is masked). "
                    "The publisher must answer it."
                ),
            )
            return redirect(f"{reverse('disclosures:detail', args=[pk])}#objections")
    context = _detail_context(request, disclosure, objection_form=form)
    return render(request, "disclosures/detail.html", context, status=400)


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The publisher answers an objection; the answer is public (第三条 "应当答复")."""
    objection = get_object_or_404(
        Objection.objects.select_related("disclosure__organization", "disclosure__compound"),
        pk=pk,
    )
    if not request.user.has_perm("disclosures.answer_objection", objection):
        raise PermissionDenied(gettext("You may not answer objections to this disclosure."))
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.objection_answer(
                actor=request.user, objection=objection, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        else:
            messages.success(request, gettext("Your answer is published."))
            return redirect(
                f"{reverse('disclosures:detail', args=[objection.disclosure_id])}#objections"
            )
    disclosure = selectors.disclosure_public_get(pk=objection.disclosure_id)
    if disclosure is None:
        raise Http404(gettext("No such disclosure."))
    context = _detail_context(request, disclosure, answer_form=form, answer_for=objection.pk)
    return render(request, "disclosures/detail.html", context, status=400)


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment of a public disclosure (drafts: their publishers only).

    Served with the type checked on upload, as a download for PDFs and inline
    for pictures; ``nosniff`` is set site-wide.
    """
    attachment = get_object_or_404(DisclosureAttachment.objects.select_related("disclosure"), pk=pk)
    disclosure = attachment.disclosure
    if disclosure.state not in Disclosure.PUBLIC_STATES and not request.user.has_perm(
        "disclosures.change_disclosure", disclosure
    ):
        raise Http404(gettext("No such attachment."))
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(gettext("The file is missing.")) from None
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        attachment.kind != DisclosureAttachment.Kind.IMAGE, attachment.original_name
    )
    return response


# --- sunshine code (阳光码) ----------------------------------------------------------------


@require_GET
def sunshine(request: HttpRequest, compound_slug: str | None = None) -> HttpResponse:
    """The compound's sunshine code: what it points to and how to download / print it."""
    compound = _compound(request, compound_slug)
    return render(
        request,
        "disclosures/sunshine.html",
        {
            "compound": compound,
            "target": qr.compound_board_url(compound),
            "can_staff": request.user.has_perm("disclosures.view_staff", compound),
        },
    )


@require_GET
@cache_control(public=True, max_age=3600)
def sunshine_png(request: HttpRequest, compound_slug: str | None = None) -> HttpResponse:
    compound = _compound(request, compound_slug)
    response = HttpResponse(qr.qr_png(qr.compound_board_url(compound)), content_type="image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = content_disposition_header(
            True, f"sunshine-{compound.slug}.png"
        )
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def sunshine_svg(request: HttpRequest, compound_slug: str | None = None) -> HttpResponse:
    compound = _compound(request, compound_slug)
    response = HttpResponse(
        qr.qr_svg(qr.compound_board_url(compound)), content_type="image/svg+xml"
    )
    if request.GET.get("download"):
        response["Content-Disposition"] = content_disposition_header(
            True, f"sunshine-{compound.slug}.svg"
        )
    return response


@login_required
@require_GET
def sunshine_poster(request: HttpRequest, compound_slug: str | None = None) -> HttpResponse:
    """The A4 poster PDF for the notice board (staff: it renders a PDF)."""
    from .pdf import poster_pdf

    compound = _compound(request, compound_slug)
    _require_staff(request, compound)
    response = HttpResponse(poster_pdf(compound=compound), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"sunshine-poster-{compound.slug}.pdf"
    )
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def disclosure_qr(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The QR code of one public disclosure, PNG or SVG."""
    disclosure = selectors.disclosure_public_get(pk=pk)
    if disclosure is None:
        raise Http404(gettext("No such disclosure."))
    url = qr.disclosure_url(disclosure)
    if fmt == "svg":
        return HttpResponse(qr.qr_svg(url), content_type="image/svg+xml")
    return HttpResponse(qr.qr_png(url), content_type="image/png")


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


# --- staff: compliance and reports ----------------------------------------------------------


def _current_quarter_code(today: dt.date) -> str:
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@login_required
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    """The schedule compliance table: on time / late / missing per period and obligation.

    seed: 公示承诺制度 第二、三条; 物业管理委员会服务承诺 2; 小区党组织服务承诺 2.
    """
    compound = _compound(request)
    _require_staff(request, compound)
    organizations = compound_organizations(compound=compound)
    data = request.GET.copy()
    data.setdefault("period", str(timezone.localdate().year))
    data.pop("compound", None)
    form = ComplianceFilterForm(data, organizations=organizations)
    rows: list = []
    counts: dict[str, int] = {}
    if form.is_valid():
        start, end = form.cleaned_data["period"]
        rows = selectors.schedule_compliance(
            compound=compound,
            start=start,
            end=end,
            organization=form.cleaned_data.get("organization"),
        )
        for row in rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        rows = [(row, selectors.compliance_status_label(row.status)) for row in rows]
    return render(
        request,
        "disclosures/compliance.html",
        {
            "compound": compound,
            "form": form,
            "rows": rows,
            "counts": [
                (status, selectors.compliance_status_label(status), counts.get(status, 0))
                for status in selectors.COMPLIANCE_STATUSES
            ],
        },
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    """Quarterly and annual disclosure reports: start one, watch it, download it.

    Generation runs in the Celery worker (DESIGN.md §4 "PDF speed"); this page polls.
    """
    compound = _compound(request)
    if not request.user.has_perm("disclosures.request_report", compound):
        raise PermissionDenied(gettext("This page is for the compound's staff."))
    if request.method == "POST":
        form = ReportRequestForm(request.POST)
        if form.is_valid():
            try:
                report = services.report_request(
                    actor=request.user, compound=compound, period=form.cleaned_data["period"]
                )
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            else:
                messages.success(
                    request, gettext("The report is being generated; this page shows progress.")
                )
                return redirect(
                    f"{reverse('disclosures:reports')}?compound={compound.slug}#report-{report.pk}"
                )
    else:
        previous = timezone.localdate() - dt.timedelta(days=92)
        form = ReportRequestForm(initial={"period": _current_quarter_code(previous)})
    return render(
        request,
        "disclosures/reports.html",
        {
            "compound": compound,
            "form": form,
            "reports": list(selectors.compound_reports(compound=compound)[:30]),
        },
        status=400 if form.errors else 200,
    )


def _report_for(request: HttpRequest, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("compound"), pk=pk)
    if not request.user.has_perm("disclosures.request_report", report.compound):
        raise Http404(gettext("No such report."))
    return report


@login_required
@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of one report: an HTML fragment for htmx, JSON for anything else."""
    report = _report_for(request, pk)
    if getattr(request, "htmx", False):
        return render(request, "disclosures/_report_status.html", {"report": report})
    download = (
        reverse("disclosures:report_download", args=[report.pk])
        if report.status == Report.Status.DONE
        else ""
    )
    return JsonResponse(
        {
            "id": report.pk,
            "period": report.period,
            "status": report.status,
            "status_display": report.get_status_display(),
            "progress": report.progress,
            "download": download,
        }
    )


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = _report_for(request, pk)
    if report.status != Report.Status.DONE or not report.file:
        raise Http404(gettext("The report is not ready."))
    try:
        handle = report.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(gettext("The file is missing.")) from None
    return FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=True,
        filename=f"disclosures-{report.compound.slug}-{report.period}.pdf",
    )
