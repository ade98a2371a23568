"""Beat tasks, the pledges_evaluate command and the demo seeder."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pledges import tasks
from pledges.models import PeriodResult, PledgeAlarm, PledgeLetter
from tests.factories.pledges import ActivityFactory, PledgeItemFactory, pledge_world
from tests.pledges.conftest import at

pytestmark = pytest.mark.django_db


def _world():
    world = pledge_world(year=2026)
    item = PledgeItemFactory(
        letter=world.letter,
        heading="理论学习常态化",
        params={
            "source": "activity",
            "kinds": ["study"],
            "min_count": 1,
            "per_member": False,
            "period_months": 1,
            "label": "每月党员学习",
        },
    )
    return world, item


def test_evaluate_task_is_idempotent(freeze):
    from huashan.core.models import Heartbeat

    freeze(at(2026, 1, 2, 10))
    _world()
    freeze(at(2026, 2, 27, 10))
    first = tasks.evaluate()
    second = tasks.evaluate()
    assert first["created"] == 2
    assert second["created"] == 0
    assert second["frozen"] == 1
    assert PledgeAlarm.objects.count() == 2  # January missed, February warned
    assert Heartbeat.objects.filter(name="pledges.evaluate").exists()


def test_command_prints_a_table_at_a_given_moment():
    world, item = _world()
    ActivityFactory(organization=world.party, kind="study", held_on=dt.date(2026, 1, 5))
    out = StringIO()
    call_command("pledges_evaluate", "--at", "2026-02-10T23:00+08:00", stdout=out)
    text = out.getvalue()
    assert "每月党员学习" in text
    assert "2026-01-01–2026-01-31" in text
    assert "met (final)" in text
    assert "2026-02-01–2026-02-28" in text
    assert PeriodResult.objects.filter(item=item).count() == 2


def test_command_rejects_a_bad_moment():
    with pytest.raises(CommandError, match="ISO"):
        call_command("pledges_evaluate", "--at", "next tuesday", stdout=StringIO())


def test_escalation_and_absence_tasks_run():
    assert tasks.escalate_findings() == {"escalated": 0}
    assert tasks.scan_absences() == {"opened": 0}
    assert tasks.letter_pdf_generate(999999) is False


def test_seed_pledges_is_idempotent_and_loads_both_letters(freeze):
    freeze(at(2026, 11, 28, 10))
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_pledges", stdout=out)
    letters = PledgeLetter.objects.filter(compound__slug="jiangnan-huashan", year=2026)
    assert sorted(letters.values_list("organization__kind", flat=True)) == ["compound_party", "pmc"]
    assert all(letter.published for letter in letters)
    party = letters.get(organization__kind="compound_party")
    assert party.items.filter(number__isnull=False).count() == 10
    assert party.items.get(number=3).text.startswith("设立线上线下“党员意见箱”")
    statuses = set(PeriodResult.objects.values_list("status", flat=True))
    assert {"met", "at_risk", "missed"} <= statuses
    neighbourhood = PeriodResult.objects.get(item__letter=party, item__number=9, measure=0)
    assert neighbourhood.status == "at_risk"
    safety_q3 = PeriodResult.objects.get(
        item__letter=party, item__number=7, measure=0, period_start=dt.date(2026, 7, 1)
    )
    assert safety_q3.status == "missed"
    counts = PeriodResult.objects.count()
    call_command("seed_pledges", stdout=StringIO())
    assert PeriodResult.objects.count() == counts
    assert PledgeLetter.objects.filter(compound__slug="jiangnan-huashan").count() == 2
