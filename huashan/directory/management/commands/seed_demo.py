"""Seed the demo compound: 江夏经济开发区 / 普安社区 / 江南花山郡, its bodies and people.

Idempotent: every row is found by its natural key (slug, name, mobile, address)
and created only when missing, so running it twice leaves the same row
counts. Households are bulk-inserted (conflicts ignored), so a run takes about
a second on SQLite or PostgreSQL.

All demo logins share the password ``huashan2026`` (DEMO_PASSWORD); the
superuser logs in with mobile 13800000000. ``--print-logins`` prints them.
Demo data only: never run this against production.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from huashan.directory.models import (
    Building,
    Community,
    Compound,
    Household,
    Membership,
    Organization,
    Person,
    Residency,
    ResidencyEvent,
    Street,
)

DEMO_PASSWORD = "huashan2026"
ADMIN_MOBILE = "13800000000"
TERM_START = date(2024, 1, 1)
BUILDINGS = 10
UNITS = 2
FLOORS = 25

Kind = Organization.Kind
Role = Membership.Role
Relation = Residency.Relation
Status = Residency.Status

# key -> (kind, name, scope level, public phone)
ORGANIZATIONS: dict[str, tuple[str, str, str, str]] = {
    "street_office": (Kind.STREET_OFFICE, "江夏经济开发区党工委", "street", ""),
    "street_pmc": (Kind.STREET_PMC, "江夏经济开发区街道物业管理专业委员会", "street", ""),
    "dept_housing": (Kind.DEPARTMENT, "区住更局", "street", ""),
    "dept_social": (Kind.DEPARTMENT, "区社工部", "street", ""),
    # The seed's pledge letter is signed by this body (服务承诺 落款).
    "community_party": (
        Kind.COMMUNITY_PARTY,
        "中共武汉江夏经济开发区普安社区支部委员会",
        "community",
        "",
    ),
    "residents_committee": (Kind.RESIDENTS_COMMITTEE, "普安社区居民委员会", "community", ""),
    "rc_property_committee": (
        Kind.RC_PROPERTY_COMMITTEE,
        "普安社区居委会环境和物业管理委员会",
        "community",
        "",
    ),
    # 监督电话 027-87913119 (seed: 小区党组织服务承诺).
    "compound_party": (Kind.COMPOUND_PARTY, "江南花山郡小区党支部", "compound", "027-87913119"),
    # 24小时业主服务专线 027-81818577 (seed: 物业管理委员会服务承诺 一).
    "pmc": (Kind.PMC, "江南花山郡小区物业管理委员会", "compound", "027-81818577"),
    "property_company": (
        Kind.PROPERTY_COMPANY,
        "武汉某物业服务有限公司江南花山郡项目部",
        "compound",
        "",
    ),
    "joint_meeting_office": (
        Kind.JOINT_MEETING_OFFICE,
        "江南花山郡小区联席会议办公室",
        "compound",
        "",
    ),
}


@dataclass(frozen=True)
class DemoPerson:
    mobile: str
    name: str
    party: bool = False
    seats: tuple[tuple[str, str, str], ...] = ()  # (organization key, role, public title)
    home: tuple[int, int, int, str, str] | None = None  # building, unit, floor, relation, status
    label: str = ""


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("13800000101", "王建国", True, (("street_office", Role.SECRETARY, "党工委书记"),)),
    DemoPerson(
        "13800000102", "刘志强", False, (("street_pmc", Role.CHAIR, "物业管理专业委员会主任"),)
    ),
    DemoPerson("13800000103", "陈立新", False, (("dept_housing", Role.STAFF, "物业科科员"),)),
    DemoPerson("13800000104", "赵敏", False, (("dept_social", Role.STAFF, "基层治理科科员"),)),
    DemoPerson(
        "13800000201", "李红梅", True, (("community_party", Role.SECRETARY, "社区党支部书记"),)
    ),
    DemoPerson(
        "13800000202", "张慧", True, (("residents_committee", Role.CHAIR, "社区居委会主任"),)
    ),
    DemoPerson(
        "13800000203", "周婷", False, (("residents_committee", Role.GRID_WORKER, "网格员"),)
    ),
    DemoPerson(
        "13800000204",
        "孙明哲",
        False,
        (("residents_committee", Role.COMMUNITY_LAWYER, "社区律师"),),
    ),
    DemoPerson(
        "13800000205",
        "胡秀英",
        False,
        (("residents_committee", Role.RESIDENT_GROUP_LEADER, "居民小组长"),),
        (6, 1, 6, Relation.OWNER, Status.VERIFIED),
    ),
    DemoPerson(
        "13800000206",
        "吴国平",
        True,
        (("rc_property_committee", Role.MEMBER, "环境和物业管理委员会委员"),),
    ),
    DemoPerson(
        "13800000207",
        "郑卫东",
        True,
        (("community_party", Role.SENT_DOWN_CADRE, "下沉党员干部"),),
    ),
    DemoPerson(
        "13800000301",
        "黄志刚",
        True,
        (
            ("compound_party", Role.SECRETARY, "小区党支部书记"),
            ("joint_meeting_office", Role.CHAIR, "联席会议办公室主任"),
        ),
        (2, 1, 11, Relation.OWNER, Status.VERIFIED),
    ),
    DemoPerson("13800000302", "唐丽", False, (("joint_meeting_office", Role.STAFF, "办公室干事"),)),
    DemoPerson(
        "13800000303",
        "马俊",
        True,
        (("pmc", Role.CHAIR, "物业管理委员会主任"),),
        (3, 2, 15, Relation.OWNER, Status.VERIFIED),
    ),
    DemoPerson(
        "13800000304",
        "林芳",
        False,
        (("pmc", Role.MEMBER, "物业管理委员会委员"),),
        (4, 1, 9, Relation.OWNER, Status.VERIFIED),
    ),
    DemoPerson("13800000305", "罗强", False, (("property_company", Role.CHAIR, "项目经理"),)),
    DemoPerson("13800000306", "徐静", False, (("property_company", Role.STAFF, "客服主管"),)),
    DemoPerson(
        "13800000307",
        "谢明",
        False,
        (("property_company", Role.QUALITY_SUPERVISOR, "义务质量总监"),),
        (7, 2, 12, Relation.OWNER, Status.VERIFIED),
    ),
    DemoPerson(
        "13800000308",
        "高文",
        False,
        (("pmc", Role.OWNER_REPRESENTATIVE, "业主代表"),),
        (5, 1, 3, Relation.OWNER, Status.VERIFIED),
    ),
    DemoPerson(
        "13800000309",
        "郑丽",
        True,
        (("compound_party", Role.PARTY_MEMBER, "小区党支部党员"),),
        (8, 1, 18, Relation.OWNER, Status.VERIFIED),
    ),
    DemoPerson(
        "13800000310",
        "何伟",
        True,
        (("compound_party", Role.PARTY_MEMBER, "小区党支部党员"),),
        (9, 2, 5, Relation.OWNER, Status.VERIFIED),
    ),
    DemoPerson(
        "13800000401",
        "曹建华",
        home=(1, 1, 12, Relation.OWNER, Status.VERIFIED),
        label="业主（已认证）",
    ),
    DemoPerson(
        "13800000402",
        "彭晓燕",
        home=(1, 1, 12, Relation.FAMILY, Status.VERIFIED),
        label="家庭成员（已认证）",
    ),
    DemoPerson(
        "13800000403",
        "邓磊",
        home=(5, 2, 15, Relation.TENANT, Status.VERIFIED),
        label="租户（已认证）",
    ),
    DemoPerson(
        "13800000404",
        "蒋雪",
        home=(3, 1, 8, Relation.OWNER, Status.PENDING),
        label="业主（注册待审核）",
    ),
    DemoPerson(
        "13800000405",
        "宋文博",
        home=(10, 2, 23, Relation.OWNER, Status.VERIFIED),
        label="业主（已认证）",
    ),
)

# Floor-plan sizes (m²) a unit stack may have; the last two digits vary per flat.
LAYOUTS = (89, 98, 105, 118, 128, 143)


def room_number(floor: int, unit: int) -> str:
    """Floor 12 of unit 1 -> "1201"; unit 2 -> "1202"."""
    return f"{floor}{unit:02d}"


def household_plan() -> list[tuple[str, str, str, Decimal]]:
    """Every demo household (building, unit, room, area), the same on every run."""
    rng = random.Random(2026)
    plan = []
    for building in range(1, BUILDINGS + 1):
        for unit in range(1, UNITS + 1):
            base = rng.choice(LAYOUTS)
            for floor in range(1, FLOORS + 1):
                area = Decimal(f"{base}.{rng.randint(0, 99):02d}")
                plan.append((f"{building}栋", f"{unit}单元", room_number(floor, unit), area))
    return plan


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


@dataclass
class Seeded:
    compound: Compound
    organizations: dict[str, Organization] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


class Command(BaseCommand):
    help = "Create (or complete) the demo compound 江南花山郡 with its bodies and people."

    def add_arguments(self, parser):
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help="print the demo logins (role, name, mobile, password)",
        )

    def handle(self, *args, print_logins: bool = False, **options):
        seeded = seed_demo()
        # Each installed module seeds its own demo data (settings.HUASHAN_DEMO_SEEDERS).
        for command in getattr(settings, "HUASHAN_DEMO_SEEDERS", ()):
            call_command(command, stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo compound ready: {seeded.compound.name} "
                f"({Household.objects.filter(building__compound=seeded.compound).count()} "
                f"households, {len(seeded.logins)} logins)."
            )
        )
        if print_logins:
            self.print_logins(seeded.logins)

    def print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        header = ("角色 / role", "姓名 / name", "手机 / mobile", "密码 / password")
        rows = [header] + [(role, name, mobile, DEMO_PASSWORD) for role, name, mobile in logins]
        widths = [max(display_width(row[i]) for row in rows) for i in range(4)]
        for index, row in enumerate(rows):
            self.stdout.write(
                "  ".join(pad(cell, widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1]
            )
            if index == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(f"所有演示账号密码 / every demo login's password: {DEMO_PASSWORD}")


@transaction.atomic
def seed_demo() -> Seeded:
    street, _ = Street.objects.update_or_create(
        slug="jiangxia-kfq", defaults={"name": "江夏经济开发区"}
    )
    community, _ = Community.objects.update_or_create(
        slug="puan", defaults={"name": "普安社区", "street": street}
    )
    compound, _ = Compound.objects.update_or_create(
        slug="jiangnan-huashan",
        defaults={
            "name": "江南花山郡",
            "community": community,
            "address": "湖北省武汉市江夏区江夏经济开发区普安社区",
        },
    )
    seeded = Seeded(compound=compound)
    scopes = {"street": street, "community": community, "compound": compound}
    for key, (kind, name, level, phone) in ORGANIZATIONS.items():
        scope_fields = {"street": None, "community": None, "compound": None}
        scope_fields[level] = scopes[level]
        org, _ = Organization.objects.update_or_create(
            kind=kind, name=name, defaults={**scope_fields, "phone": phone}
        )
        seeded.organizations[key] = org

    households = _seed_households(compound)
    _seed_people(seeded, households)
    return seeded


def _seed_households(compound: Compound) -> dict[tuple[str, str, str], Household]:
    plan = household_plan()
    buildings = {}
    for number in dict.fromkeys(row[0] for row in plan):
        buildings[number], _ = Building.objects.get_or_create(compound=compound, number=number)
    Household.objects.bulk_create(
        [
            Household(building=buildings[b], unit=unit, room=room, area=area)
            for b, unit, room, area in plan
        ],
        ignore_conflicts=True,
    )
    return {
        (h.building.number, h.unit, h.room): h
        for h in Household.objects.filter(building__compound=compound).select_related("building")
    }


def _seed_people(seeded: Seeded, households) -> None:
    password = make_password(DEMO_PASSWORD)
    admin, _ = Person.objects.update_or_create(
        mobile=ADMIN_MOBILE,
        defaults={
            "name": "系统管理员",
            "is_staff": True,
            "is_superuser": True,
            "is_active": True,
            "password": password,
        },
    )
    seeded.logins.append(("admin 超级管理员 / superuser", admin.name, admin.mobile))
    for demo in PEOPLE:
        person, _ = Person.objects.update_or_create(
            mobile=demo.mobile,
            defaults={
                "name": demo.name,
                "is_party_member": demo.party,
                "is_active": True,
                "password": password,
            },
        )
        labels = []
        for org_key, role, title in demo.seats:
            organization = seeded.organizations[org_key]
            Membership.objects.update_or_create(
                person=person,
                organization=organization,
                role=role,
                defaults={"title": title, "start": TERM_START, "end": None},
            )
            labels.append(title)
        if demo.home is not None:
            building, unit, floor, relation, status = demo.home
            household = households[(f"{building}栋", f"{unit}单元", room_number(floor, unit))]
            residency, created = Residency.objects.get_or_create(
                person=person,
                household=household,
                defaults={"relation": relation, "status": status},
            )
            if created:
                if status == Status.VERIFIED:
                    residency.verified_at = residency.created_at
                    residency.save(update_fields=["verified_at"])
                ResidencyEvent.objects.create(
                    residency=residency, verb="seed_demo", from_state="", to_state=status
                )
            if not labels or demo.label:
                labels.append(f"{demo.label or '业主'} {household}")
        seeded.logins.append(("；".join(labels), person.name, person.mobile))
