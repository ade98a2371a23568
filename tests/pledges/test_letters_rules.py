"""The two pledge letters as the seed wrote them, and their rules' dates filled for a year:
fast, pure tests of ``pledges/letters.py`` (its direct tests in the mutation run).

* 普安社区江南花山郡小区党组织服务承诺 ("……小区党组织现向全体业主郑重承诺如下")
* 物业管理委员会服务承诺 第7条 "上任3个月内推动解决1-2项业主集中诉求"
"""

from __future__ import annotations

import datetime as dt

from pledges import letters
from provisioning import seed


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k != "params":
                yield from _strings(v)


def test_the_letters_read_as_the_seed_wrote_them():
    """The seed's titles: "普安社区江南花山郡小区党组织服务承诺" and "…小区物业管理会服务承诺"."""
    assert letters.PARTY_LETTER["title"] == "普安社区江南花山郡小区党组织服务承诺"
    assert letters.PMC_LETTER["title"] == "普安社区江南花山郡小区物业管理会服务承诺"
    assert letters.PMC_LETTER["letterhead"] == "中共武汉江夏经济开发区普安社区支部委员会"
    assert letters.PARTY_LETTER["closing"].endswith("监督电话：027-87913119")
    assert letters.LETTERS == (letters.PARTY_LETTER, letters.PMC_LETTER)
    assert len(letters.PARTY_LETTER["items"]) == 10
    for letter in letters.LETTERS:
        for text in _strings(letter):
            assert "{" not in text, text  # every name placeholder is filled


def test_rule_parameters_keep_their_date_placeholders_and_the_source_is_untouched():
    """物 第7条 "上任3个月内": the term start is filled per compound, not in the letter."""
    starts = [
        item["params"]["start"]
        for item in letters.PMC_LETTER["items"]
        if "start" in (item.get("params") or {})
    ]
    assert starts == ["{term_start}"]
    assert seed.PMC_LETTER["title"] == "{community}{compound}小区物业管理会服务承诺"
    source = next(i for i in seed.PMC_LETTER["items"] if "start" in (i.get("params") or {}))
    copied = next(i for i in letters.PMC_LETTER["items"] if i["number"] == source["number"])
    assert copied["params"] == source["params"]
    assert copied["params"] is not source["params"]


def test_as_written_fills_strings_lists_and_dicts_and_keeps_other_values():
    """The seed's own names in place of the placeholders, whatever holds them."""
    assert letters._as_written("{compound}小区") == "江南花山郡小区"
    assert letters._as_written(["{community}", 3]) == ["普安社区", 3]
    params = {"x": "{compound}", "also": [{"y": "{year}"}]}
    written = letters._as_written({"a": "{pmc_phone}", "params": params})
    assert written == {"a": "027-81818577", "params": params}  # parameters keep theirs
    assert written["params"]["also"] is not params["also"]  # a deep copy: the seed stays
    assert letters._as_written(7) == 7
    assert letters._as_written(None) is None


def test_letter_params_fill_the_year_and_the_term_start():
    """物 第7条 "上任3个月内": from the PMC's term start, else 1 January of the year."""
    params = {
        "start": "{term_start}",
        "due": "{year}-03-31",
        "also": [{"params": {"d": "{year}"}}],
        "n": 3,
    }
    filled = letters.letter_params(params, year=2026, term_start=dt.date(2026, 5, 6))
    assert filled == {
        "start": "2026-05-06",
        "due": "2026-03-31",
        "also": [{"params": {"d": "2026"}}],
        "n": 3,
    }
    assert letters.letter_params(params, year=2027)["start"] == "2027-01-01"
    assert params["start"] == "{term_start}"  # the template is not changed
