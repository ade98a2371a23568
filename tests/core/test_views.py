"""Home page, base layout and error pages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.views import defaults

from huashan.directory.models import Residency
from tests.factories.directory import (
    CompoundFactory,
    HouseholdFactory,
    PersonFactory,
    ResidencyFactory,
)

HOME = reverse("core:home")


@pytest.fixture(autouse=True)
def _whitenoise_without_collectstatic(settings):
    # WhiteNoise warns (warnings are errors) when STATIC_ROOT was never collected.
    settings.WHITENOISE_AUTOREFRESH = True


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return escape(translation.gettext(msgid))


@pytest.fixture
def compound(db):
    return CompoundFactory(
        slug=settings.HUASHAN_DEFAULT_COMPOUND,
        name="江南花山郡",
        community__name="普安社区",
        community__street__name="江夏经济开发区",
    )


@pytest.mark.django_db
def test_home_names_compound_community_and_street(client, compound):
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "<h1>江南花山郡</h1>" in html
    assert "普安社区" in html
    assert "江夏经济开发区" in html


@pytest.mark.django_db
def test_home_without_compound_falls_back_to_plain_name(client):
    html = client.get(HOME).content.decode()
    assert "<h1>江南花山郡</h1>" in html
    assert "INVALID_TEMPLATE_VARIABLE" not in html


@pytest.mark.django_db
def test_home_shows_hotlines_from_the_pledges(client, compound):
    html = client.get(HOME).content.decode()
    assert 'href="tel:02787913119">027-87913119</a>' in html
    assert 'href="tel:02781818577">027-81818577</a>' in html


@pytest.mark.django_db
def test_home_anonymous_nav_has_login_and_register(client, compound):
    html = client.get(HOME).content.decode()
    assert f'href="{reverse("accounts:login")}"' in html
    assert f'href="{reverse("accounts:register")}"' in html
    assert reverse("accounts:logout") not in html


@pytest.mark.django_db
def test_home_greets_resident_by_name_with_pending_status(client, compound):
    household = HouseholdFactory(building__compound=compound)
    person = ResidencyFactory(
        household=household, person=PersonFactory(name="王小明"), status=Residency.Status.PENDING
    ).person
    client.force_login(person)
    html = client.get(HOME).content.decode()
    assert "王小明" in html
    assert 'class="alert alert-warning"' in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert f'href="{reverse("accounts:login")}"' not in html


@pytest.mark.django_db
def test_home_escapes_hostile_name(client, compound):
    client.force_login(PersonFactory(name="<script>alert(1)</script>"))
    html = client.get(HOME).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_home_switches_to_english(client, compound):
    response = client.post(reverse("set_language"), {"language": "en", "next": HOME}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "江南花山郡" in html
    assert "Supervision hotline" in html
    back = client.post(reverse("set_language"), {"language": "zh-hans", "next": HOME}, follow=True)
    assert '<html lang="zh-hans">' in back.content.decode()


@pytest.mark.django_db
def test_home_entries_appear_only_for_installed_modules(client, compound, monkeypatch):
    from huashan.core import views

    monkeypatch.setattr(
        views,
        "HOME_ENTRIES",
        (
            ("accounts:register", "Installed module", "present"),
            ("nosuchapp:board", "Missing module", "absent"),
        ),
    )
    html = client.get(HOME).content.decode()
    assert "Installed module" in html
    assert "Missing module" not in html


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(client, compound):
    """CSP forbids inline code: every script has a src, nothing uses style=."""
    for url in (HOME, reverse("accounts:login"), reverse("accounts:register")):
        html = client.get(url).content.decode()
        assert " style=" not in html
        assert "<style" not in html
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag
        assert 'name="viewport"' in html


@pytest.mark.django_db
def test_staff_warnings_rendered_for_staff(rf, compound):
    from huashan.directory.models import Membership, Organization
    from tests.factories.directory import MembershipFactory, OrganizationFactory

    office = OrganizationFactory(kind=Organization.Kind.JOINT_MEETING_OFFICE, compound=compound)
    staff = MembershipFactory(organization=office, role=Membership.Role.STAFF).person
    request = rf.get(HOME)
    request.user = staff
    html = render_to_string(
        "base.html", {"staff_warnings": ["日历只覆盖到2026年"], "user": staff}, request=request
    )
    assert '<div class="staff-warnings" role="alert">' in html
    assert '<p class="alert alert-warning">日历只覆盖到2026年</p>' in html


@pytest.mark.django_db
def test_404_page_in_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert zh("Page not found") in html
    assert "INVALID_TEMPLATE_VARIABLE" not in html


def test_500_page_needs_no_database_or_context():
    request = RequestFactory().get("/")
    response = defaults.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert zh("Something went wrong on our side") in html
    assert "027-87913119" in html
    assert "INVALID_TEMPLATE_VARIABLE" not in html


@pytest.mark.django_db
def test_403_page(client, person):
    client.force_login(person)
    response = client.get(reverse("accounts:residency_queue"))
    assert response.status_code == 403
    assert zh("Access denied") in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_page_is_friendly(settings, compound):
    settings.CSRF_FAILURE_VIEW = "huashan.core.views.csrf_failure"
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "13800000000"})
    assert response.status_code == 403
    html = response.content.decode()
    assert zh("This page has expired") in html
    assert "INVALID_TEMPLATE_VARIABLE" not in html


def test_csrf_template_renders_without_request():
    html = render_to_string("403_csrf.html", {"reason": "x"})
    assert zh("This page has expired") in html


@pytest.mark.django_db
def test_unread_badge_in_resident_nav(rf, person):
    request = rf.get(HOME)
    request.user = person
    html = render_to_string(
        "base.html", {"unread_notifications": 3, "user": person}, request=request
    )
    assert '<span class="badge"' in html
    assert ">3</span>" in html
    quiet = render_to_string(
        "base.html", {"unread_notifications": 0, "user": person}, request=request
    )
    assert '<span class="badge"' not in quiet


@pytest.mark.django_db
def test_header_checks_staff_membership_once_per_page(client, compound):
    """The context processor's answer is reused by the header's {% is_staff_person %}."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huashan.directory.models import Membership, Organization
    from tests.factories.directory import MembershipFactory, OrganizationFactory

    office = OrganizationFactory(kind=Organization.Kind.JOINT_MEETING_OFFICE, compound=compound)
    staff = MembershipFactory(organization=office, role=Membership.Role.STAFF).person
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(HOME).content.decode()
    membership_checks = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "directory_membership"' in q["sql"] and "LIMIT 1" in q["sql"]
    ]
    assert reverse("accounts:residency_queue") in html  # the staff navigation is shown
    assert len(membership_checks) == len(set(membership_checks)), membership_checks
