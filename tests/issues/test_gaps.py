"""Gaps closed after issue 3: referral 签收 on the manage page, whistles summoning party
members in person, the hazard box on the filing form, the filing compound, the legacy
explanation clock, merge from the manage page, the countdown and the board's age.

seed: 协同联动解决小区事务流程 第二—五条; 小区党组织服务承诺 第3条, 第7条; 公示承诺制度 第一条.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.timesince import timesince, timeuntil

from huashan.directory.models import Membership
from huashan.notify.models import Notification
from huashan.workdays import HAZARD_3_DAYS, deadline
from issues import services
from issues.models import (
    Category,
    ClockPolicy,
    Issue,
    IssueAlarm,
    IssueEvent,
    MeToo,
    Referral,
    WhistleSummons,
)
from tests.factories.directory import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    MembershipFactory,
    PersonFactory,
    ResidencyFactory,
)
from tests.factories.issues import IssueFactory, issue_world

pytestmark = pytest.mark.django_db

CN = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2025, 11, 3, 9, 0, tzinfo=CN)  # a Monday, no holidays nearby
HOSTILE = "<script>alert('x')</script>"
SQLISH = "1' OR '1'='1'; DROP TABLE issues_issue; --"
Role = Membership.Role


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


class CheckedClient(Client):
    """Fails on any template variable that did not resolve."""

    def request(self, **request):
        response = super().request(**request)
        content = getattr(response, "content", b"")
        assert b"INVALID_TEMPLATE_VARIABLE" not in content, content.decode()[:3000]
        return response


@pytest.fixture
def client():
    return CheckedClient()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    return issue_world(CompoundFactory(slug=settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡"))


def category(code: str = "environment") -> Category:
    return Category.objects.get(code=code)


def submit(world, **kwargs) -> Issue:
    kwargs.setdefault("category", category())
    kwargs.setdefault("description", "3栋1单元楼道灯坏了一周，晚上很黑")
    kwargs.setdefault("building", world.building)
    return services.issue_submit(
        actor=kwargs.pop("actor", world.resident),
        compound=world.compound,
        client_key=f"test-{uuid.uuid4()}",
        **kwargs,
    ).issue


def transferred(world) -> Issue:
    issue = submit(world)
    office = world.people.joint_meeting_office
    services.issue_accept(actor=office, issue=issue)
    services.issue_transfer(actor=office, issue=issue, organization=world.orgs.property_company)
    return issue


def manage_url(issue: Issue) -> str:
    return reverse("issues:staff_detail", args=[issue.tracking_number])


def ack_url(issue: Issue, referral: Referral) -> str:
    return reverse("issues:referral_ack", args=[issue.tracking_number, referral.pk])


def act(client, issue: Issue, action: str, data: dict):
    return client.post(
        reverse("issues:staff_action", args=[issue.tracking_number, action]),
        {f"{action}-{k}": v for k, v in data.items()},
    )


# --- 1. referral acknowledgement (签收) on the manage page ------------------------------------


def test_referral_acknowledged_from_the_manage_page_with_time_and_deadline(client, world):
    """seed: 协同联动 第二条 — each referral has its own acknowledgement time."""
    with time_machine.travel(T0, tick=False):
        issue = transferred(world)
    supervise = issue.referrals.get(
        purpose=Referral.Purpose.SUPERVISE, organization=world.orgs.compound_party
    )
    client.force_login(world.people.compound_party)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        page = client.get(manage_url(issue)).content.decode()
        assert ack_url(issue, supervise) in page  # its own button
        assert supervise.ack_due.astimezone(CN).strftime("%Y-%m-%d %H:%M") in page
        # Not the button of another organization's referral.
        fix = issue.referrals.get(purpose=Referral.Purpose.FIX)
        assert ack_url(issue, fix) not in page
        response = client.post(ack_url(issue, supervise))
    assert response.status_code == 302
    supervise.refresh_from_db()
    assert supervise.acknowledged_at == T0 + dt.timedelta(hours=1)
    assert supervise.acknowledged_by == world.people.compound_party
    assert issue.events.filter(verb="referral_ack", public=False).count() == 1
    page = client.get(manage_url(issue)).content.decode()
    assert ack_url(issue, supervise) not in page
    assert (T0 + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M") in page
    # Twice: a clear message, not a 500, and no second event.
    again = client.post(ack_url(issue, supervise), follow=True)
    assert again.status_code == 200
    assert zh("This referral was already acknowledged.") in again.content.decode()
    assert issue.events.filter(verb="referral_ack").count() == 1


def test_referral_ack_refuses_other_organizations_and_forged_ids(client, world):
    issue = transferred(world)
    supervise = issue.referrals.get(
        purpose=Referral.Purpose.SUPERVISE, organization=world.orgs.compound_party
    )
    other = transferred(issue_world())
    foreign = other.referrals.first()
    client.force_login(world.people.property_company)  # sees the issue, not this referral
    assert client.post(ack_url(issue, supervise)).status_code == 403
    assert client.post(ack_url(issue, foreign)).status_code == 404  # another issue's referral
    bogus = reverse("issues:referral_ack", args=[issue.tracking_number, 99999999])
    assert client.post(bogus).status_code == 404
    assert client.get(ack_url(issue, supervise)).status_code == 405
    assert (
        client.post(f"/issues/{issue.tracking_number}/manage/referral/x/acknowledge/").status_code
        == 404
    )
    client.logout()
    assert client.post(ack_url(issue, supervise)).status_code == 302  # to the login page
    client.force_login(world.resident)  # the reporter: not a staff page
    assert client.post(ack_url(issue, supervise)).status_code == 403
    supervise.refresh_from_db()
    assert supervise.acknowledged_at is None
    # The assigned company signs for its own fix referral from the page.
    client.force_login(world.people.property_company)
    fix = issue.referrals.get(purpose=Referral.Purpose.FIX)
    assert client.post(ack_url(issue, fix)).status_code == 302
    fix.refresh_from_db()
    assert fix.acknowledged_by == world.people.property_company


def test_overdue_referral_is_marked_on_the_manage_page(client, world):
    with time_machine.travel(T0, tick=False):
        issue = transferred(world)
    client.force_login(world.people.compound_party)
    with time_machine.travel(T0 + dt.timedelta(hours=49), tick=False):
        page = client.get(manage_url(issue)).content.decode()
    assert 'class="referral overdue"' in page
    assert "badge badge-overdue" in page


# --- 2. the whistle summons party members in person (党员报到) ----------------------------------


@pytest.fixture
def party(world):
    """Party members of the compound party org and the community party org, and outsiders."""
    compound_member = MembershipFactory(
        organization=world.orgs.compound_party, role=Role.PARTY_MEMBER
    ).person
    community_member = MembershipFactory(
        organization=world.orgs.community_party, role=Role.PARTY_MEMBER
    ).person
    former = MembershipFactory(
        organization=world.orgs.compound_party,
        role=Role.PARTY_MEMBER,
        start=dt.date(2019, 1, 1),
        end=dt.date(2020, 1, 1),
    ).person
    inactive = MembershipFactory(
        organization=world.orgs.compound_party,
        role=Role.PARTY_MEMBER,
        person=PersonFactory(is_active=False),
    ).person
    elsewhere = MembershipFactory(
        organization=issue_world().orgs.compound_party, role=Role.PARTY_MEMBER
    ).person
    return {
        "compound": compound_member,
        "community": community_member,
        "former": former,
        "inactive": inactive,
        "elsewhere": elsewhere,
    }


def test_whistle_form_lists_only_current_party_members_of_the_compound(client, world, party):
    issue = transferred(world)
    client.force_login(world.people.community_party)
    page = client.get(manage_url(issue))
    form = dict((n, f) for n, _label, f in page.context["actions"])["whistle"]
    offered = set(form.fields["persons"].queryset)
    assert {party["compound"], party["community"]} <= offered
    assert world.people.compound_party in offered  # the secretary is a party member too
    for name in ("former", "inactive", "elsewhere"):
        assert party[name] not in offered
    assert world.resident not in offered
    assert world.people.community_party not in offered  # not herself
    assert 'name="whistle-persons"' in page.content.decode()


def test_whistle_summons_party_members_who_report_in_on_the_page(client, world, party):
    """seed: 协同联动 第三条 — 社区吹哨、党员报到: a summoned party member reports in."""
    issue = transferred(world)
    member = party["compound"]
    client.force_login(world.people.community_party)
    response = act(
        client,
        issue,
        "whistle",
        {"level": "community", "persons": [member.pk], "reason": "需要党员入户沟通"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    summons = WhistleSummons.objects.get(whistle__issue=issue)
    assert summons.person == member
    assert summons.organization is None
    assert Notification.objects.filter(recipient=member).exists()
    # The party member holds no office, yet reaches the page the notice links to …
    client.force_login(member)
    page = client.get(manage_url(issue))
    assert page.status_code == 200
    assert world.resident.mobile not in page.content.decode()  # reporter still shielded
    assert page.context["actions"] == []  # … and may only report in.
    assert reverse("issues:queue") not in page.content.decode()  # no queue to go back to
    report = client.post(
        reverse("issues:summons_action", args=[issue.tracking_number, summons.pk, "report"]),
        {f"s{summons.pk}-contribution": "我负责入户沟通"},
    )
    assert report.status_code == 302
    summons.refresh_from_db()
    assert summons.reported_by == member
    # A party member who was not summoned still gets no staff page.
    client.force_login(party["community"])
    assert client.get(manage_url(issue)).status_code == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"level": "community", "reason": "多方协调"}, "organizations"),  # nobody summoned
        ({"level": "community", "persons": ["outsider"], "reason": "多方协调"}, "persons"),
        ({"level": "community", "persons": [SQLISH], "reason": "多方协调"}, "persons"),
        ({"level": "community", "persons": ["former"], "reason": "多方协调"}, "persons"),
        ({"level": "community", "persons": ["compound"], "reason": ""}, "reason"),
        ({"level": "community", "persons": ["compound"], "reason": "x" * 5000}, "reason"),
    ],
)
def test_whistle_form_refuses_bad_summons(client, world, party, data, field):
    issue = transferred(world)
    outsider = PersonFactory()
    people = {**party, "outsider": outsider}
    data = {
        k: [str(people[p].pk) if p in people else p for p in v] if k == "persons" else v
        for k, v in data.items()
    }
    client.force_login(world.people.community_party)
    response = act(client, issue, "whistle", data)
    assert response.status_code == 400
    form = dict((n, f) for n, _label, f in response.context["actions"])["whistle"]
    assert field in form.errors
    assert not WhistleSummons.objects.filter(whistle__issue=issue).exists()
    assert data["reason"][:100] in response.content.decode()  # what was typed is kept


# --- 3. the hazard box on the filing form ------------------------------------------------------


def step1(world, cat, **overrides) -> dict:
    data = {
        "category": str(cat.pk),
        "building": str(world.building.pk),
        "unit": "2单元",
        "location_text": "楼道",
        "description": "楼道里电线裸露，小孩容易碰到",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def test_filing_form_has_a_hazard_box_defaulting_from_the_category(client, world):
    client.force_login(world.resident)
    page = client.get(reverse("issues:file")).content.decode()
    assert 'name="is_hazard"' in page
    elevator = category("elevator")
    assert f'value="{elevator.pk}" data-safety="1"' in page  # issues.js ticks the box
    assert f'value="{category().pk}" data-safety' not in page
    form = client.get(reverse("issues:file")).context["form"]
    assert form["is_hazard"].value() is False  # environment comes first: not a hazard
    # Coming back from step 2 with a safety category, the box is ticked.
    client.post(reverse("issues:file"), step1(world, elevator))
    back = client.get(reverse("issues:file")).context["form"]
    assert back["is_hazard"].value() is True


def test_resident_flags_a_hazard_and_gets_the_three_day_clock(client, world):
    """seed: 小区党组织服务承诺 第7条 — safety hazards fixed within 3 days."""
    client.force_login(world.resident)
    with time_machine.travel(T0, tick=False):
        client.post(reverse("issues:file"), step1(world, category(), is_hazard="on"))
        confirm = client.get(reverse("issues:file_confirm")).content.decode()
        assert zh("safety hazard") in confirm
        done = client.post(reverse("issues:file_confirm"), {})
    assert done.status_code == 302
    issue = Issue.objects.get()
    assert issue.is_hazard
    assert issue.hazard_due == deadline(T0, HAZARD_3_DAYS)
    assert issue.hazard_due == dt.datetime(2025, 11, 7, 0, 0, tzinfo=CN)  # 3 days, to 24:00


def test_unticked_box_keeps_the_category_default(client, world):
    client.force_login(world.resident)
    client.post(reverse("issues:file"), step1(world, category("elevator")))  # box not ticked
    client.post(reverse("issues:file_confirm"), {})
    client.post(reverse("issues:file"), step1(world, category(), description="垃圾没有清运"))
    client.post(reverse("issues:file_confirm"), {})
    elevator_issue, plain = Issue.objects.order_by("pk")
    assert elevator_issue.is_hazard
    assert elevator_issue.hazard_due
    assert not plain.is_hazard
    assert plain.hazard_due is None


@pytest.mark.parametrize(
    ("value", "ticked"), [("yes", True), ("false", False), (HOSTILE, True), ("x" * 5000, True)]
)
def test_hazard_box_odd_values_never_break_the_form(client, world, value, ticked):
    client.force_login(world.resident)
    response = client.post(reverse("issues:file"), step1(world, category(), is_hazard=value))
    assert response.status_code == 302  # a checkbox: any value but "false" means ticked
    client.post(reverse("issues:file_confirm"), {})
    assert Issue.objects.get().is_hazard is ticked


# --- 4. the filing compound ----------------------------------------------------------------


def test_filing_compound_is_the_residents_verified_household(client, world):
    home = issue_world()  # another compound where the person lives, verified
    person = home.resident
    client.force_login(person)
    page = client.get(reverse("issues:file"))
    assert page.context["compound"] == home.compound
    # ?compound= of a compound they do not live in does not move the complaint there.
    page = client.get(reverse("issues:file"), {"compound": world.compound.slug})
    assert page.context["compound"] == home.compound
    response = client.post(
        f"{reverse('issues:file')}?compound={world.compound.slug}",
        step1(home, category(), building=str(home.building.pk)),
    )
    assert response.status_code == 302
    assert client.post(response.url, {}).status_code == 302
    assert Issue.objects.get().compound == home.compound


def test_filing_compound_choice_among_several_verified_households(client, world):
    person = world.resident
    second = issue_world()
    ResidencyFactory(person=person, household=HouseholdFactory(building=second.building))
    client.force_login(person)
    chosen = client.get(reverse("issues:file"), {"compound": second.compound.slug})
    assert chosen.context["compound"] == second.compound
    default = client.get(reverse("issues:file"), {"compound": SQLISH})
    assert default.context["compound"] in (world.compound, second.compound)


def test_filing_compound_falls_back_to_query_then_default(client, world):
    other = CompoundFactory()
    BuildingFactory(compound=other)
    pending = ResidencyFactory(
        household=HouseholdFactory(building=BuildingFactory(compound=other)), status="pending"
    ).person
    client.force_login(pending)  # not verified: the query string decides
    assert client.get(reverse("issues:file"), {"compound": other.slug}).context["compound"] == other
    assert client.get(reverse("issues:file")).context["compound"] == world.compound
    client.logout()
    assert client.get(reverse("issues:file"), {"compound": other.slug}).context["compound"] == other
    assert client.get(reverse("issues:file")).context["compound"] == world.compound
    assert client.get(reverse("issues:file"), {"compound": "no-such"}).status_code == 404


# --- 5. legacy matters: the periodic explanation to residents ----------------------------------


def test_legacy_explanation_is_required_warned_breached_and_satisfied_by_a_public_note(world):
    """seed: 协同联动 第五条 — 历史遗留问题 are explained to residents periodically."""
    office = world.people.joint_meeting_office
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
        services.issue_accept(actor=office, issue=issue)
        services.issue_give_plan(actor=office, issue=issue, plan="分三步处理，先确权再维修")
        services.issue_change_tier(
            actor=office, issue=issue, tier="legacy", reason="开发商遗留的产权问题"
        )
    legacy = services.clocks_for(ClockPolicy.objects.get(compound=world.compound)).legacy
    assert issue.feedback_due == deadline(T0, legacy)
    assert issue.feedback_due == dt.datetime(2025, 12, 4, 0, 0, tzinfo=CN)  # 30 days
    due = issue.feedback_due
    # Nothing before the warning window, a warning inside it, a breach after it — once each.
    assert services.issue_scan_deadlines(now=due - dt.timedelta(days=2)).warned == []
    for _ in range(2):
        services.issue_scan_deadlines(now=due - dt.timedelta(hours=1))
    for _ in range(2):
        services.issue_scan_deadlines(now=due + dt.timedelta(minutes=1))
    alarms = IssueAlarm.objects.filter(issue=issue, clock="feedback", due=due)
    assert sorted(alarms.values_list("stage", flat=True)) == ["breach", "warning"]
    breach = issue.events.get(verb="deadline_breached")
    assert breach.public  # residents see the missed explanation
    assert str(services.LEGACY_CLOCK_LABEL) in breach.note
    supervisor = world.people.compound_party
    assert Notification.objects.filter(
        recipient=supervisor, subject__contains=str(services.LEGACY_CLOCK_LABEL)
    ).exists()
    # A public note is the explanation: the clock restarts for another period.
    later = due + dt.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        services.issue_post_progress(
            actor=office, issue=issue, note="产权确认材料已报街道，等待答复", public=True
        )
    issue.refresh_from_db()
    assert issue.feedback_due == deadline(later, legacy)
    report = services.issue_scan_deadlines(now=later + dt.timedelta(days=1))
    assert report.breached == []
    assert report.warned == []
    # An internal note is not an explanation to residents.
    with time_machine.travel(later + dt.timedelta(days=2), tick=False):
        services.issue_post_progress(actor=office, issue=issue, note="内部：催街道", public=False)
    issue.refresh_from_db()
    assert issue.feedback_due == deadline(later, legacy)


def test_legacy_timeline_says_explanation_due(client, world):
    issue = IssueFactory(
        compound=world.compound, category=category(), reporter=world.resident, tier="legacy"
    )
    client.force_login(world.resident)
    body = client.get(reverse("issues:detail", args=[issue.tracking_number])).content.decode()
    assert zh("Next explanation to residents due by") in body


# --- 6. merge from the manage page; reopen and auto-close after N days --------------------------


def test_staff_merge_a_duplicate_from_the_manage_page(client, world):
    original = submit(world)
    duplicate = submit(world, actor=world.neighbour, description="三楼楼道灯也坏了，一样的问题")
    client.force_login(world.people.joint_meeting_office)
    bad = act(client, duplicate, "merge", {"into": duplicate.tracking_number})
    assert bad.status_code == 400  # not into itself
    hostile = act(client, duplicate, "merge", {"into": HOSTILE})
    assert hostile.status_code == 400
    assert HOSTILE not in hostile.content.decode()
    ok = act(client, duplicate, "merge", {"into": original.tracking_number.lower(), "note": ""})
    assert ok.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Issue.Status.MERGED
    assert duplicate.merged_into == original
    assert original.tracking_number in duplicate.public_explanation
    assert MeToo.objects.filter(issue=original, person=world.neighbour).exists()
    # The merged issue leaves the board; its reporter is pointed to the surviving one.
    board = client.get(reverse("issues:board")).content.decode()
    assert duplicate.tracking_number not in board
    client.force_login(world.neighbour)
    page = client.get(reverse("issues:detail", args=[duplicate.tracking_number])).content.decode()
    assert original.tracking_number in page


def test_reopen_and_auto_close_follow_the_compounds_policy_days(client, world):
    """Reopen by the reporter within N days; auto-close after N days (ClockPolicy)."""
    ClockPolicy.objects.update_or_create(
        compound=world.compound, defaults={"reopen_days": 3, "auto_close_days": 2}
    )
    office = world.people.joint_meeting_office

    def resolved() -> Issue:
        with time_machine.travel(T0, tick=False):
            issue = submit(world)
            services.issue_accept(actor=office, issue=issue)
            services.issue_resolve(
                actor=office, issue=issue, explanation="楼道灯具已经更换，电工测试照明正常"
            )
        return issue

    late, early, auto = resolved(), resolved(), resolved()
    client.force_login(world.resident)
    url = reverse("issues:reopen", args=[late.tracking_number])
    with time_machine.travel(T0 + dt.timedelta(days=3, hours=1), tick=False):
        refused = client.post(url, {"reason": "又坏了"})
    assert refused.status_code == 400
    late.refresh_from_db()
    assert late.status == Issue.Status.RESOLVED
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        assert (
            client.post(
                reverse("issues:reopen", args=[early.tracking_number]), {"reason": "又坏了"}
            ).status_code
            == 302
        )
    early.refresh_from_db()
    assert early.status == Issue.Status.IN_PROGRESS
    assert services.issue_auto_close_scan(now=T0 + dt.timedelta(days=1)) == []
    closed = services.issue_auto_close_scan(now=T0 + dt.timedelta(days=2, minutes=1))
    assert set(closed) == {late.tracking_number, auto.tracking_number}
    assert services.issue_auto_close_scan(now=T0 + dt.timedelta(days=5)) == []


# --- 7. countdown to the next progress update ----------------------------------------------


def test_reporter_timeline_counts_down_to_the_next_update(client, world):
    with time_machine.travel(T0, tick=False):
        issue = submit(world)
    client.force_login(world.resident)
    now = T0 + dt.timedelta(days=2)
    with time_machine.travel(now, tick=False):
        body = client.get(reverse("issues:detail", args=[issue.tracking_number])).content.decode()
        with translation.override("zh-hans"):
            left = timeuntil(issue.feedback_due, now)
    assert 'class="countdown"' in body
    assert left in body
    assert f'data-due="{issue.feedback_due.astimezone(CN).isoformat()}"' in body
    with time_machine.travel(issue.feedback_due + dt.timedelta(hours=1), tick=False):
        late = client.get(reverse("issues:detail", args=[issue.tracking_number])).content.decode()
    assert "badge badge-overdue" in late
    # Paused while waiting for the reporter: no countdown that would be wrong.
    services.issue_wait_for_reporter(
        actor=world.people.joint_meeting_office, issue=issue, question="具体几楼？"
    )
    paused = client.get(reverse("issues:detail", args=[issue.tracking_number])).content.decode()
    assert 'class="countdown"' not in paused


# --- 8. the public board: age and building filter -------------------------------------------


def test_board_shows_age_and_filters_by_building(client, world):
    other = BuildingFactory(compound=world.compound, number="9栋")
    with time_machine.travel(T0, tick=False):
        here = IssueFactory(compound=world.compound, category=category(), building=world.building)
        there = IssueFactory(compound=world.compound, category=category(), building=other)
    now = T0 + dt.timedelta(days=3, hours=2)
    with time_machine.travel(now, tick=False):
        body = client.get(reverse("issues:board")).content.decode()
        with translation.override("zh-hans"):
            age = timesince(T0, now)
        filtered = client.get(reverse("issues:board"), {"building": other.pk}).content.decode()
    assert age in body
    assert here.tracking_number in body
    assert there.tracking_number in body
    assert there.tracking_number in filtered
    assert here.tracking_number not in filtered
    assert 'name="building"' in body
    assert IssueEvent.objects.count() == 0  # the board wrote nothing


# --- 9. big matters: the PMC and the company investigate; staff flag a hazard ------------------


def test_big_tier_refers_pmc_and_company_to_investigate_without_the_reporter(client, world):
    """seed: 协同联动 第三条 — 召集…物业管理委员会、物业服务企业…进行深入调查."""
    issue = submit(world)
    office = world.people.joint_meeting_office
    services.issue_accept(actor=office, issue=issue)
    services.issue_change_tier(actor=office, issue=issue, tier="big", reason="涉及全体业主停车")
    investigate = set(
        issue.referrals.filter(purpose=Referral.Purpose.INVESTIGATE).values_list(
            "organization__kind", flat=True
        )
    )
    assert investigate == {"compound_party", "rc_property_committee", "pmc", "property_company"}
    assert Notification.objects.filter(recipient=world.people.property_company).exists()
    client.force_login(world.people.property_company)
    page = client.get(manage_url(issue))
    assert page.status_code == 200
    assert world.resident.mobile not in page.content.decode()
    ref = issue.referrals.get(purpose="investigate", organization=world.orgs.property_company)
    assert ack_url(issue, ref) in page.content.decode()


def test_staff_flag_and_withdraw_a_safety_hazard(client, world):
    """seed: 小区党组织服务承诺 第7条 — 3 日内整改, 重大隐患即时上报."""
    with time_machine.travel(T0, tick=False):
        issue = transferred(world)
    assert not issue.is_hazard
    client.force_login(world.people.property_company)
    assert (
        act(client, issue, "hazard", {"is_hazard": "on", "reason": "电线裸露"}).status_code == 403
    )
    client.force_login(world.people.joint_meeting_office)
    empty = act(client, issue, "hazard", {"is_hazard": "on", "reason": ""})
    assert empty.status_code == 400
    supervisor = world.people.rc_property_committee
    before = Notification.objects.filter(recipient=supervisor).count()
    flagged_at = T0 + dt.timedelta(hours=5)
    with time_machine.travel(flagged_at, tick=False):
        response = act(client, issue, "hazard", {"is_hazard": "on", "reason": f"{HOSTILE}电线裸露"})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.is_hazard
    assert issue.hazard_due == deadline(flagged_at, HAZARD_3_DAYS)
    assert issue.next_deadline == issue.hazard_due  # sooner than the feedback due
    event = issue.events.get(verb="hazard")
    assert event.public
    assert Notification.objects.filter(recipient=supervisor).count() == before + 1
    page = client.get(manage_url(issue)).content.decode()
    assert HOSTILE not in page
    # Flagging twice is a clear field error, not a 500.
    again = act(client, issue, "hazard", {"is_hazard": "on", "reason": "再标一次"})
    assert again.status_code == 400
    form = dict((n, f) for n, _label, f in again.context["actions"])["hazard"]
    assert "is_hazard" in form.errors
    assert "再标一次" in again.content.decode()  # what was typed is kept
    # Withdrawn: the 3-day clock stops.
    assert (
        act(client, issue, "hazard", {"reason": "经核实为广告屏故障，非安全隐患"}).status_code
        == 302
    )
    issue.refresh_from_db()
    assert not issue.is_hazard
    assert issue.hazard_due is None
    assert issue.next_deadline == issue.feedback_due
    hostile = act(client, issue, "hazard", {"is_hazard": SQLISH, "reason": "x" * 5000})
    assert hostile.status_code == 400
