"""Notice numbers and notice wording (issue 13 items 4 and 5).

seed: 联席会议议事规则 第四条 "联席会议办公室……发出会议通知". A notice is an official
document: it is numbered 花山联〔年份〕N号 by the year it is *issued* (sequence per
compound per issuing year), whatever month the meeting falls in.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from meetings import services
from meetings.models import MeetingMember
from tests.factories.directory import MembershipFactory

pytestmark = pytest.mark.django_db

CN = ZoneInfo("Asia/Shanghai")
JANUARY_MEETING = dt.datetime(2027, 1, 27, 15, 0, tzinfo=CN)  # last week of January 2027


def _january_meeting(world, title="2027年1月联席会议", start=JANUARY_MEETING):
    return services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="joint",
        title=title,
        start=start,
        end=start + dt.timedelta(hours=2),
        place="小区党群服务中心会议室",
    )


def test_seed_art4_notice_issued_on_new_years_eve_is_numbered_in_the_issuing_year(world):
    """Issued 2026-12-31 23:59 (Wuhan) for a January 2027 meeting → 〔2026〕."""
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 59, tzinfo=CN), tick=False):
        meeting = _january_meeting(world)
        notice = services.meeting_send_notice(actor=world.meeting_clerk, meeting=meeting)
    assert notice.year == 2026
    assert notice.document_number == "花山联〔2026〕1号"
    assert notice.document_number in notice.body


def test_seed_art4_notice_issued_a_minute_later_starts_the_new_years_sequence(world):
    """2026-12-31 23:59 → 〔2026〕1号; 2027-01-01 00:00 → 〔2027〕1号 (a new sequence),
    and the next one in 2027 is 〔2027〕2号."""
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 59, tzinfo=CN), tick=False) as t:
        first = _january_meeting(world)
        second = _january_meeting(
            world, title="2027年1月第二次联席会议", start=JANUARY_MEETING + dt.timedelta(days=1)
        )
        third = _january_meeting(
            world, title="2027年1月第三次联席会议", start=JANUARY_MEETING + dt.timedelta(days=2)
        )
        n1 = services.meeting_send_notice(actor=world.meeting_clerk, meeting=first)
        t.move_to(dt.datetime(2027, 1, 1, 0, 0, tzinfo=CN))
        n2 = services.meeting_send_notice(actor=world.meeting_clerk, meeting=second)
        n3 = services.meeting_send_notice(actor=world.meeting_clerk, meeting=third)
    assert (n1.document_number, n2.document_number, n3.document_number) == (
        "花山联〔2026〕1号",
        "花山联〔2027〕1号",
        "花山联〔2027〕2号",
    )
    # 2027-01-01 00:00 in Wuhan is still 2026-12-31 16:00 UTC: the year is Wuhan's.
    assert n2.issued_at.year == 2026
    assert n2.year == 2027


def test_notice_lists_names_with_enumeration_commas_and_no_trailing_one(joint_meeting, world):
    """参会人员 / 列席人员 / 主送 / 抄送 are joined with "、", none after the last name."""
    MembershipFactory(organization=world.orgs.residents_committee, role="community_lawyer")
    notice = services.meeting_send_notice(actor=world.meeting_clerk, meeting=joint_meeting)
    lines = {
        line.split("：", 1)[0]: line.split("：", 1)[1]
        for line in notice.body.splitlines()
        if "：" in line
    }
    members = MeetingMember.objects.filter(meeting=joint_meeting)
    observers = [m.person.name for m in members if m.role == "observer"]
    participants = [m.person.name for m in members if m.role == "member"]
    assert len(observers) >= 2
    assert lines["列席人员"] == "、".join(sorted(observers, key=lines["列席人员"].index))
    assert lines["参会人员"] == "、".join(sorted(participants, key=lines["参会人员"].index))
    for key in ("参会人员", "列席人员", "主送", "抄送"):
        assert not lines[key].endswith("、"), key
        assert " " not in lines[key].strip(), key
