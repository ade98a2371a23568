"""An ORM query compiled to SQL once per process, then run with new values.

For a small query run on every request (the person's seats behind each permission
check) Django spends longer compiling the queryset than PostgreSQL spends planning
and running it: 3.1 ms against 0.9 ms on the bench database (issue 20). The query is
still written once, with the ORM (the same managers and ``Q`` objects as everywhere
else); only its compilation is kept.

``build(*placeholders)`` returns a ``values_list`` queryset built with the given
placeholder values. It is compiled on first use; every compiled parameter equal to a
placeholder is then filled, position by position, with the caller's value. Columns
are returned as the database driver gives them (no field converters run), so use it
for text, integer, boolean and date columns only.

On PostgreSQL the statement is also *prepared* once per database connection
(``PREPARE``, on the first use; a new connection prepares it again) and then run as
``EXECUTE name(values)``: otherwise PostgreSQL plans it on every run, which for the seats
query was most of its time (0.71 ms, 0.17 ms prepared, on the bench database). The
``PREPARE`` goes straight to the driver, so it is not among a request's counted
statements; it is not undone by a rollback. This needs a direct connection (or a pooler
in session mode): a transaction-mode pooler would hand the ``EXECUTE`` to another
server session.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet

#: Names of the statements prepared on each open driver connection (PostgreSQL). Keyed
#: weakly by the driver's connection object, so a closed connection's entry goes with it.
_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_names = itertools.count(1)


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], placeholders: Sequence[Any]):
        if len(set(placeholders)) != len(placeholders):
            raise ValueError("placeholders must be distinct")
        self._name = f"huashan_compiled_{next(_names)}"
        self._build = build
        self._placeholders = tuple(placeholders)
        self._compiled: dict[str, tuple[str, list[tuple[int | None, Any]]]] = {}

    def _compile(self, alias: str) -> tuple[str, list[tuple[int | None, Any]]]:
        queryset = self._build(*self._placeholders)
        sql, params = queryset.query.get_compiler(using=alias).as_sql()
        ops = connections[alias].ops
        adapted = [_adapt(ops, p) for p in self._placeholders]
        slots: list[tuple[int | None, Any]] = []
        for param in params:
            matches = [i for i, p in enumerate(adapted) if _same(p, param)]
            slots.append((matches[0], None) if matches else (None, param))
        missing = set(range(len(self._placeholders))) - {i for i, _ in slots}
        if missing:
            raise ValueError(f"placeholders not in the compiled query: {sorted(missing)}")
        return sql, slots

    def rows(self, *values: Any, using: str = "default") -> list[tuple]:
        """The query's rows for ``values`` (one per placeholder, in order)."""
        if len(values) != len(self._placeholders):
            raise TypeError(f"expected {len(self._placeholders)} values, got {len(values)}")
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, slots = compiled
        connection = connections[using]
        params = [_adapt(connection.ops, values[i]) if i is not None else c for i, c in slots]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = self._prepared_on(connection, sql, len(params))
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _prepared_on(self, connection, sql: str, count: int) -> str:
        """``EXECUTE`` of this query's statement, prepared on ``connection`` if need be."""
        raw = connection.connection
        names = _prepared.get(raw)
        if names is None:
            names = _prepared[raw] = set()
        if self._name not in names:
            with raw.cursor() as cursor:
                cursor.execute(f"PREPARE {self._name} AS {_numbered(sql)}")
            names.add(self._name)
        return (
            f"EXECUTE {self._name}({', '.join(['%s'] * count)})"
            if count
            else f"EXECUTE {self._name}"
        )


def _numbered(sql: str) -> str:
    """Django's ``%s`` placeholders as PostgreSQL's ``$1, $2, …`` (``%%`` is a literal %)."""
    counter = itertools.count(1)
    return re.sub(r"%%|%s", lambda m: "%" if m[0] == "%%" else f"${next(counter)}", sql)


def _adapt(ops, value: Any) -> Any:
    """A date as the backend's compiler passes it (PostgreSQL: the date; SQLite: its text)."""
    if isinstance(value, dt.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return ops.adapt_datefield_value(value)
    return value


def _same(placeholder: Any, param: Any) -> bool:
    return type(placeholder) is type(param) and placeholder == param
