"""The client address behind a reverse proxy (huashan/core/clientip.py; issue 9 item 5).

With ``HUASHAN_TRUSTED_PROXIES = 0`` X-Forwarded-For is ignored (anyone can write it);
with N hops the client is the right-most address our N proxies did not write. Login
throttling (django-axes) keys on the same address.
"""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from huashan.core.clientip import client_ip, client_key
from tests.factories.directory import DEFAULT_PASSWORD, PersonFactory

PROXY = "10.0.0.2"  # nginx, as gunicorn sees it


def ip(hops: int, settings, remote: str | None = PROXY, forwarded: str | None = None):
    settings.HUASHAN_TRUSTED_PROXIES = hops
    meta = {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    return client_ip(request)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    assert ip(0, settings, "198.51.100.7", "203.0.113.66") == "198.51.100.7"
    assert ip(0, settings, "198.51.100.7", "1.1.1.1, 203.0.113.66") == "198.51.100.7"


def test_behind_one_proxy_the_address_nginx_appended_is_the_client(settings):
    # A client that writes its own header cannot choose the right-most entry.
    assert ip(1, settings, PROXY, "203.0.113.66") == "203.0.113.66"
    assert ip(1, settings, PROXY, "1.1.1.1, 203.0.113.66") == "203.0.113.66"
    assert ip(1, settings, PROXY, "1.1.1.1,203.0.113.66") == "203.0.113.66"


def test_behind_two_proxies_the_second_from_the_right_is_the_client(settings):
    forwarded = "1.1.1.1, 203.0.113.66, 10.0.0.9"  # spoof, client, balancer -> nginx

    assert ip(2, settings, PROXY, forwarded) == "203.0.113.66"
    assert ip(2, settings, PROXY, "203.0.113.66") == "203.0.113.66"  # came via one hop only


def test_a_request_that_bypassed_the_proxy_keys_on_its_own_address(settings):
    assert ip(1, settings, "198.51.100.7") == "198.51.100.7"
    assert ip(1, settings, "198.51.100.7", "") == "198.51.100.7"


@pytest.mark.parametrize(
    "garbage",
    [
        "unknown",
        "   ",
        ",,,",
        "999.1.1.1",
        "1.2.3.4.5",
        "<script>alert(1)</script>",
        "example.com",
        "_hidden",
        "1.2.3.4\x00",
        "长" * 5000,
        "2001:db8::zz",
    ],
)
def test_garbage_in_the_header_is_skipped(garbage, settings):
    assert ip(1, settings, PROXY, garbage) == PROXY
    assert ip(1, settings, PROXY, f"{garbage}, 203.0.113.66") == "203.0.113.66"
    assert ip(1, settings, PROXY, f"203.0.113.66, {garbage}") == "203.0.113.66"


def test_ports_brackets_and_mapped_addresses_are_normalised(settings):
    assert ip(1, settings, PROXY, "203.0.113.66:51234") == "203.0.113.66"
    assert ip(1, settings, PROXY, "[2001:db8::1]:443") == "2001:db8::1"
    assert ip(1, settings, PROXY, "2001:DB8:0::1") == "2001:db8::1"
    assert ip(1, settings, PROXY, "::ffff:203.0.113.66") == "203.0.113.66"


def test_no_usable_address_is_none_and_keys_as_unknown(settings):
    settings.HUASHAN_TRUSTED_PROXIES = 0
    request = RequestFactory().get("/")
    request.META["REMOTE_ADDR"] = "not-an-address"

    assert ip(0, settings, None) is None
    assert client_ip(request) is None
    assert client_key(request) == "unknown"


def test_axes_uses_it(settings):
    from axes.helpers import get_client_ip_address

    settings.HUASHAN_TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.66", REMOTE_ADDR=PROXY)

    assert settings.AXES_CLIENT_IP_CALLABLE == "huashan.core.clientip.client_ip"
    assert get_client_ip_address(request) == "203.0.113.66"


# --- login throttling behind a proxy (django-axes) ---------------------------------------


def attempt(person, client_address: str, password: str):
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)
    return client.post(reverse("accounts:login"), {"username": person.mobile, "password": password})


@pytest.mark.django_db
def test_behind_one_proxy_two_clients_are_throttled_separately(settings):
    settings.HUASHAN_TRUSTED_PROXIES = 1
    person = PersonFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(person, "203.0.113.66", f"wrong-{n}")

    abuser = attempt(person, "203.0.113.66", DEFAULT_PASSWORD)
    spoofing = attempt(person, "198.51.100.1, 203.0.113.66", DEFAULT_PASSWORD)
    neighbour = attempt(person, "203.0.113.77", DEFAULT_PASSWORD)

    assert abuser.status_code == 429
    assert spoofing.status_code == 429  # a forged left-hand entry changes nothing
    assert neighbour.status_code == 302


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_header_does_not_escape_the_lock(settings):
    settings.HUASHAN_TRUSTED_PROXIES = 0
    person = PersonFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(person, f"203.0.113.{n}", f"wrong-{n}")

    forged = attempt(person, "198.51.100.200", DEFAULT_PASSWORD)

    assert forged.status_code == 429
