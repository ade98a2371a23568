"""Owners vote themselves, on a phone (390×844), in Chinese.

An owner opens the open motion from the meetings page, reads the matter and the rule in
words, votes for the unit they own and sees the receipt number; a second owner's paper
ballot is entered by one clerk (the PMC) and confirmed by another (the meeting office); at
the announced close the PMC counts the vote and the decision with its tally is on the
disclosure board, where the owner finds it and checks the receipt on the motion page.

seed: 协同联动解决小区事务流程 第二条 "业主大会决议……对决策事项和实施结果予以公开";
物业管理委员会服务承诺 第6条; 民法典 第二百七十八条; 建筑物区分所有权解释 第九条.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings

from meetings import services
from meetings.models import MotionVote, OwnersAssemblyMotion
from tests.factories.directory import DEFAULT_PASSWORD, CompoundFactory
from tests.factories.meetings import meeting_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CN = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def _context(browser, base, person, viewport):
    extra = {"has_touch": True, "is_mobile": True} if viewport is PHONE else {}
    context = browser.new_context(viewport=viewport, locale="zh-CN", **extra)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", person.mobile)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page


def _opened_motion(world, closes_at):
    motion = services.motion_propose(
        actor=world.people.pmc,
        compound=world.compound,
        title="增设电动自行车充电桩",
        body="在3栋北侧空地增设电动自行车充电桩20个，费用由公共收益支出。",
        matter="common_parts_use",
    )
    services.motion_pmc_deliberate(actor=world.people.pmc, motion=motion, resolution="全体同意")
    services.motion_party_review(
        actor=world.people.compound_party, motion=motion, level="compound", opinion="同意"
    )
    services.motion_party_review(
        actor=world.people.community_party, motion=motion, level="community", opinion="同意"
    )
    # common_parts_use needs the advance decision report and both answers
    report = services.decision_report_create(
        actor=world.people.pmc,
        compound=world.compound,
        matter="common_parts",
        title="利用共有部分增设充电桩",
        body="拟利用3栋北侧空地",
    )
    services.decision_report_file(actor=world.people.pmc, report=report)
    for recipient in report.recipients.select_related("organization"):
        services.decision_report_acknowledge(
            actor=getattr(world.people, recipient.organization.kind), recipient=recipient
        )
    from meetings.services import motions as motion_services

    motion_services.motion_link_report(
        actor=world.people.pmc, motion=motion, decision_report=report
    )
    return services.motion_open_vote(actor=world.people.pmc, motion=motion, closes_at=closes_at)


def test_owner_votes_on_a_phone_and_finds_the_result_on_the_board(live_server, browser, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    base = live_server.url
    closes_at = dt.datetime(2026, 3, 12, 20, 0, tzinfo=CN)
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=CN), tick=True) as clock:
        world = meeting_world(
            CompoundFactory(slug=django_settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡")
        )
        motion = _opened_motion(world, closes_at)
        home = world.resident.residencies.get().household
        other = world.neighbour.residencies.get().household

        # 1. The owner, on a phone: meetings → owners' votes → the motion.
        phone_ctx, phone = _context(browser, base, world.resident, PHONE)
        phone.goto(f"{base}/meetings/?compound={world.compound.slug}")
        phone.click("a:has-text('业主大会表决')")
        phone.click(f"a:has-text('{motion.title}')")
        assert "三分之二以上" in phone.inner_text("[data-testid=threshold]")
        phone.check(f"input[name='u{home.pk}-choice'][value='yes']")
        phone.click("[data-testid=my-ballots] button[type=submit]")
        phone.wait_for_load_state()
        receipt = phone.inner_text("[data-testid=receipt]").strip()
        vote = MotionVote.objects.get(household=home)
        assert receipt == vote.receipt
        assert vote.channel == "online"
        assert "不能更改" in phone.inner_text("[data-testid=my-ballots]")
        # The phone page is not wider than the phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # 2. The second owner's paper ballot: the PMC enters it, the office confirms it.
        pmc_ctx, pmc = _context(browser, base, world.people.pmc, LAPTOP)
        pmc.goto(f"{base}/meetings/motions/{motion.pk}/")
        pmc.select_option("select[name=paper-household]", str(other.pk))
        pmc.check("input[name=paper-choice][value=yes]")
        pmc.click("#paper button[type=submit]")
        pmc.wait_for_load_state()
        assert MotionVote.objects.get(household=other).confirmed_at is None
        assert "须由另一人核对确认" in pmc.content()  # the PMC cannot confirm its own entry
        office_ctx, office = _context(browser, base, world.meeting_clerk, LAPTOP)
        office.goto(f"{base}/meetings/motions/{motion.pk}/")
        office.click("button:has-text('对照纸质票核对确认')")
        office.wait_for_load_state()
        assert MotionVote.objects.get(household=other).confirmed_at is not None

        # 3. Counting before the announced close is refused; at the close it publishes.
        pmc.goto(f"{base}/meetings/motions/{motion.pk}/")
        pmc.click("button:has-text('计票并公开表决决定')")
        pmc.wait_for_load_state()
        assert "不能提前结束" in pmc.content()
        clock.move_to(closes_at + dt.timedelta(minutes=1))
        pmc.goto(f"{base}/meetings/motions/{motion.pk}/")
        pmc.click("button:has-text('计票并公开表决决定')")
        pmc.wait_for_load_state()
        motion.refresh_from_db()
        assert motion.stage == OwnersAssemblyMotion.Stage.DECIDED
        assert motion.decision_disclosure_id

        # 4. The owner finds the decision with the tally on the disclosure board.
        phone.goto(f"{base}/disclosures/")
        phone.click(f"a:has-text('{motion.title}')")
        phone.wait_for_load_state()
        board = phone.inner_text("main")
        assert "参与表决人数占比" in board
        assert receipt in board
        phone.goto(f"{base}/meetings/motions/{motion.pk}/?receipt={receipt}#receipts")
        assert receipt in phone.inner_text("[data-testid=receipt-check]")
        for context in (phone_ctx, pmc_ctx, office_ctx):
            context.close()
