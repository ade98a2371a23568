"""补录: recording a meeting that has already been held (issue 13 item 3).

seed: 联席会议议事规则 第三条 "联席会议原则上每月召开一次……必要时可临时召开" — an
emergency meeting is called at once and entered afterwards, with the reason why.
Planning a future meeting keeps its checks (no past start, last week or ad hoc).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from meetings import services
from meetings.models import Meeting, MeetingEvent, Minutes, Notice
from meetings.pdf import meeting_pdf
from tests.meetings.conftest import CN, NOW

pytestmark = pytest.mark.django_db

EARLIER_TODAY = dt.datetime(2026, 3, 10, 8, 0, tzinfo=CN)  # NOW is 10:00 the same day
REASON = "凌晨3号楼水管爆裂，三方紧急会商抢修方案，会后补录"


def _record(world, **overrides):
    values = {
        "actor": world.meeting_clerk,
        "compound": world.compound,
        "kind": "joint",
        "title": "3号楼爆管紧急联席会议",
        "start": EARLIER_TODAY,
        "end": EARLIER_TODAY + dt.timedelta(hours=1),
        "place": "3号楼架空层",
        "is_ad_hoc": True,
        "ad_hoc_reason": "水管爆裂抢修",
        "recorded_afterwards": True,
        "record_reason": REASON,
    }
    values.update(overrides)
    return services.meeting_create(**values)


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict


def test_seed_art3_emergency_meeting_held_earlier_today_is_recorded_as_held(world, clock):
    meeting = _record(world)
    assert meeting.status == Meeting.Status.HELD
    assert meeting.recorded_afterwards
    assert meeting.record_reason == REASON
    assert not Notice.objects.filter(meeting=meeting).exists()
    event = MeetingEvent.objects.get(meeting=meeting)
    assert event.verb == "record_past"
    assert event.note == REASON
    with translation.override("zh-hans"):
        assert "补录" in event.phrase
    # Attendance and minutes at once: no notice, no "not started", no mark-held step.
    member = meeting.members.first()
    services.attendance_record(
        actor=world.meeting_clerk, meeting=meeting, person=member.person, status="present"
    )
    services.minutes_save_draft(
        actor=world.meeting_clerk, meeting=meeting, discussion="决定连夜抢修"
    )
    assert Minutes.objects.get(meeting=meeting).discussion == "决定连夜抢修"


def test_recording_afterwards_does_not_take_the_topics_waiting_for_the_next_meeting(world, clock):
    waiting = services.topic_propose(actor=world.people.pmc, compound=world.compound, title="停车")
    _record(world)
    waiting.refresh_from_db()
    assert waiting.meeting_id is None


def test_planning_a_meeting_in_the_past_is_still_refused(world, clock):
    """Without 补录 the old check holds: "不能安排已经过去的会议"."""
    with pytest.raises(ValidationError) as exc:
        _record(world, recorded_afterwards=False, record_reason="")
    assert "start" in _errors(exc.value)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_recording_afterwards_needs_a_reason(world, clock, reason):
    with pytest.raises(ValidationError) as exc:
        _record(world, record_reason=reason)
    assert "record_reason" in _errors(exc.value)
    assert not Meeting.objects.exists()


def test_a_five_thousand_character_reason_is_refused_with_the_limit(world, clock):
    with pytest.raises(ValidationError) as exc:
        _record(world, record_reason="因" * 5000)
    assert "record_reason" in _errors(exc.value)
    assert "2000" in " ".join(_errors(exc.value)["record_reason"])
    assert not Meeting.objects.exists()


def test_a_future_start_flagged_recorded_afterwards_is_refused(world, clock):
    """补录 is for meetings already held; a future one must be planned (with a notice)."""
    with pytest.raises(ValidationError) as exc:
        _record(world, start=NOW + dt.timedelta(hours=1), end=NOW + dt.timedelta(hours=2))
    assert "start" in _errors(exc.value)
    assert not Meeting.objects.exists()


def test_a_meeting_still_in_progress_may_be_recorded(world, clock):
    meeting = _record(world, start=NOW - dt.timedelta(minutes=30), end=NOW + dt.timedelta(hours=1))
    assert meeting.status == Meeting.Status.HELD


def test_a_meeting_from_years_ago_is_refused(world, clock):
    with pytest.raises(ValidationError) as exc:
        _record(
            world,
            start=dt.datetime(2019, 3, 27, 15, 0, tzinfo=CN),
            end=dt.datetime(2019, 3, 27, 16, 0, tzinfo=CN),
        )
    assert "start" in _errors(exc.value)


def test_recorded_joint_meeting_keeps_the_last_week_rule(world, clock):
    """第三条: outside the last week of the month a joint meeting is ad hoc with a reason,
    recorded afterwards or not."""
    with pytest.raises(ValidationError) as exc:
        _record(world, is_ad_hoc=False, ad_hoc_reason="")
    assert "is_ad_hoc" in _errors(exc.value)


def test_reason_is_ignored_when_not_recording_afterwards(world, clock):
    meeting = _record(
        world,
        recorded_afterwards=False,
        record_reason="x" * 5000,
        start=dt.datetime(2026, 3, 25, 15, 0, tzinfo=CN),
        end=dt.datetime(2026, 3, 25, 16, 0, tzinfo=CN),
        is_ad_hoc=False,
    )
    assert meeting.status == Meeting.Status.DRAFT
    assert meeting.record_reason == ""


# --- pages and PDFs ---------------------------------------------------------------


def _form_data(**overrides):
    data = {
        "kind": "joint",
        "title": "3号楼爆管紧急联席会议",
        "place": "3号楼架空层",
        "start": "2026-03-10T08:00",
        "end": "2026-03-10T09:00",
        "is_ad_hoc": "on",
        "ad_hoc_reason": "水管爆裂抢修",
        "recorded_afterwards": "on",
        "record_reason": REASON,
    }
    data.update(overrides)
    return data


def test_form_records_a_past_meeting_and_the_page_says_so(world, clock, client):
    client.force_login(world.meeting_clerk)
    url = reverse("meetings:create") + f"?compound={world.compound.slug}"
    response = client.post(url, _form_data(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get()
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "补录" in page
    assert REASON in page
    history = re.search(r'<ol class="timeline[^"]*">(.*?)</ol>', page, re.S).group(1)
    assert "补录" in history
    assert "record_past" not in page
    notice = client.get(reverse("meetings:notice", args=[meeting.pk])).content.decode()
    assert 'data-testid="no-notice"' in notice
    assert 'data-testid="send-notice"' not in notice


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"record_reason": ""}, "record_reason"),
        ({"record_reason": "因" * 5000}, "record_reason"),
        ({"start": "2026-03-10T11:00", "end": "2026-03-10T12:00"}, "start"),
    ],
)
def test_form_refuses_hostile_input_in_chinese_and_keeps_what_was_typed(
    world, clock, client, overrides, field
):
    client.force_login(world.meeting_clerk)
    url = reverse("meetings:create") + f"?compound={world.compound.slug}"
    response = client.post(url, _form_data(**overrides), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    body = response.content.decode()
    assert "field-error" in body
    assert re.search(r'class="field-error"[^>]*>[^<]*[\u4e00-\u9fff]', body)
    assert "3号楼爆管紧急联席会议" in body  # nothing typed is lost
    assert not Meeting.objects.exists()


def test_pdfs_of_a_recorded_meeting_say_it_was_recorded_afterwards(world, clock):
    import subprocess
    import tempfile

    meeting = _record(world)
    services.minutes_save_draft(
        actor=world.meeting_clerk, meeting=meeting, discussion="决定连夜抢修"
    )
    services.summary_draft(actor=world.meeting_clerk, meeting=meeting)
    for kind in ("notice", "minutes", "summary"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(meeting_pdf(meeting=meeting, kind=kind))
            handle.flush()
            text = subprocess.run(
                ["pdftotext", handle.name, "-"], capture_output=True, text=True, check=True
            ).stdout
        assert "补录" in text, kind
        assert "水管爆裂" in text.replace("\n", ""), kind


def test_api_records_a_past_meeting_and_refuses_a_missing_reason(world, clock):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.meeting_clerk)
    payload = {
        "compound": world.compound.slug,
        "kind": "joint",
        "title": "3号楼爆管紧急联席会议",
        "place": "3号楼架空层",
        "start": "2026-03-10T08:00:00+08:00",
        "end": "2026-03-10T09:00:00+08:00",
        "is_ad_hoc": True,
        "ad_hoc_reason": "水管爆裂抢修",
        "recorded_afterwards": True,
    }
    response = client.post("/api/meetings/meetings/", payload, format="json")
    assert response.status_code == 400
    assert "record_reason" in response.json()
    too_long = client.post(
        "/api/meetings/meetings/", {**payload, "record_reason": "因" * 5000}, format="json"
    )
    assert too_long.status_code == 400
    response = client.post(
        "/api/meetings/meetings/", {**payload, "record_reason": REASON}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "held"
    assert body["recorded_afterwards"] is True
    assert body["record_reason"] == REASON
