"""Helpers every meetings page uses: the compound from the request, the staff check, service
errors onto forms and messages, links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from huashan.core.web import compound_from_request as _compound  # noqa: F401 (views import it)
from huashan.core.web import form_add_service_error as _apply_validation_error
from huashan.directory.models import Membership
from huashan.directory.rules import STAFF_ROLES

from .. import selectors
from ..models import (
    Meeting,
)

ACTION_ITEMS_PAGE_SIZE = 50
LIST_PAGE_SIZE = 30
#: The meeting page shows the agreed-item form only once the meeting has taken place.
_NO_ITEM_FORM_STATUSES = frozenset(
    {Meeting.Status.DRAFT, Meeting.Status.NOTICE_SENT, Meeting.Status.CANCELLED}
)
GENERAL = "general"  # the minutes key of remarks not tied to an agenda item


def _require_staff(request: HttpRequest, obj) -> None:
    if not request.user.has_perm("meetings.view_meeting", obj):
        raise PermissionDenied(gettext("This page is for the staff of the compound's bodies."))


def _get_meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_detail(pk=pk)
    if meeting is None:
        raise Http404(gettext("No such meeting."))
    _require_staff(request, meeting)
    return meeting


def _run(target_form, service: Callable, /, **kwargs) -> Any:
    """Call a service; on ValidationError put it on the form and return None."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        _apply_validation_error(target_form, exc)
        return None


def _error_message(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _simple_action(request: HttpRequest, redirect_to: str, service: Callable, **kwargs):
    """A button without fields: run the service, say what happened, go back."""
    try:
        service(actor=request.user, **kwargs)
    except ValidationError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, gettext("Done."))
    return redirect(redirect_to)


def _acting_org_ids(person) -> set[int] | None:
    """Organizations the person may sign for (one query); None means all (superuser)."""
    if not person.is_authenticated:
        return set()
    if person.is_superuser:
        return None
    return set(
        Membership.objects.current()
        .filter(person=person, role__in=STAFF_ROLES)
        .values_list("organization_id", flat=True)
    )


def _acts_for(org_ids: set[int] | None, organization_id: int) -> bool:
    return org_ids is None or organization_id in org_ids


def _meeting_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("meetings:detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def _compound_query(compound) -> str:
    return f"?compound={compound.slug}"
