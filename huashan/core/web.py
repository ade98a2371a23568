"""What the apps' HTML views share: the compound a request is about, and a service's
``ValidationError`` put on the form the person typed into (issue 15 item 4)."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from huashan.directory.selectors import compound_by_slug

SLUG_MAX = 50  # Compound.slug's max_length: longer input is cut, never looked up


def requested_compound_slug(request: HttpRequest, compound_slug: str | None = None) -> str:
    """The compound slug a request names: the URL's, else ``?compound=``, else the portal's."""
    slug = compound_slug or request.GET.get("compound") or settings.HUASHAN_DEFAULT_COMPOUND
    return str(slug)[:SLUG_MAX]


def compound_from_request(request: HttpRequest, compound_slug: str | None = None):
    """The compound a page is about (see ``requested_compound_slug``), or 404."""
    compound = compound_by_slug(slug=requested_compound_slug(request, compound_slug))
    if compound is None:
        raise Http404(gettext("No such compound."))
    return compound


def form_add_service_error(
    form: forms.BaseForm, exc: ValidationError, aliases: Mapping[str, str] | None = None
) -> None:
    """Put a service's ValidationError next to the form fields it names, the rest (and a
    message not tied to a field) in the form's non-field errors. ``aliases`` maps a name
    the service uses to the form field that holds it (``{"params": "extra"}``)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        name = (aliases or {}).get(name, name)
        target = name if name in form.fields else None
        for error in errors:
            form.add_error(target, error)
