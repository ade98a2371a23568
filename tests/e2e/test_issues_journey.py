"""A complaint's whole life in a real browser, on a phone, in Chinese.

A resident files it with a photo; the joint-meeting office clerk accepts and
transfers it to the property company; the property company posts progress and
resolves it; the resident sees the progress and rates it; the public board
shows it with the reporter masked.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from PIL import Image

from issues.models import Category, Issue, Satisfaction
from tests.e2e.conftest import PHONE
from tests.factories.directory import DEFAULT_PASSWORD, CompoundFactory
from tests.factories.world import compound_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, mobile: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", mobile)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def test_complaint_journey(live_server, browser, phone, tmp_path):
    world = compound_world(default_compound=True)
    resident = world.resident
    resident.name = "王小明"
    resident.save()
    Category.objects.get_or_create(code="environment", defaults={"name": "环境卫生"})
    clerk = world.people.joint_meeting_office
    company = world.people.property_company
    photo = tmp_path / "corridor.jpg"
    Image.new("RGB", (64, 48), (180, 40, 40)).save(photo, format="JPEG")
    base = live_server.url

    # 1. The resident files a complaint with a photo.
    log_in(phone, base, resident.mobile)
    phone.goto(f"{base}/issues/new/")
    assert phone.get_attribute("html", "lang") == "zh-hans"
    phone.select_option("select[name=category]", label="环境卫生")
    phone.select_option("select[name=building]", label=world.building.number)
    phone.fill("textarea[name=description]", "三楼楼道灯坏了一个星期，晚上看不见")
    phone.click("form.card button[type=submit]")
    phone.wait_for_url(re.compile(r"/issues/new/check/"))
    phone.set_input_files("input[name=photos]", str(photo))
    assert "1" in phone.inner_text(".photo-count")  # issues.js counted the photo
    phone.click("form[data-photo-form] button[type=submit]")
    number = phone.inner_text("[data-testid=tracking-number]").strip()
    assert re.fullmatch(r"HS-\d{4}-\d{6}", number)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    issue = Issue.objects.get(tracking_number=number)
    assert issue.photos.count() == 1

    # 2. The clerk accepts it and transfers it to the property company.
    clerk_context = browser.new_context(locale="zh-CN")
    clerk_page = clerk_context.new_page()
    log_in(clerk_page, base, clerk.mobile)
    clerk_page.goto(f"{base}/issues/queue/")
    clerk_page.click(f"text={number}")
    # 受理 (accepting a complaint), not 验收通过 (issue 13 item 8).
    assert clerk_page.inner_text("#action-accept summary").strip() == "受理"
    clerk_page.click("#action-accept summary")
    clerk_page.click("#action-accept button[type=submit]")
    assert "已受理。" in clerk_page.inner_text(".alert-success")
    assert "验收通过" not in clerk_page.content()
    clerk_page.click("#action-transfer summary")
    clerk_page.select_option(
        "#action-transfer select[name=transfer-organization]",
        value=str(world.orgs.property_company.pk),
    )
    clerk_page.click("#action-transfer button[type=submit]")
    clerk_page.wait_for_selector(".alert-success")
    clerk_context.close()
    issue.refresh_from_db()
    assert issue.assigned_org == world.orgs.property_company

    # 3. The property company posts progress, then resolves it.
    company_context = browser.new_context(locale="zh-CN")
    company_page = company_context.new_page()
    log_in(company_page, base, company.mobile)
    company_page.goto(f"{base}/issues/{number}/manage/")
    assert resident.name not in company_page.content()  # identity shielded
    company_page.click("#action-progress summary")
    company_page.fill("textarea[name=progress-note]", "已派电工明早更换灯具")
    company_page.click("#action-progress button[type=submit]")
    company_page.wait_for_selector(".alert-success")
    company_page.click("#action-resolve summary")
    company_page.fill("textarea[name=resolve-explanation]", "灯具已更换，经测试正常")
    company_page.click("#action-resolve button[type=submit]")
    company_page.wait_for_selector(".alert-success")
    company_context.close()

    # 4. The resident sees the progress on the timeline and rates it.
    phone.goto(f"{base}/issues/{number}/")
    timeline = phone.inner_text(".timeline")
    assert "已派电工明早更换灯具" in timeline
    phone.click("a[href$='/rate/']")
    phone.check("input[name=contacted][value=yes]")
    phone.check("input[name=solved][value=yes]")
    phone.check("input[name=rating][value=satisfied]")
    phone.fill("textarea[name=comment]", "很及时")
    phone.click("form.card button[type=submit]")
    phone.wait_for_selector(".alert-success")
    assert Satisfaction.objects.get(issue=issue).rating == "satisfied"

    # 5. The public board shows it, reporter masked.
    visitor = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    board = visitor.new_page()
    board.goto(f"{base}/issues/board/")
    item = board.locator(".board-item", has_text=number)
    text = item.inner_text()
    assert "王**" in text
    assert "王小明" not in board.content()
    assert resident.mobile not in board.content()
    visitor.close()


def test_hazard_box_follows_the_category_on_a_phone(live_server, phone):
    """issues.js ticks “safety hazard” for elevator / fire-safety categories (第7条: 3 days)."""
    CompoundFactory(slug=settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡")
    Category.objects.get_or_create(code="environment", defaults={"name": "环境卫生"})
    Category.objects.update_or_create(
        code="elevator", defaults={"name": "电梯", "safety_related": True, "active": True}
    )
    phone.goto(f"{live_server.url}/issues/new/")
    box = "input[name=is_hazard]"
    phone.select_option("select[name=category]", label="电梯")
    assert phone.is_checked(box)
    phone.select_option("select[name=category]", label="环境卫生")
    assert not phone.is_checked(box)
    phone.check(box)  # the resident flags it by hand: a later category change keeps it
    phone.select_option("select[name=category]", label="电梯")
    phone.select_option("select[name=category]", label="环境卫生")
    assert phone.is_checked(box)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
