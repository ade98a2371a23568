"""Self-service password change and staff-issued one-time reset links."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huashan.accounts.models import AccountEvent
from tests.factories.directory import DEFAULT_PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Osmanthus-2027-new"


def reset_url(person):
    return reverse("accounts:staff_password_reset", args=[person.pk])


def issue_link(client, staff, person) -> str:
    client.force_login(staff)
    response = client.post(reset_url(person))
    assert response.status_code == 200
    link = response.context["link"]
    assert link.startswith("http://testserver/accounts/reset/")
    assert link in response.content.decode()
    client.logout()
    return link


def test_password_change(client, resident):
    client.force_login(resident)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
    assert AccountEvent.objects.filter(person=resident, verb="password_changed").count() == 1
    # Still logged in after changing the password.
    assert client.get(reverse("accounts:me")).status_code == 200


def test_password_change_wrong_old_password(client, resident):
    client.force_login(resident)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.check_password(DEFAULT_PASSWORD)
    assert not AccountEvent.objects.exists()


def test_password_change_requires_login(client):
    assert client.get(reverse("accounts:password_change")).status_code == 302


def test_staff_reset_link_sets_new_password_once(client, staff, resident):
    link = issue_link(client, staff, resident)
    assert AccountEvent.objects.get(verb="password_reset_link_issued").actor == staff
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    resident.refresh_from_db()
    assert resident.check_password(NEW_PASSWORD)
    event = AccountEvent.objects.get(verb="password_reset_completed")
    assert (event.person, event.actor) == (resident, resident)
    # The link works once.
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False
    assert "此链接已失效" in again.content.decode()


def test_reset_link_with_bad_token(client, resident):
    response = client.get(
        reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"]), follow=True
    )
    assert response.status_code == 200
    assert response.context["validlink"] is False


def test_staff_reset_page_shows_masked_mobile_before_issuing(client, staff, resident):
    client.force_login(staff)
    response = client.get(reset_url(resident))
    assert response.status_code == 200
    html = response.content.decode()
    assert resident.masked_mobile in html
    assert "/accounts/reset/" not in html
    assert not AccountEvent.objects.exists()


def test_resident_cannot_reset_others(client, resident):
    neighbour = PersonFactory()
    client.force_login(resident)
    assert client.get(reset_url(neighbour)).status_code == 403
    assert client.post(reset_url(neighbour)).status_code == 403
    assert not AccountEvent.objects.exists()


def test_staff_of_other_compound_cannot_reset(client, other_staff, resident):
    client.force_login(other_staff)
    assert client.post(reset_url(resident)).status_code == 403
    assert not AccountEvent.objects.exists()


def test_staff_cannot_reset_superuser(client, staff, household):
    from tests.factories.directory import ResidencyFactory

    boss = ResidencyFactory(household=household, person=PersonFactory(is_superuser=True)).person
    client.force_login(staff)
    assert client.post(reset_url(boss)).status_code == 403


def test_reset_unknown_person_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("accounts:staff_password_reset", args=[999999])).status_code == 404


def test_find_person_by_mobile(client, staff, resident):
    client.force_login(staff)
    response = client.get(reverse("accounts:staff_password_find"), {"mobile": resident.mobile})
    assert response.status_code == 302
    assert response["Location"] == reset_url(resident)


@pytest.mark.parametrize("mobile", ["13000000000", "abc", "1" * 500, "<script>"])
def test_find_person_unknown_or_bad(client, staff, mobile):
    client.force_login(staff)
    response = client.get(reverse("accounts:staff_password_find"), {"mobile": mobile})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main")[1]


def test_find_person_out_of_scope_looks_unknown(client, other_staff, resident):
    client.force_login(other_staff)
    response = client.get(reverse("accounts:staff_password_find"), {"mobile": resident.mobile})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()


def test_find_forbidden_for_resident(client, resident):
    client.force_login(resident)
    assert client.get(reverse("accounts:staff_password_find")).status_code == 403


def test_me_page(client, resident):
    client.force_login(resident)
    html = client.get(reverse("accounts:me")).content.decode()
    assert "王小明" in html
    assert resident.mobile in html
    assert "3栋1单元1502" in html


def test_me_requires_login(client):
    assert client.get(reverse("accounts:me")).status_code == 302
