"""Resident self-registration with a household claim."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huashan.accounts import services
from huashan.directory.models import Person, Residency, ResidencyEvent
from tests.accounts.conftest import zh
from tests.factories.directory import PersonFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("accounts:register")
GOOD_PASSWORD = "Plum-blossom-2026"


def verified(mobile: str) -> str:
    """A registration code for ``mobile``, as the resident reads it in the SMS (issue 21)."""
    from huashan.accounts.codes import code_request

    return code_request(request=None, mobile=mobile, purpose="register").code


@pytest.fixture
def data(compound, building, household):
    return {
        "mobile": "13712345678",
        "code": verified("13712345678"),
        "name": "赵六",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "compound": str(compound.pk),
        "building": str(building.pk),
        "unit": "1单元",
        "room": "1502",
        "relation": "owner",
    }


def test_register_page_preselects_default_compound(client, compound, building):
    html = client.get(REGISTER).content.decode()
    assert f'<option value="{compound.pk}" selected>江南花山郡</option>' in html
    assert '<optgroup label="江南花山郡">' in html
    assert "3栋" in html


def test_register_creates_pending_claim_and_sends_to_login(client, data, household):
    response = client.post(REGISTER, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:code_login")
    person = Person.objects.get(mobile="13712345678")
    assert person.name == "赵六"
    assert person.check_password(GOOD_PASSWORD)
    residency = Residency.objects.get(person=person)
    assert residency.household == household
    assert residency.status == Residency.Status.PENDING
    assert residency.relation == Residency.Relation.OWNER
    event = ResidencyEvent.objects.get(residency=residency)
    assert (event.verb, event.actor, event.to_state) == ("registered", person, "pending")
    # Not logged in: a taken number must get the very same answer (issue 14 item 7).
    assert "_auth_user_id" not in client.session
    login = client.get(response["Location"]).content.decode()
    assert (
        zh(
            "Registration received. Log in with your mobile number and an SMS code (or your "
            "password, if you set one). Your household claim waits for verification by the "
            "staff. (If this number already had an account, nothing was changed and its owner "
            "was told.)"
        )
        in login
    )
    client.post(reverse("accounts:login"), {"username": "13712345678", "password": GOOD_PASSWORD})
    me = client.get(reverse("accounts:me")).content.decode()
    assert zh("Waiting for verification") in me


def test_register_tolerates_unit_without_suffix(client, data, household):
    data["unit"] = "1"
    assert client.post(REGISTER, data).status_code == 302
    assert Residency.objects.get(person__mobile="13712345678").household == household


def without_tokens(response) -> str:
    import re

    return re.sub(r'value="[A-Za-z0-9]{32,64}"', 'value=""', response.content.decode())


def _answer(client, data):
    response = client.post(REGISTER, data)
    page = client.get(response["Location"]) if response.status_code == 302 else None
    return response, page


def test_register_answers_a_taken_number_exactly_like_a_new_one(data, household):
    """Issue 14 item 7: no "该手机号已注册" — the page must not tell who has an account;
    the owner of the taken number is told instead, and nothing of theirs changes."""
    from django.test import Client

    from huashan.accounts.models import AccountEvent
    from huashan.notify.models import Notification

    owner = PersonFactory(mobile="13712345678", name="原主人", email="owner@example.cn")
    old_hash = owner.password
    taken, taken_page = _answer(Client(), data)
    data["mobile"] = "13712340000"
    data["code"] = verified("13712340000")
    new, new_page = _answer(Client(), data)

    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert taken_page.status_code == new_page.status_code == 200
    assert without_tokens(taken_page) == without_tokens(new_page)
    assert "该手机号已注册" not in taken_page.content.decode()
    # Nothing of the owner's changed, no second account, no claim in their name.
    owner.refresh_from_db()
    assert owner.password == old_hash
    assert owner.name == "原主人"
    assert Person.objects.filter(mobile="13712345678").count() == 1
    assert not Residency.objects.filter(person=owner).exists()
    # The owner is told: an inbox message and an e-mail, and an account event.
    told = Notification.objects.filter(recipient=owner)
    assert set(told.values_list("channel", flat=True)) == {"inbox", "email"}
    assert all("137****5678" in n.body for n in told)
    event = AccountEvent.objects.get(person=owner)
    assert event.verb == AccountEvent.Verb.REGISTRATION_ATTEMPTED
    assert event.phrase  # shown as words in the history, never as the code


def test_every_account_event_verb_has_a_phrase():
    """Every verb the account services write is shown as words (docs/glossary.md)."""
    import re
    from pathlib import Path

    from huashan.accounts.models import AccountEvent

    source = Path(services.__file__).read_text()
    used = set(re.findall(r"AccountEvent\.Verb\.([A-Z_]+)", source))
    assert used
    for name in used:
        value = AccountEvent.Verb[name].value
        assert value in AccountEvent.VERB_LABELS, value


def test_service_rejects_duplicate_mobile(household):
    PersonFactory(mobile="13712345678")
    with pytest.raises(services.ValidationError) as caught:
        services.person_register(
            mobile="13712345678",
            name="x",
            password=GOOD_PASSWORD,
            household=household,
            relation="owner",
        )
    assert caught.value.code == "duplicate_mobile"
    assert Residency.objects.count() == 0


@pytest.mark.parametrize("mobile", ["12345678901", "1381234567", "abc", "138123456789999"])
def test_register_bad_mobile(client, data, mobile):
    data["mobile"] = mobile
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not Person.objects.exists()
    assert zh("Enter an 11-digit mainland mobile number, e.g. 13812345678.") in (
        response.content.decode()
    )


def test_register_mismatched_passwords_keeps_other_values(client, data):
    data["password2"] = "Something-else-99"
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not Person.objects.exists()
    html = response.content.decode()
    assert zh("The two passwords do not match.") in html
    # Nothing typed is lost, except the passwords.
    assert 'value="13712345678"' in html
    assert 'value="赵六"' in html
    assert 'value="1502"' in html
    assert GOOD_PASSWORD not in html


def test_register_weak_password_refused(client, data):
    data["password1"] = data["password2"] = "12345678"
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not Person.objects.exists()
    assert 'class="form-field has-error"' in response.content.decode()


def test_register_oversized_name(client, data):
    data["name"] = "张" * 10_000
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not Person.objects.exists()
    assert 'class="field-error"' in response.content.decode()


def test_register_hostile_name_is_escaped(client, data):
    data["name"] = "<script>alert(1)</script>"
    response = client.post(REGISTER, data)
    assert response.status_code == 302
    person = Person.objects.get(mobile="13712345678")
    assert person.name == "<script>alert(1)</script>"
    client.force_login(person)
    html = client.get(reverse("accounts:me")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_register_building_of_another_compound(client, data, other_household):
    data["building"] = str(other_household.building.pk)
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not Person.objects.exists()
    assert zh("This building is not in the chosen compound. Choose again.") in (
        response.content.decode()
    )


@pytest.mark.parametrize("value", ["999999", "abc", "", "-1", "1" * 400])
def test_register_nonexistent_building(client, data, value):
    data["building"] = value
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not Person.objects.exists()


@pytest.mark.parametrize("value", ["999999", "abc", ""])
def test_register_nonexistent_compound(client, data, value):
    data["compound"] = value
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not Person.objects.exists()


def test_register_nonexistent_room(client, data):
    data["room"] = "9999"
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not Person.objects.exists()
    html = response.content.decode()
    assert "该楼栋没有这一户" in html
    assert 'value="9999"' in html


@pytest.mark.parametrize("relation", ["landlord", "", "<b>"])
def test_register_bad_relation(client, data, relation):
    data["relation"] = relation
    response = client.post(REGISTER, data)
    assert response.status_code == 200
    assert not Person.objects.exists()


def test_register_empty_post_shows_errors(client, compound):
    response = client.post(REGISTER, {})
    assert response.status_code == 200
    assert response.content.decode().count('class="field-error"') >= 6


def test_register_redirects_logged_in_person(client, person):
    client.force_login(person)
    response = client.get(REGISTER)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:me")
