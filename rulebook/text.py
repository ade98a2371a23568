"""The seven rule documents, read article by article from their text in ``docs/rules/``.

The rule ids (``JM-3``, ``PP-7``, ``PMC-obey`` …) are derived from the text itself: the
document's prefix and the article's number (第三条 → 3, "7.安全隐患…" → 7). A paragraph that
follows an article without a number of its own gets the article's id with ``b``
(公示承诺制度's 三诺 paragraph after 第四条 is ``DP-4b``); the unnumbered pledge of
物业管理会服务承诺 "四、服从管理承诺" is ``PMC-obey``. ``docs/rules.md`` uses the same ids,
and a test holds the two to the same set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings

#: (prefix, short title, the words that mark the document's title line), in the seed's order.
DOCUMENTS: tuple[tuple[str, str, str], ...] = (
    ("JM", "联席会议议事规则", "联席会议议事规则"),
    ("CL", "协同联动解决小区事务流程", "协同联动"),
    ("DP", "公示承诺制度", "公示承诺制度"),
    ("PP", "小区党组织服务承诺", "小区党组织服务承诺"),
    ("PMC", "物业管理会服务承诺", "小区物业管理会"),
    ("DR", "决策报告制度", "决策报告制度"),
    ("EV", "评议监督考核制度", "评议监督考核制度"),
)

CHINESE_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
CHINESE_NUMERALS.update({"九": 9, "十": 10})

ARTICLE = re.compile(r"^第([一二三四五六七八九十]+)条\s*(.*)$")
PLEDGE_ITEM = re.compile(r"^(\d+)\s*[.．、]\s*(\S.*)$")
SECTION = re.compile(r"^([一二三四五六七八九十]+|\d+)、\s*(\S.*)$")


@dataclass
class Article:
    rule_id: str
    label: str  # 第三条 / 7. 安全隐患“零容忍”
    text: str


@dataclass
class Document:
    prefix: str
    title: str
    preamble: str = ""
    articles: list[Article] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)


def chinese_number(numeral: str) -> int:
    """一 … 十九 as an int (the seed numbers its articles up to 第七条)."""
    if numeral.startswith("十"):
        return 10 + (CHINESE_NUMERALS[numeral[1]] if len(numeral) > 1 else 0)
    if len(numeral) == 2 and numeral.endswith("十"):
        return CHINESE_NUMERALS[numeral[0]] * 10
    return CHINESE_NUMERALS[numeral]


def source_dir() -> Path:
    return Path(getattr(settings, "RULEBOOK_TEXT_DIR", settings.BASE_DIR / "docs" / "rules"))


def seed_text() -> str:
    """The seed documents as one text: ``docs/rules/<prefix>.txt`` in the seed's order
    (docs/rules/README.md), then any other ``*.txt`` there in name order."""
    order = {prefix: n for n, (prefix, _title, _marker) in enumerate(DOCUMENTS)}
    parts = sorted(source_dir().glob("*.txt"), key=lambda p: (order.get(p.stem, 99), p.name))
    if not parts:
        raise FileNotFoundError(f"no rule text in {source_dir()}")
    return "\n".join(p.read_text(encoding="utf-8") for p in parts)


def _document_starting(line: str, seen: set[str]) -> tuple[str, str] | None:
    for prefix, title, marker in DOCUMENTS:
        if prefix not in seen and marker in line and len(line) <= 40:
            return prefix, title
    return None


def parse(text: str) -> list[Document]:
    """Split the seed into documents and articles (pure; see the module docstring)."""
    documents: list[Document] = []
    seen: set[str] = set()
    current: Document | None = None
    pending_label: tuple[str, str] | None = None  # a pledge item's heading, text follows
    for raw in text.splitlines():
        line = raw.replace("\x0c", "").strip()
        if not line:
            continue
        start = _document_starting(line, seen)
        if start is not None:
            current = Document(prefix=start[0], title=start[1])
            documents.append(current)
            seen.add(start[0])
            pending_label = None
            continue
        if current is None:
            continue
        if current.prefix in ("PP", "PMC"):
            pending_label = _pledge_line(current, line, pending_label)
            continue
        match = ARTICLE.match(line)
        if match:
            number = chinese_number(match.group(1))
            current.articles.append(
                Article(f"{current.prefix}-{number}", f"第{match.group(1)}条", match.group(2))
            )
        elif not current.articles:
            if current.preamble or len(line) > 12:  # else: the second line of a wrapped title
                current.preamble = f"{current.preamble}{line}"
        elif len(line) > 30:
            last = current.articles[-1]
            current.articles.append(Article(f"{last.rule_id}b", f"{last.label}（续）", line))
        else:
            current.closing.append(line)
    return documents


def _pledge_line(doc: Document, line: str, pending: tuple[str, str] | None):
    """One line of a pledge letter: item headings ("7.安全隐患…") are followed by their text."""
    item = PLEDGE_ITEM.match(line)
    if item and len(line) <= 30:
        return (f"{doc.prefix}-{int(item.group(1))}", f"{item.group(1)}. {item.group(2)}")
    section = SECTION.match(line)
    if section and len(line) <= 20:
        if "服从管理" in line:
            return (f"{doc.prefix}-obey", section.group(2))
        return None
    if pending is not None:
        doc.articles.append(Article(pending[0], pending[1], line))
        return None
    if doc.articles:
        if len(line) > 30 and not doc.closing:
            doc.articles[-1].text = f"{doc.articles[-1].text}{line}"
        else:
            doc.closing.append(line)
    elif line == "服务承诺" or len(line) <= 12:
        pass  # the second line of a wrapped title
    else:
        doc.preamble = f"{doc.preamble}{line}"
    return None


@lru_cache(maxsize=1)
def rulebook() -> tuple[Document, ...]:
    return tuple(parse(seed_text()))


def rule_ids() -> list[str]:
    return [a.rule_id for d in rulebook() for a in d.articles]
