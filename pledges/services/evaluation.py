"""Running the pledge compliance engine (the beat task, the command, after a meeting)."""

from __future__ import annotations

import datetime as dt

from huashan.directory.models import Compound

from ..engine import evaluate


def pledges_evaluate(*, at: dt.datetime | None = None):
    """Run the compliance engine for every compound (beat task and the command)."""
    return evaluate(at=at)


def pledges_evaluate_compound(*, compound_id: int):
    """Re-run the compliance engine for one compound, now.

    Called after a meeting of the compound is recorded or changes state, so the pledge
    board's "定期联席会议 已完成 N 次" agrees with the dashboard's "本月已召开联席会议" the
    moment the meeting is held, not at the next hourly run (issue 13 item 7; seed:
    小区党组织服务承诺 第1条). Idempotent: the engine never rewrites final results and
    sends each alarm once.
    """
    return evaluate(compounds=Compound.objects.filter(pk=compound_id))
