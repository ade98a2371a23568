"""Permissions of briefings (决策报告制度 第一条、第三条).

* ``briefings.view_briefings`` (obj: Compound): staff covering the compound read every
  briefing of it. Residents read only the public ones, on the public page.
* ``briefings.send_briefing`` (obj: Compound): the same staff; which body they send for,
  and which kind that body may send, the service checks against their own seats.
"""

from __future__ import annotations

import rules

from huashan.directory.rules import is_staff_of_compound, is_superuser

rules.add_perm("briefings.view_briefings", is_superuser | is_staff_of_compound)
rules.add_perm("briefings.send_briefing", is_superuser | is_staff_of_compound)
