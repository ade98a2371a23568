"""Big matters: the PMC and the property company investigate (without the reporter); staff
flag and withdraw a safety hazard.

seed: 协同联动解决小区事务流程 第三条; 小区党组织服务承诺 第7条.

Split out of the former tests/issues/test_gaps.py ("gaps closed after issue 3", issue 15
item 9); shared fixtures in tests/issues/conftest.py, helpers in tests/issues/helpers.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from huashan.notify.models import Notification
from huashan.workdays import HAZARD_3_DAYS, deadline
from issues import services
from issues.models import Referral
from tests.issues.helpers import HOSTILE, SQLISH, T0, ack_url, act, manage_url, submit, transferred

pytestmark = pytest.mark.django_db


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
