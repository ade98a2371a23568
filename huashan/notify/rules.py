"""Permissions of the notify app (shared contract: ``notify.view_inbox``)."""

from __future__ import annotations

import rules

from huashan.directory.rules import is_active_person

# Any logged-in, active person has an inbox (residents get progress of their
# complaints there; staff get transfers and supervision notices).
view_inbox = is_active_person

rules.set_perm("notify.view_inbox", view_inbox)
rules.set_rule("notify.view_inbox", view_inbox)
