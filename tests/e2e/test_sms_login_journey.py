"""A resident on a phone never chooses a password (issue 21 item 1): registers with an SMS
code, signs in with a code, signs out, signs in with a code again; the 60-second limit and
the 5-minute expiry as the resident sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from huashan.accounts.models import SignInCode
from huashan.directory.models import Person, Residency
from huashan.notify import sms
from tests.factories.directory import BuildingFactory, CompoundFactory, HouseholdFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MOBILE = "13712345678"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def newest_code() -> str:
    """What the resident reads in the SMS (the console gateway runs in the live server)."""
    return [m for m in sms.console_outbox if m["mobile"] == MOBILE][-1]["params"]["code"]


def a_minute_passes() -> None:
    SignInCode.objects.filter(mobile=MOBILE).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )


def ask_for_code(phone) -> None:
    phone.click("button[name=action][value=send]")
    phone.wait_for_load_state()


def sign_in_with_code(phone, url: str) -> None:
    phone.goto(f"{url}/accounts/login/code/")
    phone.fill("#id_username", "137 1234 5678")
    before = len(sms.console_outbox)
    ask_for_code(phone)
    assert len(sms.console_outbox) == before + 1
    assert phone.input_value("#id_username") == "137 1234 5678"  # nothing typed is lost
    phone.fill("#id_code", newest_code())
    phone.click("button[name=action][value=login]")
    phone.wait_for_url(f"{url}/")


def test_register_and_sign_in_with_codes_on_a_phone(live_server, phone, settings):
    settings.SMS_BACKEND = "console"
    sms.console_outbox.clear()
    compound = CompoundFactory(slug=settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡")
    building = BuildingFactory(compound=compound, number="3栋")
    HouseholdFactory(building=building, unit="1单元", room="1502")
    url = live_server.url

    # 1. Register: the number is verified with a code; no password is chosen.
    phone.goto(f"{url}/accounts/register/")
    phone.fill("#id_mobile", "137 1234 5678")
    phone.fill("#id_name", "赵六")
    ask_for_code(phone)
    assert phone.input_value("#id_name") == "赵六"
    assert zh("Send the code again") in phone.inner_text("main")
    phone.fill("#id_code", newest_code())
    phone.select_option("#id_building", label="3栋")
    phone.fill("#id_unit", "1")
    phone.fill("#id_room", "1502")
    phone.check("#id_relation_0")
    phone.click("button[name=action][value=register]")
    phone.wait_for_url(f"{url}/accounts/login/code/")
    person = Person.objects.get(mobile=MOBILE)
    assert not person.has_usable_password()
    assert Residency.objects.get(person=person).status == "pending"

    # The limit as the resident sees it: a second code within the minute is refused,
    # with the number still in the box.
    phone.fill("#id_username", "137 1234 5678")
    ask_for_code(phone)
    wait = zh("A code was just sent to this number. You can ask for another in %(s)s seconds.")
    assert wait.split("%(s)s")[0] in phone.inner_text("main")
    assert phone.input_value("#id_username") == "137 1234 5678"

    # 2. Sign in with a code, a minute later.
    a_minute_passes()
    sign_in_with_code(phone, url)
    phone.goto(f"{url}/accounts/me/")
    assert "赵六" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # 3. Sign out.
    phone.click("summary.site-menu__button")  # the menu holds the log-out button
    phone.locator("form[action='/accounts/logout/'] button").first.click()
    phone.wait_for_load_state()
    phone.goto(f"{url}/accounts/me/")
    assert "/accounts/login/" in phone.url

    # 4. An expired code does not open the door ...
    a_minute_passes()
    phone.goto(f"{url}/accounts/login/code/")
    phone.fill("#id_username", MOBILE)
    ask_for_code(phone)
    SignInCode.objects.filter(mobile=MOBILE).update(expires_at=timezone.now())
    phone.fill("#id_code", newest_code())
    phone.click("button[name=action][value=login]")
    phone.wait_for_load_state()
    assert zh("This code has expired or was typed wrong too often. Ask for a new code.") in (
        phone.inner_text("main")
    )

    # 5. ... a fresh one does.
    a_minute_passes()
    sign_in_with_code(phone, url)
    phone.goto(f"{url}/accounts/me/")
    assert "赵六" in phone.inner_text("main")
