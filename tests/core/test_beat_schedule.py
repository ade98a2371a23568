"""Every beat entry names a task the worker knows, with an expiry (DESIGN.md §6)."""

import pytest
from django.conf import settings

from huashan.celery import app


@pytest.mark.parametrize("name", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_beat_entry_names_a_registered_task_and_expires(name):
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks, f"{name}: task {entry['task']!r} is not registered"
    assert entry.get("options", {}).get("expires"), f"{name}: a missed run must expire"


# Recurring duties of the rules that only a clock starts: each must be on the beat, or it
# never happens in production however well its service is tested.
RECURRING = {
    "provisioning.tasks.year_rollover": "1 January: the year's letters, schedules, campaign",
    "meetings.tasks.remind_work_summaries": "联席会议议事规则 第六条 半年、年度工作总结",
    "pledges.tasks.scan_supervisor_reports": "决策报告制度 第四条 义务质量总监报告",
    "briefings.tasks.scan_answers": "决策报告制度 第三条 三方办理党组织反馈意见",
    "privacy.tasks.retention_sweep": "retention periods of personal information",
    "issues.tasks.scan_deadlines": "48 小时 / 7 个工作日 / 3 天 deadlines",
}


@pytest.mark.parametrize("task", sorted(RECURRING))
def test_recurring_duty_is_on_the_beat(task):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert task in scheduled, f"{task} ({RECURRING[task]}) has no beat entry"


def test_year_rollover_runs_every_night_of_january_only():
    schedule = next(
        e["schedule"]
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "provisioning.tasks.year_rollover"
    )
    assert schedule.month_of_year == {1}
    assert len(schedule.day_of_month) == 31
