"""Helpers every app's services share: who is acting, and may they.

Each service starts with ``person = require_perm(actor, "app.action", obj, message)``:
an anonymous, inactive or missing actor and one without the permission get
the same ``PermissionDenied`` with a translated message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from huashan.directory.models import Person


def acting_person(actor) -> Person | None:
    """The acting person, or None for anonymous, inactive or missing actors."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if not getattr(actor, "is_active", False):
        return None
    return actor


def require_perm(actor, perm: str, obj, message) -> Person:
    """Return the acting person if they hold ``perm`` on ``obj``; else PermissionDenied."""
    person = acting_person(actor)
    if person is None or not person.has_perm(perm, obj):
        raise PermissionDenied(message)
    return person
