"""huashan.core.api.exception_handler: a service's refusal answered the way the apps' API
answered it before (issue 15 item 4). The bodies and statuses are the ones the apps' API
tests assert (tests/issues/test_api_refusals.py, the
disclosures ledger ``rows``, the 403 ``detail``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from huashan.core.api import exception_handler


class Limited(ValidationError):
    """Stands for issues' RateLimited: a ValidationError the view answers with 429."""


def raising(error: Exception, **attrs) -> APIView:
    class View(APIView):
        permission_classes = (AllowAny,)
        authentication_classes = ()

        def post(self, request):
            raise error

    for name, value in attrs.items():
        setattr(View, name, value)
    return View.as_view()


def answer(error: Exception, **attrs):
    return raising(error, **attrs)(APIRequestFactory().post("/x/", {}, format="json"))


def test_the_handler_is_the_configured_one():
    assert api_settings.EXCEPTION_HANDLER is exception_handler


def test_field_errors_are_400_by_field_and_all_is_non_field_errors():
    response = answer(ValidationError({"note": ["too long"], "__all__": ["wrong state"]}))
    assert response.status_code == 400
    assert response.data == {"note": ["too long"], "non_field_errors": ["wrong state"]}


def test_a_message_without_a_field_is_400_non_field_errors():
    response = answer(ValidationError(["first", "second"]))
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["first", "second"]}


def test_a_ledgers_row_errors_are_listed_as_rows():
    error = ValidationError({"ledger": ["2 problems"]})
    error.row_errors = [
        SimpleNamespace(row=3, field="amount", message="not a number"),
        SimpleNamespace(row=None, field="total", message="totals differ"),
    ]
    response = answer(error)
    assert response.status_code == 400
    assert response.data == {
        "ledger": ["2 problems"],
        "rows": [
            {"row": 3, "field": "amount", "message": "not a number"},
            {"row": None, "field": "total", "message": "totals differ"},
        ],
    }


def test_permission_denied_with_a_message_is_403_with_that_detail():
    response = answer(PermissionDenied("只有受理单位可以受理。"))
    assert response.status_code == 403
    assert response.data == {"detail": "只有受理单位可以受理。"}


def test_permission_denied_without_a_message_says_the_views_detail():
    detail = gettext_lazy("You may not do this to this issue.")
    response = answer(PermissionDenied(), permission_denied_detail=detail)
    assert response.status_code == 403
    assert response.data == {"detail": gettext("You may not do this to this issue.")}
    assert response.data["detail"] != "You may not do this to this issue."  # in Chinese


def test_permission_denied_without_a_message_elsewhere_is_drfs_own_403():
    response = answer(PermissionDenied())
    assert response.status_code == 403
    assert str(response.data["detail"]) == gettext(
        "You do not have permission to perform this action."
    )


def test_a_views_throttled_error_is_429_with_its_messages():
    response = answer(Limited("提交过于频繁，请10分钟后再试。"), throttled_errors=(Limited,))
    assert response.status_code == 429
    assert response.data == {"detail": "提交过于频繁，请10分钟后再试。"}


def test_a_throttled_error_a_view_does_not_list_is_a_plain_400():
    response = answer(Limited("slow down"))
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["slow down"]}


def test_other_errors_go_to_drfs_handler():
    response = answer(Http404())
    assert response.status_code == 404
    with pytest.raises(RuntimeError):
        answer(RuntimeError("a bug is still a 500"))
