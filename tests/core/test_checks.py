"""System checks (huashan/core/checks.py) and the core admin (huashan/core/admin.py)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.checks import Error, Warning, run_checks
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from huashan.core import checks
from huashan.core.models import CalendarDay, Heartbeat
from huashan.workdays import CHINA_TZ
from tests.factories.directory import PersonFactory

IN_2026 = dt.datetime(2026, 11, 28, 9, 0, tzinfo=CHINA_TZ)
IN_2027 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=CHINA_TZ)


def ids(messages) -> list[str]:
    return [m.id for m in messages]


# --- huashan.W001: current year's holiday schedule --------------------------


def test_no_calendar_warning_while_the_package_knows_this_year():
    # 2027 is unknown on 2026-11-28, but only the banner reports the next year.
    with time_machine.travel(IN_2026, tick=False):
        assert checks.check_calendar_coverage(None) == []


def test_calendar_warning_in_an_unknown_year_without_database_access():
    # No django_db mark: the check must not touch the database when Django
    # does not pass `databases`.
    with time_machine.travel(IN_2027, tick=False):
        messages = checks.check_calendar_coverage(None)
    assert ids(messages) == ["huashan.W001"]
    assert isinstance(messages[0], Warning)
    assert "2027" in messages[0].msg
    assert "--database default" in messages[0].hint


@pytest.mark.django_db
def test_calendar_warning_consults_overrides_when_databases_are_given():
    with time_machine.travel(IN_2027, tick=False):
        assert ids(checks.check_calendar_coverage(None, databases=["default"])) == ["huashan.W001"]
        CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
        assert checks.check_calendar_coverage(None, databases=["default"]) == []


@pytest.mark.django_db
def test_calendar_check_survives_a_missing_table():
    # As before `migrate`: the table is not there. The rename is rolled back
    # with the test transaction.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_calendarday RENAME TO core_calendarday_gone")
    with time_machine.travel(IN_2027, tick=False):
        messages = checks.check_calendar_coverage(None, databases=["default"])
    assert ids(messages) == ["huashan.W001"]


def test_calendar_check_runs_under_the_huashan_tag():
    with time_machine.travel(IN_2027, tick=False):
        found = ids(run_checks(tags=["huashan"]))
    assert "huashan.W001" in found


# --- huashan.E002: WeasyPrint's HarfBuzz subset library ---------------------


def test_harfbuzz_subset_is_present_here():
    # libharfbuzz-subset0 is installed on this machine (DESIGN.md §4 "PDF speed").
    from weasyprint.text import ffi

    assert ffi.harfbuzz_subset
    assert checks.check_weasyprint_harfbuzz_subset(None) == []


def test_missing_harfbuzz_subset_is_an_error(monkeypatch):
    # Simulates a machine without the system library: WeasyPrint then exposes None.
    from weasyprint.text import ffi

    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    messages = checks.check_weasyprint_harfbuzz_subset(None)
    assert ids(messages) == ["huashan.E002"]
    assert isinstance(messages[0], Error)
    assert "libharfbuzz-subset0" in messages[0].hint
    assert "huashan.E002" in ids(run_checks(tags=["huashan"]))


def test_manage_py_check_is_clean_in_2026():
    out = io.StringIO()
    with time_machine.travel(IN_2026, tick=False):
        call_command("check", "--tag", "huashan", stdout=out)
    assert "no issues" in out.getvalue()


# --- core admin ----------------------------------------------------------------


@pytest.fixture
def admin_client(client, db, settings, tmp_path):
    # WhiteNoise warns (an error under our pytest config) when STATIC_ROOT does
    # not exist yet, i.e. before collectstatic; point it at an empty folder.
    settings.STATIC_ROOT = tmp_path
    admin = PersonFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_calendar_admin_lists_filters_and_searches(admin_client):
    CalendarDay.objects.create(date=dt.date(2027, 10, 1), kind="holiday", name="国庆节")
    CalendarDay.objects.create(date=dt.date(2027, 10, 9), kind="workday", name="国庆调休")
    CalendarDay.objects.create(date=dt.date(2026, 12, 31), kind="holiday", name="测试日")
    url = reverse("admin:core_calendarday_changelist")

    page = admin_client.get(url).content.decode()
    assert "国庆节" in page
    assert "测试日" in page

    page = admin_client.get(url, {"year": "2027"}).content.decode()
    assert "国庆调休" in page
    assert "测试日" not in page

    page = admin_client.get(url, {"kind__exact": "workday"}).content.decode()
    assert "国庆调休" in page
    assert "测试日" not in page

    page = admin_client.get(url, {"q": "测试"}).content.decode()
    assert "测试日" in page
    assert "国庆调休" not in page


@pytest.mark.parametrize("param", ["year", "date__year", "date__month", "kind__exact", "q"])
@pytest.mark.parametrize("value", ["abc", "2027' OR 1=1 --", "", "9" * 40, "２０２７", "<script>"])
def test_calendar_admin_filters_survive_hostile_input(admin_client, param, value):
    CalendarDay.objects.create(date=dt.date(2027, 10, 1), kind="holiday", name="国庆节")
    url = reverse("admin:core_calendarday_changelist")
    response = admin_client.get(url, {param: value})
    # 302: admin redirects on an invalid filter; 400: a lookup it does not offer.
    assert response.status_code in (200, 302, 400)
    assert "<script>" not in response.content.decode()


def test_calendar_admin_adds_a_row_and_refuses_a_duplicate_date(admin_client):
    url = reverse("admin:core_calendarday_add")
    data = {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"}
    assert admin_client.post(url, data).status_code == 302
    response = admin_client.post(url, data)
    assert response.status_code == 200  # form shown again with the error
    assert CalendarDay.objects.count() == 1
    response = admin_client.post(url, {"date": "not a date", "kind": "nope"})
    assert response.status_code == 200
    assert "not a date" in response.content.decode()  # what was typed is kept
    assert CalendarDay.objects.count() == 1


def test_heartbeat_admin_is_read_only(admin_client):
    beat = Heartbeat.objects.create(name="beat", at=IN_2026)
    assert admin_client.get(reverse("admin:core_heartbeat_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:core_heartbeat_add")).status_code == 403
    change = reverse("admin:core_heartbeat_change", args=[beat.pk])
    response = admin_client.post(change, {"name": "hacked", "at": "2000-01-01 00:00:00"})
    assert response.status_code in (200, 403)
    beat.refresh_from_db()
    assert beat.name == "beat"
    delete = reverse("admin:core_heartbeat_delete", args=[beat.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Heartbeat.objects.filter(pk=beat.pk).exists()
