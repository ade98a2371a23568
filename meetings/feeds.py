"""iCalendar (RFC 5545) feed of a compound's meetings, written by hand.

Residents and the three parties subscribe to the compound's meeting calendar
from their phone's calendar app (issue 4, item 10). The text is produced here
rather than by a library so the two rules that calendar apps are strict about
are visible and tested:

* TEXT values escape backslash, semicolon, comma and newline (RFC 5545 §3.3.11);
* content lines are folded at 75 octets, never inside a UTF-8 sequence, with
  CRLF + one space (RFC 5545 §3.1) — Chinese text is 3 octets a character.

seed: 联席会议议事规则 第三条 (the joint meeting is held monthly, in the last week
of the month; members and observers must know when and where).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

FOLD_AT = 75  # octets per content line, CRLF excluded
CRLF = "\r\n"
PRODID = "-//Huashan//Meetings 1.0//ZH"
FEED_PAST_DAYS = 400


def ical_escape(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): ``\\`` ``;`` ``,`` and newlines."""
    value = str(value or "")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    # Other control characters are not allowed in TEXT; drop them.
    return "".join(ch for ch in value if ch == "\t" or (ord(ch) >= 0x20 and ord(ch) != 0x7F))


def fold_line(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets (RFC 5545 §3.1).

    Continuation lines start with a single space, which counts toward their
    75 octets. A multi-octet UTF-8 character is never split.
    """
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    limit = FOLD_AT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
            limit = FOLD_AT - 1  # room for the leading space
        current.append(char)
        size += width
    chunks.append("".join(current))
    return (CRLF + " ").join(chunks)


def ical_datetime(value: dt.datetime) -> str:
    """A UTC DATE-TIME (``19970714T173000Z``): unambiguous without a VTIMEZONE."""
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(*, name: str, events: Iterable[dict[str, object]]) -> str:
    """A VCALENDAR with one VEVENT per dict (uid, start, end, summary, location,
    description, url, status). Lines end with CRLF and are folded."""
    now = ical_datetime(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event['uid']}",
            f"DTSTAMP:{now}",
            f"DTSTART:{ical_datetime(event['start'])}",
            f"DTEND:{ical_datetime(event['end'])}",
            f"SUMMARY:{ical_escape(event['summary'])}",
        ]
        if event.get("location"):
            lines.append(f"LOCATION:{ical_escape(event['location'])}")
        if event.get("description"):
            lines.append(f"DESCRIPTION:{ical_escape(event['description'])}")
        if event.get("url"):
            lines.append(f"URL:{event['url']}")
        if event.get("status"):
            lines.append(f"STATUS:{event['status']}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + CRLF for line in lines)
