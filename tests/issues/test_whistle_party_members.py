"""The whistle summons party members in person (党员报到): who is listed, who reports in,
and the summonses the form refuses.

seed: 协同联动解决小区事务流程 第三条 (社区吹哨、党员报到).

Split out of the former tests/issues/test_gaps.py ("gaps closed after issue 3", issue 15
item 9); shared fixtures in tests/issues/conftest.py, helpers in tests/issues/helpers.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from huashan.notify.models import Notification
from issues.models import WhistleSummons
from tests.factories.directory import MembershipFactory, PersonFactory
from tests.factories.world import compound_world
from tests.issues.helpers import SQLISH, Role, act, manage_url, transferred

pytestmark = pytest.mark.django_db


@pytest.fixture
def party(world):
    """Party members of the compound party org and the community party org, and outsiders."""
    compound_member = MembershipFactory(
        organization=world.orgs.compound_party, role=Role.PARTY_MEMBER
    ).person
    community_member = MembershipFactory(
        organization=world.orgs.community_party, role=Role.PARTY_MEMBER
    ).person
    former = MembershipFactory(
        organization=world.orgs.compound_party,
        role=Role.PARTY_MEMBER,
        start=dt.date(2019, 1, 1),
        end=dt.date(2020, 1, 1),
    ).person
    inactive = MembershipFactory(
        organization=world.orgs.compound_party,
        role=Role.PARTY_MEMBER,
        person=PersonFactory(is_active=False),
    ).person
    elsewhere = MembershipFactory(
        organization=compound_world().orgs.compound_party, role=Role.PARTY_MEMBER
    ).person
    return {
        "compound": compound_member,
        "community": community_member,
        "former": former,
        "inactive": inactive,
        "elsewhere": elsewhere,
    }


def test_whistle_form_lists_only_current_party_members_of_the_compound(client, world, party):
    issue = transferred(world)
    client.force_login(world.people.community_party)
    page = client.get(manage_url(issue))
    form = dict((n, f) for n, _label, f in page.context["actions"])["whistle"]
    offered = set(form.fields["persons"].queryset)
    assert {party["compound"], party["community"]} <= offered
    assert world.people.compound_party in offered  # the secretary is a party member too
    for name in ("former", "inactive", "elsewhere"):
        assert party[name] not in offered
    assert world.resident not in offered
    assert world.people.community_party not in offered  # not herself
    assert 'name="whistle-persons"' in page.content.decode()


def test_whistle_summons_party_members_who_report_in_on_the_page(client, world, party):
    """seed: 协同联动 第三条 — 社区吹哨、党员报到: a summoned party member reports in."""
    issue = transferred(world)
    member = party["compound"]
    client.force_login(world.people.community_party)
    response = act(
        client,
        issue,
        "whistle",
        {"level": "community", "persons": [member.pk], "reason": "需要党员入户沟通"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    summons = WhistleSummons.objects.get(whistle__issue=issue)
    assert summons.person == member
    assert summons.organization is None
    assert Notification.objects.filter(recipient=member).exists()
    # The party member holds no office, yet reaches the page the notice links to …
    client.force_login(member)
    page = client.get(manage_url(issue))
    assert page.status_code == 200
    assert world.resident.mobile not in page.content.decode()  # reporter still shielded
    assert page.context["actions"] == []  # … and may only report in.
    assert reverse("issues:queue") not in page.content.decode()  # no queue to go back to
    report = client.post(
        reverse("issues:summons_action", args=[issue.tracking_number, summons.pk, "report"]),
        {f"s{summons.pk}-contribution": "我负责入户沟通"},
    )
    assert report.status_code == 302
    summons.refresh_from_db()
    assert summons.reported_by == member
    # A party member who was not summoned still gets no staff page.
    client.force_login(party["community"])
    assert client.get(manage_url(issue)).status_code == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"level": "community", "reason": "多方协调"}, "organizations"),  # nobody summoned
        ({"level": "community", "persons": ["outsider"], "reason": "多方协调"}, "persons"),
        ({"level": "community", "persons": [SQLISH], "reason": "多方协调"}, "persons"),
        ({"level": "community", "persons": ["former"], "reason": "多方协调"}, "persons"),
        ({"level": "community", "persons": ["compound"], "reason": ""}, "reason"),
        ({"level": "community", "persons": ["compound"], "reason": "x" * 5000}, "reason"),
    ],
)
def test_whistle_form_refuses_bad_summons(client, world, party, data, field):
    issue = transferred(world)
    outsider = PersonFactory()
    people = {**party, "outsider": outsider}
    data = {
        k: [str(people[p].pk) if p in people else p for p in v] if k == "persons" else v
        for k, v in data.items()
    }
    client.force_login(world.people.community_party)
    response = act(client, issue, "whistle", data)
    assert response.status_code == 400
    form = dict((n, f) for n, _label, f in response.context["actions"])["whistle"]
    assert field in form.errors
    assert not WhistleSummons.objects.filter(whistle__issue=issue).exists()
    assert data["reason"][:100] in response.content.decode()  # what was typed is kept
