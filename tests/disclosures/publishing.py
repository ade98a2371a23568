"""Publish through the service with the ledger a 明细 / 台账 category needs.

公示承诺制度 第二条 makes the ledger part of a 收支明细 post, so tests that are about
something else (the board, objections, PDFs) give such a post a ledger before publishing.
"""

from __future__ import annotations

import datetime as dt

from disclosures import services
from disclosures.models import Disclosure, Ledger
from disclosures.rules import LEDGER_REQUIRED_CATEGORIES
from tests.factories.disclosures import ledger_input, with_ledger


def publish(actor, disclosure: Disclosure) -> Disclosure:
    if (
        disclosure.category.code in LEDGER_REQUIRED_CATEGORIES
        and not Ledger.objects.filter(disclosure=disclosure).exists()
    ):
        with_ledger(
            disclosure,
            ledger_input(start=disclosure.period_start or dt.date(2026, 7, 1), lines=2),
        )
    return services.disclosure_publish(actor=actor, disclosure=disclosure)
