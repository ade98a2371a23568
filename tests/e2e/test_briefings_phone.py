"""通报 on a phone (决策报告制度 第一条 "重要紧急信息须第一时间通报并联动处置"): the PMC chair
sends an urgent notice from the briefings page; the residents' committee chair finds it in
the notifications and acknowledges it (知悉); both pages fit 390 px and have no serious or
critical axe-core finding."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from briefings.models import Briefing
from tests.e2e.conftest import PHONE
from tests.factories.directory import DEFAULT_PASSWORD
from tests.factories.world import compound_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = "['serious', 'critical'].includes(v.impact)"
BODY = "B2车库入口进水，已关闭入口，请居委会协助通知居民挪车。"


def _login(page, base, person):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", person.mobile)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/")


def _fits_and_passes_axe(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.add_script_tag(path=str(AXE))
    blocking = page.evaluate(
        f"axe.run().then(r => r.violations.filter(v => {BLOCKING})"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.html).join(' | ')))"
    )
    assert blocking == []


def test_urgent_notice_sent_and_acknowledged_on_a_phone(live_server, browser):
    world = compound_world(default_compound=True)
    base = live_server.url
    contexts = []

    def phone():
        # bypass_csp: the page allows no inline script, and axe-core is injected as one.
        context = browser.new_context(
            viewport=PHONE, has_touch=True, is_mobile=True, locale="zh-CN", bypass_csp=True
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        sender = phone()
        _login(sender, base, world.pmc_chair)
        # The staff menu names the page (in the collapsed phone menu: follow its link).
        href = sender.get_attribute("a[data-nav='briefings:list']", "href")
        assert href == f"/briefings/?compound={world.compound.slug}"
        sender.goto(f"{base}{href}")
        _fits_and_passes_axe(sender)
        sender.locator("details.card summary").click()
        sender.select_option("select[name=briefing-kind]", "urgent")
        sender.fill("input[name=briefing-title]", "地下车库进水")
        sender.fill("textarea[name=briefing-body]", BODY)
        sender.click("details.card form button[type=submit]")
        sender.wait_for_url(re.compile(r"/briefings/\d+/$"))
        briefing = Briefing.objects.get()
        assert sender.url == f"{base}/briefings/{briefing.pk}/"
        assert "尚未知悉" in sender.inner_text("body")

        reader = phone()
        _login(reader, base, world.committee_chair)
        reader.goto(f"{base}/notifications/")
        notice = reader.locator("article", has_text="地下车库进水").first
        assert "紧急通报" in notice.inner_text()
        notice.locator("form[action*='/open/'] button").click()
        reader.wait_for_url(f"{base}/briefings/{briefing.pk}/")
        _fits_and_passes_axe(reader)
        reader.locator("button", has_text="知悉").click()
        reader.wait_for_url(f"{base}/briefings/{briefing.pk}/")
        assert "已知悉" in reader.inner_text("body")
        row = briefing.recipients.get(organization=world.orgs.residents_committee)
        assert row.acknowledged_by_id == world.committee_chair.pk
    finally:
        for context in contexts:
            context.close()
