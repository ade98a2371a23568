"""The filing form: the hazard box (defaulting from the category, the three-day clock) and
the filing compound (the resident's verified household, a choice, the fallbacks).

seed: 小区党组织服务承诺 第7条 (安全隐患 3 日内整改); 协同联动解决小区事务流程 第一条.

Split out of the former tests/issues/test_gaps.py ("gaps closed after issue 3", issue 15
item 9); shared fixtures in tests/issues/conftest.py, helpers in tests/issues/helpers.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from huashan.workdays import HAZARD_3_DAYS, deadline
from issues.models import Issue
from tests.factories.directory import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    ResidencyFactory,
)
from tests.factories.world import compound_world
from tests.issues.helpers import CN, HOSTILE, SQLISH, T0, category, zh

pytestmark = pytest.mark.django_db


def step1(world, cat, **overrides) -> dict:
    data = {
        "category": str(cat.pk),
        "building": str(world.building.pk),
        "unit": "2单元",
        "location_text": "楼道",
        "description": "楼道里电线裸露，小孩容易碰到",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def test_filing_form_has_a_hazard_box_defaulting_from_the_category(client, world):
    client.force_login(world.resident)
    page = client.get(reverse("issues:file")).content.decode()
    assert 'name="is_hazard"' in page
    elevator = category("elevator")
    assert f'value="{elevator.pk}" data-safety="1"' in page  # issues.js ticks the box
    assert f'value="{category().pk}" data-safety' not in page
    form = client.get(reverse("issues:file")).context["form"]
    assert form["is_hazard"].value() is False  # environment comes first: not a hazard
    # Coming back from step 2 with a safety category, the box is ticked.
    client.post(reverse("issues:file"), step1(world, elevator))
    back = client.get(reverse("issues:file")).context["form"]
    assert back["is_hazard"].value() is True


def test_resident_flags_a_hazard_and_gets_the_three_day_clock(client, world):
    """seed: 小区党组织服务承诺 第7条 — safety hazards fixed within 3 days."""
    client.force_login(world.resident)
    with time_machine.travel(T0, tick=False):
        client.post(reverse("issues:file"), step1(world, category(), is_hazard="on"))
        confirm = client.get(reverse("issues:file_confirm")).content.decode()
        assert zh("safety hazard") in confirm
        done = client.post(reverse("issues:file_confirm"), {})
    assert done.status_code == 302
    issue = Issue.objects.get()
    assert issue.is_hazard
    assert issue.hazard_due == deadline(T0, HAZARD_3_DAYS)
    assert issue.hazard_due == dt.datetime(2025, 11, 7, 0, 0, tzinfo=CN)  # 3 days, to 24:00


def test_unticked_box_keeps_the_category_default(client, world):
    client.force_login(world.resident)
    client.post(reverse("issues:file"), step1(world, category("elevator")))  # box not ticked
    client.post(reverse("issues:file_confirm"), {})
    client.post(reverse("issues:file"), step1(world, category(), description="垃圾没有清运"))
    client.post(reverse("issues:file_confirm"), {})
    elevator_issue, plain = Issue.objects.order_by("pk")
    assert elevator_issue.is_hazard
    assert elevator_issue.hazard_due
    assert not plain.is_hazard
    assert plain.hazard_due is None


@pytest.mark.parametrize(
    ("value", "ticked"), [("yes", True), ("false", False), (HOSTILE, True), ("x" * 5000, True)]
)
def test_hazard_box_odd_values_never_break_the_form(client, world, value, ticked):
    client.force_login(world.resident)
    response = client.post(reverse("issues:file"), step1(world, category(), is_hazard=value))
    assert response.status_code == 302  # a checkbox: any value but "false" means ticked
    client.post(reverse("issues:file_confirm"), {})
    assert Issue.objects.get().is_hazard is ticked


def test_filing_compound_is_the_residents_verified_household(client, world):
    home = compound_world()  # another compound where the person lives, verified
    person = home.resident
    client.force_login(person)
    page = client.get(reverse("issues:file"))
    assert page.context["compound"] == home.compound
    # ?compound= of a compound they do not live in does not move the complaint there.
    page = client.get(reverse("issues:file"), {"compound": world.compound.slug})
    assert page.context["compound"] == home.compound
    response = client.post(
        f"{reverse('issues:file')}?compound={world.compound.slug}",
        step1(home, category(), building=str(home.building.pk)),
    )
    assert response.status_code == 302
    assert client.post(response.url, {}).status_code == 302
    assert Issue.objects.get().compound == home.compound


def test_filing_compound_choice_among_several_verified_households(client, world):
    person = world.resident
    second = compound_world()
    ResidencyFactory(person=person, household=HouseholdFactory(building=second.building))
    client.force_login(person)
    chosen = client.get(reverse("issues:file"), {"compound": second.compound.slug})
    assert chosen.context["compound"] == second.compound
    default = client.get(reverse("issues:file"), {"compound": SQLISH})
    assert default.context["compound"] in (world.compound, second.compound)


def test_filing_compound_falls_back_to_query_then_default(client, world):
    other = CompoundFactory()
    BuildingFactory(compound=other)
    pending = ResidencyFactory(
        household=HouseholdFactory(building=BuildingFactory(compound=other)), status="pending"
    ).person
    client.force_login(pending)  # not verified: the query string decides
    assert client.get(reverse("issues:file"), {"compound": other.slug}).context["compound"] == other
    assert client.get(reverse("issues:file")).context["compound"] == world.compound
    client.logout()
    assert client.get(reverse("issues:file"), {"compound": other.slug}).context["compound"] == other
    assert client.get(reverse("issues:file")).context["compound"] == world.compound
    assert client.get(reverse("issues:file"), {"compound": "no-such"}).status_code == 404
