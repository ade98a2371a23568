"""Factories for residents' complaints, and a ready-made compound with its bodies.

``issue_world()`` builds one compound (with its community and street), one
organization of every kind the three-tier process names, and one staff person
in each, so tests can say ``world.people.property_company`` instead of
wiring memberships by hand.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from huashan.directory.models import Membership, Organization
from issues.models import (
    Category,
    Issue,
    IssueEvent,
    Referral,
    Satisfaction,
    Whistle,
    WhistleSummons,
)
from tests.factories.directory import (
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ResidencyFactory,
)

Kind = Organization.Kind
Role = Membership.Role


class CategoryFactory(DjangoModelFactory):
    """Reuses the categories of migration 0003 by code; new codes are created."""

    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "environment"
    name = factory.LazyAttribute(lambda o: o.code)


class IssueFactory(DjangoModelFactory):
    """A submitted issue written directly (no service): for selector and permission tests."""

    class Meta:
        model = Issue

    compound = factory.SubFactory(CompoundFactory)
    category = factory.SubFactory(CategoryFactory)
    tracking_number = factory.Sequence(lambda n: f"HS-2099-{n:06d}")
    description = factory.Sequence(lambda n: f"楼道灯不亮了，第{n}次反映")
    reporter = factory.SubFactory(PersonFactory)
    reporter_phone = factory.LazyAttribute(lambda o: o.reporter.mobile if o.reporter else "")
    created_at = factory.LazyFunction(timezone.now)
    response_due = factory.LazyAttribute(lambda o: o.created_at + dt.timedelta(hours=48))
    feedback_due = factory.LazyAttribute(lambda o: o.created_at + dt.timedelta(days=9))
    next_deadline = factory.LazyAttribute(lambda o: o.response_due)


class IssueEventFactory(DjangoModelFactory):
    class Meta:
        model = IssueEvent

    issue = factory.SubFactory(IssueFactory)
    verb = "progress"
    note = "已安排维修人员"
    public = True


class ReferralFactory(DjangoModelFactory):
    class Meta:
        model = Referral

    issue = factory.SubFactory(IssueFactory)
    organization = factory.SubFactory(OrganizationFactory)
    purpose = Referral.Purpose.FIX


class WhistleFactory(DjangoModelFactory):
    class Meta:
        model = Whistle

    issue = factory.SubFactory(IssueFactory)
    level = Whistle.Level.COMMUNITY
    report_due = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    reason = "需要多方协调"


class WhistleSummonsFactory(DjangoModelFactory):
    class Meta:
        model = WhistleSummons

    whistle = factory.SubFactory(WhistleFactory)
    organization = factory.SubFactory(OrganizationFactory)


class SatisfactionFactory(DjangoModelFactory):
    class Meta:
        model = Satisfaction

    issue = factory.SubFactory(IssueFactory)
    contacted = True
    solved = True
    rating = Satisfaction.Rating.SATISFIED


# kind -> scope level
WORLD_ORGS = {
    Kind.STREET_OFFICE: "street",
    Kind.DEPARTMENT: "street",
    Kind.COMMUNITY_PARTY: "community",
    Kind.RESIDENTS_COMMITTEE: "community",
    Kind.RC_PROPERTY_COMMITTEE: "community",
    Kind.COMPOUND_PARTY: "compound",
    Kind.JOINT_MEETING_OFFICE: "compound",
    Kind.PMC: "compound",
    Kind.PROPERTY_COMPANY: "compound",
}
# The role the world's person holds in each kind.
WORLD_ROLES = {
    Kind.STREET_OFFICE: Role.SECRETARY,
    Kind.DEPARTMENT: Role.STAFF,
    Kind.COMMUNITY_PARTY: Role.SECRETARY,
    Kind.RESIDENTS_COMMITTEE: Role.CHAIR,
    Kind.RC_PROPERTY_COMMITTEE: Role.MEMBER,
    Kind.COMPOUND_PARTY: Role.SECRETARY,
    Kind.JOINT_MEETING_OFFICE: Role.STAFF,
    Kind.PMC: Role.CHAIR,
    Kind.PROPERTY_COMPANY: Role.STAFF,
}


def issue_world(compound=None) -> SimpleNamespace:
    """A compound with one organization of each kind and one staff person in each.

    ``world.orgs.<kind>`` / ``world.people.<kind>``, plus two verified residents
    (``resident``, ``neighbour``) with households in building ``world.building``.
    """
    compound = compound or CompoundFactory()
    community = compound.community
    street = community.street
    scopes = {"street": street, "community": community, "compound": compound}
    orgs, people = {}, {}
    for kind, level in WORLD_ORGS.items():
        scope = {"street": None, "community": None, "compound": None, level: scopes[level]}
        orgs[kind] = OrganizationFactory(kind=kind, **scope)
        people[kind] = MembershipFactory(organization=orgs[kind], role=WORLD_ROLES[kind]).person
    building = BuildingFactory(compound=compound)
    resident = ResidencyFactory(household=HouseholdFactory(building=building)).person
    neighbour = ResidencyFactory(household=HouseholdFactory(building=building)).person
    return SimpleNamespace(
        compound=compound,
        building=building,
        orgs=SimpleNamespace(**{str(k): v for k, v in orgs.items()}),
        people=SimpleNamespace(**{str(k): v for k, v in people.items()}),
        resident=resident,
        neighbour=neighbour,
    )
