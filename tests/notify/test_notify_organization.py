"""The one notification seam (issue 15 item 1): who in an organization is told.

The rule is docs/roles.md "Who is told": officers, staff seats, grid workers and the
community lawyer — 联席会议议事规则 第三条 names 负责小区网格服务管理的社区专职工作人员 and
社区律师 beside the members; not the voice-only seats (可列席: 党员, 业主代表), and not the
义务质量总监, who is engaged by the property company to watch it (决策报告制度 第四条).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from huashan.directory.models import Membership
from huashan.directory.selectors import NOTIFIED_ROLES, organization_recipients
from huashan.notify.models import Notification
from huashan.notify.services import notify_organization, notify_person
from tests.factories.directory import MembershipFactory, OrganizationFactory, PersonFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
TOLD = {
    Role.SECRETARY,
    Role.CHAIR,
    Role.MEMBER,
    Role.STAFF,
    Role.GRID_WORKER,
    Role.COMMUNITY_LAWYER,
}
NOT_TOLD = {
    Role.QUALITY_SUPERVISOR,
    Role.PARTY_MEMBER,
    Role.OWNER_REPRESENTATIVE,
    Role.RESIDENT_GROUP_LEADER,
    Role.SENT_DOWN_CADRE,
}


def test_the_rule_names_every_role_once():
    assert set(Role) == TOLD | NOT_TOLD
    assert set(NOTIFIED_ROLES) == TOLD


def _seat(org, role, **person):
    return MembershipFactory(organization=org, role=role, person=PersonFactory(**person)).person


def test_联席会议议事规则_第三条_officers_staff_and_grid_told_voice_and_supervisor_not():
    org = OrganizationFactory(webhook_url="")
    told = {role: _seat(org, role) for role in TOLD}
    silent = {role: _seat(org, role) for role in NOT_TOLD}
    _seat(org, Role.STAFF, is_active=False)
    ended = MembershipFactory(
        organization=org, role=Role.CHAIR, start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31)
    ).person
    both = told[Role.SECRETARY]
    MembershipFactory(organization=org, role=Role.STAFF, person=both)

    notify_organization(organization=org, subject="通知", body="正文", link="/x/")

    rows = Notification.objects.filter(channel="inbox")
    got = sorted(rows.values_list("recipient_id", flat=True))
    assert got == sorted(p.pk for p in told.values())  # the double seat told once
    assert not rows.filter(recipient__in=[*silent.values(), ended]).exists()
    assert not Notification.objects.filter(channel="webhook").exists()
    assert set(rows.values_list("subject", "body", "link")) == {("通知", "正文", "/x/")}


def test_group_robot_gets_one_webhook_row():
    org = OrganizationFactory(webhook_url="https://robot.example/hook")
    _seat(org, Role.CHAIR)
    notify_organization(organization=org, subject="s", body="b")
    assert Notification.objects.filter(channel="webhook", organization=org).count() == 1
    assert Notification.objects.filter(channel="inbox").count() == 1


def test_none_organization_and_inactive_person_tell_nobody():
    assert notify_organization(organization=None, subject="s", body="b") == []
    assert notify_person(person=None, subject="s", body="b") is None
    assert notify_person(person=PersonFactory(is_active=False), subject="s", body="b") is None
    assert not Notification.objects.exists()
    n = notify_person(person=PersonFactory(), subject="s", body="b", link="/y/")
    assert (n.channel, n.status, n.link) == ("inbox", "delivered", "/y/")


def test_recipients_are_one_query(django_assert_num_queries):
    org = OrganizationFactory()
    for role in TOLD:
        _seat(org, role)
    with django_assert_num_queries(1):
        people = organization_recipients(organization=org)
    assert len(people) == len(TOLD)


APPS = ("issues", "meetings", "pledges", "disclosures", "evaluations")


def test_no_app_picks_its_own_recipients():
    """Issue 15 item 1: the five apps go through the seam; none filters seats by role to notify."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for app in APPS:
        for path in [*(root / app).glob("services/*.py"), root / app / "notices.py"]:
            if not path.exists():
                continue
            text = path.read_text()
            for m in re.finditer(
                r"def (_org_recipients|_officers|organization_recipients)\(", text
            ):
                body = text[m.end() : text.find("\ndef ", m.end())]
                if "role__in" in body:
                    offenders.append(f"{path.relative_to(root)}:{m.group(1)}")
    assert offenders == []
