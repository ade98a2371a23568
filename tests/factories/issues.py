"""Factories for residents' complaints.

The compound with its bodies and people is ``tests.factories.world.compound_world``;
``issue_world`` is the same under its older name.
"""

from __future__ import annotations

import datetime as dt

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
    CompoundFactory,
    OrganizationFactory,
    PersonFactory,
)
from tests.factories.world import CompoundWorld, compound_world

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


def issue_world(compound=None) -> CompoundWorld:
    """``compound_world(compound)`` under the name older tests know it by."""
    return compound_world(compound)
