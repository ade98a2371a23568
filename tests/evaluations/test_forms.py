"""evaluations/forms.py parses what was typed (issue 15 item 8); the services decide.

seed: 评议监督考核制度 第三条 (criteria and points set by the street) and 第五条 (grades).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from evaluations import forms


def test_criterion_form_refuses_a_non_number_with_a_chinese_message_per_field():
    form = forms.CriterionForm(
        {"group_name": "组", "name": "项", "max_score": "十", "weight": "-1"}
    )
    with translation.override("zh-hans"):
        assert not form.is_valid()
        errors = form.errors
    assert set(errors) == {"max_score", "weight"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in errors["max_score"])


def test_criterion_form_gives_the_service_its_values():
    form = forms.CriterionForm(
        {"group_name": " 组 ", "name": "项", "max_score": "10", "weight": ""}
    )
    assert form.is_valid()
    assert form.cleaned_data == {
        "group_name": " 组 ",
        "name": "项",
        "max_score": 10,
        "weight": None,
    }


def test_settings_form_bands_and_stars_or_trimming_only():
    form = forms.SettingsForm(
        {
            "trim_extremes": "on",
            "band_excellent": "90",
            "band_good": "75.5",
            "band_pass": "60",
            "star_thresholds": "20，40、60 80",
        }
    )
    assert form.is_valid()
    assert form.values == {
        "trim_extremes": True,
        "band_excellent": Decimal("90.00"),
        "band_good": Decimal("75.50"),
        "band_pass": Decimal("60.00"),
        "star_thresholds": [20, 40, 60, 80],
    }
    only_trim = forms.SettingsForm({})
    assert only_trim.is_valid()
    assert only_trim.values == {"trim_extremes": False}


def test_settings_form_errors_are_keyed_by_field():
    form = forms.SettingsForm(
        {"band_excellent": "101", "band_good": "7.555", "band_pass": "x", "star_thresholds": "a"}
    )
    assert not form.is_valid()
    assert set(form.errors) == {"band_excellent", "band_good", "band_pass", "star_thresholds"}
    assert set(forms.errors_of(form).message_dict) == set(form.errors)
