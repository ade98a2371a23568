"""Filing a complaint costs a fixed number of queries, whatever the size of the bodies told
(issue 20: "Query counts per page stay flat in data size")."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huashan.directory.models import Membership
from issues.models import Issue
from tests.factories.directory import MembershipFactory
from tests.issues.helpers import category

from .test_filing_form import step1

pytestmark = pytest.mark.django_db


def _confirm_queries(client, world, description) -> list[str]:
    client.post(reverse("issues:file"), step1(world, category(), description=description))
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("issues:file_confirm"), {})
    assert response.status_code == 302
    return [q["sql"] for q in captured.captured_queries]


def test_filing_queries_do_not_grow_with_the_members_told(client, world):
    client.force_login(world.resident)
    few = _confirm_queries(client, world, "楼道灯不亮，晚上看不见台阶")
    office = world.orgs.joint_meeting_office
    for _ in range(6):
        MembershipFactory(organization=office, role=Membership.Role.STAFF)
    many = _confirm_queries(client, world, "垃圾桶满了没有清运，气味很大")
    assert Issue.objects.count() == 2
    assert len(many) == len(few), "\n".join(many)
    assert len(few) <= 21, "\n".join(few)  # was 28 with one notice row per person
