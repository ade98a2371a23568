"""Who is told about a complaint: an organization's staff, the reporter, the responsible
organizations (seed: 协同联动 第二条).
"""

from __future__ import annotations

from collections.abc import Iterable

from huashan.directory.models import (
    Compound,
    Membership,
    Organization,
    Person,
)
from huashan.directory.rules import STAFF_ROLES
from huashan.directory.selectors import compound_organizations
from huashan.notify.services import notification_create

from ..models import (
    Issue,
)
from ._common import INTAKE_KINDS, Kind, public_link, staff_link

# --- notifications -----------------------------------------------------------


def _org_recipients(organization: Organization, cache_: dict | None = None) -> list[Person]:
    if cache_ is not None and organization.pk in cache_:
        return cache_[organization.pk]
    people = list(
        Person.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.current().filter(
                organization=organization, role__in=STAFF_ROLES
            ),
        ).distinct()
    )
    if cache_ is not None:
        cache_[organization.pk] = people
    return people


def notify_organization(
    organization: Organization, *, subject: str, body: str, link: str = "", members=None
) -> None:
    """Inbox for each current staff member; the group robot too when it has a webhook."""
    for person in members if members is not None else _org_recipients(organization):
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body, link=link
        )
    if organization.webhook_url:
        notification_create(
            organization=organization, channel="webhook", subject=subject, body=body, link=link
        )


def _notify_person(person: Person | None, *, subject: str, body: str, link: str = "") -> None:
    if person is not None and person.is_active:
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body, link=link
        )


def _notify_reporter(issue: Issue, *, subject: str, body: str) -> None:
    # Anonymous reporters follow the issue with their tracking code; we do not text them.
    if issue.reporter_id:
        _notify_person(issue.reporter, subject=subject, body=body, link=public_link(issue))


def _orgs_of_kinds(compound: Compound, kinds: Iterable[str]) -> list[Organization]:
    return list(compound_organizations(compound=compound).filter(kind__in=list(kinds)))


def _intake_orgs(compound: Compound) -> list[Organization]:
    orgs = _orgs_of_kinds(compound, INTAKE_KINDS)
    office = [o for o in orgs if o.kind == Kind.JOINT_MEETING_OFFICE]
    return office or orgs


def _responsible_orgs(issue: Issue) -> list[Organization]:
    if issue.assigned_org_id:
        return [issue.assigned_org]
    return _intake_orgs(issue.compound)


def _notify_responsible(issue: Issue, *, subject: str, body: str) -> None:
    for org in _responsible_orgs(issue):
        notify_organization(org, subject=subject, body=body, link=staff_link(issue))
