"""Resident login journeys in a real browser on a phone-sized screen."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories.directory import (
    DEFAULT_PASSWORD,
    CompoundFactory,
    PersonFactory,
    ResidencyFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MOBILE = "13812345678"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def resident(transactional_db):
    compound = CompoundFactory(slug=settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡")
    return ResidencyFactory(
        household__building__compound=compound,
        person=PersonFactory(mobile=MOBILE, name="王小明"),
    ).person


def log_in(page, base_url: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", MOBILE)
    page.fill("input[name=password]", password)
    page.click("form.card button[type=submit]")


def test_resident_logs_in_on_phone_and_sees_chinese_home(live_server, phone, resident, tmp_path):
    log_in(phone, live_server.url, DEFAULT_PASSWORD)
    phone.wait_for_url(f"{live_server.url}/")
    assert phone.get_attribute("html", "lang") == "zh-hans"
    assert phone.inner_text("h1") == "江南花山郡"
    assert "王小明" in phone.inner_text(".greeting")
    # The stylesheet loaded (CSP allows 'self') and the layout fits the screen.
    font = phone.evaluate("getComputedStyle(document.documentElement).fontFamily")
    assert "PingFang SC" in font
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click(".site-menu__button")  # on a phone, log out sits in the header's menu sheet
    logout = phone.locator("form[action='/accounts/logout/'] button")
    assert logout.bounding_box()["height"] >= 44
    phone.screenshot(path=str(tmp_path / "home-mobile.png"), full_page=True)
    assert (tmp_path / "home-mobile.png").stat().st_size > 10_000


def test_wrong_password_shows_chinese_error(live_server, phone, resident):
    log_in(phone, live_server.url, "not-the-password")
    error = phone.locator(".alert-error")
    error.wait_for()
    assert zh("Mobile number or password is incorrect.") in error.inner_text()
    assert phone.input_value("input[name=username]") == MOBILE
    assert phone.input_value("input[name=password]") == ""
    submit = phone.locator("form.card button[type=submit]")
    assert submit.bounding_box()["height"] >= 44


def test_repeated_failures_lock_the_login(live_server, phone, resident):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(phone, live_server.url, f"wrong-{attempt}")
        phone.wait_for_load_state()
    log_in(phone, live_server.url, DEFAULT_PASSWORD)
    phone.wait_for_load_state()
    assert zh("Too many failed login attempts. Please try again in 15 minutes.") in (
        phone.inner_text("main")
    )
    assert phone.locator(".site-user__name").count() == 0
