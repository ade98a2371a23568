"""On a phone, in Chinese: a resident without an account files a complaint leaving no
contact details at all, keeps the 查询码, and later finds the way back from the public
board (问题办理进展) on another phone (issue 13 item 9).

seed: 公示承诺制度 第一条 (residents' problems are received; progress is public).
"""

from __future__ import annotations

import re

import pytest

from issues.models import Category, Issue
from tests.e2e.conftest import PHONE
from tests.factories.world import compound_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_anonymous_no_contact_filing_and_tracking_from_the_board(live_server, browser, phone):
    world = compound_world(default_compound=True)
    Category.objects.get_or_create(code="environment", defaults={"name": "环境卫生"})
    base = live_server.url

    # 1. Not logged in: the form offers anonymous filing and says what it means.
    phone.goto(f"{base}/issues/new/")
    assert phone.get_attribute("html", "lang") == "zh-hans"
    phone.select_option("select[name=category]", label="环境卫生")
    phone.select_option("select[name=building]", label=world.building.number)
    phone.fill("textarea[name=description]", "7栋2单元楼道灯坏了，晚上看不见台阶")
    phone.get_by_label("匿名反映（不留联系方式）").check()
    warning = phone.inner_text("[data-testid=no-contact-warning]")
    assert "没有人能回电" in warning
    assert "唯一方式" in warning
    phone.click("form.card button[type=submit]")

    # 2. Step 2 repeats it; submit without photos.
    phone.wait_for_url(re.compile(r"/issues/new/check/"))
    assert "匿名反映，不留联系方式" in phone.inner_text("[data-testid=no-contact]")
    phone.click("form[data-photo-form] button[type=submit]")

    # 3. The number and the one-time code, with the plain warning.
    number = phone.inner_text("[data-testid=tracking-number]").strip()
    code = phone.inner_text("[data-testid=tracking-code]").strip()
    assert re.fullmatch(r"HS-\d{4}-\d{6}", number)
    assert len(code) >= 6
    assert "唯一方式" in phone.inner_text("[data-testid=only-way-back]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    issue = Issue.objects.get(tracking_number=number)
    assert issue.reporter_id is None
    assert issue.reporter_phone == ""

    # 4. Later, on another phone (no session): the board → the tracking link → the code.
    other = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="zh-CN")
    later = other.new_page()
    later.set_default_timeout(10_000)
    later.goto(f"{base}/issues/board/")
    assert "问题办理进展" in later.inner_text("h1")
    later.click("[data-testid=track-link]")
    later.wait_for_url(re.compile(r"/issues/track/"))
    later.fill("input[name=tracking_number]", number.lower())
    later.fill("input[name=code]", code)
    later.click("form.card button[type=submit]")
    later.wait_for_url(re.compile(rf"/issues/{number}/"))
    assert number in later.inner_text("h1")
    assert "7栋2单元楼道灯坏了" in later.content()
    assert later.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    other.close()
