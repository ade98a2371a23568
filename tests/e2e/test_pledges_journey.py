"""A resident opens the public pledge board on a phone and sees the party organization's
ten items with their statuses (issue 6, "Tests that must exist")."""

from __future__ import annotations

import pytest

from pledges.models import ResultStatus
from tests.e2e.conftest import PHONE
from tests.factories.directory import DEFAULT_PASSWORD
from tests.pledges.web import seeded_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_resident_sees_party_pledges_on_a_phone(live_server, phone):
    world = seeded_world(pmc=True)  # both seed letters, evaluated by the engine
    base = live_server.url

    phone.goto(f"{base}/accounts/login/")
    phone.fill("input[name=username]", world.resident.mobile)
    phone.fill("input[name=password]", DEFAULT_PASSWORD)
    phone.click("form.card button[type=submit]")
    phone.wait_for_url(f"{base}/")

    phone.goto(f"{base}/pledges/")
    assert phone.get_attribute("html", "lang") == "zh-hans"
    party = phone.locator("section.pledge-letter[data-organization-kind=compound_party]")
    assert "普安社区江南花山郡小区党组织服务承诺" in party.locator("h2").inner_text()
    items = party.locator("li.pledge-item")
    assert items.count() == 10
    known = {s.value for s in ResultStatus}
    for index in range(10):
        badge = items.nth(index).locator(".badge")
        assert badge.get_attribute("data-status") in known
        assert badge.inner_text().strip()
        assert badge.is_visible()
    assert "定期联席会议" in items.nth(0).inner_text()
    assert "长效治理保成果" in items.nth(9).inner_text()
    # Readable on the phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The letter page shows the text and the history by period.
    party.locator("h2 a").click()
    phone.wait_for_selector("text=每月至少召开1次社区党组织、物业管理委员会、物业三方联席会议")
    assert phone.locator("details summary").count() >= 10
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
