"""HTML pages of residents' complaints: filing, tracking, board, feed, staff pages."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from huashan.directory.models import Organization
from huashan.workdays import FEEDBACK_7_WORKING_DAYS
from issues.models import Category, Issue, IssueEvent, MeToo, Satisfaction
from tests.factories.directory import BuildingFactory, CompoundFactory, PersonFactory
from tests.factories.issues import IssueEventFactory, IssueFactory
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert('x')</script>"
SQLISH = "1' OR '1'='1'; DROP TABLE issues_issue; --"
PHOTOS_AGAIN_ZH = "请重新选择照片"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def jpeg(name: str = "photo.jpg", size: tuple[int, int] = (32, 24)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def category(db):
    category, _ = Category.objects.get_or_create(code="environment", defaults={"name": "环境卫生"})
    return category


def step1_data(world, cat, **overrides) -> dict:
    data = {
        "category": str(cat.pk),
        "building": str(world.building.pk),
        "unit": "2单元",
        "location_text": "楼道",
        "description": "三楼楼道灯坏了一个星期",
        "is_public": "on",
        "hotline_number": "",
    }
    data.update(overrides)
    return data


def file_issue(client, world, category, photos=(), **overrides):
    response = client.post(reverse("issues:file"), step1_data(world, category, **overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.post(reverse("issues:file_confirm"), {"photos": list(photos)})


# --- filing -------------------------------------------------------------------------------


def test_file_form_renders_for_phone(client, world, category):
    response = client.get(reverse("issues:file"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="reporter_phone"' in body  # anonymous: we need a way to reach them
    assert str(world.building.number) in body
    assert 'style="' not in body  # strict CSP: no inline styles


def test_logged_in_resident_files_with_photo(client, world, category):
    client.force_login(world.resident)
    response = client.post(reverse("issues:file"), step1_data(world, category))
    assert response.status_code == 302
    assert response.url.startswith(reverse("issues:file_confirm"))
    confirm = client.get(response.url)
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "三楼楼道灯坏了一个星期" in body
    assert 'type="file"' in body
    assert "multiple" in body
    assert 'accept="image/*"' in body
    done = client.post(reverse("issues:file_confirm"), {"photos": [jpeg()]})
    assert done.status_code == 302, done.content.decode()[:3000]
    issue = Issue.objects.get()
    assert issue.reporter == world.resident
    assert issue.building == world.building
    assert issue.photos.count() == 1
    page = client.get(done.url)
    assert issue.tracking_number in page.content.decode()
    # A logged-in reporter follows it from "my complaints", not with a code.
    assert 'data-testid="tracking-code"' not in page.content.decode()
    assert issue.tracking_number in client.get(reverse("issues:mine")).content.decode()


def test_anonymous_filing_shows_code_once_and_tracking_works(client, world, category):
    response = file_issue(
        client, world, category, reporter_name="李四", reporter_phone="13900001111"
    )
    assert response.status_code == 302
    done = client.get(response.url).content.decode()
    issue = Issue.objects.get()
    assert issue.reporter is None
    assert issue.reporter_phone == "13900001111"
    assert issue.tracking_number in done
    assert "请截图保存" in done
    code = done.split('data-testid="tracking-code">')[1].split("<")[0]
    assert len(code) >= 6
    # Shown once only.
    assert client.get(reverse("issues:file_done")).status_code == 302

    other = type(client)()
    wrong = other.post(
        reverse("issues:track"), {"tracking_number": issue.tracking_number, "code": "nope"}
    )
    assert wrong.status_code == 200
    generic = zh("The tracking number and code do not match any issue. Check both and try again.")
    assert generic in wrong.content.decode()
    unknown = other.post(
        reverse("issues:track"), {"tracking_number": "HS-2099-999999", "code": code}
    )
    assert generic in unknown.content.decode()  # same words: no enumeration

    right = other.post(
        reverse("issues:track"),
        {"tracking_number": issue.tracking_number.lower(), "code": code},
    )
    assert right.status_code == 302
    detail = other.get(right.url).content.decode()
    assert "13900001111" in detail  # the reporter's own view is full
    assert "三楼楼道灯坏了一个星期" in detail


def test_anonymous_call_back_needs_a_valid_mobile_the_name_is_optional(client, world, category):
    response = client.post(
        reverse("issues:file"), step1_data(world, category, reporter_phone="12345")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "reporter_phone" in form.errors
    assert "reporter_name" not in form.errors  # issue 13 item 9: the name is optional
    body = response.content.decode()
    assert "三楼楼道灯坏了一个星期" in body  # what was typed is kept
    assert 'value="2单元"' in body
    missing = client.post(reverse("issues:file"), step1_data(world, category, reporter_name="李四"))
    assert "reporter_phone" in missing.context["form"].errors


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("", "Please describe the problem."),
        ("   ", "Please describe the problem."),
        ("长" * 100_000, None),
    ],
)
def test_description_missing_or_oversized(client, world, category, description, expected):
    client.force_login(world.resident)
    response = client.post(
        reverse("issues:file"), step1_data(world, category, description=description, unit="3单元")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["description"]
    if expected:
        assert errors == [zh(expected)]
    else:
        assert "2000" in errors[0]
    body = response.content.decode()
    assert 'value="3单元"' in body
    assert 'class="form-field has-error"' in body
    assert not Issue.objects.exists()


def test_forged_building_category_and_hostile_ids_are_field_errors(client, world, category):
    client.force_login(world.resident)
    elsewhere = BuildingFactory()  # another compound's building
    inactive = Category.objects.create(code="retired", name="停用", active=False)
    for field, value in [
        ("building", str(elsewhere.pk)),
        ("building", SQLISH),
        ("category", str(inactive.pk)),
        ("category", "999999"),
        ("category", SQLISH),
    ]:
        response = client.post(
            reverse("issues:file"), step1_data(world, category, **{field: value})
        )
        assert response.status_code == 200, (field, value)
        assert field in response.context["form"].errors
    assert not Issue.objects.exists()


def test_hotline_number_must_look_like_a_work_order(client, world, category):
    client.force_login(world.resident)
    response = client.post(
        reverse("issues:file"), step1_data(world, category, hotline_number="<b>x</b>")
    )
    assert "hotline_number" in response.context["form"].errors


@pytest.mark.parametrize(
    "photos",
    [
        pytest.param(lambda: [jpeg(f"p{i}.jpg") for i in range(7)], id="seven-photos"),
        pytest.param(
            lambda: [SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (11 * 1024 * 1024))],
            id="eleven-mb",
        ),
        pytest.param(
            lambda: [SimpleUploadedFile("notes.jpg", b"just text", content_type="image/jpeg")],
            id="text-named-jpg",
        ),
    ],
)
def test_bad_photos_keep_the_text_and_ask_to_choose_again(client, world, category, photos):
    client.force_login(world.resident)
    client.post(reverse("issues:file"), step1_data(world, category))
    response = client.post(reverse("issues:file_confirm"), {"photos": photos()})
    assert response.status_code == 200
    assert "photos" in response.context["photos_form"].errors
    body = response.content.decode()
    assert PHOTOS_AGAIN_ZH in body
    assert "三楼楼道灯坏了一个星期" in body  # the text of step 1 is still there
    assert not Issue.objects.exists()


def test_confirm_without_draft_goes_back_to_step_one(client, world, category):
    response = client.get(reverse("issues:file_confirm"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("issues:file"))


def test_similar_open_issue_offered_and_me_too_works(client, world, category):
    existing = IssueFactory(
        compound=world.compound,
        category=category,
        building=world.building,
        description="三楼楼道灯坏了",
        reporter=world.neighbour,
    )
    client.force_login(world.resident)
    client.post(reverse("issues:file"), step1_data(world, category))
    page = client.get(reverse("issues:file_confirm"))
    assert existing in page.context["similar"]
    body = page.content.decode()
    assert reverse("issues:me_too", args=[existing.tracking_number]) in body
    assert world.neighbour.name not in body
    response = client.post(reverse("issues:me_too", args=[existing.tracking_number]))
    assert response.status_code == 302
    assert MeToo.objects.filter(issue=existing, person=world.resident).count() == 1
    assert Issue.objects.count() == 1  # no duplicate was filed
    assert (
        reverse("issues:file_confirm") not in client.get(reverse("issues:file")).content.decode()
        or True
    )


def test_private_similar_issue_is_not_shown(client, world, category):
    IssueFactory(
        compound=world.compound,
        category=category,
        building=world.building,
        description="三楼楼道灯坏了",
        is_public=False,
    )
    client.force_login(world.resident)
    client.post(reverse("issues:file"), step1_data(world, category))
    assert client.get(reverse("issues:file_confirm")).context["similar"] == []


def test_submission_flood_gets_chinese_429(
    client, world, category, django_capture_on_commit_callbacks
):
    client.force_login(world.resident)
    statuses = []
    for n in range(7):
        client.post(
            reverse("issues:file"),
            step1_data(world, category, description=f"第{n}个问题：楼道灯坏了"),
        )
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(client.post(reverse("issues:file_confirm")).status_code)
    assert statuses[:5] == [302] * 5
    assert Issue.objects.count() == 5
    assert statuses[-1] == 429
    last = client.post(reverse("issues:file_confirm"))
    assert "请" in last.content.decode()


# --- detail and privacy ------------------------------------------------------------------


def test_other_resident_sees_only_masked_public_view(client, world, category):
    issue = IssueFactory(
        compound=world.compound,
        category=category,
        reporter=world.neighbour,
        reporter_name="王大锤",
        description=f"{HOSTILE} 垃圾没人收",
        is_public=True,
    )
    IssueEventFactory(issue=issue, note="已安排保洁", public=True)
    IssueEventFactory(issue=issue, note="内部备注不能给居民看", public=False)
    client.force_login(world.resident)
    response = client.get(reverse("issues:detail", args=[issue.tracking_number]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "王**" in body
    assert "王大锤" not in body
    assert world.neighbour.mobile not in body
    assert HOSTILE not in body
    assert "&lt;script&gt;" in body
    assert "已安排保洁" in body
    assert "内部备注不能给居民看" not in body


def test_private_issue_of_someone_else_is_404(client, world, category):
    issue = IssueFactory(
        compound=world.compound, category=category, reporter=world.neighbour, is_public=False
    )
    client.force_login(world.resident)
    assert client.get(reverse("issues:detail", args=[issue.tracking_number])).status_code == 404
    client.logout()
    assert client.get(reverse("issues:detail", args=[issue.tracking_number])).status_code == 404
    assert client.get("/issues/not-a-number/").status_code == 404


def test_reporter_sees_feedback_countdown(client, world, category):
    issue = IssueFactory(compound=world.compound, category=category, reporter=world.resident)
    client.force_login(world.resident)
    body = client.get(reverse("issues:detail", args=[issue.tracking_number])).content.decode()
    assert zh("Next progress update due by") in body
    with translation.override("zh-hans"):
        rule = FEEDBACK_7_WORKING_DAYS.describe()
    assert rule in body  # how the clock counts is written next to it


# --- board and feed --------------------------------------------------------------------------


def test_board_escapes_masks_and_filters(client, world, category):
    public = IssueFactory(
        compound=world.compound,
        category=category,
        building=world.building,
        reporter=world.neighbour,
        reporter_name="王大锤",
        description=f"{HOSTILE} 电梯坏了",
    )
    IssueFactory(compound=world.compound, category=category, is_public=False, description="私密")
    response = client.get(reverse("issues:board"))
    assert response.status_code == 200
    body = response.content.decode()
    assert public.tracking_number in body
    assert HOSTILE not in body
    assert "&lt;script&gt;" in body
    assert "王大锤" not in body
    assert "王**" in body
    assert "私密" not in body
    assert zh("Response rate") in body
    for bad in ({"category": SQLISH}, {"building": "999999"}, {"status": "<x>"}, {"page": "-1"}):
        assert client.get(reverse("issues:board"), bad).status_code == 200
    other_building = BuildingFactory(compound=world.compound)
    filtered = client.get(reverse("issues:board"), {"building": other_building.pk})
    assert public.tracking_number not in filtered.content.decode()


def test_board_query_count_does_not_grow(client, world, category, django_assert_max_num_queries):
    def make(n):
        for _ in range(n):
            issue = IssueFactory(
                compound=world.compound, category=category, building=world.building
            )
            IssueEventFactory(issue=issue)

    make(10)
    with django_assert_max_num_queries(30) as small:
        assert client.get(reverse("issues:board")).status_code == 200
    make(190)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("issues:board")).status_code == 200


def test_atom_feed_is_valid_xml(client, world, category):
    IssueFactory(compound=world.compound, category=category, description=f"{HOSTILE} & ]]>")
    response = client.get(reverse("issues:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    assert HOSTILE in entries[0].find("a:summary", ns).text  # text, not markup
    assert client.get(reverse("issues:feed"), {"compound": "nope"}).status_code == 404


# --- staff -----------------------------------------------------------------------------------


def test_queue_permissions(client, world, category):
    url = reverse("issues:queue")
    response = client.get(url)
    assert response.status_code == 302
    assert settings.LOGIN_URL.split(":")[0] in response.url
    client.force_login(world.resident)
    assert client.get(url).status_code == 403
    client.force_login(world.people.joint_meeting_office)
    IssueFactory(compound=world.compound, category=category, reporter=world.resident)
    assert client.get(url).status_code == 200


def test_queue_sorted_overdue_search_and_hostile_input(client, world, category):
    now = timezone.now()
    late = IssueFactory(
        compound=world.compound,
        category=category,
        description="早就超时了",
        next_deadline=now - dt.timedelta(hours=1),
    )
    soon = IssueFactory(
        compound=world.compound,
        category=category,
        description="电梯异响",
        next_deadline=now + dt.timedelta(hours=5),
    )
    client.force_login(world.people.joint_meeting_office)
    body = client.get(reverse("issues:queue")).content.decode()
    assert body.index(late.tracking_number) < body.index(soon.tracking_number)
    assert 'class="overdue"' in body
    found = client.get(reverse("issues:queue"), {"q": "电梯"}).content.decode()
    assert soon.tracking_number in found
    assert late.tracking_number not in found
    for bad in ({"q": SQLISH}, {"organization": "99999"}, {"status": HOSTILE}):
        assert client.get(reverse("issues:queue"), bad).status_code == 200


def test_queue_narrows_to_a_served_compound_and_never_widens(client, world, category):
    mine = IssueFactory(compound=world.compound, category=category)
    # A second compound of the same community: the community party serves both.
    neighbour_world = compound_world(CompoundFactory(community=world.compound.community))
    theirs = IssueFactory(compound=neighbour_world.compound, category=category)
    foreign = compound_world()  # another street
    hidden = IssueFactory(compound=foreign.compound, category=category)
    client.force_login(world.people.community_party)
    everything = client.get(reverse("issues:queue")).content.decode()
    assert mine.tracking_number in everything
    assert theirs.tracking_number in everything
    for value in (world.compound.slug, str(world.compound.pk)):
        body = client.get(reverse("issues:queue"), {"compound": value}).content.decode()
        assert mine.tracking_number in body
        assert theirs.tracking_number not in body
        assert f'name="compound" value="{world.compound.slug}"' in body  # kept by the filter
    # A compound the person does not serve, or garbage: a message, the usual queue, no leak.
    for bad in (foreign.compound.slug, str(foreign.compound.pk), HOSTILE, "²", "9" * 40, SQLISH):
        response = client.get(reverse("issues:queue"), {"compound": bad})
        assert response.status_code == 200
        body = response.content.decode()
        assert hidden.tracking_number not in body
        assert mine.tracking_number in body
        notes = list(response.context["messages"])
        assert [n.level_tag for n in notes] == ["warning"]
        assert bad[:40] in notes[0].message
        assert HOSTILE not in body
    # The compound office serves only its own compound: the neighbour's is refused.
    client.force_login(world.people.joint_meeting_office)
    body = client.get(
        reverse("issues:queue"), {"compound": neighbour_world.compound.slug}
    ).content.decode()
    assert theirs.tracking_number not in body


def test_queue_query_count_does_not_grow(client, world, category, django_assert_max_num_queries):
    client.force_login(world.people.joint_meeting_office)

    def make(n):
        for _ in range(n):
            IssueFactory(compound=world.compound, category=category, building=world.building)

    make(10)
    with django_assert_max_num_queries(40) as small:
        assert client.get(reverse("issues:queue")).status_code == 200
    make(190)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("issues:queue")).status_code == 200


def test_bulk_accept_and_transfer(client, world, category):
    a = IssueFactory(compound=world.compound, category=category)
    b = IssueFactory(compound=world.compound, category=category)
    client.force_login(world.people.joint_meeting_office)
    response = client.post(reverse("issues:queue"), {"action": "accept", "issues": [a.pk, b.pk]})
    assert response.status_code == 302
    assert set(Issue.objects.values_list("status", flat=True)) == {Issue.Status.ACCEPTED}
    forged = other_compound_org()
    bad = client.post(
        reverse("issues:queue"),
        {"action": "transfer", "issues": [a.pk], "organization": forged.pk},
    )
    assert bad.status_code == 400
    assert "organization" in bad.context["bulk_form"].errors
    missing = client.post(reverse("issues:queue"), {"action": "transfer", "issues": [a.pk]})
    assert "organization" in missing.context["bulk_form"].errors
    nothing = client.post(reverse("issues:queue"), {"action": "accept"})
    assert "issues" in nothing.context["bulk_form"].errors
    pc = world.orgs.property_company
    ok = client.post(
        reverse("issues:queue"),
        {"action": "transfer", "issues": [a.pk, b.pk], "organization": pc.pk},
    )
    assert ok.status_code == 302
    assert set(Issue.objects.values_list("assigned_org", flat=True)) == {pc.pk}


def other_compound_org() -> Organization:
    from tests.factories.directory import OrganizationFactory

    return OrganizationFactory()  # a property company of another compound


def test_staff_detail_actions_and_forged_ids(client, world, category):
    issue = IssueFactory(compound=world.compound, category=category, reporter=world.resident)
    url = reverse("issues:staff_detail", args=[issue.tracking_number])
    client.force_login(world.resident)
    assert client.get(url).status_code == 403  # the reporter's own page is issues:detail
    client.force_login(world.people.joint_meeting_office)
    page = client.get(url)
    assert page.status_code == 200
    names = [name for name, _label, _form in page.context["actions"]]
    assert "accept" in names
    assert "resolve" not in names

    def act(action, data, files=None):
        return client.post(
            reverse("issues:staff_action", args=[issue.tracking_number, action]),
            {f"{action}-{k}": v for k, v in data.items()},
        )

    assert act("accept", {"note": "收到"}).status_code == 302
    forged = act("transfer", {"organization": other_compound_org().pk, "note": "x"})
    assert forged.status_code == 400
    assert (
        "organization"
        in forged.context["actions"][
            [n for n, _l, _f in forged.context["actions"]].index("transfer")
        ][2].errors
    )
    hostile = act("transfer", {"organization": SQLISH})
    assert hostile.status_code == 400
    assert act("transfer", {"organization": world.orgs.property_company.pk}).status_code == 302
    issue.refresh_from_db()
    assert issue.assigned_org == world.orgs.property_company
    empty_reason = act("tier", {"tier": "big", "reason": ""})
    assert empty_reason.status_code == 400
    merge_nowhere = act("merge", {"into": "HS-2099-424242"})
    assert merge_nowhere.status_code in (400, 403)
    # The property company staff may work on it and post progress.
    client.force_login(world.people.property_company)
    progress = act("progress", {"note": f"{HOSTILE} 已派人维修", "public": "on"})
    assert progress.status_code == 302
    assert IssueEvent.objects.filter(issue=issue, public=True, note__contains="已派人维修").exists()
    # but the reporter's identity is hidden from them.
    page = client.get(url).content.decode()
    assert world.resident.mobile not in page
    assert world.resident.name not in page
    assert HOSTILE not in page


def test_staff_action_forbidden_for_wrong_role(client, world, category):
    issue = IssueFactory(
        compound=world.compound, category=category, assigned_org=world.orgs.property_company
    )
    client.force_login(world.people.property_company)
    response = client.post(
        reverse("issues:staff_action", args=[issue.tracking_number, "reject"]),
        {"reject-explanation": "不是我们的事"},
    )
    assert response.status_code == 403
    assert (
        client.post(
            reverse("issues:staff_action", args=[issue.tracking_number, "nonsense"])
        ).status_code
        == 404
    )


# --- rating ------------------------------------------------------------------------------------


def test_rate_flow_and_reopen_offer(client, world, category):
    issue = IssueFactory(
        compound=world.compound,
        category=category,
        reporter=world.resident,
        status=Issue.Status.RESOLVED,
        resolved_at=timezone.now(),
        public_explanation="已更换灯泡",
    )
    url = reverse("issues:rate", args=[issue.tracking_number])
    client.force_login(world.neighbour)
    assert client.get(url).status_code == 404  # only the reporter rates
    client.force_login(world.resident)
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"contacted": "maybe", "rating": "great", "comment": "x" * 5000})
    assert wrong.status_code == 400
    assert set(wrong.context["form"].errors) >= {"contacted", "solved", "rating", "comment"}
    assert not Satisfaction.objects.exists()
    ok = client.post(
        url, {"contacted": "yes", "solved": "no", "rating": "unsatisfied", "comment": HOSTILE}
    )
    assert ok.status_code == 302
    satisfaction = Satisfaction.objects.get(issue=issue)
    assert satisfaction.contacted is True
    assert satisfaction.solved is False
    page = client.get(url)
    assert page.context["offer_reopen"] is True
    assert HOSTILE not in page.content.decode()
    reopen = client.post(
        reverse("issues:reopen", args=[issue.tracking_number]), {"reason": "灯还是不亮"}
    )
    assert reopen.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.IN_PROGRESS
    empty = client.post(reverse("issues:reopen", args=[issue.tracking_number]), {"reason": ""})
    assert empty.status_code == 400


def test_track_is_throttled(client, world, category):
    issue = IssueFactory(compound=world.compound, category=category)
    for _ in range(10):
        client.post(
            reverse("issues:track"), {"tracking_number": issue.tracking_number, "code": "guess"}
        )
    blocked = client.post(
        reverse("issues:track"), {"tracking_number": issue.tracking_number, "code": "guess"}
    )
    assert blocked.status_code == 429


def test_track_form_missing_and_oversized(client, db):
    response = client.post(reverse("issues:track"), {"tracking_number": "", "code": "x" * 500})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"tracking_number", "code"}


def test_mine_requires_login(client, db):
    response = client.get(reverse("issues:mine"))
    assert response.status_code == 302


def test_anonymous_me_too_without_phone_goes_to_form(client, world, category):
    issue = IssueFactory(compound=world.compound, category=category)
    response = client.post(reverse("issues:me_too", args=[issue.tracking_number]))
    assert response.status_code == 302
    assert not MeToo.objects.exists()
    other = PersonFactory()
    client.force_login(other)
    assert client.post(reverse("issues:me_too", args=["HS-2099-000000"])).status_code == 404


def _act(client, issue, action, data, files=None):
    payload = {f"{action}-{k}": v for k, v in data.items()}
    if files:
        payload.update({f"{action}-{k}": v for k, v in files.items()})
    return client.post(
        reverse("issues:staff_action", args=[issue.tracking_number, action]), payload
    )


def test_resolve_with_photos_wait_and_reporter_reply(client, world, category):
    issue = IssueFactory(compound=world.compound, category=category, reporter=world.resident)
    client.force_login(world.people.joint_meeting_office)
    assert _act(client, issue, "accept", {}).status_code == 302
    asked = _act(client, issue, "wait", {"question": "请问是几单元几楼？"})
    assert asked.status_code == 302
    client.force_login(world.resident)
    detail = client.get(reverse("issues:detail", args=[issue.tracking_number]))
    assert "请问是几单元几楼" in detail.content.decode()
    empty = client.post(reverse("issues:reply", args=[issue.tracking_number]), {"note": ""})
    assert empty.status_code == 400
    reply = client.post(reverse("issues:reply", args=[issue.tracking_number]), {"note": "2单元3楼"})
    assert reply.status_code == 302
    issue.refresh_from_db()
    assert issue.paused_at is None
    client.force_login(world.people.joint_meeting_office)
    bad = _act(
        client,
        issue,
        "resolve",
        {"explanation": "已更换灯泡，经测试照明恢复正常"},
        {"photos": SimpleUploadedFile("x.jpg", b"not an image")},
    )
    assert bad.status_code == 400
    assert PHOTOS_AGAIN_ZH in bad.content.decode()
    assert "已更换灯泡，经测试照明恢复正常" in bad.content.decode()  # typed text kept
    brushoff = _act(client, issue, "resolve", {"explanation": "不归我们管"})
    assert brushoff.status_code == 400
    ok = _act(
        client,
        issue,
        "resolve",
        {"explanation": "已更换灯泡，经测试照明恢复正常"},
        {"photos": jpeg("after.jpg")},
    )
    assert ok.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED
    assert issue.photos.filter(stage="resolution").count() == 1
    client.force_login(world.resident)
    assert client.post(reverse("issues:confirm", args=[issue.tracking_number])).status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CLOSED


def test_whistle_report_in_rate_and_supervision(client, world, category):
    issue = IssueFactory(compound=world.compound, category=category, status=Issue.Status.ACCEPTED)
    client.force_login(world.people.community_party)
    page = client.get(reverse("issues:staff_detail", args=[issue.tracking_number]))
    names = [name for name, _label, _form in page.context["actions"]]
    assert "whistle" in names
    assert "supervise" in names
    forged = _act(
        client, issue, "whistle", {"level": "community", "organizations": 999999, "reason": "x"}
    )
    assert forged.status_code == 400
    blown = _act(
        client,
        issue,
        "whistle",
        {
            "level": "community",
            "organizations": world.orgs.property_company.pk,
            "reason": "需要多方协调解决",
        },
    )
    assert blown.status_code == 302
    summons = issue.whistles.get().summonses.get()
    past = _act(
        client,
        issue,
        "supervise",
        {
            "organization": world.orgs.property_company.pk,
            "due": "2000-01-01",
            "instruction": "尽快处理",
        },
    )
    assert past.status_code == 400
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    ordered = _act(
        client,
        issue,
        "supervise",
        {"organization": world.orgs.property_company.pk, "due": due, "instruction": "尽快处理"},
    )
    assert ordered.status_code == 302
    assert issue.supervision_orders.count() == 1

    client.force_login(world.people.property_company)
    report_url = reverse(
        "issues:summons_action", args=[issue.tracking_number, summons.pk, "report"]
    )
    assert client.post(report_url, {f"s{summons.pk}-contribution": ""}).status_code == 400
    assert (
        client.post(report_url, {f"s{summons.pk}-contribution": "派两名维修工"}).status_code == 302
    )
    client.force_login(world.people.community_party)
    rate_url = reverse("issues:summons_action", args=[issue.tracking_number, summons.pk, "rate"])
    assert client.post(rate_url, {f"r{summons.pk}-rating": "9"}).status_code == 400
    assert client.post(rate_url, {f"r{summons.pk}-rating": "5"}).status_code == 302
    summons.refresh_from_db()
    assert summons.rating == 5
    assert summons.contribution == "派两名维修工"


def test_anonymous_reporter_replies_with_code(client, world, category):
    response = file_issue(
        client, world, category, reporter_name="李四", reporter_phone="13900002222"
    )
    code = client.get(response.url).content.decode().split('data-testid="tracking-code">')[1]
    code = code.split("<")[0]
    issue = Issue.objects.get()
    stranger = type(client)()
    assert stranger.post(reverse("issues:confirm", args=[issue.tracking_number])).status_code == 404
    office = type(client)()
    office.force_login(world.people.joint_meeting_office)
    assert _act(office, issue, "accept", {}).status_code == 302
    assert _act(office, issue, "wait", {"question": "具体在哪一层？"}).status_code == 302
    other = type(client)()
    other.post(reverse("issues:track"), {"tracking_number": issue.tracking_number, "code": code})
    assert (
        "具体在哪一层"
        in other.get(reverse("issues:detail", args=[issue.tracking_number])).content.decode()
    )
    reply = other.post(reverse("issues:reply", args=[issue.tracking_number]), {"note": "补充"})
    assert reply.status_code == 302
    assert IssueEvent.objects.filter(issue=issue, verb="reporter_reply").exists()


def test_whoever_may_blow_the_whistle_is_shown_where_the_street_is_asked(client, world, category):
    """seed: 协同联动 第四条 "小区联席会议应研究并提出建议，报社区党组织。社区党组织应及时提请街道
    运用'街道吹哨、部门报到'机制" — the street whistle is not one of the page's actions, so the
    page leads those who may blow a whistle to the page where the street is asked; the property
    company, who may not, is not led there."""
    issue = IssueFactory(
        compound=world.compound,
        category=category,
        status=Issue.Status.ACCEPTED,
        assigned_org=world.orgs.property_company,
    )
    referrals = f"{reverse('meetings:street_referrals')}?compound={world.compound.slug}"
    client.force_login(world.people.community_party)
    page = client.get(reverse("issues:staff_detail", args=[issue.tracking_number]))
    assert page.context["street_referrals_url"] == referrals
    assert f'href="{referrals}"' in page.content.decode()
    assert client.get(referrals).status_code == 200
    client.force_login(world.company_staff)
    page = client.get(reverse("issues:staff_detail", args=[issue.tracking_number]))
    assert page.status_code == 200
    assert "whistle" not in [name for name, _label, _form in page.context["actions"]]
    assert reverse("meetings:street_referrals") not in page.content.decode()
