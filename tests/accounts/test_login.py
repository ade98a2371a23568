"""Login by mobile number + password, throttled by django-axes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.accounts.conftest import zh
from tests.factories.directory import DEFAULT_PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def post_login(client, mobile, password):
    return client.post(LOGIN, {"username": mobile, "password": password})


def test_login_page_in_chinese_with_mobile_label(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert zh("Mobile number") in html
    assert 'inputmode="numeric"' in html
    assert "用短信验证码登录" in html  # issue 21: sign in with a code beside the password


def test_login_good_password_redirects_home_and_greets(client):
    person = PersonFactory(mobile="13812345678", name="王小明")
    response = post_login(client, "13812345678", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(person.pk)
    home = client.get(reverse("core:home")).content.decode()
    assert "王小明" in home


def test_login_accepts_spaces_and_country_code(client):
    PersonFactory(mobile="13812345678")
    response = post_login(client, "+86 138 1234 5678", DEFAULT_PASSWORD)
    assert response.status_code == 302


def test_login_wrong_password_shows_one_vague_error(client):
    PersonFactory(mobile="13812345678")
    response = post_login(client, "13812345678", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert zh("Mobile number or password is incorrect.") in html
    # The typed mobile number is kept, the password is not echoed back.
    assert 'value="13812345678"' in html
    assert "wrong-password" not in html


def test_login_unknown_mobile_gets_the_same_error(client):
    response = post_login(client, "13900000000", "whatever-1234")
    assert zh("Mobile number or password is incorrect.") in response.content.decode()


@pytest.mark.parametrize("mobile", ["12345", "abcdefghijk", "1" * 5000, "", "<script>x</script>"])
def test_login_bad_mobile_is_a_field_error_not_500(client, mobile):
    response = post_login(client, mobile, "whatever-1234")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "<script>x</script>" not in response.content.decode()


def test_login_inactive_person_refused(client):
    PersonFactory(mobile="13812345678", is_active=False)
    response = post_login(client, "13812345678", DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_throttled_after_five_failures(client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    PersonFactory(mobile="13812345678")
    statuses = [post_login(client, "13812345678", f"wrong-{i}").status_code for i in range(5)]
    assert statuses[:4] == [200, 200, 200, 200]
    locked = post_login(client, "13812345678", DEFAULT_PASSWORD)
    assert locked.status_code == 429
    assert zh("Too many failed login attempts. Please try again in 15 minutes.") in (
        locked.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_throttle_is_per_mobile(client):
    PersonFactory(mobile="13812345678")
    PersonFactory(mobile="13812345679")
    for i in range(5):
        post_login(client, "13812345678", f"wrong-{i}")
    response = post_login(client, "13812345679", DEFAULT_PASSWORD)
    assert response.status_code == 302


def test_logout_requires_post(client, person):
    client.force_login(person)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
