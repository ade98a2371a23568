"""HTML pages of pledges: the public board, letters, evidence, 三诺 and the staff pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pledges.models import (
    AccountabilityCase,
    Activity,
    Attestation,
    CandidatePledge,
    Election,
    Finding,
    Inspection,
    PledgeItem,
    PledgeLetter,
    ResultStatus,
)
from tests.factories.directory import (
    CompoundFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
)
from tests.factories.pledges import (
    AccountabilityCaseFactory,
    ActivityFactory,
    CandidatePledgeFactory,
    ElectionFactory,
    FindingFactory,
    InspectionFactory,
    PledgeItemFactory,
)
from tests.pledges.web import HOSTILE, SQLISH, CheckedClient, jpeg, seeded_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return CheckedClient()


@pytest.fixture
def world():
    return seeded_world()


def staff_url(name: str, *args) -> str:
    return reverse(f"pledges:{name}", args=args)


def errors_of(response, field: str) -> list[str]:
    form = response.context.get("form", None)
    return list(form.errors.get(field, [])) if form is not None else []


# --- public board -----------------------------------------------------------------


def test_board_is_public_and_shows_the_ten_items_with_statuses(client, world):
    response = client.get(reverse("pledges:board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "普安社区江南花山郡小区党组织服务承诺" in html
    assert html.count('class="pledge-item"') == 10
    statuses = {s.value for s in ResultStatus}
    shown = [chunk.split('"')[0] for chunk in html.split('data-status="')[1:]]
    assert len(shown) == 10
    assert set(shown) <= statuses
    assert "定期联席会议" in html
    assert "长效治理保成果" in html


def test_board_in_chinese_by_default(client, world):
    response = client.get(reverse("pledges:board"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_board_hides_unpublished_letters(client):
    world = seeded_world(published=False)
    response = client.get(reverse("pledges:board"))
    assert response.status_code == 200
    assert world.letter.title not in response.content.decode()
    assert client.get(staff_url("letter", world.letter.pk)).status_code == 404


def test_board_other_compound_by_slug(client, world):
    other = CompoundFactory(slug="other-compound", name="别的小区")
    response = client.get(reverse("pledges:board"), {"compound": other.slug})
    assert response.status_code == 200
    assert world.letter.title not in response.content.decode()
    assert "别的小区" in response.content.decode()


@pytest.mark.parametrize("slug", ["no-such-place", HOSTILE, SQLISH, "x" * 500])
def test_board_unknown_compound_is_404(client, world, slug):
    assert client.get(reverse("pledges:board"), {"compound": slug}).status_code == 404


@pytest.mark.parametrize("year", ["abc", "-1", "99999999999999999999", HOSTILE, "1900"])
def test_board_bad_year_falls_back_to_this_year(client, world, year):
    response = client.get(reverse("pledges:board"), {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


def test_board_query_count_does_not_grow_with_items(client, django_assert_max_num_queries):
    world = seeded_world(pmc=True)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("pledges:board"))
    for number in range(30):
        PledgeItemFactory(letter=world.letter, number=20 + number)
    from pledges.engine import evaluate

    evaluate()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("pledges:board"))
    assert response.content.decode().count('class="pledge-item"') == 10 + 10 + 30 + 1


def test_letter_page_shows_text_history_and_evidence(client, world):
    ActivityFactory(
        organization=world.party,
        compound=world.compound,
        kind=Activity.Kind.STUDY,
        held_on=timezone.localdate(),
        title="十一月政策学习",
    )
    from pledges.engine import evaluate

    evaluate()
    response = client.get(staff_url("letter", world.letter.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "每月至少召开1次社区党组织、物业管理委员会、物业三方联席会议" in html
    assert "历次周期结果" in html
    assert "十一月政策学习" in html  # evidence link label
    assert reverse("pledges:letter_pdf", args=[world.letter.pk]) in html


def test_letter_pdf_is_queued_then_served(client, world, django_capture_on_commit_callbacks):
    url = reverse("pledges:letter_pdf", args=[world.letter.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(url)
    assert response.status_code == 202
    assert b'data-testid="pdf-wait"' in response.content
    assert len(callbacks) == 1
    # A second visit within two minutes does not queue it again.
    with django_capture_on_commit_callbacks(execute=False) as again:
        client.get(url)
    assert again == []
    from pledges.pdf import letter_pdf_store

    letter_pdf_store(letter=PledgeLetter.objects.get(pk=world.letter.pk))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_letter_pdf_of_unpublished_letter_is_404(client):
    world = seeded_world(published=False)
    assert client.get(reverse("pledges:letter_pdf", args=[world.letter.pk])).status_code == 404


def test_evidence_pages_show_no_personal_data(client, world):
    resident = world.resident
    activity = ActivityFactory(
        organization=world.party,
        compound=world.compound,
        title="环境整治志愿服务",
        participants=[resident],
    )
    inspection = InspectionFactory(
        organization=world.pmc, compound=world.compound, inspector=world.people.pmc
    )
    FindingFactory(inspection=inspection, description="消防通道堆物")
    for url in (
        reverse("pledges:evidence"),
        reverse("pledges:activity", args=[activity.pk]),
        reverse("pledges:inspection", args=[inspection.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert resident.name not in html
        assert resident.mobile not in html
        assert world.people.pmc.name not in html
    assert (
        "消防通道堆物"
        in client.get(reverse("pledges:inspection", args=[inspection.pk])).content.decode()
    )


def test_evidence_of_another_compound_is_404(client, world):
    other = ActivityFactory()  # its own compound
    assert client.get(reverse("pledges:activity", args=[other.pk])).status_code == 404


def test_candidates_page_shows_only_published_pledges(client, world):
    election = ElectionFactory(compound=world.compound, title="第二届物业管理委员会选举")
    CandidatePledgeFactory(election=election, text="遵守选举纪律", published_at=timezone.now())
    CandidatePledgeFactory(election=election, text="尚未公示的承诺")
    html = client.get(reverse("pledges:candidates")).content.decode()
    assert "遵守选举纪律" in html
    assert "尚未公示的承诺" not in html


# --- permissions ----------------------------------------------------------------------

STAFF_PAGES = [
    ("staff", ()),
    ("letter_new", ()),
    ("activity_list", ()),
    ("activity_new", ()),
    ("inspection_list", ()),
    ("inspection_new", ()),
    ("election_list", ()),
    ("case_list", ()),
]


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
def test_resident_gets_403_on_staff_pages(client, world, name, args):
    client.force_login(world.resident)
    assert client.get(staff_url(name, *args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
def test_anonymous_is_sent_to_login_from_staff_pages(client, world, name, args):
    response = client.get(staff_url(name, *args))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_resident_gets_403_on_object_staff_pages(client, world):
    item = world.items[0]
    inspection = InspectionFactory(organization=world.pmc, compound=world.compound)
    election = ElectionFactory(compound=world.compound)
    case = AccountabilityCaseFactory(organization=world.pmc, compound=world.compound)
    client.force_login(world.resident)
    for url in (
        staff_url("letter_manage", world.letter.pk),
        staff_url("item_edit", item.pk),
        staff_url("item_attest", item.pk),
        staff_url("inspection_manage", inspection.pk),
        staff_url("election", election.pk),
        staff_url("case", case.pk),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(staff_url("letter_publish", world.letter.pk)).status_code == 403


def test_staff_of_another_compound_gets_403(client, world):
    stranger = OrganizationFactory(kind="compound_party")  # another compound
    person = MembershipFactory(organization=stranger, role="secretary").person
    client.force_login(person)
    assert client.get(staff_url("staff")).status_code == 403
    assert client.get(staff_url("letter_manage", world.letter.pk)).status_code == 403


def test_property_company_staff_may_see_but_not_write_party_letter(client, world):
    client.force_login(world.people.property_company)
    response = client.get(staff_url("letter_manage", world.letter.pk))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    response = client.post(
        staff_url("letter_manage", world.letter.pk), {"action": "letter", "letter-title": "x"}
    )
    assert response.status_code == 403


def test_staff_home_lists_letters(client, world):
    client.force_login(world.party_secretary)
    response = client.get(staff_url("staff"))
    assert response.status_code == 200
    assert world.letter.title in response.content.decode()


# --- letters and items -------------------------------------------------------------


def letter_data(world, **overrides) -> dict:
    data = {
        "organization": str(world.orgs.joint_meeting_office.pk),
        "year": str(world.year),
        "title": "联席会议办公室服务承诺",
        "preamble": "现承诺如下：",
        "closing": "欢迎监督。",
        "letterhead": "",
    }
    data.update(overrides)
    return data


def test_secretary_writes_a_letter(client, world):
    client.force_login(world.party_secretary)
    response = client.post(staff_url("letter_new"), letter_data(world))
    letter = PledgeLetter.objects.get(title="联席会议办公室服务承诺")
    assert response.status_code == 302
    assert response["Location"].startswith(staff_url("letter_manage", letter.pk))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"year": ""}, "year"),
        ({"year": "abc"}, "year"),
        ({"year": "1999"}, "year"),
        ({"organization": "999999"}, "organization"),
        ({"organization": SQLISH}, "organization"),
        ({"preamble": "字" * 5000}, "preamble"),
    ],
)
def test_letter_form_errors_next_to_fields(client, world, overrides, field):
    client.force_login(world.party_secretary)
    data = letter_data(world, **overrides)
    response = client.post(staff_url("letter_new"), data)
    assert response.status_code == 200
    assert errors_of(response, field), response.context["form"].errors
    assert 'class="field-error"' in response.content.decode()
    # nothing typed is lost
    if field != "title":
        assert data["title"] in response.content.decode()


def test_letter_for_an_organization_of_another_compound_is_a_field_error(client, world):
    other = OrganizationFactory(kind="pmc")
    client.force_login(world.party_secretary)
    response = client.post(staff_url("letter_new"), letter_data(world, organization=other.pk))
    assert errors_of(response, "organization")


def test_duplicate_letter_year_is_a_field_error(client, world):
    client.force_login(world.party_secretary)
    response = client.post(
        staff_url("letter_new"), letter_data(world, organization=str(world.party.pk))
    )
    assert response.status_code == 200
    assert errors_of(response, "year")


def test_hostile_title_is_escaped(client, world):
    client.force_login(world.party_secretary)
    client.post(staff_url("letter_new"), letter_data(world, title=HOSTILE))
    letter = PledgeLetter.objects.get(title=HOSTILE)
    html = client.get(staff_url("letter_manage", letter.pk)).content.decode()
    assert HOSTILE not in html
    assert "&lt;script&gt;" in html


def item_data(**overrides) -> dict:
    data = {
        "action": "item",
        "item-number": "11",
        "item-section": "",
        "item-heading": "每月学习",
        "item-text": "每月组织党员学习一次。",
        "item-responsible_org": "",
        "item-warn_lead_days": "7",
        "item-rule_kind": "count_per_period",
        "item-label": "每月学习",
        "item-period_months": "1",
        "item-source": "activity",
        "item-kinds": ["study"],
        "item-min_count": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def item_errors(response, field: str) -> list[str]:
    return list(response.context["item_form"].errors.get(field, []))


def test_add_item_with_a_rule(client, world):
    client.force_login(world.party_secretary)
    response = client.post(staff_url("letter_manage", world.letter.pk), item_data())
    assert response.status_code == 302
    item = PledgeItem.objects.get(letter=world.letter, number=11)
    assert item.params["kinds"] == ["study"]
    assert item.params["period_months"] == 1
    assert item.params["min_count"] == 1


def test_add_deadline_rate_item(client, world):
    client.force_login(world.party_secretary)
    response = client.post(
        staff_url("letter_manage", world.letter.pk),
        item_data(
            **{
                "item-rule_kind": "deadline_rate",
                "item-source": None,
                "item-kinds": None,
                "item-min_count": None,
                "item-clocks": ["response", "feedback"],
                "item-threshold": "95.5",
                "item-period_months": "3",
            }
        ),
    )
    assert response.status_code == 302
    item = PledgeItem.objects.get(letter=world.letter, number=11)
    assert item.params["threshold"] == 95.5
    assert item.params["clocks"] == ["response", "feedback"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {
                "item-threshold": "150",
                "item-rule_kind": "deadline_rate",
                "item-clocks": ["response"],
            },
            "threshold",
        ),
        ({"item-threshold": "-1", "item-rule_kind": "evaluation_threshold"}, "threshold"),
        ({"item-threshold": "abc", "item-rule_kind": "evaluation_threshold"}, "threshold"),
        ({"item-period_months": "0"}, "period_months"),
        ({"item-period_months": "5"}, "period_months"),
        ({"item-period_months": ""}, "period_months"),
        ({"item-period_months": SQLISH}, "period_months"),
        ({"item-min_count": "0"}, "min_count"),
        ({"item-min_count": ""}, "min_count"),
        ({"item-kinds": ["hacked"]}, "kinds"),
        ({"item-source": "nuclear"}, "source"),
        ({"item-rule_kind": "free_lunch"}, "rule_kind"),
        ({"item-text": ""}, "text"),
        ({"item-text": "字" * 5000}, "text"),
        ({"item-number": "0"}, "number"),
        ({"item-number": "1"}, "number"),  # the seed letter already has item 1
        ({"item-warn_lead_days": "999"}, "warn_lead_days"),
        ({"item-responsible_org": "999999"}, "responsible_org"),
        ({"item-extra": "{not json"}, "extra"),
        ({"item-extra": "[1, 2]"}, "extra"),
        ({"item-kinds": ["joint"]}, "extra"),  # a meeting kind counted as an activity
        ({"item-rule_kind": "one_off_by_date", "item-start": ""}, "start"),
        (
            {
                "item-rule_kind": "one_off_by_date",
                "item-start": "2026-05-01",
                "item-due": "2026-01-01",
            },
            "due",
        ),
        ({"item-rule_kind": "rate_threshold", "item-threshold": "90"}, "measure"),
    ],
)
def test_item_form_errors_next_to_fields(client, world, overrides, field):
    client.force_login(world.party_secretary)
    before = PledgeItem.objects.count()
    response = client.post(staff_url("letter_manage", world.letter.pk), item_data(**overrides))
    assert response.status_code == 200
    assert item_errors(response, field), response.context["item_form"].errors
    assert PledgeItem.objects.count() == before
    html = response.content.decode()
    assert "每月组织党员学习一次。" in html or field == "text"  # nothing typed is lost
    assert 'id="add-item" open' in html


def test_edit_item_keeps_closed_results(client, world):
    item = world.items[0]
    item.results.update(final=True)
    finals = item.results.count()
    client.force_login(world.party_secretary)
    response = client.get(staff_url("item_edit", item.pk))
    assert response.status_code == 200
    assert response.context["form"].initial["min_count"] == 1
    data = {k.removeprefix("item-"): v for k, v in item_data(**{"item-number": "1"}).items()}
    data["active"] = "on"
    response = client.post(staff_url("item_edit", item.pk), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.params["source"] == "activity"
    assert item.results.filter(final=True).count() == finals


def test_edit_item_with_threshold_above_100_is_a_field_error(client, world):
    item = world.items[2]  # 48 h response rate
    client.force_login(world.party_secretary)
    data = {
        k.removeprefix("item-"): v
        for k, v in item_data(
            **{
                "item-number": "3",
                "item-rule_kind": "deadline_rate",
                "item-clocks": ["response"],
                "item-threshold": "100.01",
            }
        ).items()
    }
    response = client.post(staff_url("item_edit", item.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors["threshold"]


def test_publish_letter(client):
    world = seeded_world(published=False)
    client.force_login(world.party_secretary)
    response = client.post(staff_url("letter_publish", world.letter.pk))
    assert response.status_code == 302
    world.letter.refresh_from_db()
    assert world.letter.published
    # A second publish is a message, not a 500.
    response = client.post(staff_url("letter_publish", world.letter.pk), follow=True)
    assert response.status_code == 200
    assert b"alert-error" in response.content


def test_publish_requires_post(client, world):
    client.force_login(world.party_secretary)
    assert client.get(staff_url("letter_publish", world.letter.pk)).status_code == 405


# --- attestation -------------------------------------------------------------------


def test_attest_an_item(client, world):
    item = world.items[5]  # 廉洁自律: attested
    client.force_login(world.people.community_party)
    response = client.get(staff_url("item_attest", item.pk))
    assert response.status_code == 200
    period = response.context["form"].fields["period_start"].choices[0][0]
    data = {"period_start": period, "judgement": "met", "evidence": "经核查经费账目，未发现违规。"}
    response = client.post(staff_url("item_attest", item.pk), data)
    assert response.status_code == 302
    assert Attestation.objects.filter(item=item, judgement="met").exists()
    # The same period twice: an error next to the period.
    response = client.post(staff_url("item_attest", item.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors["period_start"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"evidence": ""}, "evidence"),
        ({"evidence": "字" * 5000}, "evidence"),
        ({"judgement": "maybe"}, "judgement"),
        ({"value": "101"}, "value"),
        ({"period_start": "2099-01-01"}, "period_start"),
        ({"period_start": HOSTILE}, "period_start"),
    ],
)
def test_attest_form_errors(client, world, overrides, field):
    item = world.items[5]
    client.force_login(world.people.community_party)
    data = {
        "period_start": dt.date(world.year, 1, 1).isoformat(),
        "judgement": "met",
        "evidence": "经核查。",
    }
    data.update(overrides)
    response = client.post(staff_url("item_attest", item.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]


def test_property_company_may_not_attest(client, world):
    client.force_login(world.people.property_company)
    assert client.get(staff_url("item_attest", world.items[5].pk)).status_code == 403


# --- activities ----------------------------------------------------------------------


def activity_data(world, **overrides) -> dict:
    data = {
        "organization": str(world.party.pk),
        "kind": "volunteer",
        "title": "环境整治志愿服务",
        "held_on": timezone.localdate().isoformat(),
        "description": "清理楼道堆物",
        "participants": [str(world.party_secretary.pk)],
        "participant_count": "12",
    }
    data.update(overrides)
    return data


def test_record_an_activity_with_a_photo(client, world):
    client.force_login(world.party_secretary)
    data = activity_data(world)
    data["photos"] = [jpeg()]
    response = client.post(staff_url("activity_new"), data)
    assert response.status_code == 302, response.context["form"].errors
    activity = Activity.objects.get(title="环境整治志愿服务")
    assert activity.photos.count() == 1
    assert list(activity.participants.all()) == [world.party_secretary]
    assert activity.participant_count == 12
    listing = client.get(staff_url("activity_list")).content.decode()
    assert "环境整治志愿服务" in listing


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"held_on": "2099-01-01"}, "held_on"),
        ({"held_on": "yesterday"}, "held_on"),
        ({"held_on": ""}, "held_on"),
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"kind": "party"}, "kind"),
        ({"organization": "999999"}, "organization"),
        ({"participants": ["999999"]}, "participants"),
        ({"participants": [SQLISH]}, "participants"),
        ({"participant_count": "-3"}, "participant_count"),
        ({"participant_count": "1000000"}, "participant_count"),
    ],
)
def test_activity_form_errors(client, world, overrides, field):
    client.force_login(world.party_secretary)
    data = activity_data(world, **overrides)
    response = client.post(staff_url("activity_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Activity.objects.exists()


def test_activity_of_an_organization_outside_the_compound(client, world):
    outside = OrganizationFactory(kind="compound_party")
    client.force_login(world.party_secretary)
    response = client.post(staff_url("activity_new"), activity_data(world, organization=outside.pk))
    assert response.context["form"].errors["organization"]


def test_activity_photo_that_is_not_an_image(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.party_secretary)
    data = activity_data(world)
    data["photos"] = [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")]
    response = client.post(staff_url("activity_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["photos"]
    assert "环境整治志愿服务" in response.content.decode()


# --- inspections ---------------------------------------------------------------------


def inspection_data(world, **overrides) -> dict:
    data = {
        "organization": str(world.pmc.pk),
        "kind": "quarterly_safety",
        "inspected_on": timezone.localdate().isoformat(),
        "areas": ["fire", "elevator"],
        "inspector": str(world.people.pmc.pk),
        "summary": "季度安全检查",
        "findings": "!3号楼消防栓无水\n楼道灯不亮\n\n",
    }
    data.update(overrides)
    return data


def test_record_inspection_with_findings_then_fix_one(client, world):
    client.force_login(world.people.pmc)
    response = client.post(staff_url("inspection_new"), inspection_data(world))
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.areas == ["fire", "elevator"]
    findings = list(inspection.findings.order_by("pk"))
    assert [f.description for f in findings] == ["3号楼消防栓无水", "楼道灯不亮"]
    assert all(f.is_safety for f in findings)  # quarterly safety: every finding
    page = staff_url("inspection_manage", inspection.pk)
    assert client.get(page).status_code == 200
    # Proof missing: an error next to the field of that finding.
    response = client.post(
        page, {"action": f"fix-{findings[0].pk}", f"fix{findings[0].pk}-proof": ""}
    )
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    response = client.post(
        page,
        {
            "action": f"fix-{findings[0].pk}",
            f"fix{findings[0].pk}-proof": "已更换消防栓阀门",
            f"fix{findings[0].pk}-photo": jpeg(),
        },
    )
    assert response.status_code == 302
    findings[0].refresh_from_db()
    assert findings[0].fixed_at is not None
    assert findings[0].fix_photo
    # A finding of another inspection cannot be fixed through this page.
    stranger = FindingFactory()
    response = client.post(page, {"action": f"fix-{stranger.pk}", f"fix{stranger.pk}-proof": "x"})
    assert response.status_code == 404
    response = client.post(page, {"action": "fix-abc"})
    assert response.status_code == 404


def test_add_a_finding(client, world):
    inspection = InspectionFactory(organization=world.pmc, compound=world.compound)
    client.force_login(world.people.pmc)
    page = staff_url("inspection_manage", inspection.pk)
    response = client.post(page, {"action": "finding", "finding-description": ""})
    assert response.status_code == 200
    assert response.context["finding_form"].errors["description"]
    response = client.post(
        page, {"action": "finding", "finding-description": "电梯异响", "finding-is_safety": "on"}
    )
    assert response.status_code == 302
    assert Finding.objects.get(inspection=inspection).is_safety


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"inspected_on": "2099-12-31"}, "inspected_on"),
        ({"inspected_on": ""}, "inspected_on"),
        ({"kind": "audit"}, "kind"),
        ({"kind": "monthly_service"}, "owner_representatives"),  # needs owner representatives
        ({"organization": "999999"}, "organization"),
        ({"inspector": "999999"}, "inspector"),
        ({"findings": "\n".join(f"问题{n}" for n in range(11))}, "findings"),
        ({"findings": "长" * 1001}, "findings"),
        ({"summary": "字" * 5000}, "summary"),
    ],
)
def test_inspection_form_errors(client, world, overrides, field):
    client.force_login(world.people.pmc)
    data = inspection_data(world, **overrides)
    response = client.post(staff_url("inspection_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Inspection.objects.exists()


def test_inspection_list_shows_open_findings(client, world):
    inspection = InspectionFactory(organization=world.pmc, compound=world.compound)
    FindingFactory(inspection=inspection, description="垃圾桶破损")
    client.force_login(world.people.pmc)
    assert "垃圾桶破损" in client.get(staff_url("inspection_list")).content.decode()


# --- 三诺 -----------------------------------------------------------------------------


def test_candidates_three_pledges_entry_and_publication(client, world):
    client.force_login(world.party_secretary)
    response = client.post(
        staff_url("election_list"), {"title": "第二届物业管理委员会选举", "held_on": "2026-06-30"}
    )
    assert response.status_code == 302
    election = Election.objects.get()
    page = staff_url("election", election.pk)
    candidate = world.people.pmc
    for kind, text in (
        ("election_discipline", "遵守选举纪律，不拉票贿选。"),
        ("service", "为群众办实事。"),
        ("resignation", "不认真履职即辞职。"),
    ):
        response = client.post(
            page,
            {
                "action": "pledge",
                "candidate": str(candidate.pk),
                "kind": kind,
                "text": text,
                "signed_on": timezone.localdate().isoformat(),
            },
        )
        assert response.status_code == 302
    # The same pledge again: an error next to the kind.
    response = client.post(
        page,
        {
            "candidate": str(candidate.pk),
            "kind": "service",
            "text": "再来一次",
            "signed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert "不拉票贿选" not in client.get(reverse("pledges:candidates")).content.decode()
    response = client.post(page, {"action": "publish"})
    assert response.status_code == 302
    assert CandidatePledge.objects.filter(published_at__isnull=False).count() == 3
    public = client.get(reverse("pledges:candidates")).content.decode()
    assert "遵守选举纪律，不拉票贿选。" in public
    assert candidate.mobile not in public


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"signed_on": "2099-01-01"}, "signed_on"),
        ({"candidate": "999999"}, "candidate"),
        ({"kind": "fourth"}, "kind"),
        ({"text": ""}, "text"),
        ({"text": "字" * 5000}, "text"),
    ],
)
def test_candidate_pledge_form_errors(client, world, overrides, field):
    election = ElectionFactory(compound=world.compound)
    client.force_login(world.party_secretary)
    data = {
        "candidate": str(world.people.pmc.pk),
        "kind": "service",
        "text": "为群众办实事。",
        "signed_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    response = client.post(staff_url("election", election.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]


def test_election_form_errors(client, world):
    client.force_login(world.party_secretary)
    response = client.post(staff_url("election_list"), {"title": "", "held_on": "not a date"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "held_on"}


def test_property_company_cannot_manage_candidates(client, world):
    client.force_login(world.people.property_company)
    response = client.post(staff_url("election_list"), {"title": "x", "held_on": "2026-01-01"})
    assert response.status_code == 403


# --- accountability ---------------------------------------------------------------------


def test_cases_open_review_decide_and_timeline(client, world):
    member = world.people.pmc
    client.force_login(world.party_secretary)
    response = client.post(
        staff_url("case_list"),
        {
            "organization": str(world.pmc.pk),
            "person": str(member.pk),
            "trigger": "collective_complaint",
            "details": "业主集体投诉绿化维护不力，经核查属实。",
        },
    )
    assert response.status_code == 302
    case = AccountabilityCase.objects.get()
    page = staff_url("case", case.pk)
    response = client.get(page)
    assert response.status_code == 200
    assert len(response.context["timeline"]) == 1
    response = client.post(page, {"outcome": "warned", "reasons": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reasons"]
    response = client.post(page, {"outcome": "warned", "reasons": "首次，予以警告。"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "decided"
    assert case.outcome == "warned"
    html = client.get(page).content.decode()
    assert "首次，予以警告。" in html
    assert len(client.get(page).context["timeline"]) == 2
    # Decided cases show no form; a forged second decision is a form error, not a 500.
    response = client.post(page, {"outcome": "resigned", "reasons": "再议"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    listing = client.get(staff_url("case_list"), {"status": "decided"}).content.decode()
    assert member.name in listing
    assert client.get(staff_url("case_list"), {"status": "open"}).context["cases"] == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"trigger": "absences"}, "trigger"),  # automatic triggers are not opened by hand
        ({"trigger": HOSTILE}, "trigger"),
        ({"details": ""}, "details"),
        ({"details": "字" * 5000}, "details"),
        ({"person": "999999"}, "person"),
        ({"organization": "999999"}, "organization"),
    ],
)
def test_case_open_form_errors(client, world, overrides, field):
    client.force_login(world.party_secretary)
    data = {
        "organization": str(world.pmc.pk),
        "person": str(world.people.pmc.pk),
        "trigger": "broken_pledge",
        "details": "违反参选承诺。",
    }
    data.update(overrides)
    response = client.post(staff_url("case_list"), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not AccountabilityCase.objects.exists()


def test_case_against_a_non_member_is_a_field_error(client, world):
    client.force_login(world.party_secretary)
    response = client.post(
        staff_url("case_list"),
        {
            "organization": str(world.pmc.pk),
            "person": str(world.people.property_company.pk),
            "trigger": "broken_pledge",
            "details": "违反参选承诺。",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["person"]


def test_cases_filter_with_bad_status_shows_all(client, world):
    AccountabilityCaseFactory(organization=world.pmc, compound=world.compound)
    client.force_login(world.party_secretary)
    response = client.get(staff_url("case_list"), {"status": HOSTILE})
    assert response.status_code == 200
    assert len(response.context["cases"]) == 1


def test_staff_without_review_right_sees_cases_but_cannot_decide(client, world):
    case = AccountabilityCaseFactory(organization=world.pmc, compound=world.compound)
    client.force_login(world.people.property_company)
    page = staff_url("case", case.pk)
    response = client.get(page)
    assert response.status_code == 200
    assert response.context["can_review"] is False
    assert client.post(page, {"outcome": "warned", "reasons": "x"}).status_code == 403


def test_people_pickers_do_not_offer_strangers(client, world):
    stranger = PersonFactory(name="外人")
    client.force_login(world.party_secretary)
    response = client.post(
        staff_url("activity_new"), activity_data(world, participants=[str(stranger.pk)])
    )
    assert response.context["form"].errors["participants"]
