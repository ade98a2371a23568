"""Rate limits behind a reverse proxy key on the client, not on the proxy.

Tracking-code lookups (and complaint filing, which shares ``issues.views._client_key``)
and ballot-token misses: with ``HUASHAN_TRUSTED_PROXIES = 1`` two residents behind the
same nginx are limited separately; with 0 a forged X-Forwarded-For does not escape the
limit. huashan/core/clientip.py; docs/security.md "Client address".
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from evaluations.views import BALLOT_MISSES
from issues import services as issue_services
from issues.models import Category
from issues.views import TRACK_ATTEMPTS
from tests.factories.evaluations import evaluation_world, roster
from tests.factories.world import compound_world

PROXY = "10.0.0.2"


def behind_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


@pytest.fixture
def filed(db):
    world = compound_world()
    return issue_services.issue_submit(
        actor=None,
        compound=world.compound,
        category=Category.objects.order_by("pk").first(),
        description="地下车库积水",
        location_text="车库",
        is_public=True,
        reporter_name="匿名居民",
        reporter_phone="13700002222",
    )


def guess_codes(client: Client, number: str) -> None:
    for _ in range(TRACK_ATTEMPTS):
        client.post(reverse("issues:track"), {"tracking_number": number, "code": "AAAA-BBBB"})


def track(client: Client, filed):
    return client.post(
        reverse("issues:track"),
        {"tracking_number": filed.issue.tracking_number, "code": filed.tracking_code},
    )


@pytest.mark.django_db
def test_tracking_lookups_behind_one_proxy_are_limited_per_client(filed, settings):
    settings.HUASHAN_TRUSTED_PROXIES = 1
    guesser = behind_proxy("203.0.113.66")
    guess_codes(guesser, filed.issue.tracking_number)

    assert track(guesser, filed).status_code == 429
    assert track(behind_proxy("198.51.100.1, 203.0.113.66"), filed).status_code == 429
    assert track(behind_proxy("203.0.113.77"), filed).status_code == 302


@pytest.mark.django_db
def test_tracking_lookups_ignore_a_forged_header_without_trusted_proxies(filed, settings):
    settings.HUASHAN_TRUSTED_PROXIES = 0
    guess_codes(behind_proxy("203.0.113.66"), filed.issue.tracking_number)

    assert track(behind_proxy("203.0.113.77"), filed).status_code == 429


@pytest.mark.django_db
def test_ballot_token_misses_behind_one_proxy_are_limited_per_client(settings):
    settings.HUASHAN_TRUSTED_PROXIES = 1
    world = evaluation_world()
    [(_, token)] = roster(world, count=1)
    guesser = behind_proxy("203.0.113.66")
    for n in range(BALLOT_MISSES):
        guesser.get(reverse("evaluations:ballot", args=[f"guess{n:019d}"]))

    blocked = guesser.get(reverse("evaluations:ballot", args=[token]))
    neighbour = behind_proxy("203.0.113.77").get(reverse("evaluations:ballot", args=[token]))

    assert blocked.status_code == 429
    assert neighbour.status_code == 200
