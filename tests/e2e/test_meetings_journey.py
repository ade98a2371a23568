"""The monthly joint meeting in a real browser, at a laptop viewport, in Chinese.

The clerk of the joint-meeting office schedules the March joint meeting, puts two
topics on the agenda (one raised by a big-tier complaint), sends the notice,
records attendance and minutes (autosaved by htmx under the strict CSP), drafts
the summary, which the four bodies countersign and the chair approves, and records
two agreed items. The property company reports one done and the office accepts
it; the other passes its due date, the beat scan flags it (督办) and it shows on
April's agenda. seed: 联席会议议事规则 第三—五条.

Time is frozen with time-machine (ticking) in the test process, which the live
server shares; the session cookie lives until the browser closes because the
browser's own clock is not travelled.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings

from issues import services as issue_services
from issues.models import Category
from meetings import services
from meetings.models import ActionItem, AgendaTopic, Meeting, Minutes, Summary
from tests.factories.directory import DEFAULT_PASSWORD, CompoundFactory
from tests.factories.meetings import meeting_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CN = ZoneInfo("Asia/Shanghai")
LAPTOP = {"width": 1280, "height": 800}


def log_in(page, base_url: str, mobile: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", mobile)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def laptop(browser, base: str, person):
    context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, base, person.mobile)
    return context, page


def submit(page, form_selector: str) -> None:
    page.click(f"{form_selector} button[type=submit]")
    page.wait_for_load_state()


def test_monthly_joint_meeting_journey(live_server, browser, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    base = live_server.url
    with time_machine.travel(dt.datetime(2026, 3, 20, 10, 0, tzinfo=CN), tick=True) as clock:
        world = meeting_world(
            CompoundFactory(slug=django_settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡")
        )
        category, _ = Category.objects.get_or_create(code="environment", defaults={"name": "环境"})
        # A resident's complaint that the office classifies as a big matter (大事联办):
        # the issues module's agenda hook proposes it as a topic.
        filed = issue_services.issue_submit(
            actor=world.resident,
            compound=world.compound,
            category=category,
            description="地下车库连续渗水，车辆受损，物业多次维修无效",
            building=world.building,
        )
        issue_services.issue_change_tier(
            actor=world.meeting_clerk,
            issue=filed.issue,
            tier="big",
            reason="涉及三方，需联席会议研究",
        )
        number = filed.issue.tracking_number

        # 1. The clerk schedules the March joint meeting (last week of the month).
        clerk_context, clerk = laptop(browser, base, world.meeting_clerk)
        clerk.goto(f"{base}/meetings/new/")
        clerk.select_option("select[name=kind]", "joint")
        clerk.fill("input[name=title]", "2026年3月联席会议")
        clerk.fill("input[name=place]", "小区党群服务中心会议室")
        clerk.fill("input[name=start]", "2026-03-25T15:00")
        clerk.fill("input[name=end]", "2026-03-25T17:00")
        submit(clerk, "form.card")
        clerk.wait_for_url(re.compile(r"/meetings/\d+/$"))
        meeting = Meeting.objects.get(title="2026年3月联席会议")
        assert clerk.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]

        # 2. Topics: the complaint is waiting; the clerk proposes another and accepts both.
        assert number in clerk.inner_text("#agenda")
        clerk.click("#propose summary")
        clerk.fill("input[name=propose-title]", "小区停车秩序整治")
        submit(clerk, "#propose form")
        for topic in AgendaTopic.objects.filter(meeting=meeting).order_by("pk"):
            form = f"#topic-{topic.pk} form"
            clerk.select_option(f"{form} select[name=t{topic.pk}-decision]", "accept")
            submit(clerk, form)
            clerk.wait_for_selector(".alert-success")
        assert AgendaTopic.objects.filter(meeting=meeting, status="accepted").count() == 2
        agenda = clerk.inner_text("[data-testid=agenda]")
        assert number in agenda
        assert "小区停车秩序整治" in agenda

        # 3. The notice: preview, send; the receipts table lists who has not signed.
        clerk.goto(f"{base}/meetings/{meeting.pk}/notice/")
        assert "小区停车秩序整治" in clerk.inner_text("[data-testid=notice-preview]")
        clerk.click("[data-testid=send-notice]")
        clerk.wait_for_selector("[data-testid=receipts]")
        assert clerk.inner_text("[data-testid=document-number]").startswith("花山联〔2026〕")
        assert world.orgs.pmc.name in clerk.inner_text("[data-testid=unsigned]")

        # 4. The meeting is held: attendance and live minutes (htmx autosave).
        clock.move_to(dt.datetime(2026, 3, 25, 15, 5, tzinfo=CN))
        clerk.goto(f"{base}/meetings/{meeting.pk}/")
        clerk.click("[data-testid=mark-held]")
        clerk.wait_for_selector(".alert-success")
        clerk.goto(f"{base}/meetings/{meeting.pk}/attendance/")
        selects = clerk.locator("select[name$='-status']")
        for index in range(selects.count()):
            selects.nth(index).select_option("present")
        submit(clerk, "form.stack")
        clerk.wait_for_selector(".alert-success")
        assert meeting.attendances.filter(status="present").count() == meeting.members.count()

        clerk.goto(f"{base}/meetings/{meeting.pk}/minutes/")
        first = clerk.locator("form[data-autosave]").first
        first.locator("textarea[name$='-discussion']").type("物业说明渗水原因，业委会要求限期修复")
        first.locator("textarea[name$='-outcome']").type("物业两周内完成堵漏")
        clerk.wait_for_selector("form[data-autosave] .autosave-status:has-text('已自动保存')")
        assert Minutes.objects.filter(meeting=meeting, outcome="物业两周内完成堵漏").exists()

        # 5. Summary: drafted from the minutes, countersigned by the four bodies, approved.
        clerk.goto(f"{base}/meetings/{meeting.pk}/")
        clerk.click("[data-testid=draft-from-minutes]")
        clerk.wait_for_selector("[data-testid=submit-countersign]")
        clerk.click("[data-testid=submit-countersign]")
        clerk.wait_for_selector("[data-testid=countersigns]")
        summary = Summary.objects.get(meeting=meeting)
        for kind in ("community_party", "residents_committee", "pmc", "property_company"):
            services.summary_countersign(
                actor=getattr(world.people, kind),
                summary=summary,
                organization=getattr(world.orgs, kind),
            )
        chair_context, chair = laptop(browser, base, world.community_secretary)
        chair.goto(f"{base}/meetings/{meeting.pk}/")
        chair.click("[data-testid=approve-summary]")
        chair.wait_for_selector(".alert-success")
        chair_context.close()
        assert Summary.objects.get(pk=summary.pk).status == Summary.Status.APPROVED

        # 6. Two agreed items.
        clerk.goto(f"{base}/meetings/{meeting.pk}/")
        for title, due in (("地下车库堵漏", "2026-04-08"), ("规划临时停车位", "2026-03-27")):
            clerk.click("#new-item summary")
            clerk.fill("input[name=item-title]", title)
            clerk.select_option(
                "select[name=item-responsible_organization]",
                str(world.orgs.property_company.pk),
            )
            clerk.fill("input[name=item-due_date]", due)
            submit(clerk, "#new-item form")
            clerk.wait_for_selector(".alert-success")
        assert clerk.locator("[data-testid=items] tbody tr").count() == 2
        leak = ActionItem.objects.get(title="地下车库堵漏")
        parking = ActionItem.objects.get(title="规划临时停车位")

        # 7. The property company reports the first one done; the office accepts it.
        company_context, company = laptop(browser, base, world.people.property_company)
        company.goto(f"{base}/meetings/items/{leak.pk}/")
        company.click("#action-done summary")
        company.fill("textarea[name=done-note]", "已完成车库顶板堵漏")
        company.fill("textarea[name=done-evidence_text]", "3月26日试水24小时无渗漏，照片存档")
        submit(company, "#action-done form")
        company.wait_for_selector(".alert-success")
        company_context.close()
        clerk.goto(f"{base}/meetings/items/{leak.pk}/")
        submit(clerk, "#action-accept form")
        clerk.wait_for_selector(".alert-success")
        assert ActionItem.objects.get(pk=leak.pk).status == ActionItem.Status.DONE

        # 8. The second passes its due date; the beat scan flags it (督办) ...
        clock.move_to(dt.datetime(2026, 3, 28, 9, 0, tzinfo=CN))
        report = services.action_items_scan()
        assert parking.title in report.breached
        clerk.goto(f"{base}/meetings/items/?overdue=on")
        overdue = clerk.inner_text("[data-testid=action-items]")
        assert "规划临时停车位" in overdue
        assert "地下车库堵漏" not in overdue

        # ... and shows on April's agenda.
        april = services.meeting_create(
            actor=world.meeting_clerk,
            compound=world.compound,
            kind="joint",
            title="2026年4月联席会议",
            start=dt.datetime(2026, 4, 28, 15, 0, tzinfo=CN),
            end=dt.datetime(2026, 4, 28, 17, 0, tzinfo=CN),
            place="小区党群服务中心会议室",
        )
        clerk.goto(f"{base}/meetings/{april.pk}/")
        assert "规划临时停车位" in clerk.inner_text("[data-testid=follow-up]")
        assert "规划临时停车位" in clerk.inner_text("#agenda")
        assert AgendaTopic.objects.filter(meeting=april, action_item=parking).exists()
        clerk_context.close()
