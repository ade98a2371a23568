"""The API's answer to a service's refusal, in one place (issue 15 item 4).

Services raise django's ``ValidationError`` and ``PermissionDenied``; API views just call
them and let the error rise. ``exception_handler`` (REST_FRAMEWORK's EXCEPTION_HANDLER)
answers:

- ``ValidationError`` -> 400 ``{field: [messages]}`` (``__all__`` and messages without a
  field under ``non_field_errors``; a ledger's ``row_errors`` as ``rows``);
- an error class the view lists in ``throttled_errors`` (a ValidationError subclass such as
  issues' ``RateLimited``) -> 429 ``{"detail": "<messages>"}``;
- ``PermissionDenied`` -> 403 ``{"detail": "<message>"}``; a refusal without a message says
  the view's ``permission_denied_detail`` (a view without one: DRF's own 403 body).

Everything else goes to DRF's own handler.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


def validation_error_body(error: ValidationError) -> dict[str, Any]:
    """A Django ValidationError as DRF's ``{field: [messages]}`` shape (+ ledger rows)."""
    if hasattr(error, "error_dict"):
        body: dict[str, Any] = {
            ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in error.message_dict.items()
        }
    else:
        body = {"non_field_errors": [str(m) for m in error.messages]}
    rows = getattr(error, "row_errors", None)
    if rows is not None:
        body["rows"] = [{"row": e.row, "field": e.field, "message": e.message} for e in rows]
    return body


def service_error_response(
    exc: Exception, *, denied_detail: str | None = None, throttled: tuple[type, ...] = ()
) -> Response | None:
    """The response for a service's refusal, or None when ``exc`` is not one."""
    if throttled and isinstance(exc, throttled):
        return Response(
            {"detail": " ".join(exc.messages)}, status=status.HTTP_429_TOO_MANY_REQUESTS
        )
    if isinstance(exc, ValidationError):
        return Response(validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied) and (str(exc) or denied_detail):
        return Response(
            {"detail": str(exc) or str(denied_detail)}, status=status.HTTP_403_FORBIDDEN
        )
    return None


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK's EXCEPTION_HANDLER: services' errors as above, the rest as DRF does."""
    view = context.get("view")
    response = service_error_response(
        exc,
        denied_detail=getattr(view, "permission_denied_detail", None),
        throttled=tuple(getattr(view, "throttled_errors", ())),
    )
    if response is None:
        return drf_exception_handler(exc, context)
    set_rollback()
    return response
