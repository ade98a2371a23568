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


def summary_heading(meeting: Meeting) -> str:
    """ "2026年3月联席会议纪要": the title already says 会议 (never "…会议会议纪要")."""
    return f"{meeting.title}纪要"


def _summary_text(meeting: Meeting, summary) -> str:
    """The summary's text without its first line when that line only repeats the
    heading the PDF prints anyway (a draft from the minutes starts with it)."""
    body = (getattr(summary, "body", "") or "").strip()
    first, _, rest = body.partition("\n")
    if first.strip() in {summary_heading(meeting), f"{meeting.title}会议纪要"}:
        return rest.strip()
    return body


def meeting_pdf_context(*, meeting: Meeting) -> dict:
    page = meeting_page(meeting=meeting)
    return {
        "summary_heading": summary_heading(meeting),
        "summary_text": _summary_text(meeting, page.summary),
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
