"""Personal-information rights (个人信息保护法 第四十四条至第四十七条; issue 21 item 4):
see, download, correct, withdraw consent, delete — and who looked at my contact details."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from huashan.directory.models import Person
from huashan.notify.models import Notification, SmsPreference
from huashan.notify.services import notify_person, sms_preference_set
from issues.models import Category
from meetings.models import MotionVote, OwnersAssemblyMotion
from privacy import services
from privacy.models import ContactAccess, PrivacyEvent
from tests.factories.directory import MembershipFactory
from tests.factories.issues import IssueFactory
from tests.factories.world import compound_world

pytestmark = pytest.mark.django_db

ME = reverse("privacy:me")


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def world():
    return compound_world(default_compound=True)


@pytest.fixture
def category(db):
    category, _ = Category.objects.get_or_create(code="environment", defaults={"name": "环境卫生"})
    return category


def motion(world, stage):
    return OwnersAssemblyMotion.objects.create(
        compound=world.compound,
        title="更换物业公司",
        body="提议",
        matter=OwnersAssemblyMotion.Matter.COMPANY_SELECTION,
        stage=stage,
    )


def vote(world, person, stage, choice="no"):
    household = person.residencies.first().household
    return MotionVote.objects.create(
        motion=motion(world, stage),
        household=household,
        choice=choice,
        area=Decimal("88.50"),
        voter=person,
    )


def logged_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


# --- notice ----------------------------------------------------------------------------


def test_the_privacy_notice_is_public_and_in_plain_chinese():
    html = Client().get(reverse("privacy:notice")).content.decode()
    assert zh("What we collect") in html
    assert zh("How long we keep it") in html
    assert "3 年" in html or "3年" in html  # closed-complaint photos, from the retention table


# --- seeing and downloading ------------------------------------------------------------


def test_my_page_needs_login():
    assert Client().get(ME).status_code == 302


def test_my_page_shows_what_is_held_and_the_fact_of_a_vote_not_the_choice(world, category):
    resident = world.resident
    IssueFactory(compound=world.compound, category=category, reporter=resident)
    vote(world, resident, OwnersAssemblyMotion.Stage.DECIDED, choice="no")
    html = logged_in(resident).get(ME).content.decode()
    assert resident.mobile in html
    assert "更换物业公司" in html
    for label in MotionVote.Choice.labels:
        with translation.override("zh-hans"):
            assert f"· {label}" not in html
    assert zh("Who looked at my contact details") in html


def test_my_page_query_count_does_not_grow_with_data(
    world, category, django_assert_max_num_queries
):
    resident = world.resident
    client = logged_in(resident)
    for _ in range(2):
        IssueFactory(compound=world.compound, category=category, reporter=resident)
        notify_person(person=resident, subject="s", body="b")
    with django_assert_max_num_queries(40) as few:
        client.get(ME)
    for _ in range(8):
        IssueFactory(compound=world.compound, category=category, reporter=resident)
        notify_person(person=resident, subject="s", body="b")
        ContactAccess.objects.create(
            person=resident, viewer=world.people.joint_meeting_office, where="x"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(ME)


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_export_has_everything_listed_and_nothing_of_other_people(world, category):
    resident, neighbour = world.resident, world.neighbour
    mine = IssueFactory(
        compound=world.compound, category=category, reporter=resident, description="我家楼道灯坏了"
    )
    IssueFactory(
        compound=world.compound, category=category, reporter=neighbour, description="邻居的诉求"
    )
    vote(world, resident, OwnersAssemblyMotion.Stage.DECIDED, choice="no")
    notify_person(person=resident, subject="给我的通知", body="b")
    notify_person(person=neighbour, subject="给邻居的通知", body="b")
    sms_preference_set(actor=resident, person=resident, categories=["complaints"])
    ContactAccess.objects.create(
        person=resident, viewer=world.people.joint_meeting_office, where="issue:x"
    )
    archive = _zip(logged_in(resident).post(reverse("privacy:export")))
    data = json.loads(archive.read("data.json"))
    assert set(data) >= {
        "account",
        "residencies",
        "complaints",
        "ballots_cast",
        "notifications",
        "consents",
        "contact_details_seen_by",
    }
    assert data["account"]["mobile"] == resident.mobile
    assert [c["tracking_number"] for c in data["complaints"]] == [mine.tracking_number]
    assert data["ballots_cast"][0]["vote"] == "更换物业公司"
    assert "choice" not in data["ballots_cast"][0]
    assert [n["subject"] for n in data["notifications"]] == ["给我的通知"]
    assert data["sms_choices"] == ["complaints"]
    assert data["contact_details_seen_by"][0]["by"] == world.people.joint_meeting_office.name
    raw = archive.read("data.json").decode()
    assert neighbour.mobile not in raw
    assert "邻居的诉求" not in raw
    assert "给邻居的通知" not in raw
    assert PrivacyEvent.objects.filter(person=resident, verb="exported").count() == 1


def test_export_includes_the_photos_i_uploaded(world, category, tmp_path, settings):
    from django.core.files.base import ContentFile

    from issues.models import IssuePhoto

    settings.MEDIA_ROOT = tmp_path
    issue = IssueFactory(compound=world.compound, category=category, reporter=world.resident)
    photo = IssuePhoto(issue=issue, token="t" * 32)
    photo.image.save("x.jpg", ContentFile(b"\xff\xd8jpegdata"), save=True)
    other = IssueFactory(compound=world.compound, category=category, reporter=world.neighbour)
    IssuePhoto(issue=other, token="o" * 32).image.save(
        "y.jpg", ContentFile(b"\xff\xd8x"), save=True
    )
    archive = _zip(logged_in(world.resident).post(reverse("privacy:export")))
    photos = [n for n in archive.namelist() if n.startswith("photos/")]
    assert photos == [f"photos/{issue.tracking_number}-{'t' * 32}.jpg"]
    assert archive.read(photos[0]) == b"\xff\xd8jpegdata"


def test_a_replayed_export_request_gets_a_clear_answer(world):
    client = logged_in(world.resident)
    assert client.post(reverse("privacy:export")).status_code == 200
    again = client.post(reverse("privacy:export"))
    assert again.status_code == 429
    assert PrivacyEvent.objects.filter(person=world.resident, verb="exported").count() == 1
    # Boundary: 10 minutes later it works again.
    PrivacyEvent.objects.filter(person=world.resident).update(
        at=timezone.now() - services.EXPORT_INTERVAL - timedelta(seconds=1)
    )
    assert client.post(reverse("privacy:export")).status_code == 200


def test_export_is_post_only(world):
    assert logged_in(world.resident).get(reverse("privacy:export")).status_code == 405


# --- correcting and withdrawing ----------------------------------------------------------


def test_correct_my_name_and_email(world):
    client = logged_in(world.resident)
    response = client.post(reverse("privacy:correct"), {"name": "王大明", "email": "w@example.cn"})
    assert response.status_code == 302
    world.resident.refresh_from_db()
    assert (world.resident.name, world.resident.email) == ("王大明", "w@example.cn")
    assert PrivacyEvent.objects.filter(person=world.resident, verb="corrected").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "email": ""},
        {"name": "名" * 51, "email": ""},
        {"name": "王", "email": "not-an-email"},
    ],
)
def test_bad_corrections_are_refused_and_keep_what_was_typed(world, data):
    before = world.resident.name
    response = logged_in(world.resident).post(reverse("privacy:correct"), data)
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    world.resident.refresh_from_db()
    assert world.resident.name == before


def test_hostile_name_is_stored_as_text_and_escaped(world):
    client = logged_in(world.resident)
    client.post(reverse("privacy:correct"), {"name": "<script>x</script>", "email": ""})
    html = client.get(ME).content.decode()
    assert "<script>x</script>" not in html


def test_withdraw_sms_consent_stops_sms(world):
    resident = world.resident
    sms_preference_set(actor=resident, person=resident, categories=["other"])
    client = logged_in(resident)
    assert client.post(reverse("privacy:withdraw", args=["sms_notices"])).status_code == 302
    assert SmsPreference.objects.get(person=resident).categories == []
    notify_person(person=resident, subject="s", body="b")
    assert not Notification.objects.filter(channel="sms").exists()


def test_withdraw_identity_sharing_hides_me_on_my_complaints(world, category):
    issue = IssueFactory(
        compound=world.compound, category=category, reporter=world.resident, share_identity=True
    )
    logged_in(world.resident).post(reverse("privacy:withdraw", args=["share_identity"]))
    issue.refresh_from_db()
    assert issue.share_identity is False


@pytest.mark.parametrize("purpose", ["privacy_notice", "bogus", "x" * 300])
def test_other_consents_cannot_be_withdrawn_this_way(world, purpose):
    response = logged_in(world.resident).post(reverse("privacy:withdraw", args=[purpose]))
    assert response.status_code == 400


def test_nobody_acts_on_someone_elses_data(world):
    from django.core.exceptions import PermissionDenied

    for call in (
        lambda: services.person_export(actor=world.neighbour, person=world.resident),
        lambda: services.person_delete(actor=world.neighbour, person=world.resident),
        lambda: services.person_correct(
            actor=world.neighbour, person=world.resident, name="x", email=""
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()


# --- deleting --------------------------------------------------------------------------


def test_deletion_anonymises_complaints_and_ends_memberships(world, category):
    resident = world.resident
    issue = IssueFactory(
        compound=world.compound,
        category=category,
        reporter=resident,
        reporter_name="王小明",
        reporter_phone=resident.mobile,
        description="楼道灯坏了",
    )
    seat = MembershipFactory(person=resident, organization=world.orgs.pmc)
    notify_person(person=resident, subject="s", body="b")
    closed_vote = vote(world, resident, OwnersAssemblyMotion.Stage.DECIDED)
    mobile = resident.mobile
    client = logged_in(resident)
    response = client.post(reverse("privacy:delete"), {"confirm": "on"})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.reporter_id, issue.reporter_name, issue.reporter_phone) == (None, "", "")
    assert issue.description == "楼道灯坏了"  # kept as a public record
    seat.refresh_from_db()
    assert seat.end == timezone.localdate()
    assert not Notification.objects.filter(recipient=resident).exists()
    resident.refresh_from_db()
    assert not resident.is_active
    assert resident.mobile != mobile
    assert resident.name != "王小明"
    assert not resident.has_usable_password()
    # The counted ballot of a closed vote stays (the household's vote is a record).
    assert MotionVote.objects.filter(pk=closed_vote.pk).exists()
    # Signed out, and the number is free to register again.
    assert client.get(ME).status_code == 302
    assert not Person.objects.filter(mobile=mobile).exists()


def test_deletion_is_refused_during_an_open_owners_vote(world):
    resident = world.resident
    vote(world, resident, OwnersAssemblyMotion.Stage.VOTING)
    response = logged_in(resident).post(reverse("privacy:delete"), {"confirm": "on"})
    assert response.status_code == 409
    assert "更换物业公司" in response.content.decode()
    resident.refresh_from_db()
    assert resident.is_active
    assert PrivacyEvent.objects.filter(person=resident, verb="deletion_refused").exists()


def test_deletion_needs_the_confirmation_box(world):
    response = logged_in(world.resident).post(reverse("privacy:delete"), {})
    assert response.status_code == 400
    world.resident.refresh_from_db()
    assert world.resident.is_active


# --- staff access to contact details ---------------------------------------------------


def test_staff_viewing_a_reporters_contact_is_logged_and_the_resident_sees_who(world, category):
    issue = IssueFactory(
        compound=world.compound, category=category, reporter=world.resident, share_identity=True
    )
    office = world.people.joint_meeting_office
    response = logged_in(office).get(reverse("issues:staff_detail", args=[issue.tracking_number]))
    assert response.status_code == 200
    access = ContactAccess.objects.get(person=world.resident)
    assert access.viewer == office
    assert access.where == f"issue:{issue.tracking_number}"
    html = logged_in(world.resident).get(ME).content.decode()
    assert office.name in html


def test_registration_records_the_privacy_notice_consent(world):
    from huashan.accounts.services import person_register
    from privacy.models import Consent

    person = person_register(
        mobile="13800001111",
        name="新居民",
        password=None,
        household=world.resident.residencies.first().household,
        relation="owner",
    )
    consent = Consent.objects.get(person=person)
    assert (consent.purpose, consent.notice_version) == ("privacy_notice", services.NOTICE_VERSION)


# --- retention -------------------------------------------------------------------------


def test_retention_sweep_deletes_only_what_outlived_its_period(world, category):
    from huashan.accounts.models import SignInCode
    from privacy.retention import retention_periods, retention_sweep

    now = timezone.now()
    days = retention_periods()
    old, fresh = now - timedelta(days=days["sign_in_codes"] + 1), now - timedelta(days=1)
    for at in (old, fresh):
        SignInCode.objects.create(
            mobile="13700000000", purpose="login", code_hash="x", created_at=at, expires_at=at
        )
    for at, status in (
        (now - timedelta(days=days["notifications"] + 1), "delivered"),
        (now - timedelta(days=days["notifications"] + 1), "pending"),
        (now - timedelta(days=1), "delivered"),
    ):
        row = notify_person(person=world.resident, subject="s", body="b")
        Notification.objects.filter(pk=row.pk).update(created_at=at, status=status)
    ContactAccess.objects.create(
        person=world.resident, where="x", at=now - timedelta(days=days["contact_access_log"] + 1)
    )
    result = retention_sweep(now=now)
    assert result["sign_in_codes"] == 1
    assert result["notifications"] == 1  # the pending one is never touched
    assert result["contact_access_log"] == 1
    assert SignInCode.objects.count() == 1
    assert Notification.objects.filter(recipient=world.resident).count() == 2


def test_every_page_links_the_privacy_notice_in_its_footer():
    html = Client().get(reverse("privacy:notice")).content.decode()
    footer = html.split('<footer class="site-footer">', 1)[1]
    assert f'href="{reverse("privacy:notice")}"' in footer


def test_the_retention_task_is_registered():
    from huashan.celery import app
    from privacy.tasks import retention_sweep

    assert retention_sweep.name == "privacy.tasks.retention_sweep"
    assert "privacy.tasks.retention_sweep" in app.tasks
