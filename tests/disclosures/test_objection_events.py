"""Each step of an objection writes one event with the same actor, verb, from and to state
as before it went through the state kit's ``record_event`` (issue 15).

seed: 公示承诺制度 第三条 — 对公示内容有异议的，应当答复 (an objection is filed, answered,
and the party organization is told when it is not answered in time)."""

from __future__ import annotations

import datetime as dt

import pytest

from disclosures.models import Objection
from disclosures.services import objection_answer, objection_file, objections_scan_overdue
from tests.factories.disclosures import DisclosureFactory

pytestmark = pytest.mark.django_db


def history(objection: Objection) -> list[tuple]:
    return [
        (event.actor_id, event.verb, event.from_state, event.to_state, event.note)
        for event in objection.events.order_by("pk")
    ]


def test_filing_answering_and_the_overdue_scan_write_one_event_each(world):
    disclosure = DisclosureFactory(organization=world.company)
    owner, publisher = world.resident, world.people.property_company
    answered = objection_file(actor=owner, disclosure=disclosure, body="金额与合同不符，请核实。")
    late = objection_file(actor=world.neighbour, disclosure=disclosure, body="第二条异议内容。")
    objection_answer(actor=publisher, objection=answered, answer="已核实并更正。")
    assert objections_scan_overdue(now=late.answer_due + dt.timedelta(minutes=1)) == 1

    assert history(answered) == [
        (owner.pk, "filed", "", Objection.State.OPEN, ""),
        (publisher.pk, "answered", Objection.State.OPEN, Objection.State.ANSWERED, ""),
    ]
    assert history(late) == [
        (world.neighbour.pk, "filed", "", Objection.State.OPEN, ""),
        (None, "overdue", "", "", ""),
    ]


def test_the_answer_is_copied_back_onto_the_callers_objection(world):
    disclosure = DisclosureFactory(organization=world.company)
    objection = objection_file(actor=world.resident, disclosure=disclosure, body="请公开明细。")
    publisher = world.people.property_company
    returned = objection_answer(actor=publisher, objection=objection, answer="明细已补充公示。")
    assert returned is objection
    assert (objection.state, objection.answer, objection.answered_by_id) == (
        Objection.State.ANSWERED,
        "明细已补充公示。",
        publisher.pk,
    )
