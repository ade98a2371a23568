"""Helpers of the disclosure pages: the compound asked for, form errors, staff checks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from huashan.core.web import compound_from_request as _compound  # noqa: F401 (views import it)
from huashan.core.web import form_add_service_error as _apply_validation_error  # noqa: F401 (views import it)

from .. import selectors
from ..models import Disclosure

BOARD_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50
#: Ledger lines shown on a page before "show all" (a 1,000-line ledger is printed whole in
#: the report PDF; the page stays light on a phone).
LEDGER_PAGE_SIZE = 200


# --- helpers ---------------------------------------------------------------------------


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
