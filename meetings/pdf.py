"""PDFs of a meeting: notice, sign-in sheet, minutes and summary (via ``huashan.pdf``).

seed: 联席会议议事规则 第四条 (会议通知、会议记录、会议纪要). Rendered by the worker
(``meetings.tasks.render_meeting_document``) and stored; tests call these directly.
"""

from __future__ import annotations

from huashan.pdf import render_pdf

from .models import Meeting, MeetingDocument
from .selectors import (
    meeting_agenda,
    meeting_follow_up_items,
    meeting_members,
    meeting_minutes,
    meeting_page,
)

TEMPLATES = {
    MeetingDocument.Kind.NOTICE: "pdf/meetings/notice.html",
    MeetingDocument.Kind.SIGN_IN: "pdf/meetings/sign_in.html",
    MeetingDocument.Kind.MINUTES: "pdf/meetings/minutes.html",
    MeetingDocument.Kind.SUMMARY: "pdf/meetings/summary.html",
}


def meeting_pdf_context(*, meeting: Meeting) -> dict:
    page = meeting_page(meeting=meeting)
    return {
        "meeting": meeting,
        "page": page,
        "notice": page.notice,
        "agenda": list(meeting_agenda(meeting=meeting)),
        "follow_up": list(meeting_follow_up_items(meeting=meeting)),
        "members": list(meeting_members(meeting=meeting)),
        "minutes": list(meeting_minutes(meeting=meeting)),
        "summary": page.summary,
    }


def meeting_pdf(*, meeting: Meeting, kind: str) -> bytes:
    """PDF bytes of ``kind`` (``MeetingDocument.Kind``) for the meeting."""
    if kind not in TEMPLATES:
        raise ValueError(f"unknown document kind {kind!r}")
    return render_pdf(TEMPLATES[kind], meeting_pdf_context(meeting=meeting))
