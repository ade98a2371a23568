"""templates/core/field.html is the one field markup every app's forms use (issue 15
item 4): the apps' own ``_field.html`` render exactly what it renders."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import render_to_string


class SampleForm(forms.Form):
    title = forms.CharField(label="标题", help_text="写清楚是哪里。")
    urgent = forms.BooleanField(label="有安全隐患", required=False)
    kind = forms.ChoiceField(
        label="类别", choices=[("a", "甲"), ("b", "乙")], widget=forms.RadioSelect
    )


def fields():
    form = SampleForm(data={"title": "", "kind": "a"})
    form.is_valid()
    return form["title"], form["urgent"], form["kind"]


def render(template: str, field) -> str:
    return render_to_string(template, {"field": field})


def test_a_field_with_an_error_shows_label_help_and_the_error_next_to_it():
    title, _, _ = fields()
    html = render("core/field.html", title)
    assert 'class="form-field has-error"' in html
    assert '<label for="id_title">标题 <span class="required-mark"' in html
    assert '<p class="help" id="id_title_helptext">写清楚是哪里。</p>' in html
    assert 'class="field-error" role="alert" data-field="title"' in html


def test_a_checkbox_sits_in_its_label_and_choices_in_a_fieldset():
    _, urgent, kind = fields()
    assert '<label class="choice" for="id_urgent"><input type="checkbox"' in render(
        "core/field.html", urgent
    )
    radio = render("core/field.html", kind)
    assert "<fieldset><legend>类别" in radio
    assert radio.index("<fieldset>") < radio.index('type="radio"') < radio.index("</fieldset>")


@pytest.mark.parametrize("template", ["issues/_field.html", "pledges/_field.html"])
def test_the_apps_field_templates_are_the_core_one(template):
    for field in fields():
        assert render(template, field).strip() == render("core/field.html", field).strip()
