"""Password spraying and probing from one address (issue 14 item 7).

axes locks a mobile number + address after 5 failures; one address trying one password
on forty numbers never failed twice on one number and was never stopped. Now the
failures of an address across all numbers are summed (huashan/accounts/throttle.py).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from huashan.accounts import throttle
from tests.accounts.test_register import verified
from tests.factories.directory import DEFAULT_PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SPRAYER = "203.0.113.9"
NEIGHBOUR = "198.51.100.7"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def login(address: str, mobile: str, password: str):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": mobile, "password": password})


def test_forty_accounts_one_wrong_password_each_lock_the_address(settings):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit < 40
    people = [PersonFactory(mobile=f"1390000{n:04d}") for n in range(41)]
    statuses = [login(SPRAYER, p.mobile, "Demo-password-2026").status_code for p in people[:40]]

    assert statuses[:limit] == [200] * limit  # the vague "incorrect" form each time
    assert set(statuses[limit:]) == {429}
    # Even the right password of a 41st account is refused from that address ...
    refused = login(SPRAYER, people[40].mobile, DEFAULT_PASSWORD)
    assert refused.status_code == 429
    assert (
        zh("Too many failed logins from your network. Please try again in %(minutes)s minutes.")
        % {"minutes": 15}
        in refused.content.decode()
    )
    # ... while a resident elsewhere logs in as usual.
    assert login(NEIGHBOUR, people[40].mobile, DEFAULT_PASSWORD).status_code == 302


def test_the_address_limit_also_guards_every_login_form(settings):
    """The authentication backend refuses too (the admin's login form, any other)."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    staff = PersonFactory(mobile="13900009999", is_staff=True, is_superuser=True)
    for n in range(3):
        login(SPRAYER, f"1390000{n:04d}", "wrong-password-1")
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR=SPRAYER)
    assert authenticate(request, username=staff.mobile, password=DEFAULT_PASSWORD) is None
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR=NEIGHBOUR)
    assert authenticate(request, username=staff.mobile, password=DEFAULT_PASSWORD) == staff


def test_address_failures_behind_a_proxy_count_per_client(settings):
    settings.HUASHAN_TRUSTED_PROXIES = 1
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    person = PersonFactory(mobile="13900008888")
    behind = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(3):
        Client(**behind, HTTP_X_FORWARDED_FOR=SPRAYER).post(
            LOGIN, {"username": f"1390000{n:04d}", "password": "wrong-password-1"}
        )
    assert throttle.login_address_failures(SPRAYER) == 3
    neighbour = Client(**behind, HTTP_X_FORWARDED_FOR=NEIGHBOUR).post(
        LOGIN, {"username": person.mobile, "password": DEFAULT_PASSWORD}
    )
    assert neighbour.status_code == 302


# --- registration and reset links ------------------------------------------------------


@pytest.fixture
def register_data(compound, building, household):
    return {
        "name": "赵六",
        "password1": "Plum-blossom-2026",
        "password2": "Plum-blossom-2026",
        "compound": str(compound.pk),
        "building": str(building.pk),
        "unit": "1单元",
        "room": "1502",
        "relation": "owner",
    }


def test_registration_is_throttled_per_address(settings, register_data):
    settings.REGISTER_ADDRESS_LIMIT = 3
    client = Client(REMOTE_ADDR=SPRAYER)
    answers = [
        client.post(
            reverse("accounts:register"),
            {**register_data, "mobile": f"1370000{n:04d}", "code": verified(f"1370000{n:04d}")},
        )
        for n in range(4)
    ]
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert zh("Too many registrations from your network. Please try again in an hour.") in (
        answers[3].content.decode()
    )
    other = Client(REMOTE_ADDR=NEIGHBOUR).post(
        reverse("accounts:register"),
        {**register_data, "mobile": "13700009999", "code": verified("13700009999")},
    )
    assert other.status_code == 302


def test_invalid_reset_links_are_throttled_per_address(settings):
    settings.RESET_LINK_ADDRESS_LIMIT = 3
    client = Client(REMOTE_ADDR=SPRAYER)
    guesses = [
        client.get(reverse("accounts:password_reset_confirm", args=["MQ", f"guess-{n}"]))
        for n in range(4)
    ]
    assert [g.status_code for g in guesses] == [200, 200, 200, 429]
    assert (
        zh("Too many invalid reset links from your network. Please try again in an hour.")
        in guesses[3].content.decode()
    )
    elsewhere = Client(REMOTE_ADDR=NEIGHBOUR).get(
        reverse("accounts:password_reset_confirm", args=["MQ", "guess-x"])
    )
    assert elsewhere.status_code == 200
