"""The register of exclusive units and owners.

最高人民法院《关于审理建筑物区分所有权纠纷案件适用法律若干问题的解释》第九条:
"同一买受人拥有一个以上专有部分的，按一人计算"; "建设单位尚未出售和虽已出售但尚未交付的部分……
按一人计算".
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from meetings.models import UnitOwnership
from meetings.services import motions as motion_services
from tests.factories.directory import HouseholdFactory

pytestmark = pytest.mark.django_db


def _client(person):
    client = Client()
    client.force_login(person)
    return client


def test_register_page_records_developer_stock_and_one_buyer(world):
    units = [HouseholdFactory(building=world.building, area=Decimal("100")) for _ in range(4)]
    url = reverse("meetings:unit_register") + f"?compound={world.compound.slug}"
    clerk = _client(world.meeting_clerk)
    before = clerk.get(url)
    assert before.status_code == 200
    _area, owners, count = motion_services.compound_register_totals(compound=world.compound)
    assert (owners, count) == (6, 6)  # 2 residents' units + 4 units of their own
    for unit in units[:2]:
        assert (
            clerk.post(url, {"unit-household": unit.pk, "unit-developer_stock": "on"}).status_code
            == 302
        )
    for unit in units[2:]:
        response = clerk.post(
            url, {"unit-household": unit.pk, "unit-holder_ref": "420115A", "unit-holder_name": "甲"}
        )
        assert response.status_code == 302
    _area, owners, count = motion_services.compound_register_totals(compound=world.compound)
    assert (owners, count) == (4, 6)  # developer 1 + buyer 甲 1 + the two residents
    page = clerk.get(url).content.decode()
    assert "person:" not in page
    assert "unit:" not in page


def test_register_refuses_bad_input_and_outsiders(world):
    unit = HouseholdFactory(building=world.building)
    url = reverse("meetings:unit_register") + f"?compound={world.compound.slug}"
    clerk = _client(world.meeting_clerk)
    bad_mobile = clerk.post(url, {"unit-household": unit.pk, "unit-owner_mobile": "<script>"})
    assert bad_mobile.status_code == 400
    assert "&lt;script&gt;" in bad_mobile.content.decode()  # what was typed is kept, escaped
    foreign = HouseholdFactory()
    assert clerk.post(url, {"unit-household": foreign.pk}).status_code == 400
    assert (
        clerk.post(url, {"unit-household": unit.pk, "unit-holder_ref": "x" * 41}).status_code == 400
    )
    both = clerk.post(
        url, {"unit-household": unit.pk, "unit-developer_stock": "on", "unit-holder_ref": "R1"}
    )
    assert both.status_code == 400
    assert not UnitOwnership.objects.exists()
    assert _client(world.resident).get(url).status_code == 403
    assert (
        _client(world.people.property_company).post(url, {"unit-household": unit.pk}).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        motion_services.register_set_unit(actor=world.people.property_company, household=unit)
    with pytest.raises(ValidationError):
        motion_services.register_set_unit(
            actor=world.meeting_clerk, household=unit, developer_stock=True, holder_ref="R1"
        )


def test_register_page_queries_do_not_grow(world, django_assert_max_num_queries):
    url = reverse("meetings:unit_register") + f"?compound={world.compound.slug}"
    clerk = _client(world.meeting_clerk)
    clerk.get(url)
    for n in range(30):
        unit = HouseholdFactory(building=world.building)
        UnitOwnership.objects.create(household=unit, holder_ref=f"R{n % 3}")
    with django_assert_max_num_queries(25):
        assert clerk.get(url).status_code == 200
