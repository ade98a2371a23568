"""``setup_compound``: adopting a compound from nothing, by the documented path.

seed: every obligation of the rules (both letters, 公示承诺制度's schedules) exists for
the new compound; the checklist names exactly what the roster did not provide.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from disclosures.models import Schedule
from disclosures.selectors import schedule_compliance
from huashan.directory.models import (
    Community,
    Compound,
    Household,
    Membership,
    Organization,
    Street,
)
from pledges.models import PeriodResult, PledgeItem, PledgeLetter
from provisioning import seed
from provisioning.checklist import compound_checklist
from tests.factories.directory import CompoundFactory, PersonFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
Kind = Organization.Kind

HOUSEHOLDS = [
    ("1栋", "1单元", "101", "88.50", "赵一", "13700000001", "业主"),
    ("1栋", "1单元", "102", "90.00", "钱二", "13700000002", "业主"),
    ("2栋", "1单元", "201", "120.00", "", "", ""),
]
ORGS = [
    ("小区党组织", "桃花苑小区党支部", "027-11112222", "孙三", "13700000003", "书记", "2025-03-01"),
    ("物业管理委员会", "", "", "李四", "13700000004", "主任", "2026-05-10"),
    ("物业管理委员会", "", "", "周五", "13700000005", "委员", "2026-05-10"),
    ("物业服务企业", "桃花苑物业项目部", "027-33334444", "", "", "", ""),
]


def roster(path, households=HOUSEHOLDS, orgs=ORGS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "业主名册"
    sheet.append(["楼栋", "单元", "房号", "面积", "姓名", "手机", "关系"])
    for row in households:
        sheet.append(list(row))
    if orgs is not None:
        other = workbook.create_sheet("组织成员")
        other.append(["组织", "组织名称", "组织电话", "姓名", "手机", "职务", "任职日期"])
        for row in orgs:
            other.append(list(row))
    workbook.save(path)
    return str(path)


ARGS = [
    "--street", "jiangxia-kfq", "--street-name", "江夏经济开发区",
    "--community", "puan", "--community-name", "普安社区",
    "--compound", "taohua-yuan", "--name", "桃花苑",
]  # fmt: skip


def run(*extra):
    out, err = io.StringIO(), io.StringIO()
    call_command("setup_compound", *ARGS, *extra, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def admin(templates):
    return PersonFactory(is_superuser=True, is_staff=True)


def test_from_an_empty_database_the_whole_path(admin, tmp_path):
    """No seed command: street, community, compound, roster, obligations, checklist."""
    assert not Compound.objects.exists()
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, tzinfo=SH), tick=False):
        output = run("--roster", roster(tmp_path / "r.xlsx"))
    compound = Compound.objects.get(slug="taohua-yuan")
    assert Street.objects.filter(slug="jiangxia-kfq").exists()
    assert Community.objects.filter(slug="puan").exists()
    assert Household.objects.filter(building__compound=compound).count() == 3
    # Both letters of 2026 with every measured item.
    letters = PledgeLetter.objects.filter(compound=compound, year=2026)
    assert sorted(letters.values_list("organization__kind", flat=True)) == ["compound_party", "pmc"]
    assert PledgeItem.objects.filter(letter__in=letters).count() == len(
        seed.PARTY_LETTER["items"]
    ) + len(seed.PMC_LETTER["items"])
    item7 = PledgeItem.objects.get(letter__in=letters, letter__organization__kind="pmc", number=7)
    assert (item7.params["start"], item7.params["due"]) == ("2026-05-10", "2026-08-10")
    # Every disclosure schedule of the templates.
    assert Schedule.objects.filter(compound=compound).count() == len(seed.SCHEDULES)
    # The checklist names exactly what the roster did not provide.
    missing = {i.code for i in compound_checklist(compound, today=dt.date(2026, 6, 15)) if not i.ok}
    assert missing - {"calendar_next_year"} == {
        "joint_meeting_office",
        "quality_supervisor",
        "personnel_disclosure",
        "pledge_letters",
    }
    assert "Setup checklist of 桃花苑" in output
    # The engine and the disclosure compliance selector measure the new compound.
    with time_machine.travel(dt.datetime(2026, 8, 20, 10, tzinfo=SH), tick=False):
        call_command("pledges_evaluate", stdout=io.StringIO())
        rows = schedule_compliance(
            compound=compound, start=dt.date(2026, 6, 1), end=dt.date(2026, 8, 20)
        )
    assert PeriodResult.objects.filter(item__letter__compound=compound).exists()
    assert {r.status for r in rows} >= {"missing"}


def test_running_it_twice_changes_nothing(admin, tmp_path):
    path = roster(tmp_path / "r.xlsx")
    first = run("--roster", path)
    counts = (
        Organization.objects.count(),
        Membership.objects.count(),
        PledgeItem.objects.count(),
        Schedule.objects.count(),
    )
    second = run("--roster", path)
    assert counts == (
        Organization.objects.count(),
        Membership.objects.count(),
        PledgeItem.objects.count(),
        Schedule.objects.count(),
    )
    assert first.splitlines()[-12:] == second.splitlines()[-12:]


def test_compound_without_pmc_stays_pending_on_the_checklist(admin, tmp_path):
    orgs = [r for r in ORGS if r[0] != "物业管理委员会"]
    run("--roster", roster(tmp_path / "r.xlsx", orgs=orgs))
    compound = Compound.objects.get(slug="taohua-yuan")
    assert "pmc_members" in {i.code for i in compound_checklist(compound) if not i.ok}
    assert not PledgeLetter.objects.filter(compound=compound, organization__kind="pmc").exists()


def test_roster_naming_a_household_twice_is_refused(admin, tmp_path):
    households = [*HOUSEHOLDS, HOUSEHOLDS[0]]
    with pytest.raises(CommandError, match="problem"):
        run("--roster", roster(tmp_path / "r.xlsx", households=households))
    assert not Household.objects.exists()


def test_bad_organizations_sheet_is_refused(admin, tmp_path):
    orgs = [
        ("居委会", "", "", "", "", "", ""),
        ("物业管理委员会", "", "", "王", "123", "队长", "昨天"),
    ]
    with pytest.raises(CommandError, match="组织成员"):
        run("--roster", roster(tmp_path / "r.xlsx", orgs=orgs))
    assert not Membership.objects.filter(person__name="王").exists()


def test_compound_slug_of_another_community_is_refused(admin):
    CompoundFactory(slug="taohua-yuan")
    with pytest.raises(CommandError, match="another community"):
        run()


def test_new_street_needs_a_name(admin):
    with pytest.raises(CommandError, match="street-name"):
        call_command(
            "setup_compound", "--street", "x-street", "--community", "c", "--compound", "k",
            "--name", "某小区", stdout=io.StringIO(),
        )  # fmt: skip


def test_bad_slug_is_refused(admin):
    with pytest.raises(CommandError, match="lowercase"):
        call_command(
            "setup_compound", "--street", "街道", "--street-name", "街道", "--community", "c",
            "--community-name", "社区", "--compound", "k", "--name", "某小区",
            stdout=io.StringIO(),
        )  # fmt: skip


def test_without_a_superuser_or_actor_it_says_what_to_do(templates):
    with pytest.raises(CommandError, match="createsuperuser"):
        run()


def test_provision_year_command_is_idempotent(admin):
    run()
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 5, tzinfo=SH), tick=False):
        call_command("provision_year", stdout=out)
        call_command("provision_year", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("2027")]
    assert lines[0].startswith("2027: letters +")
    assert lines[1] == "2027: letters +0, schedules +0"
