"""Filing a complaint with no account and no contact details at all (issue 13 item 9).

The audit: "Anonymous reporting is not anonymous, and the way back is hidden" — without
an account the form demanded a name and a mobile number, and the tracking page was
linked only from the bottom of the form. Now a resident may choose "匿名反映（不留联系方式）":
nobody can call back and the one-time 查询码 is the only way back, which the form, the
confirmation step and the "received" page say plainly; the public board (问题办理进展)
links to the tracking page. seed: 公示承诺制度 第一条 (residents' problems are received
and their progress is public).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from issues import services
from issues.models import Category, Issue
from tests.factories.issues import IssueFactory

pytestmark = pytest.mark.django_db

WARNING_ZH = "查询码是查看办理进展的唯一方式"


@pytest.fixture
def category(db):
    return Category.objects.get(code="environment")


def step1(world, category, **overrides) -> dict:
    data = {
        "category": str(category.pk),
        "building": str(world.building.pk),
        "unit": "2单元",
        "location_text": "楼道",
        "description": "7栋楼道灯坏了一个星期，晚上很黑",
        "is_public": "on",
        "share_identity": "on",
    }
    data.update(overrides)
    return data


def test_the_form_offers_anonymous_filing_with_a_plain_warning(world, category):
    body = Client().get(reverse("issues:file")).content.decode()
    assert "匿名反映（不留联系方式）" in body
    assert "留下联系方式（可以回电）" in body
    assert "没有人能回电联系您" in body
    assert WARNING_ZH in body
    assert 'name="reporter_phone"' in body  # still there for a call back


def test_file_anonymously_with_no_contact_the_code_is_the_only_way_back(world, category):
    client = Client()
    first = client.post(reverse("issues:file"), step1(world, category, contact="none"))
    assert first.status_code == 302, first.content.decode()[:2000]
    confirm = client.get(first.url).content.decode()
    assert "匿名反映，不留联系方式" in confirm
    done = client.post(reverse("issues:file_confirm"), {"photos": []})
    assert done.status_code == 302
    page = client.get(done.url).content.decode()
    issue = Issue.objects.get()
    assert issue.reporter is None
    assert (issue.reporter_name, issue.reporter_phone) == ("", "")
    assert issue.share_identity is False  # no identity to share
    assert 'data-testid="tracking-code"' in page
    assert 'data-testid="only-way-back"' in page
    assert reverse("issues:track") in page
    code = page.split('data-testid="tracking-code">')[1].split("<")[0]
    # Another phone, later: the code brings the reporter back to the complaint.
    other = Client()
    back = other.post(
        reverse("issues:track"), {"tracking_number": issue.tracking_number, "code": code}
    )
    assert back.status_code == 302
    detail = other.get(back.url).content.decode()
    assert "7栋楼道灯坏了一个星期" in detail
    # The staff page opens (it raised a 500 for complaints without an account).
    staff = Client()
    staff.force_login(world.people.joint_meeting_office)
    manage = staff.get(reverse("issues:staff_detail", args=[issue.tracking_number]))
    assert manage.status_code == 200
    assert "未留联系方式" in manage.content.decode()


def test_anonymous_with_a_typed_number_is_asked_to_choose_and_keeps_the_text(world, category):
    client = Client()
    response = client.post(
        reverse("issues:file"),
        step1(world, category, contact="none", reporter_phone="13912345678"),
    )
    assert response.status_code == 200
    assert "contact" in response.context["form"].errors
    body = response.content.decode()
    assert "您选择了匿名反映，但填写了姓名或手机号" in body
    assert "7栋楼道灯坏了一个星期" in body
    assert 'value="13912345678"' in body  # nothing typed is lost


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({"contact": "call_back", "reporter_phone": "13912345678"}, True),  # name optional
        ({"contact": "call_back", "reporter_name": "王", "reporter_phone": "139"}, False),
        ({"contact": "call_back", "reporter_name": "王"}, False),  # no number to call
        ({"reporter_phone": "13912345678"}, True),  # an older page without the choice
        ({}, False),
    ],
)
def test_call_back_needs_a_valid_mobile_number(world, category, fields, ok):
    response = Client().post(reverse("issues:file"), step1(world, category, **fields))
    assert (response.status_code == 302) is ok
    if not ok:
        assert "reporter_phone" in response.context["form"].errors


def test_logged_in_residents_see_no_contact_choice(world, category):
    client = Client()
    client.force_login(world.resident)
    body = client.get(reverse("issues:file")).content.decode()
    assert 'name="contact"' not in body


def test_service_no_contact_refuses_a_number_and_default_still_needs_one(world, category):
    common = {
        "actor": None,
        "compound": world.compound,
        "category": category,
        "description": "东门道闸坏了三天",
        "location_text": "东门",
    }
    with pytest.raises(ValidationError) as exc:
        services.issue_submit(**common, no_contact=True, reporter_phone="13912345678")
    assert "reporter_phone" in exc.value.error_dict
    with pytest.raises(ValidationError):
        services.issue_submit(**common)  # API / Open311 callers: a number, as before
    result = services.issue_submit(**common, no_contact=True, share_identity=True)
    assert result.tracking_code
    assert result.issue.share_identity is False


def test_the_board_links_to_tracking_and_its_queries_stay_flat(world, category):
    """The public board (问题办理进展) links to the tracking page; its query count does
    not depend on how many complaints are listed."""
    client = Client()
    counts = []
    for extra in (1, 15):
        for _ in range(extra):
            IssueFactory(compound=world.compound, category=category, is_public=True)
        cache.clear()  # a cold render (the page cache would answer in one query)
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(reverse("issues:board")).content.decode()
        counts.append(len(ctx.captured_queries))
    assert f'href="{reverse("issues:track")}"' in body
    assert "查询办理进展（凭查询码）" in body  # as on the home page (docs/glossary.md)
    assert "问题办理进展 · 江南花山郡" in body
    assert "投诉处理进展" not in body
    assert counts[0] == counts[1], counts


def test_me_too_from_an_anonymous_draft_explains_why_a_number_is_needed(world, category):
    open_issue = IssueFactory(compound=world.compound, category=category, is_public=True)
    client = Client()
    assert (
        client.post(reverse("issues:file"), step1(world, category, contact="none")).status_code
        == 302
    )
    response = client.post(reverse("issues:me_too", args=[open_issue.tracking_number]), follow=True)
    body = response.content.decode()
    assert "“我也是”需要手机号" in body
    assert "7栋楼道灯坏了一个星期" in body  # back on the form, with what was typed
    assert open_issue.me_toos.count() == 0
