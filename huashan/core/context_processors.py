"""Template context shared by every page: header counters, staff warnings, the staff menu.

The staff menu follows one rule (issue 13 item 6): a link is shown to a person only
when that person may open it, decided with the same permission the target view checks,
and every staff page is reachable from the menu or from a page it leads to.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import rules
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    name: str  # the URL name, for tests and data attributes


def _url(name: str, *, compound=None, args: tuple = ()) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    if compound is not None:
        url = f"{url}?{urlencode({'compound': compound.slug})}"
    return url


@dataclass(frozen=True)
class Seats:
    """The person's current memberships, read once per page (one query)."""

    rows: tuple[tuple[str, str, int | None, str | None, bool], ...]  # kind, role, compound…
    portal_pk: int | None

    @property
    def is_staff(self) -> bool:
        # Same rule as huashan.directory.selectors.person_is_staff.
        from huashan.directory.rules import NON_STAFF_ROLES

        return any(role not in NON_STAFF_ROLES for _k, role, *_rest in self.rows)

    @property
    def keeps_roster(self) -> bool:
        # directory.verify_residency holds in a compound a roster seat covers.
        from huashan.directory.rules import ROSTER_KINDS, ROSTER_ROLES

        return any(k in ROSTER_KINDS and r in ROSTER_ROLES for k, r, *_rest in self.rows)

    @property
    def portal_seats(self) -> frozenset[tuple[str, str]]:
        return frozenset((k, r) for k, r, _c, _s, covers in self.rows if covers)


def person_seats(person) -> Seats:
    """One query: each current membership with whether it covers the portal's compound
    (its own organization, its community's or its street's — ``directory.rules.covering_q``)."""
    from django.db.models import Exists, OuterRef, Q, Subquery

    from huashan.directory.models import Compound, Membership

    portal = Compound.objects.filter(slug=settings.HUASHAN_DEFAULT_COMPOUND)
    rows = list(
        Membership.objects.current()
        .filter(person_id=person.pk)
        .annotate(
            covers_portal=Exists(
                portal.filter(
                    Q(pk=OuterRef("organization__compound_id"))
                    | Q(community_id=OuterRef("organization__community_id"))
                    | Q(community__street_id=OuterRef("organization__street_id"))
                )
            ),
            portal_pk=Subquery(portal.values("pk")[:1]),
        )
        .values_list(
            "organization__kind",
            "role",
            "organization__compound_id",
            "organization__compound__slug",
            "covers_portal",
            "portal_pk",
        )
    )
    return Seats(
        rows=tuple(row[:5] for row in rows),
        portal_pk=rows[0][5] if rows else None,
    )


def nav_compound(person, seats: Seats):
    """The compound the staff pages open on for ``person``: the portal's compound when
    one of their staff seats covers it, else the first compound they cover (the staff
    views default to the portal's compound, so a neighbour's staff need the slug).

    The seats covering the portal's compound are handed to the permission cache
    (``directory.rules.seats_in_compound`` would read the same rows), so the menu's
    permission checks below cost no query for the portal's own staff.
    """
    from huashan.directory.models import Compound
    from huashan.directory.rules import NON_STAFF_ROLES, permission_cache
    from huashan.directory.selectors import person_staff_compounds

    staff_rows = [row for row in seats.rows if row[1] not in NON_STAFF_ROLES]
    if seats.portal_pk is not None and any(row[4] for row in staff_rows):
        permission_cache(person).setdefault("seats", {}).setdefault(
            seats.portal_pk, seats.portal_seats
        )
        return Compound(pk=seats.portal_pk, slug=settings.HUASHAN_DEFAULT_COMPOUND)
    own = sorted((slug, pk) for _k, _r, pk, slug, _c in staff_rows if pk is not None)
    if own:
        return Compound(pk=own[0][1], slug=own[0][0])
    # Superusers and officers of a community or street only: ask the covering query.
    from django.db.models import Case, IntegerField, Value, When

    return (
        person_staff_compounds(person=person)
        .annotate(
            portal_first=Case(
                When(slug=settings.HUASHAN_DEFAULT_COMPOUND, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("portal_first", "name", "pk")
        .first()
    )


def may_open_dashboard(person) -> bool:
    """Same decision as ``dashboard.views._own_compound`` (``/dashboard/`` is 403 without one)."""
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    from huashan.directory.rules import permission_cache

    # The menu and the home card both ask: once per request (and membership change).
    # Asked by rule name: the dashboard app registers "dashboard.open_any" (dashboard/rules.py);
    # huashan/ imports no domain app (issue 15 item 7). Without the app the answer is no.
    # Kept with the person's cached header (person_header), so a page asks no query for it.
    cache = permission_cache(person)
    if "may_open_dashboard" not in cache:
        cache["may_open_dashboard"] = person_header(person).dashboard
    return cache["may_open_dashboard"]


def _dashboard_rule(person) -> bool:
    return bool(person.is_active) and rules.test_rule("dashboard.open_any", person)


def staff_nav(
    person, seats: Seats | None = None, *, dashboard: bool | None = None
) -> list[NavLink]:
    """The staff part of the main menu for ``person`` (call it for staff only).

    ``dashboard``: the caller's answer of :func:`_dashboard_rule`, when it has one (the
    header asks it for the home card too: one query per page, not two)."""
    seats = seats if seats is not None else person_seats(person)
    if dashboard is None:
        dashboard = _dashboard_rule(person)
    links: list[NavLink] = []

    def add(name: str, label, *, compound=None, args: tuple = ()) -> None:
        url = _url(name, compound=compound, args=args)
        if url:
            links.append(NavLink(url=url, label=label, name=name))

    if dashboard:
        add("dashboard:compound", _("Dashboard"))
    add("issues:queue", _("Work queue"))
    compound = nav_compound(person, seats)
    if compound is not None:
        if person.has_perm("meetings.view_meeting", compound):
            add("meetings:action_items", _("Agreed items"), compound=compound)
        if person.has_perm("directory.view_staff_pages", compound):
            add("pledges:staff", _("Pledge work"), compound=compound)
        if person.has_perm("briefings.view_briefings", compound):
            add("briefings:list", _("Briefings"), compound=compound)
        if person.has_perm("disclosures.view_staff", compound):
            add("disclosures:staff", _("Publisher's desk"), compound=compound)
        if person.has_perm("directory.import_roster", compound):
            add("directory:roster_import", _("Owners' roster"), args=(compound.slug,))
    # accounts.views.residency_queue opens when directory.verify_residency holds in one
    # of the person's compounds: exactly when they hold a roster seat (superusers always).
    if person.is_superuser or seats.keeps_roster:
        add("accounts:residency_queue", _("Verify residents"))
    return links


#: Session key: the calendar banner texts already shown in this session (issue 19 item 1).
CALENDAR_BANNER_SHOWN = "hs_calendar_banner_shown"


def can_enter_calendar(user) -> bool:
    """Whether ``user`` can open Admin → Calendar overrides and fix what the banner asks:
    the admin site (``is_staff``) and the right to add calendar days."""
    return bool(user.is_active and user.is_staff and user.has_perm("core.add_calendarday"))


def calendar_banner(request: HttpRequest, user) -> str | None:
    """The holiday-calendar warning, for the people who can enter the calendar, once per
    session: everyone else cannot act on it, and a banner on every page is noise that
    pushes the page down a phone screen (issue 19 item 1)."""
    if not can_enter_calendar(user):
        return None
    from huashan.workdays import calendar_coverage_warning

    message = calendar_coverage_warning()
    session = getattr(request, "session", None)
    if not message or session is None:
        return message
    if session.get(CALENDAR_BANNER_SHOWN) == message:
        return None
    session[CALENDAR_BANNER_SHOWN] = message
    return message


# --- the logged-in header, cached per person -------------------------------------------

#: Seconds the header's membership-derived part (staff or not, the staff menu) is kept
#: per person. A change of the person's memberships drops it at once (signals below), a
#: change of their account state is in the entry's stamp; a change of an organization or
#: residency drops everyone's (a generation).
HEADER_AGE = 30
_HEADER_GENERATION = "hdr:gen"


@dataclass(frozen=True)
class Header:
    """What the header needs from a person's memberships: staff or not, and the menu."""

    is_staff: bool
    nav: tuple[NavLink, ...]
    dashboard: bool = False  # may_open_dashboard: the menu and the home card both ask


def _header_key(person_pk) -> str:
    return f"hdr:person:{person_pk}"


def _build_header(user) -> Header:
    seats = person_seats(user) if user.is_active else Seats(rows=(), portal_pk=None)
    is_staff = bool(user.is_active and (user.is_superuser or seats.is_staff))
    dashboard = _dashboard_rule(user)  # asked once: the menu and the home card
    return Header(
        is_staff=is_staff,
        nav=tuple(staff_nav(user, seats, dashboard=dashboard)) if is_staff else (),
        dashboard=dashboard,
    )


def person_header(user) -> Header:
    """The header's staff check and staff menu for ``user``: read from the cache (one
    round trip, no query) when built in the last :data:`HEADER_AGE` seconds today, for
    the same account state and generation; else built (3–6 queries) and stored.

    Only links and labels are kept, never figures: each link's view checks permission
    itself, so even a stale menu cannot open a page its holder may not see."""
    from django.core.cache import cache
    from django.utils import timezone

    stamp = (
        timezone.localdate().isoformat(),
        bool(user.is_active),
        bool(user.is_superuser),
    )
    key = _header_key(user.pk)
    try:
        got = cache.get_many([_HEADER_GENERATION, key])
    except Exception:  # a cache outage must not break a page
        return _build_header(user)
    generation = got.get(_HEADER_GENERATION, 0)
    entry = got.get(key)
    if entry is not None and entry[0] == generation and entry[1] == stamp:
        return entry[2]
    header = _build_header(user)
    with contextlib.suppress(Exception):
        cache.set(key, (generation, stamp, header), HEADER_AGE)
    return header


def forget_person_header(person_pk) -> None:
    """Drop one person's cached header (their memberships or account changed)."""
    from django.core.cache import cache

    with contextlib.suppress(Exception):
        cache.delete(_header_key(person_pk))


def forget_all_headers() -> None:
    """Drop every cached header (an organization or a residency changed)."""
    from django.core.cache import cache

    with contextlib.suppress(Exception):
        try:
            cache.incr(_HEADER_GENERATION)
        except ValueError:  # not there yet
            cache.set(_HEADER_GENERATION, 1, None)


def _membership_changed(sender, instance, **kwargs) -> None:
    forget_person_header(instance.person_id)


def _scope_changed(sender, **kwargs) -> None:
    forget_all_headers()


def connect_header_signals() -> None:
    """Invalidate cached headers on the changes that alter them. Connected when this
    module is first imported — before any header can have been cached in a process —
    and from ``huashan.core.apps`` where the integrator wires it."""
    from django.db.models.signals import post_delete, post_save

    from huashan.directory.models import Membership, Organization, Residency

    # The account's own state (active, superuser) is part of each entry's stamp: a login
    # (which saves last_login) does not drop the header.
    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(
            _membership_changed, sender=Membership, dispatch_uid=f"hdr-membership-{name}"
        )
        for model in (Organization, Residency):
            signal.connect(
                _scope_changed, sender=model, dispatch_uid=f"hdr-{model.__name__}-{name}"
            )


connect_header_signals()


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "unread_notifications": 0,
            "staff_warnings": [],
            "portal_is_staff": False,
            "staff_nav": [],
        }
    from huashan.notify.selectors import unread_count

    warnings: list[str] = []
    header = person_header(user)
    is_staff = header.is_staff
    if is_staff:
        from huashan.core.heartbeat import scheduler_warning

        message = scheduler_warning()
        if message:
            warnings.append(message)
        message = calendar_banner(request, user)
        if message:
            warnings.append(message)
    return {
        "unread_notifications": unread_count(user=user),
        "staff_warnings": warnings,
        # Read by {% is_staff_person %} in the header, so the check runs once per page.
        "portal_is_staff": is_staff,
        "staff_nav": list(header.nav),
    }
