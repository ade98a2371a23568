"""PDFs of a meeting: Chinese text is extractable, the font is embedded, documents store."""

from __future__ import annotations

import subprocess

import pytest

from meetings import services
from meetings.models import MeetingDocument
from meetings.pdf import meeting_pdf
from tests.meetings.conftest import hold


def _text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_notice_pdf_contains_the_chinese_agenda(joint_meeting, world, tmp_path):
    topic = services.topic_propose(
        actor=world.people.pmc, compound=world.compound, title="地下车库积水整治方案"
    )
    services.topic_accept(actor=world.meeting_clerk, topic=topic)
    notice = services.meeting_send_notice(actor=world.meeting_clerk, meeting=joint_meeting)
    text = _text(meeting_pdf(meeting=joint_meeting, kind="notice"), tmp_path)
    assert "地下车库积水整治方案" in text
    assert notice.document_number in text.replace(" ", "")
    assert "会议议题" in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "doc.pdf")], capture_output=True, check=True, text=True
    ).stdout
    assert "WenQuanYi" in fonts


def test_sign_in_minutes_and_summary_pdfs(joint_meeting, world, clock, tmp_path):
    topic = services.topic_propose(actor=world.people.pmc, compound=world.compound, title="停车难")
    services.topic_accept(actor=world.meeting_clerk, topic=topic)
    hold(joint_meeting, world, clock)
    services.minutes_save_draft(
        actor=world.meeting_clerk,
        meeting=joint_meeting,
        topic=topic,
        discussion="业主反映车位不足",
        outcome="物业两周内提交方案",
    )
    services.attendance_record(
        actor=world.meeting_clerk, meeting=joint_meeting, person=world.people.pmc, status="present"
    )
    assert world.company_chair.name in _text(
        meeting_pdf(meeting=joint_meeting, kind="sign_in"), tmp_path
    )
    minutes = _text(meeting_pdf(meeting=joint_meeting, kind="minutes"), tmp_path)
    assert "业主反映车位不足" in minutes
    assert "物业两周内提交方案" in minutes
    services.summary_draft(actor=world.meeting_clerk, meeting=joint_meeting)
    assert "物业两周内提交方案" in _text(
        meeting_pdf(meeting=joint_meeting, kind="summary"), tmp_path
    )


def test_document_request_renders_and_stores(
    joint_meeting, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False):
        document = services.meeting_document_request(
            actor=world.meeting_clerk, meeting=joint_meeting, kind="notice"
        )
    assert document.status == MeetingDocument.Status.PENDING
    done = services.meeting_document_render(document_id=document.pk)
    assert done.status == MeetingDocument.Status.READY
    assert done.file.read(4) == b"%PDF"
    # Idempotent: a second run leaves the ready document alone.
    assert services.meeting_document_render(document_id=document.pk).file.name == done.file.name
    with pytest.raises(services.ValidationError):
        services.meeting_document_request(
            actor=world.meeting_clerk, meeting=joint_meeting, kind="x"
        )
    with pytest.raises(services.PermissionDenied):
        services.meeting_document_request(
            actor=world.resident, meeting=joint_meeting, kind="notice"
        )


def test_summary_pdf_prints_its_title_once_and_says_jiyao_not_huiyi_huiyi(
    joint_meeting, world, clock, tmp_path
):
    """The audit's "the summary PDF prints the title twice": the draft from the minutes
    starts with the same heading the PDF prints."""
    hold(joint_meeting, world, clock)
    services.minutes_save_draft(actor=world.meeting_clerk, meeting=joint_meeting, discussion="讨论")
    summary = services.summary_draft(actor=world.meeting_clerk, meeting=joint_meeting)
    assert summary.body.startswith("2026年3月联席会议纪要")
    text = _text(meeting_pdf(meeting=joint_meeting, kind="summary"), tmp_path)
    flat = text.replace(" ", "")
    assert flat.count("2026年3月联席会议纪要") == 1
    assert "会议会议" not in flat
    assert "讨论" in text


def test_notice_pdf_keeps_the_signature_with_its_recipients(joint_meeting, world, tmp_path):
    """主送/抄送 never stand alone on a page of their own (journeys audit, J3 step 6):
    the agenda grows one topic at a time so that the page break passes through every
    position around the closing lines."""
    services.meeting_send_notice(actor=world.meeting_clerk, meeting=joint_meeting)
    for n in range(1, 31):
        topic = services.topic_propose(
            actor=world.people.pmc, compound=world.compound, title=f"第{n}项议题：楼道堆物清理"
        )
        services.topic_accept(actor=world.meeting_clerk, topic=topic, meeting=joint_meeting)
        pages = _text(meeting_pdf(meeting=joint_meeting, kind="notice"), tmp_path).split("\f")
        flat = [p.replace(" ", "") for p in pages]
        closing = [p for p in flat if "主送：" in p]
        assert len(closing) == 1, n
        assert "联席会议办公室" in closing[0], n
        assert "抄送：" in closing[0], n
