"""The compiled-once query (issue 20): the person's seats behind every permission check
are read by SQL compiled on first use, with the same answer as the ORM for every date,
person and compound, and placeholders that cannot be silently lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huashan.core.compiled import CompiledQuery
from huashan.directory.models import Membership
from huashan.directory.rules import _seats_query, seats_in_compound
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db


def _orm(on, person, compound):
    return set(_seats_query(on, person.pk, compound.pk))


def test_seats_match_the_orm_on_each_side_of_a_term(django_assert_num_queries):
    world = compound_world()
    person = world.people.pmc
    seat = Membership.objects.filter(person=person).first()
    seat.start, seat.end = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    seat.save()
    compiled = CompiledQuery(_seats_query, (dt.date(1901, 1, 1), -1, -2))
    for day in (
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        dt.date(2026, 7, 1),
    ):
        got = set(compiled.rows(day, person.pk, world.compound.pk))
        assert got == _orm(day, person, world.compound)
    assert (seat.organization.kind, seat.role) in set(
        compiled.rows(dt.date(2026, 1, 1), person.pk, world.compound.pk)
    )
    assert (seat.organization.kind, seat.role) not in set(
        compiled.rows(dt.date(2026, 7, 1), person.pk, world.compound.pk)
    )
    # The page's permission checks: one query per (person, compound, request).
    person = type(person).objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        seats_in_compound(person, world.compound)
        seats_in_compound(person, world.compound)


def test_a_placeholder_missing_from_the_query_or_a_wrong_count_is_refused():
    never_used = CompiledQuery(
        lambda on, person: Membership.objects.filter(person_id=person).values_list("role"),
        (dt.date(1901, 1, 1), -1),
    )
    with pytest.raises(ValueError, match="placeholders not in the compiled query"):
        never_used.rows(dt.date(2026, 1, 1), 5)
    with pytest.raises(TypeError):
        never_used.rows(5)
    with pytest.raises(ValueError, match="distinct"):
        CompiledQuery(lambda a, b: None, (1, 1))


# --- prepared once per database connection (PostgreSQL) ----------------------------------


def _compiled_seats():
    return CompiledQuery(_seats_query, (dt.date(1901, 1, 1), -1, -2))


def test_on_postgresql_the_statement_is_prepared_once_and_then_executed():
    """PostgreSQL plans a statement on every run unless it is prepared: for the seats
    query the planning was most of its time (0.71 -> 0.17 ms on the bench database). The
    first use on a connection prepares it (outside the request's statements); every use
    is then one ``EXECUTE`` with the same rows as the ORM."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.fail("the portal's database is PostgreSQL (settings_test)")
    world = compound_world()
    person, today = world.people.pmc, timezone.localdate()
    compiled = _compiled_seats()
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            rows = compiled.rows(today, person.pk, world.compound.pk)
        assert set(rows) == _orm(today, person, world.compound)
        assert rows
        assert len(ctx) == 1
        assert ctx.captured_queries[0]["sql"].startswith("EXECUTE ")


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_and_a_rolled_back_transaction_keep_it_working():
    from django.db import connection, transaction

    world = compound_world()
    person, today = world.people.pmc, timezone.localdate()
    expected = _orm(today, person, world.compound)
    compiled = _compiled_seats()
    first = []

    def first_use_then_fail():
        with transaction.atomic():
            first.append(set(compiled.rows(today, person.pk, world.compound.pk)))
            raise RuntimeError("rolled back after the first use")

    with pytest.raises(RuntimeError):
        first_use_then_fail()
    assert first == [expected]
    assert set(compiled.rows(today, person.pk, world.compound.pk)) == expected
    # A reconnect (CONN_MAX_AGE, a failed health check) starts without prepared statements.
    connection.close()
    assert set(compiled.rows(today, person.pk, world.compound.pk)) == expected


def test_two_compiled_queries_never_share_a_prepared_statement():
    world = compound_world()
    person, today = world.people.pmc, timezone.localdate()
    seats = _compiled_seats()
    people = CompiledQuery(
        lambda pk: (
            Membership.objects.filter(person_id=pk).order_by().values_list("person_id").distinct()
        ),
        (-7,),
    )
    assert set(seats.rows(today, person.pk, world.compound.pk)) == _orm(
        today, person, world.compound
    )
    assert people.rows(person.pk) == [(person.pk,)]
    assert set(seats.rows(today, person.pk, world.compound.pk)) == _orm(
        today, person, world.compound
    )
