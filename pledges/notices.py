"""Who in an organization hears a pledge notice, and sending it.

Used by the pledge services and by the compliance engine (``pledges/engine.py``); kept
out of both so that neither imports the other (issue 15 item 2).
"""

from __future__ import annotations

from huashan.directory.models import Membership, Organization, Person
from huashan.notify.services import notification_create


def organization_recipients(organization: Organization) -> list[Person]:
    """Current officers and staff of an organization (who receive its inbox notices)."""
    roles = (
        Membership.Role.SECRETARY,
        Membership.Role.CHAIR,
        Membership.Role.MEMBER,
        Membership.Role.STAFF,
    )
    return [
        m.person
        for m in Membership.objects.current()
        .filter(organization=organization, role__in=roles, person__is_active=True)
        .select_related("person")
    ]


def notify_organization(organization: Organization, *, subject: str, body: str, link: str = ""):
    """Inbox message to each officer, plus the organization's webhook if it has one."""
    for person in organization_recipients(organization):
        notification_create(
            recipient=person, channel="inbox", subject=subject, body=body, link=link
        )
    if organization.webhook_url:
        notification_create(
            organization=organization, channel="webhook", subject=subject, body=body, link=link
        )
