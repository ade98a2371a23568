"""Every alarm of the portal speaks one vocabulary (issue 15 item 8).

A complaint clock, an action item, a work summary, a pledge item and a disclosure schedule
each warn once before a deadline and once after it: the five alarm tables store the same
two stages, so the dashboards and digests read them alike.
"""

from __future__ import annotations

import pytest

from disclosures.models import ScheduleAlarm
from huashan.core.models import AlarmStage
from issues.models import IssueAlarm
from meetings.models import ActionItemAlarm
from meetings.models.summaries import WorkSummaryReminder
from pledges.models import PledgeAlarm

ALARM_FIELDS = [
    (IssueAlarm, "stage"),
    (ActionItemAlarm, "stage"),
    (WorkSummaryReminder, "stage"),
    (PledgeAlarm, "kind"),
    (ScheduleAlarm, "kind"),
]


@pytest.mark.parametrize(("model", "field"), ALARM_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_each_alarm_table_stores_the_shared_stages(model, field):
    choices = model._meta.get_field(field).choices
    assert [value for value, _label in choices] == ["due_soon", "overdue"]
    assert choices == AlarmStage.choices


def test_the_vocabulary_is_two_stages_before_and_after_the_deadline():
    assert [s.value for s in AlarmStage] == ["due_soon", "overdue"]
    assert IssueAlarm.Stage is AlarmStage
    assert PledgeAlarm.Kind is AlarmStage
