"""The state-change kit: lock a row, guard a transition, clean a text field, record an event.

Every state change in the portal is the same four steps inside one transaction
(DESIGN.md §3, STYLE.md "What the first design review taught"): refetch the row
with ``SELECT … FOR UPDATE``, check that its current state allows the step, clean
what the person typed, save, write the event row (actor, verb, from and to state,
note) and copy the saved row back onto the caller's instance. The apps keep their
own error classes and messages; the mechanics live here, written once
(issue 15 item 3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)

REQUIRED_MESSAGE = _("This field is required.")
MAX_LENGTH_MESSAGE = _("At most %(limit)d characters, please (you wrote %(count)d).")
MIN_LENGTH_MESSAGE = _("Please write at least %(min)d characters.")


def lock(row: M | type[M], pk: Any = None, *, related: Iterable[str] = ()) -> M:
    """The row again, locked with ``SELECT … FOR UPDATE`` until the transaction ends.

    ``lock(issue)`` or ``lock(Issue, pk)``. With ``related``, those relations are
    joined (``select_related``) and only the row itself is locked (``of=("self",)``,
    PostgreSQL cannot lock the nullable side of an outer join).
    """
    if isinstance(row, models.Model):
        model, pk = type(row), row.pk
    else:
        model = row
    related = tuple(related)
    if related:
        queryset = model._default_manager.select_for_update(of=("self",)).select_related(*related)
    else:
        queryset = model._default_manager.select_for_update()
    return queryset.get(pk=pk)


def sync(target: M, source: M) -> M:
    """Copy the saved row's fields (and its loaded relations) onto the caller's instance.

    A service locks and saves a fresh copy; the caller's object would otherwise be
    stale. Returns ``target``.
    """
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.fields_cache = dict(source._state.fields_cache)
    target._state.adding = source._state.adding
    return target


def guard(
    row: models.Model,
    target: str,
    *,
    state_attr: str = "state",
    allowed_from: Iterable[str] | None = None,
    transitions: Mapping[str, Iterable[str]] | None = None,
    error: type[ValidationError] = ValidationError,
    message: Any,
    params: Mapping[str, Any] | None = None,
    code: str = "invalid_transition",
) -> str:
    """Refuse the step unless ``row``'s current state may move to ``target``; return that state.

    The allowed moves are ``transitions`` (default: the model's ``TRANSITIONS``
    map, current state → set of next states); ``allowed_from`` narrows the
    current states further. The refusal is the app's ``error`` class with the
    app's ``message`` (``params``/``code`` as for ``ValidationError``).
    """
    old = getattr(row, state_attr)
    moves = transitions if transitions is not None else getattr(type(row), "TRANSITIONS", {})
    allowed = target in set(moves.get(old, ()))
    if allowed_from is not None:
        allowed = allowed and old in set(allowed_from)
    if not allowed:
        if params is None:
            raise error(message, code=code)
        raise error(message, params=dict(params), code=code)
    return old


def _field_error(field: str, message, code: str, params: Mapping[str, Any] | None = None):
    return ValidationError(
        {field: [ValidationError(message, params=dict(params) if params else None, code=code)]}
    )


def clean_text(
    value: Any,
    *,
    field: str,
    max_length: int,
    required: bool = True,
    min_length: int = 0,
) -> str:
    """What the person typed, stripped, or a ``ValidationError`` on ``field``.

    ``None`` is empty; a non-string value is turned into text as it is. Refusals:
    "This field is required." (code ``required``), "Please write at least %(min)d
    characters." (``min_length``), "At most %(limit)d characters, please (you wrote
    %(count)d)." (``max_length``) — the messages every app used.
    """
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        if required or min_length:
            raise _field_error(field, REQUIRED_MESSAGE, "required")
        return text
    if len(text) < min_length:
        raise _field_error(field, MIN_LENGTH_MESSAGE, "min_length", {"min": min_length})
    if len(text) > max_length:
        raise _field_error(
            field, MAX_LENGTH_MESSAGE, "max_length", {"limit": max_length, "count": len(text)}
        )
    return text


def record_event(
    event_model: type[M],
    *,
    actor=None,
    verb: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    **fields: Any,
) -> M:
    """Write one row of an app's event model (a ``huashan.core.models.Event`` subclass).

    ``fields`` names the subject (``issue=…``, ``meeting=…``) and any extra columns
    (``public=True``). An actor that is not a saved person (the system, a worker)
    is recorded as nobody. A note longer than the column is cut to fit.
    """
    if actor is not None and getattr(actor, "pk", None) is None:
        actor = None
    note = str(note or "")
    note_field = event_model._meta.get_field("note")
    if note_field.max_length and len(note) > note_field.max_length:
        note = note[: note_field.max_length]
    return event_model._default_manager.create(
        actor=actor,
        verb=verb,
        from_state=from_state or "",
        to_state=to_state or "",
        note=note,
        **fields,
    )
