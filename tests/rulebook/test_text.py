"""The rule documents read article by article (issue 18, "The rulebook, live")."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from rulebook import status, text


def _rules_md_ids() -> list[str]:
    md = (settings.BASE_DIR / "docs" / "rules.md").read_text(encoding="utf-8")
    return re.findall(r"^\| ([A-Za-z]+-[0-9a-z]+) \|", md, re.M)


def test_rule_ids_derived_from_the_text_are_exactly_the_ids_of_the_traceability_table():
    assert text.rule_ids() == _rules_md_ids()


def test_the_seven_documents_in_the_order_of_the_seed():
    assert [d.title for d in text.rulebook()] == [title for _p, title, _m in text.DOCUMENTS]


@pytest.mark.parametrize(
    ("rule_id", "label", "words"),
    [
        # 小区党组织服务承诺 第7条: "发现问题限期3日内整改，重大隐患即时上报并全程跟踪"
        ("PP-7", "7. 安全隐患“零容忍”", "发现问题限期3日内整改，重大隐患即时上报并全程跟踪"),
        # 联席会议议事规则 第三条: "由社区党组织负责人或受其委托的小区党组织负责人召集并主持"
        ("JM-3", "第三条", "受其委托的小区党组织负责人召集并主持"),
        ("PMC-obey", "服从管理承诺", "服从社区、小区党组织领导"),
        ("PMC-10", "10. 失职必究，违规必退", "连续3次无故缺席工作会议"),
        ("DP-4b", "第四条（续）", "候选人“三诺”制度"),
        ("EV-5", "第五条", "评议考核初步结果在社区公示且无异议后"),
    ],
)
def test_an_article_keeps_its_label_and_its_full_text(rule_id, label, words):
    article = next(a for d in text.rulebook() for a in d.articles if a.rule_id == rule_id)
    assert article.label == label
    assert words in article.text


def test_a_pledge_letters_closing_lines_are_not_taken_for_an_article():
    pp = next(d for d in text.rulebook() if d.prefix == "PP")
    assert "监督电话：027-87913119" in pp.closing
    assert all("监督电话" not in a.text for a in pp.articles)


def test_a_wrapped_title_is_not_read_as_the_preamble():
    cl = next(d for d in text.rulebook() if d.prefix == "CL")
    assert cl.preamble.startswith("为确保联席会议议定协调事项")


@pytest.mark.parametrize(
    ("numeral", "value"), [("一", 1), ("七", 7), ("十", 10), ("十二", 12), ("二十", 20)]
)
def test_chinese_article_numbers(numeral, value):
    assert text.chinese_number(numeral) == value


def test_every_row_has_a_known_status_and_a_chinese_summary():
    rows = status.statuses()
    assert set(rows) == set(_rules_md_ids())
    for row in rows.values():
        assert row.status in status.STATUS_LABELS, row.rule_id
        assert re.search(r"[\u4e00-\u9fff]", row.summary_zh), row.rule_id


def test_a_partial_row_says_what_is_missing():
    markdown = (
        "| CL-4 | 协同联动 | 第四条 | 报社区党组织 / the community asks the street "
        "(partial: no street joint meeting) | issues | `x` | `y` | partial |"
    )
    row = status.parse(markdown)["CL-4"]
    assert row.status == "partial"
    assert row.summary_zh == "报社区党组织"
    assert row.missing_en == "no street joint meeting"


def test_what_residents_read_of_a_row_carries_no_code():
    """The rulebook shows each row's Chinese summary and, for a partial row, what is missing:
    residents read it, so neither may name code (a path, a predicate, a category code)."""
    code = re.compile(r"`|::|\b[a-z]+_[a-z_]+\b|\b[a-z]+:[a-z_]+\b")
    offending = {
        rule_id: code.findall(f"{row.summary_zh} {row.missing_en}")
        for rule_id, row in status.statuses().items()
        if code.search(f"{row.summary_zh} {row.missing_en}")
    }
    assert offending == {}
