"""Evidence hooks: keep the pledge results in step with the records they count.

The engine runs hourly (``pledges.tasks.evaluate``); without this hook the pledge board
showed "定期联席会议 已完成 0 次" for up to an hour after the dashboard said the month's
joint meeting was held (issue 13 item 7). The re-evaluation runs after the meeting's
transaction commits, for that meeting's compound only.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


# compound pk -> monotonic time the last re-evaluation of it started (this process).
_started: dict[int, float] = {}


def _evaluate(compound_id: int, registered_at: float) -> None:
    """Re-evaluate, unless a run for the compound started after this was asked for: at
    commit every meeting saved in the transaction queued one call, and the first run
    already sees them all (a seed or a bulk entry saves many meetings)."""
    from . import services

    if _started.get(compound_id, float("-inf")) >= registered_at:
        return
    _started[compound_id] = time.monotonic()
    try:
        services.pledges_evaluate_compound(compound_id=compound_id)
    except Exception:  # the hourly run catches up; never fail the meeting's request
        logger.exception("pledge re-evaluation after a meeting change failed")


def meeting_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """A meeting was created or its status changed: re-evaluate its compound's pledges."""
    update_fields = kwargs.get("update_fields")
    if not created and update_fields is not None and "status" not in update_fields:
        return
    if kwargs.get("raw") or not getattr(instance, "compound_id", None):
        return
    transaction.on_commit(partial(_evaluate, instance.compound_id, time.monotonic()))
