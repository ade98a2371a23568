"""An emergency joint meeting recorded afterwards (补录), in a real browser, in Chinese.

At 1366×900 the office clerk records the emergency meeting held at 08:00 this morning
with the reason, ticks "会议纪要在公示栏公开", records attendance, types the minutes and
sees them autosaved while the cursor is still in the field (issue 13 item 2), drafts the
summary; the four bodies countersign, the chair approves, the clerk distributes it to
the four bodies (分送四方), and an anonymous resident finds it on the compound's public
disclosure board (issue 13 items 1–3).

seed: 联席会议议事规则 第三条 (必要时可临时召开), 第四条 (会议纪要分送); 公示承诺制度 第一条.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings

from meetings import services
from meetings.models import Meeting, Minutes, Summary
from tests.factories.directory import DEFAULT_PASSWORD, CompoundFactory
from tests.factories.meetings import meeting_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CN = ZoneInfo("Asia/Shanghai")
DESKTOP = {"width": 1366, "height": 900}
TITLE = "3号楼爆管紧急联席会议"
REASON = "凌晨3号楼水管爆裂，三方当即到场会商抢修，会后补录"
MINUTES = "物业连夜关阀抢修，居委会通知住户，物管会同意动用应急维修资金"


def desktop(browser, base: str, person=None):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    if person is not None:
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", person.mobile)
        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.click("form.card button[type=submit]")
        page.wait_for_url(f"{base}/")
    return context, page


def submit(page, form_selector: str) -> None:
    page.click(f"{form_selector} button[type=submit]")
    page.wait_for_load_state()


def test_emergency_meeting_recorded_afterwards_reaches_the_public_board(
    live_server, browser, settings
):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    base = live_server.url
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=CN), tick=True):
        world = meeting_world(
            CompoundFactory(slug=django_settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡")
        )

        # 1. 补录: the meeting was held at 08:00 today; the clerk enters it at 10:00.
        clerk_context, clerk = desktop(browser, base, world.meeting_clerk)
        clerk.goto(f"{base}/meetings/new/")
        clerk.select_option("select[name=kind]", "joint")
        clerk.fill("input[name=title]", TITLE)
        clerk.fill("input[name=place]", "3号楼架空层")
        clerk.fill("input[name=start]", "2026-03-10T08:00")
        clerk.fill("input[name=end]", "2026-03-10T09:00")
        clerk.check("input[name=is_ad_hoc]")
        clerk.fill("textarea[name=ad_hoc_reason]", "水管爆裂，需三方当即会商")
        clerk.check("input[name=summary_public]")
        clerk.check("input[name=recorded_afterwards]")
        clerk.fill("textarea[name=record_reason]", REASON)
        submit(clerk, "form.card")
        clerk.wait_for_url(re.compile(r"/meetings/\d+/$"))
        meeting = Meeting.objects.get(title=TITLE)
        assert meeting.status == Meeting.Status.HELD
        assert "补录" in clerk.inner_text("[data-testid=recorded-afterwards]")
        assert REASON in clerk.inner_text("[data-testid=record-reason]")
        assert "补录" in clerk.inner_text("ol.timeline")
        assert clerk.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]

        # 2. Attendance at once (no notice, no "会议尚未开始").
        clerk.goto(f"{base}/meetings/{meeting.pk}/attendance/")
        selects = clerk.locator("select[name$='-status']")
        for index in range(selects.count()):
            selects.nth(index).select_option("present")
        submit(clerk, "form.stack")
        clerk.wait_for_selector(".alert-success")
        assert meeting.attendances.filter(status="present").count() == meeting.members.count()

        # 3. Minutes: type, keep the cursor in the field; the autosave comes by itself.
        clerk.goto(f"{base}/meetings/{meeting.pk}/minutes/")
        field = clerk.locator("form[data-autosave] textarea[name$='-discussion']").first
        field.click()
        field.press_sequentially(MINUTES)
        clerk.wait_for_selector(
            "form[data-autosave] .autosave-status:has-text('已自动保存')", timeout=8_000
        )
        name = field.get_attribute("name")
        assert clerk.evaluate("document.activeElement.name") == name  # never left the field
        assert Minutes.objects.filter(meeting=meeting, discussion=MINUTES).exists()
        clerk.reload()
        assert clerk.locator(f"textarea[name='{name}']").input_value() == MINUTES

        # 4. Summary from the minutes → 会签 by the four bodies → the chair approves.
        clerk.goto(f"{base}/meetings/{meeting.pk}/")
        clerk.click("[data-testid=draft-from-minutes]")
        clerk.wait_for_selector("[data-testid=submit-countersign]")
        clerk.click("[data-testid=submit-countersign]")
        clerk.wait_for_selector("[data-testid=countersigns]")
        assert "未会签" in clerk.inner_text("[data-testid=countersigns]")
        summary = Summary.objects.get(meeting=meeting)
        for kind in ("community_party", "residents_committee", "pmc", "property_company"):
            services.summary_countersign(
                actor=getattr(world.people, kind),
                summary=summary,
                organization=getattr(world.orgs, kind),
            )
        chair_context, chair = desktop(browser, base, world.community_secretary)
        chair.goto(f"{base}/meetings/{meeting.pk}/")
        chair.click("[data-testid=approve-summary]")
        chair.wait_for_selector(".alert-success")
        chair_context.close()

        # 5. 分送四方 with the board tick: distributed and posted, no URL error.
        clerk.goto(f"{base}/meetings/{meeting.pk}/")
        assert "公示栏" in clerk.inner_text("#summary")
        clerk.click("[data-testid=distribute-summary]")
        clerk.wait_for_selector(".alert-success")
        assert "http" not in clerk.inner_text("main")
        assert Summary.objects.get(pk=summary.pk).status == Summary.Status.DISTRIBUTED
        posted = clerk.locator("[data-testid=summary-posted] a")
        assert posted.count() == 1
        history = clerk.inner_text("ol.timeline")
        assert "分送" in history
        assert "summary_" not in history
        clerk_context.close()

        # 6. An anonymous resident finds the summary on the compound's public board.
        resident_context, resident = desktop(browser, base)
        resident.goto(f"{base}/disclosures/")
        resident.click(f"a:has-text('{TITLE}')")
        resident.wait_for_load_state()
        text = resident.inner_text("main")
        assert TITLE in text
        assert "物业连夜关阀抢修" in text
        assert "补录" in text
        resident_context.close()
