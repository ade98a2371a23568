"""Factories for the directory: places, organizations, people, memberships."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from huashan.directory.models import (
    Building,
    Community,
    Compound,
    Household,
    Membership,
    Organization,
    Person,
    Residency,
    Street,
)

DEFAULT_PASSWORD = "Huashan-test-2026"


class StreetFactory(DjangoModelFactory):
    class Meta:
        model = Street
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"测试街道{n}")
    slug = factory.Sequence(lambda n: f"street-{n}")


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ("slug",)

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"测试社区{n}")
    slug = factory.Sequence(lambda n: f"community-{n}")


class CompoundFactory(DjangoModelFactory):
    class Meta:
        model = Compound
        django_get_or_create = ("slug",)

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"测试小区{n}")
    slug = factory.Sequence(lambda n: f"compound-{n}")


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    compound = factory.SubFactory(CompoundFactory)
    number = factory.Sequence(lambda n: f"{n + 1}栋")


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    unit = "1单元"
    room = factory.Sequence(lambda n: f"{100 + n}")
    area = Decimal("98.50")


class OrganizationFactory(DjangoModelFactory):
    """Defaults to a compound-level organization; pass street= or community= for others."""

    class Meta:
        model = Organization

    kind = Organization.Kind.PROPERTY_COMPANY
    name = factory.Sequence(lambda n: f"组织{n}")
    compound = factory.SubFactory(CompoundFactory)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ("mobile",)
        skip_postgeneration_save = True

    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    name = factory.Sequence(lambda n: f"张{'三四五六七八九'[n % 7]}{n}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER
    start = factory.LazyFunction(lambda: datetime.date(2020, 1, 1))


class ResidencyFactory(DjangoModelFactory):
    class Meta:
        model = Residency

    person = factory.SubFactory(PersonFactory)
    household = factory.SubFactory(HouseholdFactory)
    relation = Residency.Relation.OWNER
    status = Residency.Status.VERIFIED
