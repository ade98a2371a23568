"""The Chinese catalogue follows docs/glossary.md (Words matter).

A resident's complaint is 问题 (反映问题) on every page, "not 诉求 and not 投诉 (staff pages and
dashboards included)". The dashboard scan (tests/dashboard/test_no_codes_visible.py) reads a
few pages; this reads every translation, so a new message cannot bring the word back.
Kept: the seed's own phrases, quoted where a pledge is shown ("承诺48小时内响应业主诉求",
"推动解决1-2项业主集中诉求", "物业服务投诉电话", "业主集体投诉并经核查属实").
"""

from __future__ import annotations

import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SEED_PHRASES = ("居民诉求的响应", "集中诉求")
#: The seed's own uses of 投诉: the company's 投诉电话 and 业主集体投诉 (a ground for removal).
SEED_TOUSU = ("投诉电话", "集体投诉")


def _translations() -> list[str]:
    text = CATALOGUE.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r'^msgstr(?:\[\d+\])? ((?:".*"\n?)+)', text, flags=re.M):
        out.append("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)))
    return out


def test_the_catalogue_is_read():
    translations = _translations()
    assert len(translations) > 1000
    assert "我反映的问题及其进展" in translations


def test_complaints_are_wenti_in_every_translation_not_suqiu():
    found = [
        t
        for t in _translations()
        if "诉求" in t and not any(phrase in t for phrase in SEED_PHRASES)
    ]
    assert found == []


def test_complaints_are_wenti_in_every_translation_not_tousu():
    found = [t for t in _translations() if "投诉" in t and not any(p in t for p in SEED_TOUSU)]
    assert found == []
