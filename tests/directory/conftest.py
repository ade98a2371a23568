"""Fixtures for directory tests: a compound with its PMC, staff, a resident, xlsx builders."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from huashan.directory.models import Membership, Organization
from tests.factories.directory import (
    CompoundFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ResidencyFactory,
)

HEADER = ["楼栋", "单元", "房号", "面积", "姓名", "手机", "关系"]


def xlsx_bytes(rows, header=HEADER, *, title_rows=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in title_rows:
        sheet.append(list(row))
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_upload(rows, header=HEADER, name="roster.xlsx", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        xlsx_bytes(rows, header, **kwargs),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture(autouse=True)
def _whitenoise_without_collectstatic(settings):
    # Until settings_test sets it: WhiteNoise warns (warnings are errors) when
    # STATIC_ROOT was never collected; autorefresh serves from the finders instead.
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def compound(db):
    return CompoundFactory(name="江南花山郡", slug="jiangnan-huashan")


@pytest.fixture
def pmc(compound):
    return OrganizationFactory(kind=Organization.Kind.PMC, compound=compound, name="物业管理委员会")


@pytest.fixture
def staff(pmc):
    """The PMC chair: may import the roster and verify residents of the compound."""
    return MembershipFactory(organization=pmc, role=Membership.Role.CHAIR).person


@pytest.fixture
def resident(compound):
    return ResidencyFactory(household=HouseholdFactory(building__compound=compound)).person


@pytest.fixture
def outsider(db):
    return PersonFactory()
