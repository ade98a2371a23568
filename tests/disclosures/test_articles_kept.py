"""公示承诺制度 第二条 / 第三条 kept to the letter (issue 18 item 10).

* 第三条 "《物业服务季度报告》及《物业服务年度报告》应在小区固定的物业服务公告栏内进行公示，
  公示时间不得少于30日" — the minimum holds against taking the report down early, not only
  when it is published.
* 第二条 "每半年公布1次小区公共收益收支明细" and 物业管理会服务承诺 第2条 "每季度公开维修资金
  使用台账" — a category the rules call a 明细 / 台账 cannot be published without its ledger.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from disclosures.models import Disclosure, DisclosureEvent, PeriodType
from disclosures.rules import LEDGER_REQUIRED_CATEGORIES
from disclosures.services import (
    DisclosureStateError,
    disclosure_archive,
    disclosure_correct,
    disclosure_create_draft,
    disclosure_ledger_set,
    disclosure_publish,
)
from tests.factories.disclosures import category, ledger_input

TZ = dt.timezone(dt.timedelta(hours=8))


def _at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=TZ), tick=False)


def _report(world, code="service_report_quarterly"):
    return disclosure_create_draft(
        actor=world.company_staff,
        compound=world.compound,
        organization=world.company,
        category=category(code),
        title="2026年第三季度物业服务季度报告",
        body_markdown="本季度完成电梯年检。",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["service_report_quarterly", "service_report_annual"])
def test_article_3_report_cannot_be_taken_down_before_30_days(world, code):
    """第三条 "公示时间不得少于30日": day 29 refused, day 30 allowed."""
    minimum = category(code).min_posting_days
    assert minimum == 30
    start = dt.date(2026, 10, 8)
    with _at(start):
        d = _report(world, code)
        disclosure_publish(actor=world.company_staff, disclosure=d)
    with _at(start + dt.timedelta(days=1)), pytest.raises(DisclosureStateError) as exc:
        disclosure_archive(actor=world.company_staff, disclosure=d)
    assert exc.value.code == "posting_minimum"
    assert "30" in " ".join(exc.value.messages)
    with _at(start + dt.timedelta(days=minimum - 1)), pytest.raises(DisclosureStateError):
        disclosure_archive(actor=world.company_staff, disclosure=d)
    d.refresh_from_db()
    assert d.state == Disclosure.State.PUBLISHED
    assert not DisclosureEvent.objects.filter(disclosure=d, verb="archived").exists()
    with _at(start + dt.timedelta(days=minimum)):
        disclosure_archive(actor=world.company_staff, disclosure=d)
    d.refresh_from_db()
    assert d.state == Disclosure.State.ARCHIVED


@pytest.mark.django_db
def test_article_3_correction_does_not_restart_or_shorten_the_30_days(world):
    """A corrected report counts from the first posting: the corrected version may come
    down once the report as a whole has been up 30 days, and not before."""
    start = dt.date(2026, 10, 8)
    with _at(start):
        d = _report(world)
        disclosure_publish(actor=world.company_staff, disclosure=d)
    with _at(start + dt.timedelta(days=10)):
        new = disclosure_correct(actor=world.company_staff, disclosure=d, reason="更正一处错别字")
    with _at(start + dt.timedelta(days=29)), pytest.raises(DisclosureStateError):
        disclosure_archive(actor=world.company_staff, disclosure=new)
    with _at(start + dt.timedelta(days=30)):
        disclosure_archive(actor=world.company_staff, disclosure=new)
    new.refresh_from_db()
    assert new.state == Disclosure.State.ARCHIVED


@pytest.mark.django_db
def test_categories_without_a_minimum_may_be_archived_at_once(world):
    with _at(dt.date(2026, 10, 8)):
        d = disclosure_create_draft(
            actor=world.company_staff,
            compound=world.compound,
            organization=world.company,
            category=category("company_parking"),
            title="停车位使用情况",
            body_markdown="共有车位120个。",
        )
        disclosure_publish(actor=world.company_staff, disclosure=d)
        disclosure_archive(actor=world.company_staff, disclosure=d)
    assert d.state == Disclosure.State.ARCHIVED


def _monthly(world, code):
    return disclosure_create_draft(
        actor=world.pmc_chair,
        compound=world.compound,
        organization=world.pmc,
        category=category(code),
        title="2026年7月公共收益收支明细",
        period_type=PeriodType.MONTH,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 7, 31),
    )


def test_the_categories_the_rules_call_a_detail_or_ledger():
    """第二条 "公共收益收支明细"; 物业管理会服务承诺 第2条 "维修资金使用台账"."""
    assert set(LEDGER_REQUIRED_CATEGORIES) == {"public_revenue", "maintenance_fund"}
    assert "明细" in LEDGER_REQUIRED_CATEGORIES["public_revenue"]
    assert "台账" in LEDGER_REQUIRED_CATEGORIES["maintenance_fund"]


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["public_revenue", "maintenance_fund"])
def test_article_2_detail_cannot_be_published_without_its_ledger(world, code):
    with _at(dt.date(2026, 8, 3)):
        d = _monthly(world, code)
        with pytest.raises(ValidationError) as exc:
            disclosure_publish(actor=world.pmc_chair, disclosure=d)
        assert "ledger" in exc.value.message_dict
        d.refresh_from_db()
        assert d.state == Disclosure.State.DRAFT
        assert d.title == "2026年7月公共收益收支明细"  # nothing typed is lost
        disclosure_ledger_set(
            actor=world.pmc_chair, disclosure=d, ledger=ledger_input(start=dt.date(2026, 7, 1))
        )
        disclosure_publish(actor=world.pmc_chair, disclosure=d)
    assert d.state == Disclosure.State.PUBLISHED


@pytest.mark.django_db
def test_a_category_not_called_a_detail_publishes_without_a_ledger(world):
    """履职情况及工作经费使用 usually carries a ledger but the rules do not call it 明细."""
    with _at(dt.date(2026, 8, 3)):
        d = _monthly(world, "pmc_performance")
        disclosure_publish(actor=world.pmc_chair, disclosure=d)
    assert d.state == Disclosure.State.PUBLISHED


@pytest.mark.django_db
def test_correcting_a_detail_posted_before_the_rule_keeps_working(world):
    """A 明细 posted before the ledger was required (no ledger to carry) can still be
    corrected; its first publication today would need one (test above)."""
    from tests.factories.disclosures import DisclosureFactory

    with _at(dt.date(2026, 8, 3)):
        old = DisclosureFactory(
            organization=world.pmc,
            category=category("public_revenue"),
            period_type=PeriodType.MONTH,
            period_start=dt.date(2026, 7, 1),
            period_end=dt.date(2026, 7, 31),
        )
        new = disclosure_correct(actor=world.pmc_chair, disclosure=old, reason="补录一笔收入")
    assert new.state == Disclosure.State.PUBLISHED
