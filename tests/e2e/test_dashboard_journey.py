"""The compound party secretary checks the dashboard on a phone and follows a figure.

At 390×844, in Chinese: the secretary of the compound party organization logs in,
opens ``/dashboard/``, reads the key figures (two complaints open, one of them past its
deadline by a minute), taps "overdue complaints" and lands on the work queue filtered
to overdue complaints, where the late complaint is listed. The page never scrolls
sideways and the charts are inline SVG with a data table alternative.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.e2e.conftest import PHONE
from tests.factories.directory import DEFAULT_PASSWORD
from tests.factories.issues import IssueFactory
from tests.factories.world import compound_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, mobile: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", mobile)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def test_party_secretary_follows_a_figure_to_its_list(live_server, phone, tmp_path):
    world = compound_world(default_compound=True)
    secretary = world.people.compound_party
    secretary.name = "李书记"
    secretary.save()
    now = timezone.now()
    late = IssueFactory(
        compound=world.compound,
        tier="small",
        status="accepted",
        created_at=now - dt.timedelta(days=3),
        next_deadline=now - dt.timedelta(minutes=1),
    )
    on_time = IssueFactory(
        compound=world.compound,
        tier="big",
        status="in_progress",
        created_at=now - dt.timedelta(days=1),
        next_deadline=now + dt.timedelta(days=2),
    )
    base = live_server.url

    log_in(phone, base, secretary.mobile)
    phone.goto(f"{base}/dashboard/")
    assert phone.get_attribute("html", "lang") == "zh-hans"
    assert "江南花山郡" in phone.inner_text("h1")
    open_figure = phone.locator("[data-testid=figure-complaints_open]")
    overdue_figure = phone.locator("[data-testid=figure-complaints_overdue]")
    assert open_figure.locator(".dash-figure__value").inner_text().strip() == "2"
    assert overdue_figure.locator(".dash-figure__value").inner_text().strip() == "1"
    assert "dash-figure--alert" in (overdue_figure.get_attribute("class") or "")
    # Phone-readable: nothing wider than the screen, figures big enough to tap.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = overdue_figure.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert box["width"] >= 44
    # Charts: inline SVG with a title, and the data table behind a disclosure.
    assert phone.locator("figure.chart svg[role=img] title").count() >= 1
    assert phone.locator("figure.chart details.chart-data").count() >= 1
    phone.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)

    overdue_figure.tap()
    phone.wait_for_url(re.compile(r"/issues/queue/\?.*overdue=on"))
    listed = phone.inner_text("main")
    assert late.tracking_number in listed
    assert on_time.tracking_number not in listed
