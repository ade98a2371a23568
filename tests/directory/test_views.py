"""Roster import page and template download: permissions, results, bad and hostile input."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from huashan.directory.models import Household, Person
from tests.directory.conftest import xlsx_upload

GOOD = [
    ("1栋", "1单元", "101", 98.5, "张伟", "13912345678", "业主"),
    ("1栋", "1单元", "102", 98.5, None, None, None),
]


@pytest.fixture
def url(compound):
    return reverse("directory:roster_import", kwargs={"compound_slug": compound.slug})


def test_url_shape(compound):
    assert reverse("directory:roster_import", args=["jiangnan-huashan"]) == (
        "/directory/jiangnan-huashan/roster/"
    )


def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_resident_is_forbidden(client, resident, url):
    client.force_login(resident)

    assert client.get(url).status_code == 403
    assert client.post(url, {"file": xlsx_upload(GOOD)}).status_code == 403
    assert not Household.objects.filter(room="102").exists()


def test_unknown_compound_is_404(client, staff):
    client.force_login(staff)

    response = client.get(reverse("directory:roster_import", args=["no-such-place"]))

    assert response.status_code == 404


def test_staff_sees_the_form(client, staff, url, compound):
    client.force_login(staff)

    response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert compound.name in content
    assert 'enctype="multipart/form-data"' in content
    assert reverse("directory:roster_template") in content


def test_staff_imports_and_sees_counts(client, staff, url):
    client.force_login(staff)

    response = client.post(url, {"file": xlsx_upload(GOOD)})

    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok
    assert (result.households_created, result.people_created) == (2, 1)
    assert Person.objects.filter(mobile="13912345678").exists()
    assert "alert-success" in response.content.decode()


def test_errors_are_listed_by_row_and_escaped(client, staff, url, compound):
    client.force_login(staff)
    rows = [
        *GOOD,
        ("1栋", "1单元", "103", 98.5, "李四", "<script>alert(1)</script>", "业主"),
    ]

    response = client.post(url, {"file": xlsx_upload(rows, name="名册.xlsx")})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="roster-errors"' in content
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert '<td class="num">4</td>' in content
    assert "名册.xlsx" in content
    # The compound stays the one in the URL; nothing was imported.
    assert response.context["compound"] == compound
    assert not Household.objects.exists()


def test_missing_file_is_a_field_error(client, staff, url):
    client.force_login(staff)

    response = client.post(url, {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert "field-error" in response.content.decode()


def test_not_an_xlsx_is_reported_not_a_500(client, staff, url):
    client.force_login(staff)

    response = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"<html>hi</html>")})

    assert response.status_code == 200
    assert len(response.context["result"].errors) == 1


def test_oversized_upload_is_refused_by_the_form(client, staff, url):
    client.force_login(staff)
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * (5 * 1024 * 1024))

    response = client.post(url, {"file": big})

    assert response.status_code == 200
    assert "5MB" in str(response.context["form"].errors["file"])
    assert response.context["result"] is None


def test_template_download_is_an_xlsx_with_the_header(client, staff):
    client.force_login(staff)

    response = client.get(reverse("directory:roster_template"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert header == ("楼栋", "单元", "房号", "面积", "姓名", "手机", "关系")


def test_template_download_needs_staff(client, resident):
    assert client.get(reverse("directory:roster_template")).status_code == 302
    client.force_login(resident)
    assert client.get(reverse("directory:roster_template")).status_code == 403
