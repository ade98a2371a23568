"""The half-year brief PDF contains the period's figures in Chinese (pdftotext)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core.management import call_command
from django.utils import translation

from dashboard.pdf import work_summary_pdf
from dashboard.services import work_summary_edit, work_summary_generate
from issues.models import Issue
from meetings.models import Meeting
from tests.factories.issues import IssueFactory
from tests.factories.meetings import MeetingFactory

from .conftest import TZ

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_half_year_brief_pdf_has_figures_in_chinese(world, tmp_path):
    compound = world.compound
    for month in (1, 2, 3):
        MeetingFactory(compound=compound, start=dt.datetime(2026, month, 25, 15, tzinfo=TZ))
    MeetingFactory(
        compound=compound,
        kind=Meeting.Kind.RESIDENTS_FORUM,
        start=dt.datetime(2026, 2, 10, tzinfo=TZ),
    )
    for _ in range(7):
        IssueFactory(compound=compound, tier="small", created_at=dt.datetime(2026, 2, 1, tzinfo=TZ))
    office = world.people.joint_meeting_office
    summary = work_summary_generate(actor=office, compound=compound, period="2026H1")
    summary = work_summary_edit(
        actor=office,
        summary=summary,
        narrative="上半年三方联动解决停车难问题。",
        suggestions="建议加快维修资金公示。",
    )
    text = _text(work_summary_pdf(summary=summary), tmp_path)
    flat = "".join(text.split())
    assert f"{compound.name}联席会议半年工作小结" in flat
    assert "召开会议情况" in flat
    assert "联席会议" in flat
    assert "2026H1" in flat
    assert "2026-01-01—2026-06-30" in flat
    assert "反映问题" in flat
    assert "上半年三方联动解决停车难问题。" in flat
    assert "建议加快维修资金公示。" in flat
    assert "第1页/共" in flat
    # The figures: three joint meetings, seven complaints filed.
    assert summary.figures["meetings"]["joint"] == 3
    assert "受理问题数：7" in flat
    with translation.override("zh-hans"):
        joint_label = "".join(str(Meeting.Kind.JOINT.label).split())
        small_label = "".join(str(Issue.Tier.SMALL.label).split())
    assert f"{joint_label}3" in flat  # the meetings table row: three joint meetings
    assert f"{small_label}7" in flat  # complaints by tier: seven small matters
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "brief.pdf")], capture_output=True, check=True, text=True
    ).stdout
    assert "WenQuanYi" in fonts


def test_command_writes_annual_summary(world, tmp_path):
    out = tmp_path / "annual.pdf"
    call_command(
        "work_summary", "--compound", world.compound.slug, "--period", "2026", "--output", str(out)
    )
    flat = "".join(_text(out.read_bytes(), tmp_path).split())
    assert "年度工作总结" in flat


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--compound", "nope", "--period", "2026H1"], "unknown compound"),
        (["--compound", "SLUG", "--period", "2026H9"], "2026H1"),
    ],
)
def test_command_rejects_bad_arguments(world, tmp_path, args, message):
    from django.core.management.base import CommandError

    args = [a.replace("SLUG", world.compound.slug) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("work_summary", *args, "--output", str(tmp_path / "x.pdf"))
