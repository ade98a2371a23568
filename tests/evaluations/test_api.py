"""API: visibility, filters, results without identities, OpenAPI schema."""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluations import services
from evaluations.models import Campaign
from tests.factories.evaluations import advance_to, full_scores, roster

State = Campaign.State
pytestmark = pytest.mark.django_db


def test_campaigns_hidden_until_public(client, world):
    url = reverse("evaluations_api:campaign-list")
    assert client.get(url).json()["count"] == 0
    assert (
        client.get(
            reverse("evaluations_api:campaign-results", args=[world.campaign.pk])
        ).status_code
        == 404
    )
    client.force_login(world.community_secretary)
    assert client.get(url).json()["count"] == 1


def test_results_and_filters(client, world):
    tokens = roster(world, 2)
    advance_to(world, State.SCORING)
    for _e, token in tokens:
        services.ballot_submit(token=token, scores=full_scores(world.campaign))
    advance_to(world, State.APPROVED)
    url = reverse("evaluations_api:campaign-list")
    assert client.get(url, {"year": 2025}).json()["count"] == 1
    assert client.get(url, {"year": 2024}).json()["count"] == 0
    assert client.get(url, {"state": "bogus"}).status_code == 400
    assert client.get(url, {"year": "abc"}).status_code == 400
    data = client.get(reverse("evaluations_api:campaign-results", args=[world.campaign.pk])).json()
    assert (
        len(data) == world.campaign.targets.count() == 4
    )  # the three parties and each PMC member (物业管理委员会服务承诺 第4条)
    assert data[0]["weighted_total"] == "100.00"
    assert data[0]["stars"] == 5
    text = str(data)
    for evaluator, token in tokens:
        assert evaluator.name not in text
        assert token not in text


def test_redblack_api(client, world):
    services.quarter_rating_get(compound=world.compound, year=2025, quarter=1)
    data = client.get(
        reverse("evaluations_api:redblack-list"), {"compound": world.compound.slug}
    ).json()
    assert data["count"] == 1
    assert data["results"][0]["verdict"] == "pending"


def test_openapi_schema_lists_endpoints(client, world):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/evaluations/campaigns/{id}/results/" in schema
