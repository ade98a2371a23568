"""Grade bands and star thresholds edited on the management page before scoring opens
(评议监督考核制度 第三条: the standard is set before the review; results.py reads them)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from evaluations.models import Campaign, CampaignEvent
from tests.factories.evaluations import advance_to

State = Campaign.State
pytestmark = pytest.mark.django_db

GOOD = {
    "band_excellent": "92.5",
    "band_good": "81",
    "band_pass": "55",
    "star_thresholds": "50，65, 75 85",
    "trim_extremes": "on",
}


@pytest.fixture
def settings_url(client, world):
    client.force_login(world.community_secretary)
    return reverse("evaluations:action", args=[world.campaign.pk, "settings"])


def test_page_shows_the_fields_with_current_values(client, world, settings_url):
    page = client.get(reverse("evaluations:manage", args=[world.campaign.pk])).content.decode()
    assert 'name="band_excellent"' in page
    assert 'value="90.00"' in page
    assert 'value="60, 70, 80, 90, 95"' in page


def test_valid_values_are_saved_with_an_event(client, world, settings_url):
    response = client.post(settings_url, GOOD)
    assert response.status_code == 302
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert (campaign.band_excellent, campaign.band_good, campaign.band_pass) == (
        Decimal("92.50"),
        Decimal("81.00"),
        Decimal("55.00"),
    )
    assert campaign.star_thresholds == [50, 65, 75, 85]
    assert campaign.trim_extremes is True
    assert CampaignEvent.objects.filter(campaign=campaign, verb="settings").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("band_good", "95", "Bands must fall"),  # wrong order
        ("band_pass", "", "Enter a percentage from 0 to 100."),  # missing
        ("band_excellent", "100.5", "Enter a percentage from 0 to 100."),  # oversized
        ("band_excellent", "1" * 5000, "Enter a percentage from 0 to 100."),  # oversized text
        ("band_good", "NaN", "Enter a percentage from 0 to 100."),
        ("band_good", "-1", "Enter a percentage from 0 to 100."),
        ("band_good", "80.123", "Use at most two decimal places."),
        ("band_pass", "<script>alert(1)</script>", "Enter a percentage from 0 to 100."),
        ("star_thresholds", "", "Star thresholds"),  # missing
        ("star_thresholds", "90, 60", "Star thresholds"),  # falling
        ("star_thresholds", "60, 60", "Star thresholds"),  # not rising
        ("star_thresholds", "10,20,30,40,50,60", "Star thresholds"),  # six
        ("star_thresholds", "60, 101", "Star thresholds"),  # over 100
        ("star_thresholds", "60, ７0", "Star thresholds"),  # full-width digit
        ("star_thresholds", "60; DROP TABLE", "Star thresholds"),  # hostile
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_kept(
    client, world, settings_url, field, value, message
):
    with translation.override("en"):
        response = client.post(settings_url, {**GOOD, field: value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "field-error" in body
    assert "<script>alert(1)</script>" not in body  # escaped
    if len(value) < 20:
        from django.utils.html import escape

        assert f'value="{escape(value)}"' in body  # what was typed stays
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert campaign.band_excellent == Decimal("90")
    assert campaign.star_thresholds == [60, 70, 80, 90, 95]
    assert not CampaignEvent.objects.filter(campaign=campaign, verb="settings").exists()


def test_frozen_once_scoring_opens_and_organizers_only(client, world, settings_url):
    client.force_login(world.resident)
    assert client.post(settings_url, GOOD).status_code == 403
    client.force_login(world.street_officer)
    assert client.post(settings_url, GOOD).status_code in (400, 403)
    client.force_login(world.community_secretary)
    advance_to(world, State.SCORING)
    response = client.post(settings_url, GOOD)
    assert response.status_code == 400
    assert Campaign.objects.get(pk=world.campaign.pk).band_excellent == Decimal("90")
    page = client.get(reverse("evaluations:manage", args=[world.campaign.pk])).content.decode()
    assert 'name="band_excellent"' not in page  # the form is gone once frozen
