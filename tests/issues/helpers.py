"""Helpers shared by the complaint page tests (filing, managing, the board): plain functions,
not fixtures (those are in conftest.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation

from huashan.directory.models import Membership
from issues import services
from issues.models import Category, Issue, Referral

CN = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2025, 11, 3, 9, 0, tzinfo=CN)  # a Monday, no holidays nearby
HOSTILE = "<script>alert('x')</script>"
SQLISH = "1' OR '1'='1'; DROP TABLE issues_issue; --"
Role = Membership.Role


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


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
