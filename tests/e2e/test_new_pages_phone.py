"""Four pages tried as their users try them, on a phone (390×844) and at desktop width:

* 决议执行情况 (物业管理委员会服务承诺 1): the PMC chair reports on a resolution the owners
  passed; an owner is told and reads it;
* 便民服务 (小区党组织服务承诺 第9条): company staff record a care service from the activities
  page; it shows on the public evidence page;
* 巡查业主意见 (决策报告制度 第四条): the company hands an owner's opinion over (转办) as a
  complaint; the public evidence page lists the opinion without the owner's name;
* 工作听证会 (小区党组织服务承诺 8): a parking matter is refused until a held hearing is
  linked, then proceeds.

Every page fits 390 px and 1280 px without horizontal scrolling, has no serious or critical
axe-core finding, and shows no raw code or English word in its main content.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.e2e.conftest import PHONE
from tests.factories.directory import DEFAULT_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = "['serious', 'critical'].includes(v.impact)"
DESKTOP = {"width": 1280, "height": 900}
#: Raw codes or untranslated words a reader must never see in the page's main content.
RAW = re.compile(
    r"\b(not_implemented|in_progress|implemented|pending|referred|adopted|answered|"
    r"elderly_care|childcare|parking|greenery|work_hearing|None|True|False|"
    r"Not yet handled|Referred|Save|Status|Reason)\b"
)


@pytest.fixture
def open_phone(browser):
    contexts = []

    def open_phone():
        # bypass_csp: the page allows no inline script, and axe-core is injected as one.
        context = browser.new_context(
            viewport=PHONE, has_touch=True, is_mobile=True, locale="zh-CN", bypass_csp=True
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def _login(page, base, person):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", person.mobile)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/")


def _main_text(page) -> str:
    return page.inner_text("main") if page.locator("main").count() else page.inner_text("body")


def _checked(page) -> str:
    """Fits the phone and the desktop, passes axe, shows no raw code; the main text."""
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{page.url} scrolls sideways at {size['width']} px"
    page.set_viewport_size(PHONE)
    page.add_script_tag(path=str(AXE))
    # The whole page, the one-time message after a saved form included (base.html).
    blocking = page.evaluate(
        "axe.run()"
        f".then(r => r.violations.filter(v => {BLOCKING})"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.html).join(' | ')))"
    )
    assert blocking == []
    text = _main_text(page)
    assert RAW.findall(text) == [], f"raw words on {page.url}"
    return text


def test_pmc_reports_on_a_resolution_and_an_owner_is_told(live_server, open_phone):
    from disclosures.models import ResolutionFollowUp
    from meetings.models import OwnersAssemblyMotion
    from tests.factories.world import compound_world

    world = compound_world(default_compound=True, pmc_members=1)
    motion = OwnersAssemblyMotion.objects.create(
        compound=world.compound,
        title="更换小区门禁系统",
        body="议案内容",
        matter=OwnersAssemblyMotion.Matter.OTHER,
        stage="decided",
        passed=True,
        decided_at=timezone.now() - dt.timedelta(hours=2),
    )
    base = live_server.url
    url = f"{base}/disclosures/c/{world.compound.slug}/resolutions/"

    chair = open_phone()
    _login(chair, base, world.pmc_chair)
    chair.goto(url)
    text = _checked(chair)
    assert "更换小区门禁系统" in text
    assert chair.locator("[data-testid=missing-count]").is_visible()
    card = chair.locator(f"#resolution-{motion.pk}")
    card.locator("summary").click()
    card.locator("select[name$=status]").select_option("not_implemented")
    card.locator("textarea[name$=reason]").fill("施工单位尚未进场")
    card.locator("textarea[name$=plan]").fill("九月底前完成招标，十月开工")
    card.locator("input[name$=plan_due]").fill(timezone.localdate().isoformat())
    card.locator("button[type=submit]").click()
    chair.wait_for_load_state()
    row = ResolutionFollowUp.objects.get(motion=motion)
    assert row.status == ResolutionFollowUp.Status.NOT_IMPLEMENTED
    text = _checked(chair)
    assert "施工单位尚未进场" in text
    assert chair.locator("[data-testid=missing-count]").count() == 0

    owner = open_phone()
    _login(owner, base, world.resident)
    owner.goto(f"{base}/notifications/")
    notice = owner.locator("article", has_text="更换小区门禁系统").first
    notice.locator("form[action*='/open/'] button").click()
    owner.wait_for_url(re.compile(r"/resolutions/"))
    assert "九月底前完成招标" in _checked(owner)


def test_company_staff_record_a_care_service_on_a_phone(live_server, open_phone):
    from pledges.models import CareService
    from tests.factories.pledges import pledge_world

    world = pledge_world(default_compound=True)
    base = live_server.url
    slug = world.compound.slug

    staff = open_phone()
    _login(staff, base, world.company_staff)
    staff.goto(f"{base}/pledges/staff/activities/?compound={slug}")
    _checked(staff)
    staff.locator(f"a[href='/pledges/staff/care-services/new/?compound={slug}']").click()
    staff.wait_for_url(re.compile(r"/care-services/new/"))
    _checked(staff)
    staff.select_option("select[name=kind]", "elderly_care")
    staff.fill("input[name=description]", "独居老人上门探访")
    staff.fill("input[name=served_on]", timezone.localdate().isoformat())
    staff.fill("input[name=households_served]", "12")
    staff.click("form.card button[type=submit]")
    staff.wait_for_url(re.compile(r"/staff/activities/"))
    assert "独居老人上门探访" in _checked(staff)
    assert CareService.objects.get().households_served == 12

    # Those who may not record one see no button (a resident's voice, the PMC).
    pmc = open_phone()
    _login(pmc, base, world.pmc_chair)
    pmc.goto(f"{base}/pledges/staff/activities/?compound={slug}")
    assert pmc.locator("a[href*='/care-services/new/']").count() == 0

    public = open_phone()
    public.goto(f"{base}/pledges/evidence/?compound={slug}")
    assert "独居老人上门探访" in _checked(public)


def test_company_hands_a_patrol_opinion_over_as_a_complaint(live_server, open_phone):
    from pledges import services
    from pledges.models import Inspection, PatrolOpinion
    from tests.factories.pledges import pledge_world

    world = pledge_world(default_compound=True, extras=["quality_supervisor"])
    patrol = services.inspection_record(
        actor=world.quality_supervisor,
        compound=world.compound,
        organization=world.orgs.property_company,
        kind=Inspection.Kind.SUPERVISOR_PATROL,
        inspected_on=timezone.localdate(),
        summary="检查合同约定的保洁频次",
        inspector=world.quality_supervisor,
    )
    opinion = services.patrol_opinion_record(
        actor=world.quality_supervisor,
        inspection=patrol,
        content="三号楼楼道灯长期不亮",
        building=world.building,
        unit="2单元",
        owner_name="王先生",
        name_agreed=True,
    )
    base = live_server.url
    slug = world.compound.slug

    staff = open_phone()
    _login(staff, base, world.company_staff)
    staff.goto(f"{base}/pledges/staff/inspections/{patrol.pk}/?compound={slug}")
    _checked(staff)
    form = staff.locator(f"#opinion-{opinion.pk} form")
    form.locator("input[value=referred]").check()
    form.locator("textarea").fill("已转工程部维修")
    form.locator("button[type=submit]").click()
    staff.wait_for_load_state()
    opinion.refresh_from_db()
    assert opinion.disposition == PatrolOpinion.Disposition.REFERRED
    assert opinion.issue is not None
    text = _checked(staff)
    assert opinion.issue.tracking_number in text

    public = open_phone()
    public.goto(f"{base}/pledges/evidence/?compound={slug}")
    text = _checked(public)
    assert "三号楼楼道灯长期不亮" in text
    assert "已转工程部维修" in text
    assert "王先生" not in public.content()
    assert "2单元" not in public.content()


def test_a_parking_matter_waits_for_its_held_hearing(live_server, open_phone):
    from meetings import services
    from meetings.models import DecisionReport, Meeting
    from tests.factories.meetings import meeting_world

    world = meeting_world()
    report = services.decision_report_create(
        actor=world.people.pmc,
        compound=world.compound,
        matter="facility_repair",
        title="地面停车位重新规划",
        body="拟将部分绿地边角改为停车位",
        hearing_subject="parking",
    )
    services.decision_report_file(actor=world.people.pmc, report=report)
    for recipient in report.recipients.select_related("organization"):
        services.decision_report_acknowledge(
            actor=getattr(world.people, recipient.organization.kind), recipient=recipient
        )
    start = timezone.now() + dt.timedelta(days=1)
    hearing = services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="work_hearing",
        title="停车规划业主代表听证会",
        start=start,
        end=start + dt.timedelta(hours=2),
        place="小区党群服务中心",
    )
    # Held yesterday (the meeting's own steps are tried on its page elsewhere).
    held = timezone.now() - dt.timedelta(days=1)
    Meeting.objects.filter(pk=hearing.pk).update(
        start=held, end=held + dt.timedelta(hours=2), status=Meeting.Status.HELD
    )
    base = live_server.url

    pmc = open_phone()
    _login(pmc, base, world.people.pmc)
    pmc.goto(f"{base}/meetings/reports/{report.pk}/")
    text = _checked(pmc)
    assert "工作听证会" in pmc.inner_text("[data-testid=gate]")
    pmc.click("form[action$='/proceed/'] button[type=submit]")
    pmc.wait_for_load_state()
    refusal = _checked(pmc)
    assert "工作听证会" in refusal
    report.refresh_from_db()
    assert report.status == DecisionReport.Status.FILED

    pmc.select_option("[data-testid=hearing] select", str(hearing.pk))
    pmc.click("[data-testid=hearing] button[type=submit]")
    pmc.wait_for_load_state()
    text = _checked(pmc)
    assert "停车规划业主代表听证会" in text
    assert pmc.locator("[data-testid=gate]").count() == 0
    pmc.click("form[action$='/proceed/'] button[type=submit]")
    pmc.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == DecisionReport.Status.PROCEEDING
    _checked(pmc)
