"""huashan/pdf.py: Chinese text extractable, CJK font embedded, no outside fetches."""

from __future__ import annotations

import subprocess

import pytest

from huashan.pdf import LocalOnlyFetcher, render_pdf


def pdftotext(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_chinese_text_is_extractable_and_pages_are_numbered(tmp_path):
    pdf = render_pdf(
        "pdf_smoke.html", {"title": "联席会议通知", "lines": ["小事自办、大事联办、难事跟办"]}
    )
    text = pdftotext(pdf, tmp_path)
    assert "联席会议通知" in text
    assert "小事自办、大事联办、难事跟办" in text
    assert "第1页/共1页" in text.replace(" ", "")


def test_a_cjk_font_is_embedded(tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(render_pdf("pdf_smoke.html", {"title": "公示", "lines": ["物业服务季度报告"]}))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    rows = [line for line in fonts.stdout.splitlines()[2:] if line.strip()]
    assert rows, fonts.stdout
    assert any("WenQuanYi" in row and " yes " in row for row in rows), fonts.stdout


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "ftp://example.com/x"],
)
def test_fetcher_refuses_network_and_files_outside_static_and_media(url):
    with pytest.raises(ValueError, match=r"outside|disallowed"):
        LocalOnlyFetcher().fetch(url)


def test_a_hostile_image_url_does_not_reach_the_network(tmp_path):
    # WeasyPrint swallows fetch errors as warnings: the document still renders, without the image.
    pdf = render_pdf(
        "pdf_smoke.html",
        {"title": "测试", "lines": ["正文"], "image_url": "http://169.254.169.254/x.png"},
    )
    assert "正文" in pdftotext(pdf, tmp_path)
