"""Middleware of the portal core.

``RequestSizeLimitMiddleware`` refuses a request whose ``Content-Length`` exceeds
``HUASHAN_MAX_REQUEST_BYTES`` with a 413 page, before any other middleware or view
reads a byte of the body (issue 14 items 5 and 8). The largest legitimate request is
a complaint with its photos (``huashan.core.photos``: 6 × 10 MB) plus the form; the proxy in
front (nginx ``client_max_body_size``, docs/operations.md) applies the same cap.
Bodies under the cap still meet Django's own limits: ``DATA_UPLOAD_MAX_MEMORY_SIZE``
for the form fields, ``FILE_UPLOAD_MAX_MEMORY_SIZE`` before uploads spill to disk.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation

from huashan.core.clientip import client_key

logger = logging.getLogger(__name__)

#: Paths answered in JSON (machines, not people).
API_PREFIXES = ("/api/", "/open311/")


def _declared_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        return int(raw) if raw else 0
    except ValueError:
        return None  # garbage: let Django answer it (it treats the body as empty)


class RequestSizeLimitMiddleware:
    """413 for a declared body above ``HUASHAN_MAX_REQUEST_BYTES``; first in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.HUASHAN_MAX_REQUEST_BYTES)
        length = _declared_length(request)
        if length is not None and length > limit:
            logger.warning(
                "request body of %s bytes refused (limit %s) from %s %s",
                length,
                limit,
                client_key(request),
                request.path,
            )
            return self.too_large(request, limit)
        return self.get_response(request)

    @staticmethod
    def too_large(request: HttpRequest, limit: int) -> HttpResponse:
        megabytes = limit // (1024 * 1024)
        # LocaleMiddleware has not run yet: pick the visitor's language here.
        language = translation.get_language_from_request(request)
        with translation.override(language):
            if request.path.startswith(API_PREFIXES):
                message = translation.gettext(
                    "The request is too large (more than %(mb)s MB). Send smaller photos or "
                    "fewer at a time."
                ) % {"mb": megabytes}
                response = JsonResponse({"detail": message}, status=413)
            else:
                body = render_to_string("413.html", {"limit_mb": megabytes})
                response = HttpResponse(body, status=413)
        response["Connection"] = "close"  # do not read the rest of an oversized body
        response["Cache-Control"] = "no-store"
        return response
