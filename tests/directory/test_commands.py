"""Management commands: import_roster and seed_demo."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from huashan.directory.management.commands.seed_demo import DEMO_PASSWORD
from huashan.directory.models import (
    Compound,
    Household,
    Membership,
    Organization,
    Person,
    Residency,
)
from huashan.directory.selectors import person_is_staff
from tests.directory.conftest import xlsx_bytes

ROWS = [
    ("1栋", "1单元", "101", 98.5, "张伟", "13912345678", "业主"),
    ("1栋", "1单元", "102", 98.5, "李娜", "1391234", "业主"),
]


@pytest.fixture
def roster_file(tmp_path):
    def write(rows) -> Path:
        path = tmp_path / "roster.xlsx"
        path.write_bytes(xlsx_bytes(rows))
        return path

    return write


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_roster_imports_a_good_file(staff, compound, roster_file):
    out, _err = run(
        "import_roster", "--compound", compound.slug, "--actor", staff.mobile, roster_file(ROWS[:1])
    )

    assert "households +1" in out
    assert Person.objects.filter(mobile="13912345678").exists()


def test_import_roster_prints_row_errors_and_fails(staff, compound, roster_file):
    err = StringIO()

    with pytest.raises(CommandError, match="1 problem"):
        call_command(
            "import_roster",
            "--compound",
            compound.slug,
            "--actor",
            staff.mobile,
            str(roster_file(ROWS)),
            stdout=StringIO(),
            stderr=err,
        )

    assert "row 3 [手机 / mobile]" in err.getvalue()
    assert "1391234" in err.getvalue()
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("compound_slug", "actor", "message"),
    [
        ("no-such", None, "No compound"),
        (None, "13000000000", "No active person"),
    ],
)
def test_import_roster_rejects_unknown_compound_or_actor(
    staff, compound, roster_file, compound_slug, actor, message
):
    with pytest.raises(CommandError, match=message):
        run(
            "import_roster",
            "--compound",
            compound_slug or compound.slug,
            "--actor",
            actor or staff.mobile,
            str(roster_file(ROWS[:1])),
        )


def test_import_roster_refuses_non_staff_and_missing_file(
    resident, compound, roster_file, tmp_path
):
    with pytest.raises(CommandError, match="may not import"):
        run(
            "import_roster",
            "--compound",
            compound.slug,
            "--actor",
            resident.mobile,
            str(roster_file(ROWS[:1])),
        )
    with pytest.raises(CommandError, match="No such file"):
        run(
            "import_roster",
            "--compound",
            compound.slug,
            "--actor",
            resident.mobile,
            str(tmp_path / "x.xlsx"),
        )


@pytest.mark.django_db(transaction=True)
def test_import_roster_exits_with_status_1_on_errors(tmp_path):
    """The real process, as a clerk runs it: exit code 1 and the row on stderr."""
    call_command("seed_demo", stdout=StringIO())
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx_bytes(ROWS))
    db = settings.DATABASES["default"]
    credentials = db["USER"] + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    env_db = f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_roster",
            "--compound",
            "jiangnan-huashan",
            "--actor",
            "13800000301",
            str(path),
        ],
        cwd=settings.BASE_DIR,
        env={
            "DATABASE_URL": env_db,
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "huashan.settings_test",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 1, completed.stderr
    assert "row 3" in completed.stderr


def directory_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("directory").get_models()
    }


def test_seed_demo_twice_gives_identical_counts(db):
    run("seed_demo")
    first = directory_counts()
    run("seed_demo")

    assert directory_counts() == first
    assert first["Household"] == 500
    assert first["Building"] == 10


def test_seed_demo_creates_the_demo_places_bodies_and_people(db):
    run("seed_demo")

    compound = Compound.objects.select_related("community__street").get(slug="jiangnan-huashan")
    assert (compound.name, compound.community.slug, compound.community.street.slug) == (
        "江南花山郡",
        "puan",
        "jiangxia-kfq",
    )
    assert set(Organization.objects.values_list("kind", flat=True)) == set(Organization.Kind.values)
    assert set(Membership.objects.values_list("role", flat=True)) == set(Membership.Role.values)
    assert Organization.objects.get(kind="pmc").phone == "027-81818577"
    assert Organization.objects.filter(
        kind="community_party", name="中共武汉江夏经济开发区普安社区支部委员会"
    ).exists()
    statuses = set(Residency.objects.values_list("relation", "status"))
    assert {("owner", "verified"), ("owner", "pending"), ("tenant", "verified")} <= statuses
    assert Person.objects.filter(is_party_member=True).count() >= 2
    areas = set(Household.objects.values_list("area", flat=True))
    assert len(areas) > 100
    assert all(60 < area < 200 for area in areas)


def test_seed_demo_logins_work_with_the_documented_password(db):
    run("seed_demo")

    admin = Person.objects.get(mobile="13800000000")
    assert admin.is_superuser
    assert admin.check_password(DEMO_PASSWORD)
    clerk = Person.objects.get(mobile="13800000302")
    assert clerk.check_password(DEMO_PASSWORD)
    assert person_is_staff(person=clerk)
    assert clerk.has_perm("directory.import_roster", Compound.objects.get())


def test_seed_demo_print_logins_lists_every_login(db):
    out, _err = run("seed_demo", "--print-logins")

    for person in Person.objects.all():
        assert person.mobile in out
        assert person.name in out
    assert "huashan2026" in out
    assert "物业管理委员会主任" in out
