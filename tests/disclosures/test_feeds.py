"""The Atom feed of the disclosure board."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from disclosures.models import Disclosure
from tests.factories.disclosures import DisclosureFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client, world):
    return client.get(f"{reverse('disclosures:feed')}?compound={world.compound.slug}")


def test_feed_is_valid_atom_with_posted_items_only(client, world):
    posted = DisclosureFactory(
        organization=world.pmc,
        title="七月公共收益 & <收支>",
        body_html="<p>正文</p><script>alert(1)</script>",
    )
    DisclosureFactory(organization=world.pmc, title="草稿", state=Disclosure.State.DRAFT)
    DisclosureFactory(organization=world.pmc, title="过期", state=Disclosure.State.EXPIRED)
    response = feed(client, world)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert posted.title in entry.find(f"{ATOM}title").text
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/disclosures/{posted.pk}/")
    summary = entry.find(f"{ATOM}summary").text
    assert "正文" in summary
    assert "<script>" not in summary
    assert entry.find(f"{ATOM}author/{ATOM}name").text == world.pmc.name


def test_feed_unknown_compound_is_404(client, db):
    assert client.get(f"{reverse('disclosures:feed')}?compound=nope").status_code == 404
    assert client.get(f"{reverse('disclosures:feed')}?compound={'x' * 500}").status_code == 404


def test_feed_is_linked_from_the_board(client, world):
    text = client.get(f"{reverse('disclosures:board')}?compound={world.compound.slug}").content
    assert b'type="application/atom+xml"' in text
