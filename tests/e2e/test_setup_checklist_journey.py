"""The community party secretary fixes an item of the second demo compound's checklist
in a browser; the checklist count and the community dashboard count drop (issue 16,
"Tests that must exist")."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from huashan.directory.models import Compound, Organization
from tests.e2e.conftest import PHONE
from tests.provisioning.conftest import templates  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SECRETARY = "13800000201"  # 李红梅, 社区党支部书记 (seed_demo)
PASSWORD = "huashan2026"


def _open_count(page) -> int:
    return int(page.get_attribute("#setup-open-count", "data-open"))


@pytest.mark.usefixtures("templates")
def test_secretary_fixes_a_checklist_item_and_the_count_drops(live_server, phone):
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    call_command("seed_second_compound", stdout=StringIO())
    compound = Compound.objects.get(slug="taoyuan-ju")
    base = live_server.url

    phone.goto(f"{base}/accounts/login/")
    phone.fill("input[name=username]", SECRETARY)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("form.card button[type=submit]")
    phone.wait_for_url(f"{base}/")

    # The community dashboard names the compound with open items and links to its checklist.
    phone.goto(f"{base}/dashboard/community/{compound.community.slug}/")
    total_before = int(phone.get_attribute("#setup-open-total", "data-open"))
    phone.locator("[data-testid=setup-open-items] a", has_text="桃源居").click()
    phone.wait_for_url(f"{base}/setup/taoyuan-ju/")
    assert phone.get_attribute("html", "lang") == "zh-hans"
    before = _open_count(phone)
    item = phone.locator("li[data-code=joint_meeting_office]")
    assert item.get_attribute("data-ok") == "0"
    assert "联席会议议事规则 第四条" in item.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    item.locator("a").click()
    phone.wait_for_url(f"{base}/setup/taoyuan-ju/organization/joint_meeting_office/")
    phone.click("form.card button[type=submit]")
    phone.wait_for_url(f"{base}/setup/taoyuan-ju/")

    assert _open_count(phone) == before - 1
    assert phone.locator("li[data-code=joint_meeting_office]").get_attribute("data-ok") == "1"
    assert Organization.objects.filter(compound=compound, kind="joint_meeting_office").exists()
    # The group dashboard is cached per person for pagecache.PERSON_PAGE_AGE; a new
    # render shows the lower count.
    cache.clear()
    phone.goto(f"{base}/dashboard/community/{compound.community.slug}/")
    assert int(phone.get_attribute("#setup-open-total", "data-open")) == total_before - 1
