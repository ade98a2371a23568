"""Staff verify or reject residents' household claims (directory.verify_residency)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huashan.directory.models import Membership, Residency, ResidencyEvent
from tests.accounts.conftest import make_staff, zh
from tests.factories.directory import PersonFactory, ResidencyFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("accounts:residency_queue")


def verify_url(residency):
    return reverse("accounts:residency_verify", args=[residency.pk])


def reject_url(residency):
    return reverse("accounts:residency_reject", args=[residency.pk])


def test_queue_requires_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_queue_forbidden_for_resident(client, resident, pending):
    client.force_login(resident)
    response = client.get(QUEUE)
    assert response.status_code == 403
    assert "李待审" not in response.content.decode()


def test_queue_forbidden_for_party_member_seat(client, compound, pending):
    client.force_login(make_staff(compound, role=Membership.Role.PARTY_MEMBER))
    assert client.get(QUEUE).status_code == 403


def test_queue_lists_only_own_compounds(client, staff, pending, other_household):
    ResidencyFactory(
        household=other_household,
        person=PersonFactory(name="外小区人"),
        status=Residency.Status.PENDING,
    )
    client.force_login(staff)
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="residency-{pending.pk}"' in html
    assert "李待审" in html
    assert "外小区人" not in html


def test_staff_nav_shows_queue_link(client, staff):
    client.force_login(staff)
    assert f'href="{QUEUE}"' in client.get(reverse("core:home")).content.decode()


def test_resident_nav_has_no_queue_link(client, resident):
    client.force_login(resident)
    assert f'href="{QUEUE}"' not in client.get(reverse("core:home")).content.decode()


def test_verify(client, staff, pending):
    client.force_login(staff)
    response = client.post(verify_url(pending))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Residency.Status.VERIFIED
    event = ResidencyEvent.objects.filter(residency=pending).latest("pk")
    assert (event.actor, event.to_state) == (staff, "verified")
    assert f'id="residency-{pending.pk}"' not in client.get(QUEUE).content.decode()


def test_verify_needs_post(client, staff, pending):
    client.force_login(staff)
    assert client.get(verify_url(pending)).status_code == 405
    pending.refresh_from_db()
    assert pending.status == Residency.Status.PENDING


def test_verify_twice_is_a_message_not_500(client, staff, pending):
    client.force_login(staff)
    client.post(verify_url(pending))
    response = client.post(verify_url(pending), follow=True)
    assert response.status_code == 200
    assert 'class="alert alert-error"' in response.content.decode()


def test_staff_of_other_compound_cannot_verify(client, other_staff, pending):
    client.force_login(other_staff)
    assert client.post(verify_url(pending)).status_code == 403
    assert client.post(reject_url(pending), {f"r{pending.pk}-note": "no"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == Residency.Status.PENDING


def test_resident_cannot_verify(client, resident, pending):
    client.force_login(resident)
    assert client.post(verify_url(pending)).status_code == 403
    pending.refresh_from_db()
    assert pending.status == Residency.Status.PENDING


def test_verify_unknown_residency_is_404(client, staff):
    client.force_login(staff)
    assert client.post(reverse("accounts:residency_verify", args=[999999])).status_code == 404


def test_reject_with_reason(client, staff, pending):
    client.force_login(staff)
    response = client.post(
        reject_url(pending), {f"r{pending.pk}-note": "查无此人，请带房产证到居委会"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Residency.Status.REJECTED
    event = ResidencyEvent.objects.filter(residency=pending).latest("pk")
    assert event.note == "查无此人，请带房产证到居委会"


@pytest.mark.parametrize("note", ["", "   "])
def test_reject_requires_reason(client, staff, pending, note):
    client.force_login(staff)
    response = client.post(reject_url(pending), {f"r{pending.pk}-note": note})
    assert response.status_code == 400
    assert zh("Give a reason for rejecting the claim.") in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Residency.Status.PENDING


def test_reject_oversized_reason_keeps_text(client, staff, pending):
    client.force_login(staff)
    note = "理由" * 1000
    response = client.post(reject_url(pending), {f"r{pending.pk}-note": note})
    assert response.status_code == 400
    assert note in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Residency.Status.PENDING


def test_reject_hostile_reason_is_escaped(client, staff, pending):
    client.force_login(staff)
    client.post(reject_url(pending), {f"r{pending.pk}-note": "<script>alert(1)</script>"})
    pending.refresh_from_db()
    assert pending.status == Residency.Status.REJECTED
    client.force_login(pending.person)
    assert "<script>alert(1)</script>" not in client.get(reverse("accounts:me")).content.decode()
