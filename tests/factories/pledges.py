"""Factories for pledges: letters, items, evidence, 三诺 and accountability cases.

``pledge_world()`` builds on ``compound_world()`` (one organization of each kind,
one staff person in each) and adds a compound-party letter for ``year``.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from pledges.models import (
    AccountabilityCase,
    Activity,
    Attestation,
    CandidatePledge,
    Election,
    Finding,
    Inspection,
    PledgeItem,
    PledgeLetter,
    RuleKind,
)
from tests.factories.directory import OrganizationFactory, PersonFactory
from tests.factories.world import CompoundWorld, compound_world


class PledgeLetterFactory(DjangoModelFactory):
    class Meta:
        model = PledgeLetter

    organization = factory.SubFactory(OrganizationFactory, kind="compound_party")
    compound = factory.LazyAttribute(lambda o: o.organization.compound)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    title = factory.Sequence(lambda n: f"服务承诺{n}")
    preamble = "现向全体业主郑重承诺如下："


class PledgeItemFactory(DjangoModelFactory):
    class Meta:
        model = PledgeItem

    letter = factory.SubFactory(PledgeLetterFactory)
    number = factory.Sequence(lambda n: n % 90 + 1)
    position = factory.Sequence(lambda n: n)
    heading = "定期联席会议"
    text = "每月至少召开1次联席会议。"
    rule_kind = RuleKind.COUNT_PER_PERIOD
    params = factory.LazyFunction(
        lambda: {
            "source": "activity",
            "kinds": ["study"],
            "min_count": 1,
            "per_member": False,
            "period_months": 1,
        }
    )
    warn_lead_days = 7


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory, kind="compound_party")
    compound = factory.LazyAttribute(lambda o: o.organization.compound)
    kind = Activity.Kind.STUDY
    title = factory.Sequence(lambda n: f"学习会{n}")
    held_on = factory.LazyFunction(timezone.localdate)
    participant_count = 5

    @factory.post_generation
    def participants(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.participants.set(extracted)


class InspectionFactory(DjangoModelFactory):
    class Meta:
        model = Inspection

    organization = factory.SubFactory(OrganizationFactory, kind="pmc")
    compound = factory.LazyAttribute(lambda o: o.organization.compound)
    kind = Inspection.Kind.MONTHLY_SERVICE
    inspected_on = factory.LazyFunction(timezone.localdate)
    inspector = factory.SubFactory(PersonFactory)
    created_by = factory.LazyAttribute(lambda o: o.inspector)


class FindingFactory(DjangoModelFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    description = "楼道堆物未清理"
    is_safety = False
    rectify_due = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))


class AttestationFactory(DjangoModelFactory):
    class Meta:
        model = Attestation

    item = factory.SubFactory(PledgeItemFactory)
    period_start = factory.LazyFunction(lambda: dt.date(timezone.localdate().year, 1, 1))
    judgement = Attestation.Judgement.MET
    evidence = "经评议，未发现违规情况。"


class ElectionFactory(DjangoModelFactory):
    class Meta:
        model = Election

    compound = factory.SubFactory("tests.factories.directory.CompoundFactory")
    title = factory.Sequence(lambda n: f"第{n}届物业管理委员会选举")
    held_on = factory.LazyFunction(timezone.localdate)


class CandidatePledgeFactory(DjangoModelFactory):
    class Meta:
        model = CandidatePledge

    election = factory.SubFactory(ElectionFactory)
    candidate = factory.SubFactory(PersonFactory)
    kind = CandidatePledge.Kind.SERVICE
    text = "为群众办实事。"
    signed_on = factory.LazyFunction(timezone.localdate)


class AccountabilityCaseFactory(DjangoModelFactory):
    class Meta:
        model = AccountabilityCase

    organization = factory.SubFactory(OrganizationFactory, kind="pmc")
    compound = factory.LazyAttribute(lambda o: o.organization.compound)
    person = factory.SubFactory(PersonFactory)
    trigger = AccountabilityCase.Trigger.BROKEN_PLEDGE
    details = "违反参选承诺。"


def pledge_world(compound=None, *, year: int | None = None, **options) -> CompoundWorld:
    """``compound_world()`` plus a compound-party letter (``world.letter``) for ``year``."""
    world = compound_world(compound, **options)
    world.year = year or timezone.localdate().year
    world.party = world.orgs.compound_party
    world.pmc = world.orgs.pmc
    world.letter = PledgeLetterFactory(
        organization=world.party, compound=world.compound, year=world.year
    )
    return world
