"""The printable letter: Chinese text extractable, font embedded."""

from __future__ import annotations

import subprocess
import tempfile

import pytest

from pledges import tasks
from pledges.engine import evaluate
from pledges.pdf import letter_pdf
from tests.factories.pledges import PledgeItemFactory, pledge_world
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db


def _text(data: bytes, tool: str = "pdftotext") -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        args = [tool, handle.name, "-"] if tool == "pdftotext" else [tool, handle.name]
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_letter_pdf_has_chinese_text_statuses_and_cjk_font(freeze):
    freeze(at(2026, 1, 2, 10))
    world = pledge_world(year=2026)
    world.letter.title = "普安社区江南花山郡小区党组织服务承诺"
    world.letter.closing = "监督电话：027-87913119"
    world.letter.save()
    PledgeItemFactory(
        letter=world.letter,
        number=1,
        section="一、强化履职监督，推动责任落实",
        heading="定期联席会议",
        text="每月至少召开1次社区党组织、物业管理委员会、物业三方联席会议",
        params={
            "source": "activity",
            "kinds": ["study"],
            "min_count": 1,
            "per_member": False,
            "period_months": 1,
            "label": "每月联席会议",
        },
    )
    freeze(at(2026, 2, 2, 10))
    evaluate()
    data = letter_pdf(letter=world.letter)
    assert data.startswith(b"%PDF")
    text = _text(data)
    for fragment in (
        "普安社区江南花山郡小区党组织服务承诺",
        "定期联席会议",
        "每月联席会议",
        "监督电话",
        "第1页",
    ):
        assert fragment in text, fragment
    assert "WenQuanYi" in _text(data, "pdffonts")


def test_pdf_task_stores_the_file():
    world = pledge_world()
    assert tasks.letter_pdf_generate(world.letter.pk) is True
    world.letter.refresh_from_db()
    assert world.letter.pdf.name.endswith(".pdf")
    assert world.letter.pdf_generated_at
    world.letter.pdf.delete(save=False)
