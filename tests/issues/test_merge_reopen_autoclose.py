"""Merging a duplicate from the manage page; reopening and auto-closing after the compound's
policy days.

seed: 公示承诺制度 第一条 (every closing state is explained in public).

Split out of the former tests/issues/test_gaps.py ("gaps closed after issue 3", issue 15
item 9); shared fixtures in tests/issues/conftest.py, helpers in tests/issues/helpers.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from issues import services
from issues.models import ClockPolicy, Issue, MeToo
from tests.issues.helpers import HOSTILE, T0, act, submit

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize("public", [True, False])
def test_merged_reporter_is_linked_to_the_surviving_complaint_only_if_they_can_open_it(
    client, world, public
):
    """A complaint merged into a private one names it without a link that would 404 for its
    reporter (found by the page sweep: the group leader's merged complaint linked a private
    complaint); into a public one the link opens. seed: 公示承诺制度 第一条."""
    original = submit(world, is_public=public)
    duplicate = submit(world, actor=world.neighbour, description="三楼楼道灯也坏了，一样的问题")
    services.issue_merge(actor=world.people.joint_meeting_office, issue=duplicate, into=original)
    client.force_login(world.neighbour)
    page = client.get(reverse("issues:detail", args=[duplicate.tracking_number])).content.decode()
    target = reverse("issues:detail", args=[original.tracking_number])
    assert original.tracking_number in page
    assert (f'href="{target}"' in page) is public
    opened = client.get(target, follow=True)
    assert opened.status_code == (200 if public else 404)
    # Staff who manage the merged complaint always get the link.
    client.force_login(world.people.joint_meeting_office)
    staff_page = client.get(reverse("issues:staff_detail", args=[duplicate.tracking_number]))
    assert f'href="{target}"' in staff_page.content.decode()
