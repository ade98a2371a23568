"""The disclosures API's refusals of bad input come back through
``huashan.core.api.exception_handler`` (issue 15) with the bodies the views built by hand
before: ``{field: [message]}`` and 400, ``{"detail": message}`` and 403."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from disclosures.models import Disclosure
from tests.factories.disclosures import DisclosureFactory

pytestmark = pytest.mark.django_db

BASE = "/api/disclosures/disclosures/"
COMPLIANCE = "/api/disclosures/compliance/"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def client_as(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_a_drafts_compound_and_organization_cannot_be_changed(world):
    draft = DisclosureFactory(organization=world.pmc, state=Disclosure.State.DRAFT)
    title = draft.title
    response = client_as(world.pmc_chair).patch(
        f"{BASE}{draft.pk}/",
        {"organization": world.company.pk, "compound": world.compound.slug, "title": "改"},
        format="json",
    )
    assert response.status_code == 400
    message = zh("This cannot be changed on a draft.")
    assert response.json() == {"compound": [message], "organization": [message]}
    draft.refresh_from_db()
    assert (draft.organization, draft.title) == (world.pmc, title)


def test_compliance_is_for_the_compounds_staff(world):
    params = {"compound": world.compound.slug, "period": "2026Q1"}
    response = client_as(world.resident).get(COMPLIANCE, params)
    assert response.status_code == 403
    assert response.json() == {"detail": zh("This is for the compound's staff.")}


def test_compliance_with_a_bad_period_names_the_field(world):
    params = {"compound": world.compound.slug, "period": "2026Q9"}
    response = client_as(world.party_secretary).get(COMPLIANCE, params)
    assert response.status_code == 400
    assert response.json() == {
        "period": [zh("Write the period as 2026, 2026H1, 2026Q3 or 2026-07.")]
    }


def test_compliance_with_an_unknown_organization_names_the_field(world):
    params = {"compound": world.compound.slug, "period": "2026Q1", "organization": 99999999}
    response = client_as(world.party_secretary).get(COMPLIANCE, params)
    assert response.status_code == 400
    assert response.json() == {"organization": [zh("No such organization.")]}
