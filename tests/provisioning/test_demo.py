"""The demo's second compound is adopted only through setup_compound and a roster.

seed: both letters and every schedule of 公示承诺制度 exist for it, from the templates.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from dashboard.selectors.setup import setup_open_items
from disclosures.models import Schedule
from huashan.directory.models import Compound, Household
from pledges.models import PledgeItem, PledgeLetter
from provisioning import seed
from provisioning.checklist import compound_checklist
from provisioning.models import ProvisioningEvent

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_second_demo_compound_through_the_documented_path(templates):
    with time_machine.travel(dt.datetime(2026, 11, 28, 10, tzinfo=SH), tick=False):
        call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
        call_command("seed_second_compound", stdout=StringIO())
        counts = (Household.objects.count(), PledgeItem.objects.count(), Schedule.objects.count())
        call_command("seed_second_compound", stdout=StringIO())
        assert counts == (
            Household.objects.count(),
            PledgeItem.objects.count(),
            Schedule.objects.count(),
        )
        second = Compound.objects.get(slug="taoyuan-ju")
        first = Compound.objects.get(slug="jiangnan-huashan")
        assert second.community_id == first.community_id
        assert Household.objects.filter(building__compound=second).count() == 36
        letters = PledgeLetter.objects.filter(compound=second, year=2026)
        assert letters.count() == 2
        pmc = letters.get(organization__kind="pmc")
        item7 = pmc.items.get(number=7)
        assert (item7.params["start"], item7.params["due"]) == ("2026-05-10", "2026-08-10")
        assert pmc.title == "普安社区桃源居小区物业管理会服务承诺"
        assert Schedule.objects.filter(compound=second).count() == len(seed.SCHEDULES)
        open_codes = {i.code for i in compound_checklist(second) if not i.ok}
        assert {"joint_meeting_office", "quality_supervisor"} <= open_codes
        assert "property_company" not in open_codes
        # The community's dashboard compares both compounds.
        rows = setup_open_items(place=first.community).rows
        assert {r.compound.slug for r in rows} >= {"jiangnan-huashan", "taoyuan-ju"}
        assert ProvisioningEvent.objects.filter(compound=second, verb="setup_compound").count() == 1
