"""Selectors: schedule compliance across a quarter boundary; constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from disclosures.models import Cadence, Disclosure, PeriodType
from disclosures.selectors import (
    board_disclosures,
    disclosure_objections_public,
    disclosure_public_get,
    disclosure_versions,
    period_bounds,
    report_content,
    schedule_compliance,
)
from disclosures.services import disclosure_correct, objection_file
from tests.factories.disclosures import DisclosureFactory, category, ledger_input, with_ledger

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=TZ)


def monthly_revenue(world, start: dt.date, published: dt.date) -> Disclosure:
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return DisclosureFactory(
        organization=world.pmc,
        category=category("public_revenue"),
        title=f"{start:%Y年%m月}公共收益",
        period_type=PeriodType.MONTH,
        period_start=start,
        period_end=end,
        posting_start=published,
        published_at=at(published),
    )


def test_period_bounds():
    assert period_bounds("2026Q3") == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "quarter")
    assert period_bounds("2026Q4")[1] == dt.date(2026, 12, 31)
    assert period_bounds("2026") == (dt.date(2026, 1, 1), dt.date(2026, 12, 31), "year")
    for bad in ("2026Q5", "26Q1", "", "2026-Q1", "1900"):
        with pytest.raises(ValueError, match="2026Q3"):
            period_bounds(bad)


@pytest.mark.django_db
def test_compliance_on_time_late_missing_across_quarter_boundary(world):
    # monthly public revenue (PMC pledge 2), due on the 10th of the next month
    monthly_revenue(world, dt.date(2026, 8, 1), dt.date(2026, 9, 8))  # on time
    monthly_revenue(world, dt.date(2026, 9, 1), dt.date(2026, 10, 12))  # late (due 10/10)
    # October: nothing → missing once 11/10 passed
    with time_machine.travel(at(dt.date(2026, 11, 20)), tick=False):
        rows = schedule_compliance(
            compound=world.compound,
            start=dt.date(2026, 8, 1),
            end=dt.date(2026, 11, 30),
            organization=world.pmc,
        )
    monthly = {
        r.period_start: r
        for r in rows
        if r.category.code == "public_revenue" and r.schedule.cadence == Cadence.MONTHLY
    }
    assert monthly[dt.date(2026, 8, 1)].status == "on_time"
    assert monthly[dt.date(2026, 9, 1)].status == "late"
    assert monthly[dt.date(2026, 9, 1)].due == dt.date(2026, 10, 10)
    assert monthly[dt.date(2026, 10, 1)].status == "missing"
    assert monthly[dt.date(2026, 11, 1)].status == "not_due"
    assert monthly[dt.date(2026, 8, 1)].disclosure is not None
    quarterly = [r for r in rows if r.category.code == "maintenance_fund"]
    assert [r.period_start for r in quarterly] == [
        dt.date(2026, 7, 1),
        dt.date(2026, 10, 1),
    ]
    assert [r.status for r in quarterly] == ["missing", "not_due"]


@pytest.mark.django_db
def test_correction_does_not_make_a_period_late(world):
    d = monthly_revenue(world, dt.date(2026, 8, 1), dt.date(2026, 9, 8))
    with time_machine.travel(at(dt.date(2026, 9, 20)), tick=False):
        new = disclosure_correct(actor=world.pmc_chair, disclosure=d, reason="补录一笔收入")
        rows = schedule_compliance(
            compound=world.compound, start=dt.date(2026, 8, 1), end=dt.date(2026, 8, 31)
        )
    row = next(
        r
        for r in rows
        if r.category.code == "public_revenue" and r.schedule.cadence == Cadence.MONTHLY
    )
    assert row.status == "on_time"
    assert row.disclosure.pk == new.pk


def _bulk(world, n: int) -> None:
    for i in range(n):
        d = monthly_revenue(world, dt.date(2026, 1 + i % 10, 1), dt.date(2026, 2 + i % 10, 5))
        with_ledger(d, ledger_input(start=d.period_start, lines=4))
        DisclosureFactory(organization=world.company, category=category("company_parking"))


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 12])
def test_selector_query_counts_do_not_grow(world, size, django_assert_max_num_queries):
    _bulk(world, size)
    some = Disclosure.objects.filter(state=Disclosure.State.PUBLISHED).first()
    objection_file(actor=world.resident, disclosure=some, body="数据有出入，请核实。")
    with django_assert_max_num_queries(2):
        rows = schedule_compliance(
            compound=world.compound, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
        )
    assert rows
    with django_assert_max_num_queries(1):
        items = list(board_disclosures(compound=world.compound))
        [(d.category.name, d.organization.name) for d in items]
    assert len(items) >= size
    with django_assert_max_num_queries(2):
        d = disclosure_public_get(pk=some.pk)
        list(d.attachments.all())
    with django_assert_max_num_queries(1):
        assert disclosure_objections_public(disclosure=some)[0].objector.endswith("*")
    with django_assert_max_num_queries(1):
        assert disclosure_versions(disclosure=some)
    with django_assert_max_num_queries(6):
        content = report_content(
            compound=world.compound, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
        )
        for section in content.sections:
            for _cat, items in section.categories:
                for item in items:
                    if item.report_ledger:
                        list(item.report_ledger.lines.all())
    assert content.ledger_count == size


@pytest.mark.django_db
def test_board_filters_and_hides_drafts(world):
    DisclosureFactory(organization=world.company, title="草稿不公开", state=Disclosure.State.DRAFT)
    DisclosureFactory(organization=world.company, title="停车位出租情况", body_markdown="车位")
    DisclosureFactory(
        organization=world.company, title="已过期的公示", state=Disclosure.State.EXPIRED
    )
    titles = [d.title for d in board_disclosures(compound=world.compound)]
    assert titles == ["停车位出租情况"]
    assert [d.title for d in board_disclosures(compound=world.compound, archive=True)] == [
        "已过期的公示"
    ]
    assert not board_disclosures(compound=world.compound, q="不存在的词").exists()
    assert board_disclosures(compound=world.compound, q="车位").count() == 1
    draft = Disclosure.objects.get(title="草稿不公开")
    assert disclosure_public_get(pk=draft.pk) is None
    assert timezone.now()
