"""``/media/<path>`` in production (DEBUG=0): each linked file as its page allows it.

huashan/core/media.py; issue 9 ("no one in where they don't belong"). The files with
their own download views (disclosure attachments and reports, meeting PDFs, summary
PDFs) are covered, role by role, by tests/access/test_matrix.py.
"""

from __future__ import annotations

import io
import secrets

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from evaluations.models import Campaign, Target
from issues import services as issue_services
from issues.models import Category, IssuePhoto
from meetings.models import ActionItemUpdate
from pledges.models import ActivityPhoto
from tests.factories.evaluations import evaluation_world
from tests.factories.meetings import ActionItemFactory
from tests.factories.pledges import ActivityFactory, FindingFactory
from tests.factories.world import compound_world

PDF_TINY = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _production(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = str(tmp_path)
    settings.HUASHAN_MEDIA_ACCEL_PREFIX = ""
    # WhiteNoise warns (warnings are errors) when STATIC_ROOT was never collected.
    settings.WHITENOISE_AUTOREFRESH = True


def media_url(name: str) -> str:
    return reverse("media", args=[name])


def fetch(url: str, person=None, client: Client | None = None):
    client = client or Client()
    if person is not None:
        client.force_login(person)
    return client.get(url)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def photo_of(issue, stage: str = IssuePhoto.Stage.REPORT) -> IssuePhoto:
    row = IssuePhoto(issue=issue, stage=stage, token=secrets.token_hex(16), width=4, height=4)
    row.image.save("x.jpg", ContentFile(jpeg()), save=True)
    return row


def submit(world, *, actor, is_public: bool):
    return issue_services.issue_submit(
        actor=actor,
        compound=world.compound,
        category=Category.objects.order_by("pk").first(),
        description="楼道灯坏了，晚上看不见",
        location_text="2栋",
        is_public=is_public,
        reporter_name="" if actor else "匿名居民",
        reporter_phone="13700001111",
    )


# --- complaint photos ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_private_complaint_photo_is_for_the_reporter_and_the_supervisors_only():
    world = compound_world()
    issue = submit(world, actor=world.resident, is_public=False).issue
    url = photo_of(issue).image.url
    other = compound_world()

    allowed = fetch(url, world.resident)

    assert url.startswith("/media/issues/")
    assert allowed.status_code == 200
    assert allowed["Content-Type"] == "image/jpeg"
    assert "private" in allowed["Cache-Control"]
    assert body(allowed)[:2] == b"\xff\xd8"
    assert fetch(url, world.people.residents_committee).status_code == 200
    assert fetch(url, world.people.compound_party).status_code == 200
    assert fetch(url).status_code == 404
    assert fetch(url, world.neighbour).status_code == 404
    assert fetch(url, other.people.residents_committee).status_code == 404


@pytest.mark.django_db
def test_an_anonymous_reporter_sees_the_photo_after_entering_the_tracking_code():
    world = compound_world()
    filed = submit(world, actor=None, is_public=False)
    url = photo_of(filed.issue).image.url
    client = Client()

    before = fetch(url, client=client)
    client.post(
        reverse("issues:track"),
        {"tracking_number": filed.issue.tracking_number, "code": filed.tracking_code},
    )
    after = fetch(url, client=client)

    assert (before.status_code, after.status_code) == (404, 200)


@pytest.mark.django_db
def test_a_public_complaint_shows_only_its_resolution_photos_to_the_public():
    """issues:detail's public view lists resolution photos only (docs/issues.md)."""
    world = compound_world()
    issue = submit(world, actor=world.resident, is_public=True).issue
    report_photo = photo_of(issue).image.url
    resolution_photo = photo_of(issue, IssuePhoto.Stage.RESOLUTION).image.url

    assert fetch(resolution_photo).status_code == 200
    assert fetch(resolution_photo, world.neighbour).status_code == 200
    assert fetch(report_photo).status_code == 404
    assert fetch(report_photo, world.neighbour).status_code == 404
    assert fetch(report_photo, world.resident).status_code == 200


@pytest.mark.django_db
def test_the_photo_check_costs_the_same_queries_with_more_photos(django_assert_max_num_queries):
    world = compound_world()
    issue = submit(world, actor=world.resident, is_public=False).issue
    first = photo_of(issue).image.url
    client = Client()
    client.force_login(world.people.residents_committee)

    with django_assert_max_num_queries(8):
        small = client.get(first)
    for _ in range(20):
        photo_of(issue)
    photo_of(submit(world, actor=world.neighbour, is_public=False).issue)
    with django_assert_max_num_queries(8):
        large = client.get(first)

    assert (small.status_code, large.status_code) == (200, 200)


# --- activity photos, agreed-item evidence, evaluation work reports -------------------


@pytest.mark.django_db
def test_activity_photos_are_public_evidence_but_only_under_their_own_name():
    activity = ActivityFactory()
    photo = ActivityPhoto(activity=activity, token=secrets.token_hex(16))
    photo.image.save("p.jpg", ContentFile(jpeg()), save=True)
    elsewhere = ActivityFactory()
    wrong_activity = photo.image.name.replace(
        f"/activities/{activity.pk}/", f"/activities/{elsewhere.pk}/"
    )

    assert fetch(photo.image.url).status_code == 200
    assert fetch(media_url(wrong_activity)).status_code == 404
    assert fetch(media_url(f"pledges/activities/{activity.pk}/{'0' * 32}.jpg")).status_code == 404


@pytest.mark.django_db
def test_inspection_fix_photos_are_public_evidence_and_linked_from_the_inspection():
    """小区党组织服务承诺 第7条 (限期整改): the proof of a fix is public like the inspection."""
    from django.utils import timezone

    finding = FindingFactory(fixed_at=timezone.now(), fix_proof="已清理")
    finding.fix_photo.save(f"{secrets.token_hex(16)}.jpg", ContentFile(jpeg()), save=True)
    inspection = finding.inspection

    assert fetch(finding.fix_photo.url).status_code == 200
    assert fetch(media_url(f"pledges/findings/{'0' * 32}.jpg")).status_code == 404
    page = Client().get(
        reverse("pledges:inspection", args=[inspection.pk]),
        {"compound": inspection.compound.slug},
    )
    assert page.status_code == 200
    assert finding.fix_photo.url in page.content.decode()


@pytest.mark.django_db
def test_agreed_item_evidence_is_for_the_compounds_staff():
    """As meetings:action_item (meetings.view_meeting); a .docx is downloaded, not shown."""
    world = compound_world()
    item = ActionItemFactory(
        meeting__compound=world.compound, responsible_organization=world.orgs.property_company
    )
    update = ActionItemUpdate(item=item, author=world.people.compound_party, note="已完成")
    update.evidence_file.save("验收记录.docx", ContentFile(b"PK\x03\x04docx"), save=True)
    url = update.evidence_file.url
    other = compound_world()

    staff = fetch(url, world.people.compound_party)

    assert staff.status_code == 200
    assert staff["Content-Type"] == "application/octet-stream"
    assert staff["Content-Disposition"].startswith("attachment;")
    assert fetch(url, world.people.property_company).status_code == 200
    assert fetch(url).status_code == 404
    assert fetch(url, world.resident).status_code == 404
    assert fetch(url, other.people.compound_party).status_code == 404


@pytest.mark.django_db
def test_an_evaluation_work_report_is_for_staff_until_the_results_are_public():
    """As evaluations:evidence (seed: 评议监督考核 第三条 查阅资料)."""
    world = evaluation_world()
    target = Target.objects.filter(campaign=world.campaign).order_by("pk").first()
    target.report_pdf.save("report.pdf", ContentFile(PDF_TINY), save=True)
    url = target.report_pdf.url

    staff = fetch(url, world.people.compound_party)
    before = fetch(url, world.resident)
    Campaign.objects.filter(pk=world.campaign.pk).update(state=Campaign.State.CLOSED)
    after = fetch(url, world.resident)

    assert staff.status_code == 200
    assert staff["Content-Type"] == "application/pdf"
    assert (before.status_code, after.status_code) == (404, 200)


# --- everything else -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "disclosures/2026/01/receipt.pdf",  # has its own view (disclosures:attachment)
        "disclosure-reports/1/2026Q1.pdf",
        "meetings/pdf/1/notice.pdf",
        "dashboard/summaries/2026/s.pdf",
        "pledges/findings/fix.jpg",
        "../huashan/settings.py",
        "issues/../../etc/passwd",
        "issues/2026/01/1/%00.jpg",
        "",
    ],
)
def test_other_stored_names_are_never_served(name, tmp_path):
    world = compound_world()
    (tmp_path / "disclosures/2026/01").mkdir(parents=True)
    (tmp_path / "disclosures/2026/01/receipt.pdf").write_bytes(PDF_TINY)

    response = fetch("/media/" + name, world.people.compound_party)

    assert response.status_code == 404


@pytest.mark.django_db
def test_a_file_missing_from_disk_is_a_404_not_a_500():
    world = compound_world()
    issue = submit(world, actor=world.resident, is_public=False).issue
    photo = photo_of(issue)
    photo.image.storage.delete(photo.image.name)

    assert fetch(photo.image.url, world.resident).status_code == 404


@pytest.mark.django_db
def test_behind_nginx_the_view_checks_and_nginx_sends(settings):
    settings.HUASHAN_MEDIA_ACCEL_PREFIX = "/_protected/media/"
    world = compound_world()
    issue = submit(world, actor=world.resident, is_public=False).issue
    photo = photo_of(issue)

    allowed = fetch(photo.image.url, world.resident)
    denied = fetch(photo.image.url, world.neighbour)

    assert allowed.status_code == 200
    assert allowed["X-Accel-Redirect"] == f"/_protected/media/{photo.image.name}"
    assert allowed.content == b""
    assert denied.status_code == 404
    assert "X-Accel-Redirect" not in denied


@pytest.mark.django_db
def test_media_answers_get_only():
    world = compound_world()
    issue = submit(world, actor=world.resident, is_public=False).issue
    client = Client()
    client.force_login(world.resident)

    assert client.post(photo_of(issue).image.url).status_code == 405
