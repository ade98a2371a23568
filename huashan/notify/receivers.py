"""Anonymous reporters who left a number hear of their complaint's progress by SMS.

Issue 21 item 2. An anonymous complaint has no account to write an inbox message to
(``issues.services.notifications._notify_reporter`` skips it); when the reporter left a
mobile number (``Issue.reporter_phone``), every public change of state of the complaint
(an ``IssueEvent`` with ``public`` and a ``from_state`` → ``to_state``) queues one SMS of
kind ``tracking`` with the tracking number and the new state's label. The row is written
in the transaction of the change, so a rolled-back change sends nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def issue_event_tracking_sms(sender, instance, created, raw=False, **kwargs) -> None:
    if raw or not created or not instance.public:
        return
    if not instance.to_state or not instance.from_state or instance.to_state == instance.from_state:
        return
    issue = instance.issue
    if issue.reporter_id is not None or not issue.reporter_phone:
        return
    from .services import tracking_sms

    with translation.override(settings.LANGUAGE_CODE):
        status = str(type(instance).STATE_LABELS.get(instance.to_state, instance.to_state))
    tracking_sms(
        mobile=issue.reporter_phone,
        number=issue.tracking_number,
        status=status,
        link=f"/issues/{issue.tracking_number}/",
    )
