"""One compound as the rules describe it, with one named person per role.

``compound_world()`` builds a street (街道), its community (社区) and one compound (小区),
one organization of every kind the three-tier process names, and one person holding a
seat in each. Every test world of the suite starts here and adds only what its tests
need, so a name means the same person in every directory (docs/roles.md for what each
seat may do, docs/glossary.md for the words):

=============================  ===========================================================
attribute                      who
=============================  ===========================================================
``street_officer``             secretary of the street office (街道党工委) — approves
                               evaluations
``department_staff``           staff of a government department (职能部门) of the street
``community_secretary``        secretary of the community party organization (社区党组织
                               书记) — convenes and chairs the joint meeting, organizes
                               the evaluation
``committee_chair``            chair of the residents' committee (社区居委会主任)
``property_committee_member``  member of the RC environment & property committee
                               (环境和物业管理委员会委员)
``party_secretary``            secretary of the compound party organization (小区党组织
                               书记)
``meeting_clerk``              staff of the joint-meeting office (联席会议办公室干事): keeps
                               the meetings' papers
``pmc_chair``                  chair of the property management committee (物业管理委员会
                               主任); publishes the PMC's accounts
``company_staff``              staff of the property company (物业服务企业工作人员)
``resident``, ``neighbour``    verified owners (业主), each with a household in
                               ``building``
=============================  ===========================================================

``world.orgs.<kind>`` is the organization of each kind, ``world.people.<kind>`` the same
person as the named attribute above (``world.people.pmc is world.pmc_chair``).

Asked for with ``extras=(...)`` (``None`` otherwise):

* ``company_chair`` — chair of the property company (物业项目负责人);
* ``grid_worker`` — grid worker of the residents' committee (网格员);
* ``quality_supervisor`` — the property company's 义务质量总监;
* ``owner_representative`` — 业主代表 seated in the compound party organization (voice
  only);
* ``party_member`` — 党员 of the compound party organization (voice only);
* ``resident_group_leader`` — 居民小组长 of the residents' committee (voice only);
* ``tenant`` — a verified tenant (租户, not an owner) in ``building``;
* ``outsider`` — an account with no seat and no household.

``pmc_members=n`` adds ``n`` PMC members (委员) as the list ``world.pmc_members``.
``pmc=False`` builds the compound without a PMC (``pmc_chair`` is ``None``).
``compound_world(community=world.community)`` is a second compound of the same community;
``default_compound=True`` builds the site's default compound (江南花山郡).

The word "clerk" alone is not used: the joint-meeting office's staff is
``meeting_clerk``, the property company's staff is ``company_staff``.

Building it costs about a dozen queries: the rows of each model are inserted together
and the ``post_save`` signals are sent for each row as a save would.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.db.models.signals import post_save

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
from tests.factories.directory import (
    BuildingFactory,
    CommunityFactory,
    CompoundFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ResidencyFactory,
    StreetFactory,
)

Kind = Organization.Kind
Role = Membership.Role

#: Every organization of the world: kind -> (scope level, the named person's role, name).
SEATS = {
    Kind.STREET_OFFICE: ("street", Role.SECRETARY, "street_officer"),
    Kind.DEPARTMENT: ("street", Role.STAFF, "department_staff"),
    Kind.COMMUNITY_PARTY: ("community", Role.SECRETARY, "community_secretary"),
    Kind.RESIDENTS_COMMITTEE: ("community", Role.CHAIR, "committee_chair"),
    Kind.RC_PROPERTY_COMMITTEE: ("community", Role.MEMBER, "property_committee_member"),
    Kind.COMPOUND_PARTY: ("compound", Role.SECRETARY, "party_secretary"),
    Kind.JOINT_MEETING_OFFICE: ("compound", Role.STAFF, "meeting_clerk"),
    Kind.PMC: ("compound", Role.CHAIR, "pmc_chair"),
    Kind.PROPERTY_COMPANY: ("compound", Role.STAFF, "company_staff"),
}

#: Seats asked for by ``extras``: name -> (organization kind, role).
EXTRA_SEATS = {
    "company_chair": (Kind.PROPERTY_COMPANY, Role.CHAIR),
    "grid_worker": (Kind.RESIDENTS_COMMITTEE, Role.GRID_WORKER),
    "quality_supervisor": (Kind.PROPERTY_COMPANY, Role.QUALITY_SUPERVISOR),
    "owner_representative": (Kind.COMPOUND_PARTY, Role.OWNER_REPRESENTATIVE),
    "party_member": (Kind.COMPOUND_PARTY, Role.PARTY_MEMBER),
    "resident_group_leader": (Kind.RESIDENTS_COMMITTEE, Role.RESIDENT_GROUP_LEADER),
}
EXTRA_PEOPLE = {"tenant", "outsider"}
EXTRAS = frozenset(EXTRA_SEATS) | EXTRA_PEOPLE


@dataclass(eq=False)
class CompoundWorld:
    """The places, bodies and people of one compound (see the module docstring).

    The fields are set once when it is built; a fixture may add attributes of its own
    (a campaign, a letter), never reuse one of these names for someone else.
    """

    street: Street
    community: Community
    compound: Compound
    building: Building
    orgs: SimpleNamespace
    people: SimpleNamespace
    street_officer: Person
    department_staff: Person
    community_secretary: Person
    committee_chair: Person
    property_committee_member: Person
    party_secretary: Person
    meeting_clerk: Person
    pmc_chair: Person | None
    company_staff: Person
    resident: Person
    neighbour: Person
    company_chair: Person | None = None
    grid_worker: Person | None = None
    quality_supervisor: Person | None = None
    owner_representative: Person | None = None
    party_member: Person | None = None
    resident_group_leader: Person | None = None
    tenant: Person | None = None
    outsider: Person | None = None
    pmc_members: list[Person] = field(default_factory=list)

    @property
    def clerk(self):
        raise AttributeError(
            "a world has no 'clerk': the joint-meeting office's staff is 'meeting_clerk', "
            "the property company's staff is 'company_staff'"
        )


def _create(model, rows: list) -> list:
    """Insert ``rows`` in one query and send ``post_save`` for each, as ``save()`` does."""
    model.objects.bulk_create(rows)
    for row in rows:
        post_save.send(
            sender=model, instance=row, created=True, update_fields=None, raw=False, using="default"
        )
    return rows


def compound_world(
    compound: Compound | None = None,
    *,
    community: Community | None = None,
    default_compound: bool = False,
    pmc: bool = True,
    extras: Iterable[str] = (),
    pmc_members: int = 0,
) -> CompoundWorld:
    """Build one compound with its bodies and people (see the module docstring)."""
    extras = set(extras)
    if unknown := extras - EXTRAS:
        raise ValueError(f"unknown extras: {sorted(unknown)}")
    if compound is None:
        if community is None:
            street = StreetFactory.build()
            street.save()
            community = CommunityFactory.build(street=street)
            community.save()
        if default_compound:  # found again if a test already made it
            compound = CompoundFactory(
                community=community, slug=settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡"
            )
        else:
            compound = CompoundFactory.build(community=community)
            compound.save()
    community = compound.community
    street = community.street
    scopes = {"street": street, "community": community, "compound": compound}

    seats = {kind: seat for kind, seat in SEATS.items() if pmc or kind != Kind.PMC}
    orgs, people, memberships = {}, {}, []
    for kind, (level, role, _name) in seats.items():
        scope = {"street": None, "community": None, "compound": None, level: scopes[level]}
        orgs[kind] = OrganizationFactory.build(kind=kind, **scope)
        people[kind] = PersonFactory.build()
        memberships.append((people[kind], kind, role))
    building = BuildingFactory.build(compound=compound)
    building.save()
    households = [HouseholdFactory.build(building=building) for _ in range(2)]
    residents = [PersonFactory.build() for _ in households]
    relations = [Residency.Relation.OWNER, Residency.Relation.OWNER]
    named = {}
    for name, (kind, role) in EXTRA_SEATS.items():
        if name in extras:
            named[name] = PersonFactory.build()
            memberships.append((named[name], kind, role))
    members = [PersonFactory.build() for _ in range(pmc_members if pmc else 0)]
    memberships += [(person, Kind.PMC, Role.MEMBER) for person in members]
    if "tenant" in extras:
        households.append(HouseholdFactory.build(building=building))
        named["tenant"] = PersonFactory.build()
        residents.append(named["tenant"])
        relations.append(Residency.Relation.TENANT)
    if "outsider" in extras:
        named["outsider"] = PersonFactory.build()

    _create(Organization, list(orgs.values()))
    seated = [person for name, person in named.items() if name in EXTRA_SEATS]
    outsider = [named["outsider"]] if "outsider" in named else []
    _create(Person, [*people.values(), *residents, *seated, *members, *outsider])
    _create(
        Membership,
        [
            MembershipFactory.build(person=person, organization=orgs[kind], role=role)
            for person, kind, role in memberships
        ],
    )
    _create(Household, households)
    _create(
        Residency,
        [
            ResidencyFactory.build(person=person, household=household, relation=relation)
            for person, household, relation in zip(residents, households, relations, strict=True)
        ],
    )
    return CompoundWorld(
        street=street,
        community=community,
        compound=compound,
        building=building,
        orgs=SimpleNamespace(**{str(k): v for k, v in orgs.items()}),
        people=SimpleNamespace(**{str(k): v for k, v in people.items()}),
        **{name: people.get(kind) for kind, (_level, _role, name) in SEATS.items()},
        resident=residents[0],
        neighbour=residents[1],
        pmc_members=members,
        **named,
    )
