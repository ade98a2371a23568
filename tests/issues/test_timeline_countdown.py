"""The reporter's timeline counts down to the next progress update.

seed: 小区党组织服务承诺 第3条 (48 小时响应, 7 个工作日反馈); 公示承诺制度 第一条.

Split out of the former tests/issues/test_gaps.py ("gaps closed after issue 3", issue 15
item 9); shared fixtures in tests/issues/conftest.py, helpers in tests/issues/helpers.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.timesince import timeuntil

from issues import services
from tests.issues.helpers import CN, T0, submit

pytestmark = pytest.mark.django_db


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
