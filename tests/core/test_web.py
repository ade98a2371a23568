"""huashan.core.web: the compound a request names and a service's ValidationError on a
form (issue 15 item 4)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory, override_settings

from huashan.core.web import compound_from_request, form_add_service_error
from tests.factories.directory import CompoundFactory


class NoteForm(forms.Form):
    title = forms.CharField()
    extra = forms.CharField(required=False)


def bound_form() -> NoteForm:
    form = NoteForm(data={"title": "漏水", "extra": ""})
    assert form.is_valid()
    return form


def test_field_errors_go_on_their_fields_the_rest_on_non_field_errors():
    form = bound_form()
    error = ValidationError(
        {"title": ["标题重复。"], "__all__": ["状态不对。"], "reporter": ["不是本小区的人。"]}
    )
    form_add_service_error(form, error)
    assert form.errors["title"] == ["标题重复。"]
    assert form.non_field_errors() == ["状态不对。", "不是本小区的人。"]
    assert "reporter" not in form.errors
    assert form.cleaned_data == {
        "extra": ""
    }  # the field with an error is dropped, as add_error does


def test_a_message_without_a_field_is_a_non_field_error():
    form = bound_form()
    form_add_service_error(form, ValidationError(["第一条。", "第二条。"]))
    assert form.non_field_errors() == ["第一条。", "第二条。"]
    assert form.errors.keys() == {"__all__"}


def test_aliases_put_a_services_name_on_the_form_field_that_holds_it():
    form = bound_form()
    form_add_service_error(
        form, ValidationError({"params": ["阈值必须为正数。"]}), {"params": "extra"}
    )
    assert form.errors["extra"] == ["阈值必须为正数。"]
    assert not form.non_field_errors()


@pytest.mark.django_db
@override_settings(HUASHAN_DEFAULT_COMPOUND="portal-compound")
def test_compound_from_request_url_then_query_then_the_portals():
    portal = CompoundFactory(slug="portal-compound")
    other = CompoundFactory(slug="other-compound")
    factory = RequestFactory()
    assert compound_from_request(factory.get("/")) == portal
    assert compound_from_request(factory.get("/?compound=other-compound")) == other
    assert (
        compound_from_request(factory.get("/?compound=other-compound"), "portal-compound") == portal
    )


@pytest.mark.django_db
def test_compound_from_request_unknown_or_overlong_slug_is_404():
    CompoundFactory(slug="x" * 50)
    factory = RequestFactory()
    with pytest.raises(Http404):
        compound_from_request(factory.get("/?compound=nowhere"))
    # input longer than a slug is cut, never looked up whole
    assert compound_from_request(factory.get("/?compound=" + "x" * 80)).slug == "x" * 50
