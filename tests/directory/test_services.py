"""Residency verification services: state guard, event row, permission, notification."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huashan.directory.models import Residency, ResidencyEvent
from huashan.directory.services import (
    ResidencyTransitionError,
    residency_reject,
    residency_verify,
)
from huashan.notify.models import Notification
from tests.factories.directory import HouseholdFactory, ResidencyFactory

Status = Residency.Status


@pytest.fixture
def pending(compound):
    return ResidencyFactory(
        household=HouseholdFactory(building__compound=compound), status=Status.PENDING
    )


def test_verify_moves_pending_to_verified_with_event_and_notification(staff, pending):
    residency_verify(actor=staff, residency=pending, note="核对房产证")

    pending.refresh_from_db()
    assert pending.status == Status.VERIFIED
    assert pending.verified_at is not None
    event = ResidencyEvent.objects.get(residency=pending)
    assert (event.actor, event.verb, event.from_state, event.to_state, event.note) == (
        staff,
        "verify",
        "pending",
        "verified",
        "核对房产证",
    )
    notification = Notification.objects.get(recipient=pending.person)
    assert notification.channel == "inbox"
    assert str(pending.household) in notification.subject


def test_reject_requires_a_reason_and_writes_nothing_without_one(staff, pending):
    with pytest.raises(ValidationError):
        residency_reject(actor=staff, residency=pending, note="   ")

    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert not ResidencyEvent.objects.exists()
    assert not Notification.objects.exists()


def test_reject_records_reason_and_tells_the_person(staff, pending):
    residency_reject(actor=staff, residency=pending, note="房号与产权信息不符")

    pending.refresh_from_db()
    assert pending.status == Status.REJECTED
    assert pending.verified_at is None
    event = pending.events.get()
    assert (event.verb, event.from_state, event.to_state) == ("reject", "pending", "rejected")
    assert "房号与产权信息不符" in Notification.objects.get(recipient=pending.person).body


def test_rejected_can_be_verified_later_and_verified_can_be_revoked(staff, pending):
    residency_reject(actor=staff, residency=pending, note="材料不全")
    residency_verify(actor=staff, residency=pending)
    residency_reject(actor=staff, residency=pending, note="已搬离")

    assert list(pending.events.values_list("to_state", flat=True)) == [
        "rejected",
        "verified",
        "rejected",
    ]


def test_verifying_twice_is_refused_by_the_state_guard(staff, pending):
    residency_verify(actor=staff, residency=pending)

    with pytest.raises(ResidencyTransitionError):
        residency_verify(actor=staff, residency=pending)

    assert pending.events.count() == 1


def test_guard_reads_the_database_not_a_stale_object(staff, pending):
    stale = Residency.objects.get(pk=pending.pk)
    residency_verify(actor=staff, residency=pending)

    with pytest.raises(ResidencyTransitionError):
        residency_verify(actor=staff, residency=stale)


@pytest.mark.parametrize("who", ["resident", "outsider"])
def test_only_staff_of_the_compound_may_verify(request, pending, who):
    person = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        residency_verify(actor=person, residency=pending)
    with pytest.raises(PermissionDenied):
        residency_reject(actor=person, residency=pending, note="x")

    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert not ResidencyEvent.objects.exists()


def test_staff_of_another_compound_may_not_verify(staff):
    elsewhere = ResidencyFactory(status=Status.PENDING)

    with pytest.raises(PermissionDenied):
        residency_verify(actor=staff, residency=elsewhere)
