"""Fixtures for account tests: the default compound, a household, staff and residents."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.html import escape

from huashan.directory.models import Membership, Organization, Residency
from tests.factories.directory import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ResidencyFactory,
)


@pytest.fixture(autouse=True)
def _whitenoise_without_collectstatic(settings):
    # Until settings_test sets it: WhiteNoise warns (warnings are errors) when
    # STATIC_ROOT was never collected; autorefresh serves from the finders instead.
    settings.WHITENOISE_AUTOREFRESH = True


def zh(msgid: str) -> str:
    """The text a Chinese-speaking user sees for ``msgid``, HTML-escaped like the page."""
    with translation.override("zh-hans"):
        return escape(translation.gettext(msgid))


@pytest.fixture
def compound(db):
    return CompoundFactory(slug=settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡")


@pytest.fixture
def other_compound(db):
    return CompoundFactory(name="别的小区")


@pytest.fixture
def building(compound):
    return BuildingFactory(compound=compound, number="3栋")


@pytest.fixture
def household(building):
    return HouseholdFactory(building=building, unit="1单元", room="1502")


@pytest.fixture
def other_household(other_compound):
    return HouseholdFactory(building=BuildingFactory(compound=other_compound, number="9栋"))


def make_staff(compound, role=Membership.Role.STAFF):
    office = OrganizationFactory(
        kind=Organization.Kind.JOINT_MEETING_OFFICE, compound=compound, name="联席会议办公室"
    )
    return MembershipFactory(organization=office, role=role).person


@pytest.fixture
def staff(compound):
    return make_staff(compound)


@pytest.fixture
def other_staff(other_compound):
    return make_staff(other_compound)


@pytest.fixture
def resident(household):
    return ResidencyFactory(household=household, person=PersonFactory(name="王小明")).person


@pytest.fixture
def pending(household):
    return ResidencyFactory(
        household=household,
        person=PersonFactory(name="李待审"),
        status=Residency.Status.PENDING,
    )


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """The console SMS backend's record, empty at the start of every test."""
    from huashan.notify import sms

    settings.SMS_BACKEND = "console"
    settings.SMS_FILE_PATH = ""
    sms.console_outbox.clear()
    return sms.console_outbox


def last_code(outbox, mobile: str) -> str:
    """The code in the newest SMS sent to ``mobile`` (what the resident reads)."""
    sent = [m for m in outbox if m["mobile"] == mobile]
    assert sent, f"no SMS to {mobile}"
    return sent[-1]["params"]["code"]
