"""The demo's second compound, 桃源居, adopted only through the documented path.

A roster workbook (households on the first sheet, organizations and their people
on the sheet 组织成员) is written to a temporary file and handed to
``setup_compound`` — the same command a street office runs for a real compound
(docs/operations.md "Adopting a new compound"). Nothing here writes a row itself.

The roster deliberately leaves out the joint-meeting office and the volunteer
quality supervisor, so the setup checklist of the second compound has open items
to fix in the demo. Deterministic and idempotent (``setup_compound`` is).
Run after ``seed_demo`` (it uses the demo street, community and administrator).
"""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from openpyxl import Workbook

from huashan.directory.models import Compound, Person

from .seed_demo import ADMIN_MOBILE, DEMO_PASSWORD

SLUG = "taoyuan-ju"
NAME = "桃源居"
BUILDINGS, UNITS, FLOORS = 3, 2, 6
AREAS = (76, 89, 95, 108, 120, 132)
#: (organization, organization name, phone, name, mobile, role, term start month/day)
ORGANIZATIONS = (
    ("小区党组织", "桃源居小区党支部", "027-87910001", "韩立新", "13800000601", "书记", (3, 1)),
    (
        "物业管理委员会",
        "桃源居小区物业管理委员会",
        "027-87910002",
        "冯雅琴",
        "13800000602",
        "主任",
        (5, 10),
    ),
    ("物业管理委员会", "", "", "褚建国", "13800000603", "委员", (5, 10)),
    (
        "物业服务企业",
        "武汉某物业服务有限公司桃源居项目部",
        "027-87910003",
        "卫东",
        "13800000604",
        "工作人员",
        (1, 1),
    ),
)


def roster_workbook(path: Path, year: int) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "业主名册"
    sheet.append(["楼栋", "单元", "房号", "面积", "姓名", "手机", "关系"])
    owner = 0
    for building in range(1, BUILDINGS + 1):
        for unit in range(1, UNITS + 1):
            for floor in range(1, FLOORS + 1):
                area = f"{AREAS[(building * 7 + unit * 3 + floor) % len(AREAS)]}.{floor * 7:02d}"
                room = f"{floor}{unit:02d}"
                row = [f"{building}栋", f"{unit}单元", room, area, "", "", ""]
                if floor % 3 == 1:
                    owner += 1
                    row[4:] = [f"业主{owner:02d}", f"138000007{owner:02d}", "业主"]
                sheet.append(row)
    other = workbook.create_sheet("组织成员")
    other.append(["组织", "组织名称", "组织电话", "姓名", "手机", "职务", "任职日期"])
    for kind, org_name, phone, name, mobile, role, (month, day) in ORGANIZATIONS:
        start = f"{year}-{month:02d}-{day:02d}"
        other.append([kind, org_name, phone, name, mobile, role, start])
    workbook.save(path)


class Command(BaseCommand):
    help = "Adopt the demo's second compound (桃源居) through setup_compound and a roster."

    def handle(self, *args, **options):
        if not Person.objects.filter(mobile=ADMIN_MOBILE, is_superuser=True).exists():
            raise CommandError("Run seed_demo first: the demo administrator does not exist.")
        today = timezone.localdate()
        year = today.year if (today.month, today.day) >= (5, 10) else today.year - 1
        out = StringIO()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "桃源居业主名册.xlsx"
            roster_workbook(path, year)
            call_command(
                "setup_compound",
                "--street", "jiangxia-kfq",
                "--community", "puan",
                "--compound", SLUG,
                "--name", NAME,
                "--address", "湖北省武汉市江夏区江夏经济开发区普安社区",
                "--roster", str(path),
                "--actor", ADMIN_MOBILE,
                stdout=out,
                stderr=self.stderr,
            )  # fmt: skip
        # The demo people of the second compound log in with the demo password.
        mobiles = [row[4] for row in ORGANIZATIONS]
        Person.objects.filter(mobile__in=mobiles, password__startswith="!").update(
            password=make_password(DEMO_PASSWORD)
        )
        compound = Compound.objects.get(slug=SLUG)
        self.stdout.write(out.getvalue().splitlines()[-1] if out.getvalue() else "")
        self.stdout.write(self.style.SUCCESS(f"Second demo compound ready: {compound.name}."))
