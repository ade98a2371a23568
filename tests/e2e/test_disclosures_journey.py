"""A quarter's ledger from spreadsheet to public answer, in a real browser.

The PMC treasurer imports the quarter's maintenance-fund ledger from ``.xlsx``
and publishes it; an owner scans the sunshine code (opens its target URL) on a
390×844 phone, files an objection; the PMC answers; the board shows both.
seed: 公示承诺制度 第二条 (阳光码, 维修资金), 第三条 (异议须答复); 物管会服务承诺 2.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import Workbook

from disclosures.models import Disclosure, Objection
from disclosures.qr import compound_board_path
from tests.e2e.conftest import PHONE
from tests.factories.directory import DEFAULT_PASSWORD, CompoundFactory
from tests.factories.disclosures import category, disclosure_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, mobile: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", mobile)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def quarter_ledger(path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "项目", "对方", "金额", "收支", "类别"])
    sheet.append(["2026-07-06", "维修资金利息", "银行", 350.00, "收入", "利息"])
    sheet.append(["2026-08-12", "3栋电梯更换钢丝绳", "某电梯公司", 12800.00, "支出", "电梯"])
    sheet.append(["2026-09-20", "外墙渗水维修", "某建筑公司", 4600.50, "支出", "房屋"])
    book.save(path)


def test_ledger_to_objection_and_answer(live_server, browser, phone, tmp_path):
    world = disclosure_world(
        CompoundFactory(slug=settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡")
    )
    world.resident.name = "李业主"
    world.resident.save()
    fund = category("maintenance_fund")
    ledger_file = tmp_path / "2026Q3维修资金台账.xlsx"
    quarter_ledger(ledger_file)
    base = live_server.url
    title = "2026年第三季度住宅专项维修资金使用台账"

    # 1. The PMC treasurer drafts the disclosure, imports the ledger, publishes.
    staff_context = browser.new_context(locale="zh-CN")
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    log_in(staff, base, world.pmc_chair.mobile)
    staff.goto(f"{base}/disclosures/new/?compound={world.compound.slug}")
    staff.select_option("select[name=category]", value=str(fund.pk))
    staff.fill("input[name=title]", title)
    staff.fill("textarea[name=body_markdown]", "本季度维修资金使用情况如下，**欢迎业主监督**。")
    staff.select_option("select[name=period_type]", value="quarter")
    staff.fill("input[name=period_start]", "2026-07-01")
    staff.fill("input[name=period_end]", "2026-09-30")
    staff.click("button[name=action][value=save]")
    staff.wait_for_url(re.compile(r"/disclosures/\d+/edit/$"))
    disclosure = Disclosure.objects.get(title=title)
    staff.click(f"a[href='{reverse('disclosures:ledger_import', args=[disclosure.pk])}']")
    staff.set_input_files("input[name=file]", str(ledger_file))
    staff.fill("input[name=opening_balance]", "200000.00")
    staff.fill("input[name=stated_income]", "350.00")
    staff.fill("input[name=stated_expense]", "17400.50")
    staff.fill("input[name=stated_closing_balance]", "182949.50")
    staff.click("form.card button[type=submit]")
    staff.wait_for_url(re.compile(r"/disclosures/\d+/edit/$"))
    assert "3" in staff.inner_text(".alert-success")
    staff.click("[data-testid=publish]")
    staff.wait_for_url(f"{base}/disclosures/{disclosure.pk}/")
    assert "182949.50" in staff.inner_text("[data-testid=ledger-totals]")

    # 2. An owner scans the sunshine code on a phone: the board, then the disclosure.
    log_in(phone, base, world.resident.mobile)
    phone.goto(f"{base}{compound_board_path(world.compound)}")
    phone.click(f"text={title}")
    phone.wait_for_url(f"{base}/disclosures/{disclosure.pk}/")
    assert "17400.50" in phone.inner_text("[data-testid=ledger-totals]")
    phone.fill("textarea[name=body]", "外墙渗水维修的金额偏高，请公开报价单。")
    phone.click("#objection-form button[type=submit]")
    phone.wait_for_selector(".alert-success")
    assert "李**" in phone.inner_text("[data-testid=objections]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    objection = Objection.objects.get(disclosure=disclosure)

    # 3. The PMC answers on the disclosure page.
    staff.goto(f"{base}/disclosures/{disclosure.pk}/")
    staff.fill(
        f"#objection-{objection.pk} textarea[name=answer]", "报价单已作为附件补充公示，欢迎查阅。"
    )
    staff.click(f"#objection-{objection.pk} button[type=submit]")
    staff.wait_for_selector(".alert-success")
    staff_context.close()

    # 4. The board shows the objection and the answer, objector masked.
    phone.goto(f"{base}{compound_board_path(world.compound)}")
    item = phone.locator(".disclosure-item", has_text=title)
    assert "已答复" in item.inner_text() or "answered" in item.inner_text()
    item.locator(".objection-summary a").click()
    objections = phone.inner_text("[data-testid=objections]")
    assert "外墙渗水维修的金额偏高" in objections
    assert "报价单已作为附件补充公示" in objections
    assert "李业主" not in objections
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
