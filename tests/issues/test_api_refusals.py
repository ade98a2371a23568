"""The issues API answers a service's refusal through ``huashan.core.api.exception_handler``
(REST_FRAMEWORK's EXCEPTION_HANDLER): the action views call the services and let the error
rise; the bodies and statuses are the ones the API gave when it built them itself (issue 15)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from issues import services
from issues.models import Issue
from tests.factories.issues import IssueFactory, issue_world

pytestmark = pytest.mark.django_db


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def world():
    return issue_world()


def accept_with(monkeypatch, world, error: Exception):
    """POST accept/ as the compound's party organization, the service raising ``error``."""

    def refuse(**kwargs):
        raise error

    monkeypatch.setattr(services, "issue_accept", refuse)
    issue = IssueFactory(compound=world.compound, reporter=world.resident)
    client = APIClient()
    client.force_authenticate(world.people.compound_party)
    url = reverse("issues_api:issue-detail", kwargs={"tracking": issue.tracking_number})
    return client.post(f"{url}accept/", {}, format="json")


def test_rate_limited_is_429_with_its_message(monkeypatch, world):
    message = "提交过于频繁，请10分钟后再试。"
    response = accept_with(monkeypatch, world, services.RateLimited(message))
    assert response.status_code == 429
    assert response.json() == {"detail": message}


def test_a_refusal_without_a_message_says_the_issue_views_detail(monkeypatch, world):
    response = accept_with(monkeypatch, world, PermissionDenied())
    assert response.status_code == 403
    assert response.json() == {"detail": zh("You may not do this to this issue.")}


def test_a_refusal_with_a_message_is_403_with_it(monkeypatch, world):
    response = accept_with(monkeypatch, world, PermissionDenied("只有受理单位可以受理。"))
    assert response.status_code == 403
    assert response.json() == {"detail": "只有受理单位可以受理。"}


def test_a_field_error_is_400_by_field(monkeypatch, world):
    response = accept_with(monkeypatch, world, ValidationError({"note": ["too long"]}))
    assert response.status_code == 400
    assert response.json() == {"note": ["too long"]}


def test_a_state_error_is_400_non_field_errors(monkeypatch, world):
    response = accept_with(monkeypatch, world, services.IssueStateError("wrong state"))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["wrong state"]}


def test_a_refused_action_leaves_the_issue_as_it_was(monkeypatch, world):
    response = accept_with(monkeypatch, world, services.IssueStateError("wrong state"))
    assert response.status_code == 400
    issue = Issue.objects.get()
    assert issue.status == Issue.Status.SUBMITTED
    assert not issue.events.filter(to_state=Issue.Status.ACCEPTED).exists()


def test_whistle_with_unknown_organization_and_person_names_both(world):
    """seed: 协同联动解决小区事务流程 第三条 (社区吹哨): only known organizations and the
    compound's party members can be summoned; both refusals come back by field."""
    issue = IssueFactory(compound=world.compound, reporter=world.resident)
    client = APIClient()
    client.force_authenticate(world.people.community_party)
    url = reverse("issues_api:issue-detail", kwargs={"tracking": issue.tracking_number})
    body = {
        "level": "community",
        "organizations": [99999999],
        "persons": [world.resident.pk],
        "reason": "多方协调",
    }
    response = client.post(f"{url}whistle/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {
        "organizations": [zh("Unknown organization.")],
        "persons": [zh("Only party members of the compound can be summoned.")],
    }
    assert not issue.whistles.exists()
