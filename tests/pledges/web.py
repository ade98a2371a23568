"""Helpers for the pledge web and API tests: a compound with the seed's party letter."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from pledges import services
from pledges.engine import evaluate
from pledges.letters import PARTY_LETTER, PMC_LETTER, letter_params
from pledges.models import PledgeItem
from tests.factories.pledges import PledgeLetterFactory, pledge_world

HOSTILE = "<script>alert('x')</script>"
SQLISH = "1' OR '1'='1'; DROP TABLE pledges_pledgeitem; --"


class CheckedClient(Client):
    """A test client that fails on any template variable that did not resolve."""

    def request(self, **request):
        response = super().request(**request)
        content = getattr(response, "content", b"")
        assert b"INVALID_TEMPLATE_VARIABLE" not in content, content.decode()[:3000]
        return response


def load_items(letter, spec: dict) -> list[PledgeItem]:
    """The seed letter's items on ``letter`` (as ``seed_pledges`` loads them)."""
    items = []
    for position, item in enumerate(spec["items"], start=1):
        params = services.params_clean(
            rule_kind=item["rule_kind"], params=letter_params(item["params"], year=letter.year)
        )
        items.append(
            PledgeItem.objects.create(
                letter=letter,
                number=item["number"],
                position=position * 10,
                section=item["section"],
                heading=item["heading"],
                text=item["text"],
                rule_kind=item["rule_kind"],
                params=params,
                warn_lead_days=item["warn_lead_days"],
            )
        )
    return items


def seeded_world(*, pmc: bool = False, published: bool = True):
    """The default compound, its bodies, the party letter (published, ten items, evaluated)."""
    world = pledge_world(default_compound=True)
    letter = world.letter
    letter.title = PARTY_LETTER["title"]
    letter.preamble = PARTY_LETTER["preamble"]
    letter.closing = PARTY_LETTER["closing"]
    letter.published = published
    letter.published_at = timezone.now() if published else None
    letter.save()
    world.items = load_items(letter, PARTY_LETTER)
    if pmc:
        world.pmc_letter = PledgeLetterFactory(
            organization=world.pmc,
            compound=world.compound,
            year=world.year,
            title=PMC_LETTER["title"],
            published=published,
        )
        world.pmc_items = load_items(world.pmc_letter, PMC_LETTER)
    evaluate()
    return world


def jpeg(name: str = "photo.jpg", size: tuple[int, int] = (32, 24)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
