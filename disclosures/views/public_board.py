"""The public board (公示栏): the list, one disclosure, owners' objections and answers,
attachments.

seed: 公示承诺制度 第一—三条."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from huashan.core import pagecache
from huashan.core.web import requested_compound_slug
from huashan.directory.selectors import compound_organizations

from .. import selectors, services
from ..forms import (
    AnswerForm,
    BoardFilterForm,
    ObjectionForm,
)
from ..models import Disclosure, DisclosureAttachment, Ledger, Objection
from .common import BOARD_PAGE_SIZE, LEDGER_PAGE_SIZE, _apply_validation_error

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
    compound = selectors.board_compound(slug=requested_compound_slug(request, compound_slug))
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
    compound = selectors.board_compound(slug=requested_compound_slug(request, compound_slug))
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
