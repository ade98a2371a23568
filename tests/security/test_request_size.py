"""Nothing limited the request size before the view (issue 14 items 5 and 8).

``RequestSizeLimitMiddleware`` answers a declared body above
``HUASHAN_MAX_REQUEST_BYTES`` with a 413 in the visitor's language, before CSRF, the
session or the view read a byte; the cap leaves room for the largest real request, a
complaint with 6 photos of 10 MB (huashan/core/photos.py).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from huashan.core.photos import MAX_PHOTO_BYTES, MAX_PHOTOS
from issues.models import Issue

FORM_ROOM = 64 * 1024  # the form's text fields and the multipart boundaries


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_the_cap_fits_a_full_filing_and_little_more():
    largest_filing = MAX_PHOTOS * MAX_PHOTO_BYTES + FORM_ROOM
    assert largest_filing <= settings.HUASHAN_MAX_REQUEST_BYTES
    assert largest_filing + 4 * 1024 * 1024 >= settings.HUASHAN_MAX_REQUEST_BYTES
    assert settings.MIDDLEWARE[0] == "huashan.core.middleware.RequestSizeLimitMiddleware"
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024


@pytest.mark.django_db
def test_an_oversized_filing_is_refused_before_the_view_in_chinese():
    client = Client(enforce_csrf_checks=True)  # the 413 comes before CSRF reads the body
    too_big = settings.HUASHAN_MAX_REQUEST_BYTES + 1
    response = client.post(
        reverse("issues:file"),
        data=b"x" * 10,
        content_type="multipart/form-data; boundary=zzz",
        CONTENT_LENGTH=str(too_big),
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert zh("What you sent is too large") in html
    assert "62 MB" in html
    assert response["Cache-Control"] == "no-store"
    assert not Issue.objects.exists()


@pytest.mark.django_db
def test_the_page_follows_the_visitors_language():
    response = Client().post(
        reverse("accounts:login"),
        data=b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.HUASHAN_MAX_REQUEST_BYTES + 1),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_json(settings):
    settings.HUASHAN_MAX_REQUEST_BYTES = 1000
    response = Client().post(
        "/open311/v2/requests.json", data=b"a=" + b"x" * 2000, content_type="text/plain"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert (
        zh(
            "The request is too large (more than %(mb)s MB). Send smaller photos or "
            "fewer at a time."
        )
        % {"mb": 0}
        == response.json()["detail"]
    )


@pytest.mark.django_db
def test_a_body_under_the_cap_reaches_the_view(settings):
    settings.HUASHAN_MAX_REQUEST_BYTES = 1000
    response = Client().post(reverse("accounts:login"), {"username": "138", "password": "x"})
    assert response.status_code == 200  # the form, with its errors


@pytest.mark.django_db
def test_a_garbage_length_is_left_to_django():
    response = Client().get(reverse("accounts:login"), CONTENT_LENGTH="lots")
    assert response.status_code == 200
