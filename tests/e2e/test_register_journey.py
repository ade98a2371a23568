"""A resident registers from a phone and sees the claim waiting for verification."""

from __future__ import annotations

import pytest
from django.utils import translation

from huashan.directory.models import Person, Residency
from huashan.notify import sms
from tests.factories.directory import BuildingFactory, CompoundFactory, HouseholdFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_register_on_phone_with_building_filter(live_server, phone, settings):
    settings.SMS_BACKEND = "console"
    sms.console_outbox.clear()
    compound = CompoundFactory(slug=settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡")
    other = CompoundFactory(name="别的小区")
    building = BuildingFactory(compound=compound, number="3栋")
    BuildingFactory(compound=other, number="9栋")
    HouseholdFactory(building=building, unit="1单元", room="1502")
    phone.goto(f"{live_server.url}/accounts/register/")
    # With JS, only the chosen compound's buildings are offered.
    assert phone.locator("#id_building optgroup[label='别的小区']").is_hidden()
    phone.fill("#id_mobile", "137 1234 5678")
    phone.fill("#id_name", "赵六")
    # The number is verified with a code (issue 21); a password is optional.
    phone.click("button[name=action][value=send]")
    phone.wait_for_load_state()
    code = [m for m in sms.console_outbox if m["mobile"] == "13712345678"][-1]["params"]["code"]
    phone.fill("#id_code", code)
    phone.fill("#id_password1", "Plum-blossom-2026")
    phone.fill("#id_password2", "Plum-blossom-2026")
    phone.select_option("#id_building", label="3栋")
    phone.fill("#id_unit", "1")
    phone.fill("#id_room", "1502")
    phone.check("#id_relation_2")
    phone.click("button[name=action][value=register]")
    # Registration answers a new and a taken number alike (issue 14 item 7): no automatic
    # login, the resident signs in next — with the password chosen here.
    phone.wait_for_url(f"{live_server.url}/accounts/login/code/")
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "137 1234 5678")
    phone.fill("#id_password", "Plum-blossom-2026")
    phone.click("form.card button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/")
    phone.goto(f"{live_server.url}/accounts/me/")
    with translation.override("zh-hans"):
        waiting = translation.gettext("Waiting for verification")
    assert waiting in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    residency = Residency.objects.get(person=Person.objects.get(mobile="13712345678"))
    assert (residency.status, residency.relation) == ("pending", "tenant")
