"""The compiled-once query (issue 20): the person's seats behind every permission check
are read by SQL compiled on first use, with the same answer as the ORM for every date,
person and compound, and placeholders that cannot be silently lost."""

from __future__ import annotations

import datetime as dt

import pytest

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
