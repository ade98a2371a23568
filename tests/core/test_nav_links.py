"""No dead ends (issue 13 item 6): every link the home page and the menu show a person
leads to a page that person may open, and every staff page is reachable.

The roles are those of the demo (DESIGN.md §1), built with the factories around the
portal's own compound (``HUASHAN_DEFAULT_COMPOUND``), plus the staff of a second
compound, whose staff pages must open on *their* compound.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from huashan.directory.models import Membership, Organization
from tests.factories.directory import (
    CommunityFactory,
    CompoundFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ResidencyFactory,
    StreetFactory,
)

Kind = Organization.Kind
Role = Membership.Role
HOME = reverse("core:home")

# role -> (organization kind, role) of the person's one seat; None: no seat.
SEATS: dict[str, tuple[str, str] | None] = {
    "resident": None,
    "property_staff": (Kind.PROPERTY_COMPANY, Role.STAFF),
    "quality_supervisor": (Kind.PROPERTY_COMPANY, Role.QUALITY_SUPERVISOR),
    "pmc_member": (Kind.PMC, Role.MEMBER),
    "clerk": (Kind.JOINT_MEETING_OFFICE, Role.STAFF),
    "compound_secretary": (Kind.COMPOUND_PARTY, Role.SECRETARY),
    "rc_chair": (Kind.RESIDENTS_COMMITTEE, Role.CHAIR),
    "community_secretary": (Kind.COMMUNITY_PARTY, Role.SECRETARY),
    "street_secretary": (Kind.STREET_OFFICE, Role.SECRETARY),
    "party_member": (Kind.COMPOUND_PARTY, Role.PARTY_MEMBER),
}

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')


@pytest.fixture
def world(db):
    street = StreetFactory(slug="huashan-street")
    community = CommunityFactory(street=street, slug="puan")
    compound = CompoundFactory(
        community=community, slug=settings.HUASHAN_DEFAULT_COMPOUND, name="江南花山郡"
    )
    neighbour = CompoundFactory(community=community, slug="neighbour", name="邻居小区")
    scope = {
        **{kind: {"compound": compound} for kind in Organization.COMPOUND_KINDS},
        **{k: {"community": community, "compound": None} for k in Organization.COMMUNITY_KINDS},
        **{k: {"street": street, "compound": None} for k in Organization.STREET_KINDS},
    }
    orgs = {kind: OrganizationFactory(kind=kind, **scope[kind]) for kind in Kind.values}
    people = {"anonymous": None}
    for name, seat in SEATS.items():
        person = PersonFactory()
        if seat is None:
            ResidencyFactory(person=person, household__building__compound=compound)
        else:
            MembershipFactory(person=person, organization=orgs[seat[0]], role=seat[1])
        people[name] = person
    # The staff of another compound of the community: links must carry their compound.
    other_office = OrganizationFactory(kind=Kind.JOINT_MEETING_OFFICE, compound=neighbour)
    people["neighbour_clerk"] = MembershipFactory(organization=other_office, role=Role.STAFF).person
    return {"compound": compound, "neighbour": neighbour, "people": people}


def _links(html: str) -> list[str]:
    """Internal links of a page (site header menu and body), without phone links."""
    out = []
    for href in HREF.findall(html):
        href = unescape(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/") or href.startswith("#"):
            continue
        if parts.path.startswith(reverse("core:language")):
            continue
        out.append(href)
    return sorted(set(out))


def _login(client, person) -> None:
    if person is not None:
        client.force_login(person)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", *SEATS, "neighbour_clerk"])
def test_every_home_and_menu_link_opens_for_the_person_who_sees_it(client, world, role):
    """Issue 13 item 6: a link is shown only to a person who may open it — no 403/404."""
    _login(client, world["people"][role])
    home = client.get(HOME)
    assert home.status_code == 200
    links = _links(home.content.decode())
    assert links, "the home page shows no link at all"
    dead = {}
    for href in links:
        response = client.get(href)
        if response.status_code in (403, 404) or response.status_code >= 500:
            dead[href] = response.status_code
        elif response.status_code in (301, 302):
            target = response.headers["Location"]
            if urlsplit(target).path == reverse("accounts:login"):
                dead[href] = f"login required ({target})"
    assert dead == {}, f"{role} sees links to pages they may not open: {dead}"


def _nav(client, person) -> dict[str, str]:
    _login(client, person)
    html = client.get(HOME).content.decode()
    return dict(
        (name, unescape(url))
        for url, name in re.findall(r'<a href="([^"]+)" data-nav="([^"]+)"', html)
    )


@pytest.mark.django_db
def test_dashboard_card_and_menu_only_for_those_who_may_open_a_dashboard(client, world):
    """The audit's dead end: 小区概况 → /dashboard/ was a 403 for residents and property staff."""
    dashboard = reverse("dashboard:compound")
    for role in ("anonymous", "resident", "property_staff", "pmc_member", "party_member"):
        client.logout()
        _login(client, world["people"][role])
        assert dashboard not in _links(client.get(HOME).content.decode()), role
    for role in ("clerk", "compound_secretary", "community_secretary", "street_secretary"):
        client.logout()
        assert dashboard in _links(_home(client, world["people"][role])), role


def _home(client, person) -> str:
    _login(client, person)
    return client.get(HOME).content.decode()


@pytest.mark.django_db
def test_verify_residents_only_for_roster_keepers(client, world):
    """核实居民 was a 403 for the street secretary and the property staff: the roster is
    kept by the compound party organization, its office, the PMC and the community bodies
    (seed: 公示承诺制度 第一条)."""
    queue = reverse("accounts:residency_queue")
    for role in ("street_secretary", "property_staff", "quality_supervisor"):
        client.logout()
        assert "accounts:residency_queue" not in _nav(client, world["people"][role]), role
    for role in ("clerk", "compound_secretary", "pmc_member", "rc_chair", "community_secretary"):
        client.logout()
        nav = _nav(client, world["people"][role])
        assert nav.get("accounts:residency_queue") == queue, role


@pytest.mark.django_db
def test_evaluations_and_complaint_tracking_are_reachable(client, world):
    """/evaluations/ was linked from no menu (评议监督考核制度); the 查询码 page only from
    the bottom of the complaint form."""
    for role in ("anonymous", "resident", "clerk"):
        client.logout()
        links = _links(_home(client, world["people"][role]))
        assert reverse("evaluations:list") in links, role
        assert reverse("issues:track") in links, role


@pytest.mark.django_db
def test_staff_links_of_another_compound_open_on_that_compound(client, world):
    nav = _nav(client, world["people"]["neighbour_clerk"])
    assert nav["meetings:action_items"].endswith("?compound=neighbour")
    assert nav["pledges:staff"].endswith("?compound=neighbour")
    assert nav["briefings:list"].endswith("?compound=neighbour")


@pytest.mark.django_db
def test_home_page_for_a_clerk_runs_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["people"]["clerk"])
    with django_assert_max_num_queries(16):
        assert client.get(HOME).status_code == 200


@pytest.mark.django_db
def test_superuser_menu_opens_on_the_portal_compound(client, world):
    admin = PersonFactory(is_superuser=True, is_staff=True)
    nav = _nav(client, admin)
    compound = f"?compound={settings.HUASHAN_DEFAULT_COMPOUND}"
    assert nav["meetings:action_items"].endswith(compound)
    assert "accounts:residency_queue" in nav
    assert "dashboard:compound" in nav
    for url in nav.values():
        assert client.get(url).status_code == 200, url
