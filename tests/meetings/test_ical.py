"""The iCalendar feed of a compound's meetings (RFC 5545): structure, escaping, folding."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from meetings import services
from meetings.feeds import fold_line, ical_escape, render_calendar
from tests.meetings.conftest import MEETING_START


def unfold(text: str) -> list[str]:
    """RFC 5545 §3.1: a CRLF followed by one space continues the previous line."""
    return text.replace("\r\n ", "").split("\r\n")


def test_escape_text_values():
    assert ical_escape("a,b;c\\d") == "a\\,b\\;c\\\\d"
    assert ical_escape("line1\nline2\r\nline3") == "line1\\nline2\\nline3"
    assert ical_escape("bell\x07del\x7f") == "belldel"
    assert ical_escape(None) == ""


def test_fold_keeps_lines_within_75_octets_and_never_splits_a_character():
    line = "SUMMARY:" + "联席会议，讨论停车；" * 20
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    for index, part in enumerate(parts):
        assert len(part.encode("utf-8")) <= 75
        if index:
            assert part.startswith(" ")
        part.encode("utf-8").decode("utf-8")  # no broken UTF-8 sequence
    assert folded.replace("\r\n ", "") == line
    assert fold_line("SHORT:x") == "SHORT:x"


def test_render_calendar_structure():
    start = dt.datetime(2026, 3, 25, 7, 0, tzinfo=dt.UTC)
    text = render_calendar(
        name="会议",
        events=[
            {
                "uid": "meeting-1@example",
                "start": start,
                "end": start + dt.timedelta(hours=2),
                "summary": "联席会议：停车, 收费; 绿化",
                "location": "会议室\n二楼",
            }
        ],
    )
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    lines = unfold(text)
    assert "DTSTART:20260325T070000Z" in lines
    assert "SUMMARY:联席会议：停车\\, 收费\\; 绿化" in lines
    assert "LOCATION:会议室\\n二楼" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1


@pytest.mark.django_db
def test_feed_view(client, world, clock):
    meeting = services.meeting_create(
        actor=world.meeting_clerk,
        compound=world.compound,
        kind="joint",
        title="三月联席会议, 议题：停车;收费 " + "很长的标题" * 12,
        start=MEETING_START,
        end=MEETING_START + dt.timedelta(hours=2),
        place="党群服务中心,二楼;会议室",
    )
    response = client.get(reverse("meetings:ical") + f"?compound={world.compound.slug}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content
    text = raw.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert "VERSION:2.0" in text
    for physical in raw.split(b"\r\n"):
        assert len(physical) <= 75
    lines = unfold(text)
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert "三月联席会议\\, 议题：停车\\;收费" in summary
    assert "LOCATION:党群服务中心\\,二楼\\;会议室" in lines
    assert f"UID:meeting-{meeting.pk}@127.0.0.1:8000" in lines or any(
        line.startswith(f"UID:meeting-{meeting.pk}@") for line in lines
    )
    assert "DTSTART:20260325T070000Z" in lines  # 15:00 in Wuhan
    # A cancelled meeting stays in the feed, marked cancelled.
    services.meeting_cancel(actor=world.meeting_clerk, meeting=meeting, reason="台风")
    text = client.get(reverse("meetings:ical") + f"?compound={world.compound.slug}").content
    assert "STATUS:CANCELLED" in unfold(text.decode())


@pytest.mark.django_db
def test_feed_unknown_compound_is_404(client):
    assert client.get(reverse("meetings:ical") + "?compound=nope").status_code == 404
    assert client.get(reverse("meetings:ical") + "?compound=" + "<x>" * 100).status_code == 404
