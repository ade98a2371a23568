"""A phone journey through a ballot with five answers in words, and a paper slip code
typed by hand (issue 19 item 6; seed: 评议监督考核制度 第三条 民主测评 / 量化测评).

The evaluator answers one party per screen at 390×844 in large-text mode, is stopped
on a row left open, reviews the summary and casts the ballot once. A clerk then types
a paper slip's code as a person would read it off the paper: lower case, with the
printed spaces.
"""

from __future__ import annotations

import pytest

from evaluations import slipcodes
from evaluations.models import Campaign, PaperEntry, PendingBallot
from evaluations.results import campaign_criteria
from evaluations.services import ballots as ballot_service
from huashan.core import textsize
from tests.e2e.conftest import PHONE
from tests.evaluations.ballots import recorded
from tests.factories.directory import DEFAULT_PASSWORD
from tests.factories.evaluations import advance_to, evaluation_world, roster

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def answer_ballot(page, choice: int = 1) -> int:
    """Answer every party on the phone ballot with the ``choice``-th answer (0 = best),
    screen by screen, up to the summary; return the number of screens."""
    screens = 0
    while page.locator("[data-testid=ballot-progress]").count():
        rows = page.locator("fieldset.level-row")
        for i in range(rows.count()):
            rows.nth(i).locator("label.level-choice").nth(choice).click()
        page.click("button[name=action][value=next]")
        page.wait_for_load_state()
        screens += 1
    return screens


def test_phone_ballot_with_words_then_a_slip_code_typed_by_hand(live_server, browser):
    world = evaluation_world()
    (_e1, online), (_e2, paper) = roster(world, 2)
    campaign = advance_to(world, Campaign.State.SCORING)
    criteria = campaign_criteria(campaign)
    targets = campaign.targets.count()
    base = live_server.url

    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="zh-CN")
    context.add_cookies([{"name": textsize.COOKIE, "value": "large", "url": base}])
    phone = context.new_page()
    phone.goto(f"{base}/evaluations/ballot/{online}/")
    assert phone.locator("html.text-large").count() == 1
    assert f"第 1 项，共 {targets} 项" in phone.inner_text("[data-testid=ballot-progress]")
    rows = phone.locator("fieldset.level-row")
    assert rows.count() == len(criteria)
    assert rows.first.locator("input[type=radio]").count() == 5
    assert "很满意" in rows.first.inner_text()
    box = rows.first.locator("label.level-choice").first.bounding_box()
    assert box["height"] >= 44  # a thumb-sized answer
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # A row left open: the browser would stop it; with its check off, the server does,
    # announces it and moves the focus to the row.
    for i in range(1, rows.count()):
        rows.nth(i).locator("label.level-choice").nth(1).click()
    phone.evaluate("document.querySelector('form[data-testid=ballot-form]').noValidate = true")
    phone.click("button[name=action][value=next]")
    phone.wait_for_selector(".field-error")
    assert phone.evaluate("document.activeElement.type") == "radio"
    assert phone.locator("fieldset.level-row input:checked").count() == len(criteria) - 1
    assert f"第 1 项，共 {targets} 项" in phone.inner_text("[data-testid=ballot-progress]")

    assert answer_ballot(phone, choice=1) == targets
    phone.wait_for_selector("[data-testid=ballot-summary]")
    assert phone.locator("section.ballot-summary").count() == targets
    assert "满意" in phone.inner_text("section.ballot-summary >> nth=0")
    assert recorded() == 0
    phone.click("button[name=action][value=submit]")
    phone.wait_for_selector("[data-testid=ballot-done]")
    assert recorded("online") == targets
    satisfied = {str(c.pk): ballot_service.level_points(c.max_score, "4") for c in criteria}
    for cast in PendingBallot.objects.all():
        assert {k: float(v) for k, v in cast.scores.items()} == {
            k: float(v) for k, v in satisfied.items()
        }
    context.close()

    # A clerk types the paper slip's code as printed, in lower case with its spaces.
    printed = slipcodes.grouped(paper)
    assert printed.count(" ") == 5
    clerk_context = browser.new_context(locale="zh-CN")
    clerk = clerk_context.new_page()
    clerk.goto(f"{base}/accounts/login/")
    clerk.fill("input[name=username]", world.meeting_clerk.mobile)
    clerk.fill("input[name=password]", DEFAULT_PASSWORD)
    clerk.click("form.card button[type=submit]")
    clerk.wait_for_url(f"{base}/")
    clerk.goto(f"{base}/evaluations/{campaign.pk}/paper/")
    clerk.fill("input[name=slip_code]", printed.lower())
    for field in clerk.locator("input[type=number][name^=score_]").all():
        field.fill("6")
    clerk.click("form[data-testid=paper-form] button[type=submit]")
    clerk.wait_for_selector(".alert-success")
    assert PaperEntry.objects.get().evaluator_id == _e2.pk
    clerk_context.close()
