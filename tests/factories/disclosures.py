"""Factories for disclosures: a world with publishers and owners, disclosures, ledgers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from disclosures.ledger import LedgerInput, LedgerLineInput, ledger_write
from disclosures.models import Category, Disclosure, Objection, PeriodType, Schedule
from tests.factories.world import CompoundWorld, compound_world


def category(code: str) -> Category:
    """A category from the data migration."""
    return Category.objects.get(code=code)


class DisclosureFactory(DjangoModelFactory):
    """A published disclosure (pass ``state=draft`` for a draft)."""

    class Meta:
        model = Disclosure

    compound = factory.LazyAttribute(lambda o: o.organization.compound)
    organization = None
    category = factory.LazyFunction(lambda: category("company_other"))
    title = factory.Sequence(lambda n: f"公示事项{n}")
    body_markdown = "公示内容"
    body_html = "<p>公示内容</p>"
    state = Disclosure.State.PUBLISHED
    posting_start = factory.LazyFunction(timezone.localdate)
    posting_end = factory.LazyAttribute(
        lambda o: None if o.long_term else o.posting_start + dt.timedelta(days=30)
    )
    long_term = False
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.state != Disclosure.State.DRAFT else None
    )
    period_type = PeriodType.NONE


class ObjectionFactory(DjangoModelFactory):
    class Meta:
        model = Objection

    disclosure = None
    objector = None
    body = "这笔支出的金额与合同不符。"
    answer_due = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=9))


def ledger_input(
    *,
    start: dt.date,
    lines: int = 3,
    opening: Decimal = Decimal("1000.00"),
    amount: Decimal = Decimal("100.50"),
) -> LedgerInput:
    """Alternating income / expense lines inside ``start``'s month, totals consistent."""
    items = [
        LedgerLineInput(
            date=start + dt.timedelta(days=i % 28),
            item=f"停车费收入{i + 1}" if i % 2 == 0 else f"电梯维修支出{i + 1}",
            amount=amount,
            direction="income" if i % 2 == 0 else "expense",
            counterparty="某某公司",
            category="公共收益",
        )
        for i in range(lines)
    ]
    income = sum((x.amount for x in items if x.direction == "income"), Decimal("0.00"))
    expense = sum((x.amount for x in items if x.direction == "expense"), Decimal("0.00"))
    return LedgerInput(
        opening_balance=opening,
        stated_income=income,
        stated_expense=expense,
        stated_closing_balance=opening + income - expense,
        lines=items,
    )


def with_ledger(disclosure: Disclosure, ledger: LedgerInput) -> Disclosure:
    ledger_write(disclosure, ledger)
    return disclosure


def disclosure_world(compound=None) -> CompoundWorld:
    """``compound_world`` with a tenant (not an owner) and the schedules the rules set.

    ``world.pmc`` / ``world.company`` / ``world.party`` are the organizations and
    ``world.pmc_chair`` / ``world.company_staff`` / ``world.party_secretary`` their
    publishers; ``world.resident`` is a verified owner, ``world.tenant`` a verified tenant.
    """
    from disclosures.services import schedules_seed_for_compound

    world = compound_world(compound, extras=("tenant",))
    world.pmc = world.orgs.pmc
    world.company = world.orgs.property_company
    world.party = world.orgs.compound_party
    world.schedules = schedules_seed_for_compound(compound=world.compound)
    return world


def schedule(world, code: str, cadence: str) -> Schedule:
    return Schedule.objects.get(compound=world.compound, category__code=code, cadence=cadence)
