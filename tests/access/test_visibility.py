"""Who sees which complaint, and whose name and mobile, on every machine channel
(issue 14 item 3): the DRF API (list, every page, and detail), Open311 GeoReport v2
(``requests.json`` / ``.xml`` and one request), the Atom feed of the board and the
dashboard's ``.xlsx`` exports — for every role, the voice-only ones included.

The rule (docs/roles.md "Complaints: who sees what", issues/rules.py):

* a resident sees their own complaints in full and anyone else's only as the public,
  masked view (public complaints, never a name or mobile);
* party members, owner representatives and resident group leaders are residents with a
  voice, not staff (docs/roles.md): a seat of theirs in an organization the complaint
  was transferred, referred or whistled to gives them nothing; a party member summoned
  *in person* (社区吹哨、党员报到, seed: 协同联动 第三条) sees that complaint, and its
  reporter only when the reporter agreed;
* the supervising bodies (小区党组织, 联席会议办公室, 居委会, 环境和物业管理委员会,
  社区党组织, 街道) see every complaint of the compounds they cover, with the reporter
  (seed: 协同联动 第一条, 第二条);
* the PMC and the property company see what was transferred, referred or whistled to
  them, and the reporter only when the reporter agreed (seed: 协同联动 第二条 转办).

Each cell searches the response bodies for the complaint's secret text, its tracking
number and its reporter's name and mobile.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from huashan.directory.models import Building, Organization, Person
from tests.access.test_matrix import response_text
from tests.factories.directory import HouseholdFactory, ResidencyFactory
from tests.worlds import settle_deferred_constraints

# Setup-heavy: the seeded world of tests/access/world.py, built per module; left out of
# the quick loop (-m "not slow"), run by make test.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

#: The roles of this matrix: name -> demo mobile (None: anonymous or built here).
ROLE_MOBILES = {
    "anonymous": None,
    "owner_a": "13800000401",  # 业主（已认证）, compound A (reporter of the world's issue A)
    "resident": "13800000405",  # 业主（已认证）, compound A, no complaint of these
    "resident_b": None,  # a verified owner of compound B (tests/access/world.py)
    "party_member": "13800000309",  # 小区党支部党员 (voice only)
    "owner_representative": "13800000308",  # PMC 业主代表 (voice only)
    "resident_group_leader": "13800000205",  # 居委会 居民小组长 (voice only)
    "property_staff": "13800000306",  # 物业 客服主管
    "quality_supervisor": "13800000307",  # 物业 义务质量总监 (a staff role of the company)
    "pmc": "13800000304",  # 物业管理委员会委员
    "clerk": "13800000302",  # 联席会议办公室 干事
    "compound_secretary": "13800000301",  # 小区党支部书记
    "rc": "13800000202",  # 社区居委会主任
    "community_secretary": "13800000201",  # 社区党支部书记
    "street_secretary": "13800000101",  # 街道党工委书记
    "superuser": "13800000000",
}
ROLES = tuple(ROLE_MOBILES)
VOICE_ONLY = ("party_member", "owner_representative", "resident_group_leader")
#: Supervising bodies covering compound A, and the superuser: every complaint, in full.
SUPERVISING = frozenset(
    {
        "clerk",
        "compound_secretary",
        "rc",
        "community_secretary",
        "street_secretary",
        "superuser",
    }
)
COMPANY = frozenset({"property_staff", "quality_supervisor"})

# What a role may see of one complaint.
NONE = "none"  # nothing at all: not the text, not the number, not the reporter
MASKED = "masked"  # the public view: the text may show, never the reporter
ISSUE = "issue"  # the complaint in full through the API, never the reporter
FULL = "full"  # the complaint and its reporter's name and mobile


def _levels(default: str, **by_role: str) -> dict[str, str]:
    levels = dict.fromkeys(ROLES, default)
    for role in SUPERVISING:
        levels[role] = FULL
    levels.update(by_role)
    return levels


#: Each victim complaint: how it is filed and handled, and what each role may see.
VICTIMS = {
    # Private, not yet handled: its reporter and the supervising bodies only.
    "private_new": _levels(NONE),
    # Private, transferred (转办) to the property company, reporter not shared. A small
    # matter's transfer also refers it to the compound party organization and the
    # residents' committee (督办 / 备档), where the voice-only members sit.
    "private_to_company": _levels(NONE, property_staff=ISSUE, quality_supervisor=ISSUE),
    # Private, transferred to the PMC, the reporter agreed to share who they are.
    "shared_to_pmc": _levels(NONE, pmc=FULL),
    # Private; community whistle summoning the compound party organization, the RC and
    # the PMC as organizations, and one party member in person (党员报到).
    "whistled": _levels(NONE, pmc=ISSUE, party_member=ISSUE),
    # Public, not handled: everyone may read it on the board, Open311 and the feed,
    # nobody but the supervising bodies learns who filed it.
    "public_new": _levels(MASKED),
}


def _reporter(building: Building, index: int) -> Person:
    return ResidencyFactory(
        household=HouseholdFactory(building=building, unit="矩阵单元"),
        person__name=f"甄密报{'一二三四五'[index]}",
        person__mobile=f"1370000{index}{index}{index}{index}",
    ).person


def _victims(world) -> dict[str, SimpleNamespace]:
    """File and handle the victim complaints through the services, as the demo people."""
    from issues import services
    from issues.models import Category, Whistle

    people = {role: _person(world, role) for role in ROLES if role != "anonymous"}
    a = world.a
    building = Building.objects.filter(compound=a).order_by("pk").first()
    category = Category.objects.filter(safety_related=False).order_by("pk").first()
    orgs = {o.kind: o for o in Organization.objects.filter(compound=a)}
    community_orgs = {o.kind: o for o in Organization.objects.filter(community=a.community)}
    secretary = people["compound_secretary"]
    victims = {}
    for index, name in enumerate(VICTIMS):
        reporter = _reporter(building, index)
        issue = services.issue_submit(
            actor=reporter,
            compound=a,
            category=category,
            description=f"矩阵秘密{index}号：{name}",
            location_text="矩阵楼",
            is_public=name == "public_new",
            share_identity=name == "shared_to_pmc",
            reporter_phone=reporter.mobile,
        ).issue
        if name in ("private_to_company", "shared_to_pmc"):
            services.issue_accept(actor=secretary, issue=issue, note="已受理")
            target = Organization.Kind.PROPERTY_COMPANY if "company" in name else "pmc"
            services.issue_transfer(
                actor=secretary, issue=issue, organization=orgs[target], note="请处理"
            )
        if name == "whistled":
            services.whistle_blow(
                actor=people["community_secretary"],
                issue=issue,
                level=Whistle.Level.COMMUNITY,
                organizations=[
                    orgs[Organization.Kind.COMPOUND_PARTY],
                    orgs[Organization.Kind.PMC],
                    community_orgs[Organization.Kind.RESIDENTS_COMMITTEE],
                ],
                persons=[people["party_member"]],
                reason="难事跟办",
            )
        issue.refresh_from_db()
        victims[name] = SimpleNamespace(
            issue=issue,
            secret=issue.description,
            number=issue.tracking_number,
            name=reporter.name,
            mobile=reporter.mobile,
        )
    return victims


def _person(world, role: str) -> Person:
    if role in world.people:
        return world.people[role]
    return Person.objects.get(mobile=ROLE_MOBILES[role])


@pytest.fixture(scope="module")
def victims(world, django_db_blocker):
    """Rows added inside the world's transaction (rolled back with it)."""
    with django_db_blocker.unblock():
        victims = _victims(world)
        settle_deferred_constraints()
        return victims


def _client(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(_person(world, role))
    return client


def _api_pages(client: Client) -> str:
    """Every page of the API list, as one text (follows ``next``)."""
    texts, url = [], reverse("issues_api:issue-list")
    while url:
        response = client.get(url)
        if response.status_code != 200:
            assert response.status_code in (401, 403), url
            break
        texts.append(response.content.decode())
        url = response.json()["next"]
    return "\n".join(texts)


def fetch(world, victims, role: str) -> dict[str, str]:
    """{channel: body text} of everything the role gets on the machine channels."""
    client = _client(world, role)
    bodies = {"api": _api_pages(client)}
    for victim in victims.values():
        response = client.get(reverse("issues_api:issue-detail", args=[victim.number]))
        assert response.status_code in (200, 401, 403, 404)
        bodies[f"api {victim.number}"] = (
            response_text(response) if response.status_code == 200 else ""
        )
    urls = {
        "open311 json": "/open311/v2/requests.json",
        "open311 xml": "/open311/v2/requests.xml",
        "feed": reverse("issues:feed") + f"?compound={world.a.slug}",
        "compound export": reverse(
            "dashboard:compound_export", kwargs={"compound_slug": world.a.slug, "table": "all"}
        ),
        "community export": reverse(
            "dashboard:community_export", kwargs={"slug": world.a.community.slug, "table": "all"}
        ),
        "street export": reverse(
            "dashboard:street_export",
            kwargs={"slug": world.a.community.street.slug, "table": "all"},
        ),
        "summaries export": reverse("dashboard:summaries_export"),
    }
    for victim in victims.values():
        urls[f"open311 {victim.number}"] = f"/open311/v2/requests/{victim.number}.json"
    for channel, url in urls.items():
        response = client.get(url)
        assert response.status_code < 500, url
        bodies[channel] = response_text(response) if response.status_code == 200 else ""
    return bodies


def problems_of(role: str, bodies: dict[str, str], victims) -> list[str]:
    problems = []
    everything = "\n".join(bodies.values())
    api = "\n".join(text for channel, text in bodies.items() if channel.startswith("api"))
    for name, levels in VICTIMS.items():
        victim, level = victims[name], levels[role]
        where = [c for c, t in bodies.items() if victim.name in t or victim.mobile in t]
        if level != FULL and where:
            problems.append(f"{role} sees the reporter of {name} in {where}")
        if level == FULL and not (victim.name in api and victim.mobile in api):
            problems.append(f"{role} does not see the reporter of {name} in the API")
        if level == NONE:
            where = [c for c, t in bodies.items() if victim.secret in t or victim.number in t]
            if where:
                problems.append(f"{role} sees {name} in {where}")
        if level in (ISSUE, FULL) and victim.secret not in api:
            problems.append(f"{role} does not see {name} in the API")
        if level == MASKED and victim.secret not in everything:
            problems.append(f"{role} does not see the public {name} anywhere")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_what_the_rule_allows_on_every_channel(world, victims, role):
    """seed: 协同联动 第一—三条 (who handles and supervises a complaint); docs/roles.md."""
    with transaction.atomic():
        bodies = fetch(world, victims, role)
        transaction.set_rollback(True)

    assert problems_of(role, bodies, victims) == []


@pytest.mark.parametrize("role", VOICE_ONLY)
def test_voice_only_members_get_no_private_complaint_of_others_from_the_demo(world, role):
    """Over all the demo's complaints: a voice-only member's API list holds only their
    own complaints and those they were summoned to in person, and no other reporter's
    mobile anywhere in it (issue 14 item 3: 23 private complaints, 45 contacts)."""
    from issues.models import Issue

    person = _person(world, role)
    own = Issue.objects.filter(reporter=person)
    summoned = Issue.objects.filter(whistles__summonses__person=person)
    # Their own complaint merged into another one names the survivor's number (no more).
    allowed = {
        *own.values_list("tracking_number", flat=True),
        *own.filter(merged_into__isnull=False).values_list(
            "merged_into__tracking_number", flat=True
        ),
        *summoned.values_list("tracking_number", flat=True),
    }
    private_numbers = list(
        Issue.objects.filter(is_public=False)
        .exclude(tracking_number__in=allowed)
        .values_list("tracking_number", flat=True)
    )

    def mobiles(issues) -> set[str]:
        pairs = issues.values_list("reporter_phone", "reporter__mobile")
        return {mobile for pair in pairs for mobile in pair if mobile}

    # A reporter who agreed may be seen by a party member summoned in person.
    shown = mobiles(own) | mobiles(summoned.filter(share_identity=True))
    hidden = mobiles(Issue.objects.all()) - shown
    assert len(private_numbers) > 10  # the demo has data to leak
    assert len(hidden) > 10

    with transaction.atomic():
        text = _api_pages(_client(world, role))
        transaction.set_rollback(True)

    assert [n for n in private_numbers if n in text] == []
    assert [m for m in hidden if m in text] == []
