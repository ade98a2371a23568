"""Who in an organization hears a pledge notice, and sending it.

Used by the pledge services and by the compliance engine (``pledges/engine.py``); kept
out of both so that neither imports the other (issue 15 item 2). Both names are the
portal's one seam (``huashan.notify.services``, the rule in docs/roles.md "Who is told").
"""

from __future__ import annotations

from huashan.directory.models import Organization, Person
from huashan.directory.selectors import organization_recipients as _recipients
from huashan.notify.services import notify_organization as _notify_organization


def organization_recipients(organization: Organization) -> list[Person]:
    """Who receives an organization's inbox notices (docs/roles.md "Who is told")."""
    return _recipients(organization=organization)


def notify_organization(organization: Organization, *, subject: str, body: str, link: str = ""):
    """Inbox message to each recipient, plus the organization's webhook if it has one."""
    _notify_organization(organization=organization, subject=subject, body=body, link=link)
