"""Who is told about a complaint: an organization's staff, the reporter, the responsible
organizations (seed: 协同联动 第二条).
"""

from __future__ import annotations

from collections.abc import Iterable

from huashan.directory.models import (
    Compound,
    Organization,
    Person,
)
from huashan.directory.selectors import compound_organizations, organization_recipients
from huashan.notify.services import notify_organization as _notify_organization
from huashan.notify.services import notify_person

from ..models import (
    Issue,
)
from ._common import INTAKE_KINDS, Kind, public_link, staff_link

# --- notifications -----------------------------------------------------------


def _org_recipients(organization: Organization, cache_: dict | None = None) -> list[Person]:
    """The one rule (docs/roles.md "Who is told"), read once per organization per batch."""
    if cache_ is not None and organization.pk in cache_:
        return cache_[organization.pk]
    people = organization_recipients(organization=organization)
    if cache_ is not None:
        cache_[organization.pk] = people
    return people


def notify_organization(
    organization: Organization, *, subject: str, body: str, link: str = "", members=None
) -> None:
    """``huashan.notify.services.notify_organization`` (``members``: people already read)."""
    _notify_organization(
        organization=organization, subject=subject, body=body, link=link, recipients=members
    )


def _notify_person(person: Person | None, *, subject: str, body: str, link: str = "") -> None:
    notify_person(person=person, subject=subject, body=body, link=link)


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
